from __future__ import annotations

import re
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from interviews import services
from interviews.forms import PRESETS, StartForm
from interviews.models import MAX_ANSWER_CHARS, Interview, Response
from interviews.services import Answer, InterviewError, InterviewInProgress
from questions.markup import render as render_markdown
from questions.models import Tag
from quizsite.links import int_url
from quizsite.ratelimit import rate_limited

ASSESSMENTS = Response.SelfAssessment
TAB_ID = re.compile(r"[0-9a-f]{32}")


def _interview(request, pk: int) -> Interview:
    return get_object_or_404(Interview.objects.for_user(request.user), pk=pk)


def _locked(request, pk: int, action):
    """Run a write under the interview's lock; a foreign or unknown id is a 404."""
    try:
        return services.with_interview(user=request.user, pk=pk, action=action)
    except Interview.DoesNotExist:
        raise Http404 from None


def _locked_responses(request, pk: int, action):
    """Run action(interview, responses) under the interview's lock, its responses read once
    the lock is held (services.with_responses); a foreign or unknown id is a 404."""
    try:
        return services.with_responses(user=request.user, pk=pk, action=action)
    except Interview.DoesNotExist:
        raise Http404 from None


def _finish_if_expired(request, interview: Interview) -> Interview:
    """Pages finish an interview whose time is up, so nobody waits for the cron job."""
    if interview.is_open and interview.is_past_deadline():
        _locked(request, interview.pk, lambda locked: services.interview_finish(interview=locked))
        interview.refresh_from_db()
    return interview


def _refusal(request, interview_pk: int, error: InterviewError, position: int | None = None):
    """A refused write: a clear message with the error's 4xx status, for htmx or a full page."""
    if isinstance(error, services.TimeUp | services.InterviewClosed) and not request.htmx:
        messages.error(request, error.message)
        return redirect("interviews:review", interview_pk)
    response = render(
        request,
        "interviews/_error.html",
        {"message": error.message, "interview_pk": interview_pk, "error": error},
        status=error.status,
    )
    if request.htmx:
        response["HX-Retarget"] = "#answer-errors" if position is not None else "#page-errors"
        response["HX-Reswap"] = "innerHTML"
    return response


@login_required
def interview_history(request):
    interviews = (
        Interview.objects.for_user(request.user)
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("position")))
        .order_by("-started_at")[:100]
    )
    return render(request, "interviews/history.html", {"interviews": interviews})


@login_required
@rate_limited("start")
def interview_new(request):
    if request.method == "POST":
        form = StartForm(request.POST)
        if form.is_valid():
            try:
                interview = services.interview_start(
                    user=request.user,
                    mode=form.cleaned_data["mode"],
                    tags=form.cleaned_data["tags"],
                    question_count=form.cleaned_data["question_count"],
                    time_limit=form.time_limit,
                    start_token=form.cleaned_data["start_token"],
                )
            except InterviewInProgress as error:
                messages.error(request, error.message)
                return redirect("interviews:new")
            except InterviewError as error:
                form.add_error(None, error.message)
            else:
                return redirect(interview.get_absolute_url())
        status = 400
    else:
        form = StartForm(initial={"start_token": uuid.uuid4()})
        status = 200
    context = {
        "form": form,
        "topic_choices": _topic_choices(form),
        "presets": PRESETS,
        "open_interview": Interview.objects.for_user(request.user).in_progress().first(),
        "preset_token": uuid.uuid4,
    }
    return render(request, "interviews/new.html", context, status=status)


def _topic_choices(form: StartForm) -> list[tuple[str, str, bool]]:
    """The topic checkboxes' (value, label, checked), written out by the template: a widget
    template rendered per topic was half of this page's CPU."""
    selected = {str(value) for value in form["tags"].value() or ()}
    return [
        (str(tag.pk), str(tag), str(tag.pk) in selected) for tag in form.fields["tags"].queryset
    ]


@login_required
@require_GET
def interview_detail(request, pk: int):
    interview = _finish_if_expired(request, _interview(request, pk))
    if not interview.is_open:
        return redirect("interviews:review", pk)
    return redirect("interviews:question", pk, interview.current_position + 1)


