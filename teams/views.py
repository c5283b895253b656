from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.middleware import request_timezone
from teams import selectors, services
from teams.errors import AlreadyMember, OwnerOnly, TeamError
from teams.forms import TeamForm, TeamSettingsForm
from teams.models import Membership
from teams.selectors import DEFAULT_PERIOD, PERIODS


class BadPeriod(TeamError):
    def __init__(self):
        super().__init__(
            "没有这个时间段:请选择本周、本月或全部。"
            "There is no such period: choose this week, this month or all time."
        )


def _refusal(request: HttpRequest, error: TeamError, membership=None) -> HttpResponse:
    """A refused request: its bilingual message with the error's 4xx status."""
    template = "teams/refusal.html"
    if request.htmx and not request.htmx.boosted:
        template += "#message"
    context = {"message": error.message, "membership": membership}
    if isinstance(error, AlreadyMember):
        context["team"] = error.team
    return render(request, template, context, status=error.status)


def member_view(*methods: str) -> Callable:
    """A team view for current members only: anyone else gets a 404, whatever the method.

    Membership is checked before the method, so a stranger cannot tell a team's pages apart
    from pages of a team that does not exist.
    """

    def decorate(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, pk: int, **kwargs) -> HttpResponse:
            try:
                membership = selectors.membership_for(user=request.user, team_id=pk)
            except TeamError as error:
                return _refusal(request, error)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            try:
                return view(request, membership, **kwargs)
            except TeamError as error:
                return _refusal(request, error, membership)

        return wrapped

    return decorate


def _period(request: HttpRequest, now):
    key = request.GET.get("period", DEFAULT_PERIOD)
    if key not in PERIODS:
        raise BadPeriod
    tz = request_timezone(request)
    return selectors.period_for(key, now.astimezone(tz).date()), tz


def _board_template(request: HttpRequest, template: str) -> str:
    """The board region for htmx swaps and polls; the whole page otherwise (also when htmx
    restores a page missing from its history cache)."""
    htmx = request.htmx
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        return template + "#board"
    return template


@login_required
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "teams/list.html",
        {"memberships": selectors.memberships_of(request.user), "form": TeamForm()},
    )


@login_required
@require_POST
def team_create(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST)
    if not form.is_valid():
        context = {"memberships": selectors.memberships_of(request.user), "form": form}
        return render(request, "teams/list.html", context, status=400)
    team = services.team_create(owner=request.user, **form.cleaned_data)
    messages.success(
        request,
        "团队已创建。把邀请链接发给队友吧。The team is ready: send your teammates the invite link.",
    )
    return redirect(team)


@member_view("GET")
@vary_on_headers("HX-Request")
def team_detail(request: HttpRequest, membership: Membership) -> HttpResponse:
    now = timezone.now()
    period, tz = _period(request, now)
    team = membership.team
    rows = selectors.team_board(team_id=team.pk, period=period, now=now)
    context = {
        "team": team,
        "membership": membership,
        "period": period,
        "periods": PERIODS,
        "rows": rows,
        "timezone_name": str(tz),
        "now": now,
        "invite_url": request.build_absolute_uri(team.get_invite_url()),
        "others_remain": len(rows) > 1,
    }
    return render(request, _board_template(request, "teams/detail.html"), context)


@member_view("GET", "POST")
def team_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    team = membership.team
    if not membership.is_owner:
        raise OwnerOnly
    if request.method == "POST":
        form = TeamSettingsForm(request.POST)
        if form.is_valid():
            services.team_update(by=request.user, team_id=team.pk, **form.cleaned_data)
            messages.success(request, "团队设置已保存。Team settings saved.")
            return redirect(team)
        status = 400
    else:
        form = TeamSettingsForm(
            initial={
                "name": team.name,
                "description": team.description,
                "public_board_opt_out": team.public_board_opt_out,
            }
        )
        status = 200
    context = {
        "team": team,
        "membership": membership,
        "form": form,
        "invite_url": request.build_absolute_uri(team.get_invite_url()),
    }
    return render(request, "teams/settings.html", context, status=status)


@member_view("POST")
def code_regenerate(request: HttpRequest, membership: Membership) -> HttpResponse:
    team = services.code_regenerate(by=request.user, team_id=membership.team_id)
    messages.success(
        request,
        "已生成新的邀请码,旧链接已失效。A new invite code is ready; the old link no longer works.",
    )
    return redirect("teams:settings", team.pk)


@member_view("POST")
def member_remove(request: HttpRequest, membership: Membership, user_id: int) -> HttpResponse:
    services.member_remove(by=request.user, team_id=membership.team_id, user_id=user_id)
    messages.success(request, "已移除该成员。The member was removed.")
    return redirect(membership.team)


@member_view("POST")
def ownership_transfer(request: HttpRequest, membership: Membership, user_id: int) -> HttpResponse:
    services.ownership_transfer(by=request.user, team_id=membership.team_id, user_id=user_id)
    messages.success(request, "创建者身份已移交。Ownership has been handed over.")
    return redirect(membership.team)


@member_view("POST")
def team_leave(request: HttpRequest, membership: Membership) -> HttpResponse:
    team = services.team_leave(user=request.user, team_id=membership.team_id)
    messages.success(request, f"你已退出团队「{team.name}」。You have left {team.name}.")
    return redirect("teams:list")


@login_required
def team_join(request: HttpRequest, code: str) -> HttpResponse:
    """The invite link: GET shows the team and a button; only the POST joins."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        if request.method == "POST":
            team = services.team_join(user=request.user, code=code)
            messages.success(request, f"欢迎加入「{team.name}」!Welcome to {team.name}!")
            return redirect(team)
        team = selectors.team_for_code(code)
        if selectors.is_member(user=request.user, team=team):
            raise AlreadyMember(team)
    except TeamError as error:
        return _refusal(request, error)
    return render(request, "teams/join.html", {"team": team, "code": code})


@login_required
@require_GET
@vary_on_headers("HX-Request")
def public_board(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    try:
        period, tz = _period(request, now)
    except TeamError as error:
        return _refusal(request, error)
    context = {
        "period": period,
        "periods": PERIODS,
        "rows": selectors.public_board(period=period, viewer=request.user),
        "timezone_name": str(tz),
        "min_active": selectors.MIN_ACTIVE_MEMBERS,
        "places": selectors.PUBLIC_BOARD_PLACES,
        "ttl": selectors.PUBLIC_BOARD_TTL,
    }
    return render(request, _board_template(request, "teams/public_board.html"), context)
