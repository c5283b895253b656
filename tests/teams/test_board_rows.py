"""The board's rows and the member list, built in Python: values, marks, links and escaping."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import SESSION_TIMEZONE
from accounts.models import Profile
from teams import services
from teams.models import Membership

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def page_of(client, team, **params):
    response = client.get(team.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def board_rows(page):
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return re.findall(r"<tr.*?</tr>", body, re.S)


def members(page):
    listing = page[page.index('<ul class="member-list">') :]
    return re.findall(r"<li>.*?</li>", listing[: listing.index("</ul>")], re.S)


def cells(row):
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh].*?</t[dh]>", row)]


def test_the_board_shows_each_members_numbers_in_rank_order(
    team, owner, member, owner_client, stat
):
    today = timezone.localdate()
    stat(owner, today, [80, 80], topics=["cnn", "rnn"])
    stat(member, today - dt.timedelta(days=1), [90.25])
    rows = board_rows(page_of(owner_client, team, period="all"))
    assert [cells(row) for row in rows] == [
        ["1", "麦克 Mike", "1", "90.3", "90.3", "0", "1 天 d"],
        ["2", "奥莉维亚 Olivia 你 you", "2", "80.0", "80.0", "2", "1 天 d"],
    ]
    assert rows[1].startswith('<tr class="is-viewer" aria-current="true">')
    assert '<span class="you"><span class="zh">你</span>' in rows[1]
    assert rows[0].startswith('<tr class="">')


def test_members_without_a_counted_interview_come_last_unranked(team, owner, member_client):
    rows = board_rows(page_of(member_client, team))
    assert [cells(row) for row in rows] == [
        ["—", "奥莉维亚 Olivia", "0", "—", "—", "0", "0"],
        ["—", "麦克 Mike 你 you", "0", "—", "—", "0", "0"],
    ]
    assert rows[0].startswith('<tr class=" inactive">')
    assert rows[1].startswith('<tr class="is-viewer inactive" aria-current="true">')


def test_the_member_list_is_by_name_with_the_join_day_in_the_viewers_time_zone(
    team, owner, member, member_client
):
    joined = dt.datetime(2025, 6, 4, 20, 30, tzinfo=dt.UTC)  # June 5th in Shanghai
    Membership.objects.filter(team=team, user=member).update(joined_at=joined)
    items = members(page_of(member_client, team))
    assert [re.search(r'member-name">(.*?)<', item)[1] for item in items] == [
        "奥莉维亚 Olivia",
        "麦克 Mike",
    ]
    assert '<span class="badge done"><span class="zh">创建者</span>' in items[0]
    assert "badge" not in items[1] and "2025-06-05</span>" in items[1]
    assert "<form" not in "".join(items)  # a member manages no one

    session = member_client.session
    session[SESSION_TIMEZONE] = "America/New_York"
    session.save()
    items = members(page_of(member_client, team))
    assert "2025-06-04</span>" in items[1]


def test_the_owner_gets_working_actions_for_every_other_member(
    team, owner, member, user_factory, owner_client
):
    third = user_factory("zoe", "佐伊 Zoe")
    services.team_join(user=third, code=team.invite_code)
    items = {
        re.search(r'member-name">(.*?)<', item)[1]: item
        for item in members(page_of(owner_client, team))
    }
    assert "<form" not in items["奥莉维亚 Olivia"]  # the owner's own entry
    for item, user in ((items["麦克 Mike"], member), (items["佐伊 Zoe"], third)):
        actions = re.findall(r'<form method="post" action="([^"]+)"', item)
        assert actions == [
            reverse("teams:transfer", args=[team.pk, user.pk]),
            reverse("teams:remove", args=[team.pk, user.pk]),
        ]
        assert item.count('name="csrfmiddlewaretoken"') == 2

    response = owner_client.post(re.findall(r'action="([^"]+/remove/)"', items["佐伊 Zoe"])[0])
    assert response.status_code == 302
    assert not Membership.objects.current().filter(team=team, user=third).exists()


def test_names_are_escaped_in_the_board_and_the_member_list(team, member, owner_client):
    Profile.objects.filter(user=member).update(display_name=SCRIPT)
    page = page_of(owner_client, team)
    assert SCRIPT not in page
    assert f'<th scope="row" class="member">{ESCAPED}</th>' in page
    assert f'<span class="member-name">{ESCAPED}</span>' in page
    assert f'data-confirm="将 {ESCAPED} 移出团队?Remove {ESCAPED} from the team?"' in page
    assert f'<span class="visually-hidden"> {ESCAPED}</span>' in page


def test_the_htmx_board_region_has_the_same_rows(team, owner, member, owner_client, stat):
    stat(member, timezone.localdate(), [75])
    full = board_rows(page_of(owner_client, team, period="month"))
    region = owner_client.get(
        team.get_absolute_url(), {"period": "month"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert board_rows(region) == full
