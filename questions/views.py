from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from questions.models import Question, Tag


def _visible_questions(request: HttpRequest):
    """Candidates see published questions; staff also see drafts and retired ones (preview)."""
    if request.user.is_staff:
        return Question.objects.all()
    return Question.objects.published()


def home(request: HttpRequest) -> HttpResponse:
    tags = Tag.objects.with_published_counts()
    total = Question.objects.published().count()
    return render(request, "home.html", {"tags": tags, "total": total})


def question_browser(request: HttpRequest) -> HttpResponse:
    tags = Tag.objects.with_published_counts()
    questions = (
        _visible_questions(request)
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.all()))
        .order_by("source_number", "key")
    )
    return render(
        request, "questions/browser.html", {"tags": tags, "questions": questions, "topic": None}
    )


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Tag, slug=slug)
    tags = Tag.objects.with_published_counts()
    questions = (
        _visible_questions(request)
        .filter(tags=topic)
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.all()))
        .order_by("source_number", "key")
    )
    return render(
        request, "questions/browser.html", {"tags": tags, "questions": questions, "topic": topic}
    )


def question_detail(request: HttpRequest, key: str) -> HttpResponse:
    question = get_object_or_404(
        _visible_questions(request).prefetch_related(
            "tags",
            Prefetch("related", queryset=Question.objects.published().order_by("source_number")),
            "variants__choices",
        ),
        key=key,
    )
    return render(
        request,
        "questions/detail.html",
        {"question": question, "preview": question.status != Question.Status.PUBLISHED},
    )
