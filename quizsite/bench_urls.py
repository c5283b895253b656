"""Ceilings for the load test (bench/run.py): views that do as little as a page can.

Mounted at /__bench__/ only when the environment variable BENCH_CEILINGS is "1" (see
`bench_patterns`, used by quizsite/urls.py); otherwise no such URL exists. Both views require
a login, so the session is loaded (one SELECT on django_session) and the user is loaded (one
SELECT on auth_user) exactly as on a real page, under the full middleware stack:

- /__bench__/trivial/  reads a key of the session and answers a few bytes: 2 queries;
- /__bench__/pk/?id=N  adds one primary-key SELECT of a question (the whole row, as a model
  instance): 3 queries.

Neither writes anything (a real page does not write the session either).
"""

import os

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET

from questions.models import Question


@login_required
@require_GET
def trivial(request):
    visits = request.session.get("bench_visits", 0)
    return HttpResponse(f"ok {visits}", content_type="text/plain")


@login_required
@require_GET
def primary_key(request):
    try:
        pk = int(request.GET.get("id", "1"))
    except ValueError:
        raise Http404 from None
    try:
        question = Question.objects.get(pk=pk)
    except Question.DoesNotExist:
        raise Http404 from None
    return HttpResponse(f"ok {question.key}", content_type="text/plain")


urlpatterns = [
    path("trivial/", trivial, name="bench-trivial"),
    path("pk/", primary_key, name="bench-pk"),
]


def bench_patterns() -> list:
    """The /__bench__/ URLs when BENCH_CEILINGS=1, else none at all."""
    if os.environ.get("BENCH_CEILINGS") != "1":
        return []
    return [path("__bench__/", include("quizsite.bench_urls"))]
