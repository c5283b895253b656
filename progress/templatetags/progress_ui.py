from datetime import timedelta

from django import template
from django.utils.html import format_html

register = template.Library()


def interval_parts(delta: timedelta) -> tuple[str, str]:
    """A time span in words, Chinese and English: "10 分钟" / "10 min", "3 天" / "3 days"."""
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes} 分钟", f"{minutes} min"
    hours = round(minutes / 60)
    if hours < 24:
        return f"{hours} 小时", f"{hours} h"
    days = round(hours / 24)
    return f"{days} 天", f"{days} day{'s' if days != 1 else ''}"


@register.simple_tag
def interval(delta: timedelta):
    zh, en = interval_parts(delta)
    return format_html('{} <span class="en" lang="en">{}</span>', zh, en)


@register.filter
def signed(value: int | None) -> str:
    """A change in points with its sign: +12, −5, ±0."""
    if value is None:
        return "—"
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"−{abs(value)}"
    return "±0"