def _question_context(request, interview: Interview, number: int, responses: list[Response]):
    if not 1 <= number <= len(responses):
        raise Http404
    response = responses[number - 1]
    form = request.GET.get("form") or response.form
    variant = response.variant(form)
    if variant is None:
        form = "text"
    variants = response.snapshot.get("variants", [])
    # Every question is linked: URLs formatted from one reversal per name (quizsite.links).
    for r in responses:
        r.url = int_url("interviews:question", interview.pk, r.number)
    urls = {
        name: int_url(f"interviews:{name}", interview.pk, number)
        for name in ("submit", "draft", "flag")
    }
    urls["question"] = responses[number - 1].url
    urls["back"] = responses[number - 2].url if number > 1 else ""
    urls["next"] = responses[number].url if number < len(responses) else ""
    urls["finish"] = int_url("interviews:finish", interview.pk)
    urls["clock"] = int_url("interviews:clock", interview.pk)
    return {
        "urls": urls,
        "navigator": _navigator(responses, number),
        "interview": interview,
        "responses": responses,
        "response": response,
        "number": number,
        "total": len(responses),
        "answered": sum(1 for r in responses if r.is_answered),
        "answer_form": form,
        "variant": variant,
        "variants": list(enumerate(variants)),
        "seconds_left": interview.seconds_left(),
        "max_chars": MAX_ANSWER_CHARS,
        "show_feedback": interview.mode == Interview.Mode.PRACTICE and response.submitted_at,
        "reference_html": render_markdown(response.snapshot["reference_answer"]),
        "assessments": ASSESSMENTS,
        "tab": _tab(request) or uuid.uuid4().hex,
    }


NAV_DOT = (
    '<a href="{url}" hx-get="{url}" hx-target="#question-panel" hx-swap="outerHTML" '
    'hx-push-url="true" class="nav-dot{classes}"{current} '
    'aria-label="第 {n} 题{zh} · Question {n}{en}">{n}</a>'
)
CURRENT = ' aria-current="step"'
# A question's state in the navigator, for (answered, flagged): its classes and its label's
# words in each language. Constants: nothing in them comes from a user.
NAV_STATES = {
    (answered, flagged): {
        "classes": " answered" * answered + " flagged" * flagged,
        "zh": ",已答" * answered + ",已标记" * flagged,
        "en": ", answered" * answered + ", flagged" * flagged,
    }
    for answered in (False, True)
    for flagged in (False, True)
}


def _navigator(responses: list[Response], number: int) -> SafeString:
    """A link to every question of the interview, with its state: formatted in one pass (a
    template loop costs a dozen nodes per question, on every question shown). The URL is
    escaped; the rest are numbers and the constants above."""
    return mark_safe(
        "\n".join(
            NAV_DOT.format(
                url=escape(r.url),
                n=int(r.number),
                current=CURRENT if r.number == number else "",
                **NAV_STATES[bool(r.is_answered), bool(r.flagged)],
            )
            for r in responses
        )
    )


def _render_question(request, context, status=200):
    template = "interviews/question.html"
    if request.htmx and not request.htmx.boosted:
        template += "#panel"
    return render(request, template, context, status=status)


@login_required
@require_GET
def question_show(request, pk: int, number: int):
    interview, responses = services.read_interview(user=request.user, pk=pk)
    if interview is None:
        raise Http404
    if not interview.is_open or interview.is_past_deadline():
        return redirect("interviews:detail", pk)
    services.interview_move(interview=interview, responses=responses, position=number - 1)
    return _render_question(request, _question_context(request, interview, number, responses))


def _revision(request) -> int | None:
    """The revision the page last saw; None when it sent none. One that no row can have (a
    tampered number, negative or beyond the column's range) is -1: refused as a stale page."""
    try:
        revision = int(request.POST["revision"])
    except (KeyError, ValueError):
        return None
    return revision if 0 <= revision < 2**31 else -1


def _tab(request) -> str:
    """The id of the page that sent the request; a new page (full load) gets a new one."""
    tab = request.POST.get("tab") or request.GET.get("tab") or ""
    return tab if TAB_ID.fullmatch(tab) else ""


