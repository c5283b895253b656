"""The rows of a team's board and of its member list, built in Python.

A team has about a hundred members, and the board's region is re-rendered every 30 s by every
open page: as template loops, the two lists cost a dozen nodes, a `{% url %}` and a
`{% csrf_token %}` or two per member, most of the page's time. Each value goes through
format_html, so names are escaped as a template would escape them, and numbers print as the
templates print them with this project's settings (no thousands separator).
"""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from questions.templatetags.ui import bilingual
from teams.models import Membership, Team
from teams.selectors import MemberRow

register = template.Library()

YOU = format_html(' <span class="you">{}</span>', bilingual("你", "you"))
DAYS = mark_safe(' <span class="muted">天<span class="en" lang="en"> d</span></span>')
OWNER = format_html('<span class="badge done">{}</span>', bilingual("创建者", "Owner"))
JOINED = bilingual("加入于", "joined")
MAKE_OWNER = bilingual("设为创建者", "Make owner")
REMOVE = bilingual("移除", "Remove")


def _number(value: int | Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


def _board_row(row: MemberRow, viewer_id: int) -> SafeString:
    is_viewer = row.user_id == viewer_id
    classes = ("is-viewer" if is_viewer else "") + (" inactive" if row.rank is None else "")
    return format_html(
        '<tr class="{}"{}>\n'
        '<td class="num rank">{}</td>\n'
        '<th scope="row" class="member">{}{}</th>\n'
        '<td class="num c2" data-label="场次 Interviews">{}</td>\n'
        '<td class="num score" data-label="平均 Average">{}</td>\n'
        '<td class="num c3" data-label="最高 Best">{}</td>\n'
        '<td class="num c4" data-label="主题 Topics">{}</td>\n'
        '<td class="num c5" data-label="连续 Streak">{}{}</td>\n'
        "</tr>",
        classes,
        mark_safe(' aria-current="true"') if is_viewer else "",
        _number(row.rank),
        row.name,
        YOU if is_viewer else "",
        _number(row.interviews),
        _number(row.average),
        _number(row.best),
        _number(row.topics),
        _number(row.streak),
        DAYS if row.streak else "",
    )


@register.simple_tag
def board_rows(rows: list[MemberRow], viewer_id: int) -> SafeString:
    """The board's table rows, ranked; the viewer's row is marked."""
    return mark_safe("\n".join(_board_row(row, viewer_id) for row in rows))


def _member_url(name: str, team: Team):
    """The URL of an action on a member, for any member: one reversal, then formatting."""
    prefix, suffix = reverse(f"teams:{name}", args=[team.pk, 0]).rsplit("/0/", 1)
    return lambda user_id: f"{prefix}/{user_id}/{suffix}"


@register.simple_tag(takes_context=True)
def member_items(context, rows: list[MemberRow], team: Team, membership: Membership):
    """The member list, by name; the owner gets the buttons to hand over ownership or remove."""
    csrf_input = CsrfTokenNode().render(context)
    transfer_url, remove_url = _member_url("transfer", team), _member_url("remove", team)
    items = []
    for row in sorted(rows, key=attrgetter("name")):
        actions = ""
        if membership.is_owner and not row.is_owner:
            actions = format_html(
                '<span class="member-actions">\n'
                '<form method="post" action="{}" class="inline-form"'
                ' data-confirm="把创建者身份移交给 {}?Hand ownership over to {}?">\n{}\n'
                '<button type="submit" class="button small">{}'
                '<span class="visually-hidden"> {}</span></button>\n'
                "</form>\n"
                '<form method="post" action="{}" class="inline-form"'
                ' data-confirm="将 {} 移出团队?Remove {} from the team?">\n{}\n'
                '<button type="submit" class="button small danger">{}'
                '<span class="visually-hidden"> {}</span></button>\n'
                "</form>\n"
                "</span>",
                transfer_url(row.user_id),
                row.name,
                row.name,
                csrf_input,
                MAKE_OWNER,
                row.name,
                remove_url(row.user_id),
                row.name,
                row.name,
                csrf_input,
                REMOVE,
                row.name,
            )
        items.append(
            (
                row.name,
                OWNER if row.is_owner else "",
                JOINED,
                timezone.localtime(row.joined_at).date().isoformat(),
                actions,
            )
        )
    return format_html_join(
        "\n",
        '<li>\n<span class="member-name">{}</span>\n{}\n'
        '<span class="muted small-print">{} {}</span>\n{}\n</li>',
        items,
    )
