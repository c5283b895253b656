from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def bi(zh: str, en: str):
    """A bilingual label: Chinese first, English beside it."""
    return format_html('<span class="zh">{}</span> <span class="en" lang="en">{}</span>', zh, en)


@register.filter
def duration_mmss(value) -> str:
    """A timedelta as m:ss (or h:mm:ss)."""
    if value is None:
        return ""
    seconds = max(0, int(value.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
