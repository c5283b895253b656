from __future__ import annotations

import functools
import uuid

import fsrs
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.middleware import request_timezone
from interviews.services import InterviewError, InterviewInProgress
from progress import charts, scheduling, selectors, services
from progress.forms import PracticeForm
from progress.models import Card
from progress.services import ProgressError
from progress.templatetags.progress_ui import interval_parts
from questions.models import Question, Tag

NO_SUCH_CARD = "没有这张卡片。There is no such card."
NO_SUCH_TOPIC = "没有这个主题。There is no such topic."
NO_SUCH_QUESTION = "没有这道题。There is no such question."
BAD_RATING = (
    "评分无效:请选择 1 重来、2 困难、3 良好或 4 简单。"
    "Invalid rating: choose 1 Again, 2 Hard, 3 Good or 4 Easy."
)
BAD_PRACTICE = (
    "练习设置无效:请选择题数(5、10 或 15)和模式。"
    "Invalid practice settings: choose 5, 10 or 15 questions and a mode."
)
BAD_QUESTION_ID = "题目编号无效。Invalid question id."
NOTHING_TO_ADD = "请选择一个主题或一道题。Choose a topic or a question."
RATINGS = [
    (fsrs.Rating.Again, "重来", "Again"),
    (fsrs.Rating.Hard, "困难", "Hard"),
    (fsrs.Rating.Good, "良好", "Good"),
    (fsrs.Rating.Easy, "简单", "Easy"),
]


def _refuse(request, message: str, status: int):
    """A refused request: the message with a 4xx status, as a page or an htmx fragment."""
    if request.htmx:
        response = render(request, "progress/_error.html", {"message": message}, status=status)
        response["HX-Retarget"] = "#progress-errors"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "progress/error.html", {"message": message}, status=status)


@functools.cache
def _practice_choices() -> dict[str, SafeString]:
    """The practice form's selects, rendered once per process: their choices and initial values
    are constants, and rendering a widget goes through the form renderer's templates."""
    form = PracticeForm()
    return {name: form[name].as_widget() for name in ("question_count", "mode")}


@login_required
@require_GET
def dashboard(request):
    now = timezone.now()
    tz = request_timezone(request)
    data = selectors.dashboard(user=request.user, now=now, tz=tz)
    context = {
        "dash": data,
        "topic_chart": charts.topic_chart(data.topics),
        "score_chart": charts.score_chart(data.weeks),
        "weakest": [(row, charts.sparkline(row.weekly)) for row in data.weakest],
        "practice_choices": _practice_choices(),
        "start_token": uuid.uuid4,
    }
    return render(request, "progress/dashboard.html", context)


@login_required
@require_POST
def practice_start(request):
    form = PracticeForm(request.POST)
    if not form.is_valid():
        return _refuse(request, BAD_PRACTICE, 400)
    topic = None
    if form.cleaned_data["topic"]:
        topic = Tag.objects.filter(slug=form.cleaned_data["topic"]).first()
        if topic is None:
            return _refuse(request, NO_SUCH_TOPIC, 404)
    try:
        interview = services.practice_start(
            user=request.user,
            count=form.cleaned_data["question_count"],
            mode=form.cleaned_data["mode"],
            start_token=form.cleaned_data["start_token"],
            topic=topic,
        )
    except InterviewInProgress as error:
        messages.error(request, error.message)
        return redirect("interviews:new")
    except (InterviewError, ProgressError) as error:
        messages.warning(request, error.message)
        return redirect("progress:dashboard")
    return redirect(interview.get_absolute_url())


@login_required
@require_GET
def flashcard_next(request):
    """The next card due now, or what comes next when none is."""
    now = timezone.now()
    card = selectors.next_card(user=request.user, now=now)
    if card is not None:
        return redirect("progress:card", card.pk)
    tz = request_timezone(request)
    ranked = selectors.ranked_topics(user=request.user, now=now)
    practised = {row.tag.id for row in ranked}
    context = {
        "due": selectors.due_summary(user=request.user, now=now, tz=tz),
        "topics": ranked,
        "tags": [row.tag for row in ranked]
        + [tag for tag in Tag.objects.order_by("position", "slug") if tag.id not in practised],
    }
    return render(request, "progress/flashcards_done.html", context)


def _card_context(request, card: Card, *, revealed: bool, now) -> dict:
    context = {
        "card": card,
        "question": card.question,
        "revealed": revealed,
        "due_now": selectors.due_count(user=request.user, now=now),
        "ratings": RATINGS,
    }
    if revealed:
        intervals = scheduling.preview(card, now)
        context["choices"] = [(rating, zh, en, intervals[rating]) for rating, zh, en in RATINGS]
    return context


def _render_card(request, context: dict, status: int = 200):
    template = "progress/flashcard.html"
    if request.htmx and not request.htmx.boosted:
        template += "#card"
    return render(request, template, context, status=status)


@login_required
@require_GET
def flashcard_show(request, card_id: int):
    try:
        card = selectors.card_for(user=request.user, card_id=card_id)
    except Card.DoesNotExist:
        return _refuse(request, NO_SUCH_CARD, 404)
    revealed = request.GET.get("reveal") == "1"
    return _render_card(
        request, _card_context(request, card, revealed=revealed, now=timezone.now())
    )


@login_required
@require_POST
def flashcard_rate(request, card_id: int):
    try:
        rating = fsrs.Rating(int(request.POST.get("rating", "")))
    except ValueError:
        return _refuse(request, BAD_RATING, 400)
    try:
        card = services.flashcard_rate(user=request.user, card_id=card_id, rating=rating)
    except Card.DoesNotExist:
        return _refuse(request, NO_SUCH_CARD, 404)
    zh, en = interval_parts(card.due - card.last_review)
    message = f"已安排:{zh}后再复习。Scheduled: back in {en}."
    now = timezone.now()
    following = selectors.next_card(user=request.user, now=now)
    if not request.htmx or following is None:
        messages.success(request, message)
        if request.htmx:
            return HttpResponseClientRedirect(reverse("progress:cards"))
        return redirect("progress:cards")
    following = selectors.card_for(user=request.user, card_id=following.pk)
    context = _card_context(request, following, revealed=False, now=now)
    context["status_message"] = message
    response = _render_card(request, context)
    response["HX-Push-Url"] = reverse("progress:card", args=[following.pk])
    return response


@login_required
@require_POST
def cards_add(request):
    """Add a topic's questions, or one question, to the user's flashcards."""
    slug = request.POST.get("topic", "").strip()
    raw_question = request.POST.get("question", "").strip()
    if raw_question:
        try:
            question_id = int(raw_question)
        except ValueError:
            return _refuse(request, BAD_QUESTION_ID, 400)
        questions = list(Question.objects.published().filter(pk=question_id))
        if not questions:
            return _refuse(request, NO_SUCH_QUESTION, 404)
    elif slug:
        topic = Tag.objects.filter(slug=slug).first()
        if topic is None:
            return _refuse(request, NO_SUCH_TOPIC, 404)
        questions = list(Question.objects.published().filter(tags=topic))
    else:
        return _refuse(request, NOTHING_TO_ADD, 400)
    added = services.cards_add(user=request.user, questions=questions)
    if added:
        messages.success(request, f"已加入 {added} 张卡片。Added {added} cards.")
    else:
        messages.info(
            request, "这些题目已经都在你的卡片里。These questions are already in your cards."
        )
    return redirect("progress:cards")
