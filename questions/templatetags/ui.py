from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def bi(zh: str, en: str):
    """A bilingual label: Chinese first, English beside it."""
    return format_html('<span class="zh">{}</span> <span class="en" lang="en">{}</span>', zh, en)