@login_required
@require_POST
@rate_limited("draft")
def response_draft(request, pk: int, number: int):
    try:
        response = services.response_autosave(
            user=request.user,
            pk=pk,
            position=number - 1,
            text=request.POST.get("answer", ""),
            revision=_revision(request),
            tab=_tab(request),
        )
    except Interview.DoesNotExist:
        raise Http404 from None
    except InterviewError as error:
        return _refusal(request, pk, error, position=number - 1)
    if not request.htmx:
        return redirect("interviews:question", pk, number)
    return render(request, "interviews/question.html#draft-saved-response", {"response": response})


def _answer_from(request) -> Answer:
    choices = []
    for value in request.POST.getlist("choice"):
        try:
            choices.append(int(value))
        except ValueError:
            raise InterviewError("选项无效。Invalid choice.") from None
    return Answer(
        form=request.POST.get("form", "text"),
        text=request.POST.get("answer", ""),
        choices=tuple(sorted(set(choices))),
        number=request.POST.get("number", "").strip()[:40],
    )


@login_required
@require_POST
@rate_limited("answer")
def response_submit(request, pk: int, number: int):
    try:
        interview, responses = services.response_answer(
            user=request.user,
            pk=pk,
            position=number - 1,
            answer=_answer_from(request),
            revision=_revision(request),
            tab=_tab(request),
            move=bool(request.htmx),  # the htmx answer shows the next question: one write
        )
    except Interview.DoesNotExist:
        raise Http404 from None
    except InterviewError as error:
        if isinstance(error, services.TimeUp | services.InterviewClosed) and request.htmx:
            messages.error(request, error.message)
            return HttpResponseClientRedirect(reverse("interviews:review", args=[pk]))
        return _refusal(request, pk, error, position=number - 1)
    next_number = services.next_position(interview, responses, number - 1) + 1
    if not request.htmx:
        return redirect("interviews:question", pk, next_number)
    context = _question_context(request, interview, next_number, responses)
    response = _render_question(request, context)
    response["HX-Push-Url"] = context["urls"]["question"]
    response["HX-Trigger"] = "answerSaved"
    return response


@login_required
@require_POST
def response_flag(request, pk: int, number: int):
    flagged = request.POST.get("flagged") == "1"

    def flag(interview, responses):
        services.response_flag(
            interview=interview, position=number - 1, flagged=flagged, responses=responses
        )
        return interview, responses

    try:
        interview, responses = _locked_responses(request, pk, flag)
    except InterviewError as error:
        return _refusal(request, pk, error, position=number - 1)
    if not request.htmx:
        return redirect("interviews:question", pk, number)
    return _render_question(request, _question_context(request, interview, number, responses))


@login_required
@require_POST
def interview_finish(request, pk: int):
    abandon = request.POST.get("abandon") == "1"
    _locked(
        request,
        pk,
        lambda interview: services.interview_finish(interview=interview, abandon=abandon),
    )
    if abandon:
        messages.info(request, "已放弃这场面试。The interview was abandoned.")
        target = reverse("interviews:history")
    else:
        target = reverse("interviews:review", args=[pk])
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)


@login_required
@require_GET
def interview_clock(request, pk: int):
    interview = _interview(request, pk)
    return JsonResponse(
        {
            "state": interview.state,
            "seconds_left": interview.seconds_left(),
            "deadline": interview.deadline.isoformat() if interview.deadline else None,
        }
    )


@login_required
@require_GET
def interview_review(request, pk: int):
    interview = _finish_if_expired(request, _interview(request, pk))
    if interview.is_open:
        return redirect("interviews:detail", pk)
    responses = services.responses_of(interview)
    for response in responses:
        response.reference_html = render_markdown(response.snapshot["reference_answer"])
    return render(
        request,
        "interviews/review.html",
        {"interview": interview, "responses": responses, "assessments": ASSESSMENTS},
    )


@login_required
@require_POST
def response_assess(request, pk: int, number: int):
    value = request.POST.get("value", "")
    try:
        response = _locked(
            request,
            pk,
            lambda interview: services.response_assess(
                interview=interview, position=number - 1, value=value
            ),
        )
    except InterviewError as error:
        return _refusal(request, pk, error, position=number - 1)
    if not request.htmx:
        return redirect(reverse("interviews:review", args=[pk]) + f"#q{number}")
    return render(
        request,
        "interviews/_assessment.html",
        {"response": response, "interview": response.interview, "assessments": ASSESSMENTS},
    )
