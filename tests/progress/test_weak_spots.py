"""The weak topics' lists on the dashboard: how many, in which order, and in each topic only."""

import pytest
from django.utils import timezone

from progress import selectors
from progress.selectors import MISSED_SHOWN, PULLED_DOWN_SHOWN
from questions.models import KeyPoint
from tests.progress.histories import Said, questions_in, sit

pytestmark = pytest.mark.django_db


def weakest(user):
    dash = selectors.dashboard(user=user, now=timezone.now(), tz=selectors.user_timezone(user))
    return {row.tag.slug: row for row in dash.weakest}


def test_equal_losses_are_listed_by_item_number_and_cut_at_the_lists_length(bank, candidate):
    questions = questions_in("activation")
    assert len(questions) > PULLED_DOWN_SHOWN
    points = [kp.point for kp in questions[0].key_points.all()]
    assert len(points) > MISSED_SHOWN
    sit(candidate, [Said(q, 0.0, missed=points) for q in reversed(questions)])

    row = weakest(candidate)["activation"]
    assert [s.question_id for s in row.pulled_down] == [q.id for q in questions[:3]]
    assert [(s.answers, s.mean) for s in row.pulled_down] == [(1, 0.0)] * 3
    assert [s.question.get_absolute_url() for s in row.pulled_down] == [
        q.get_absolute_url() for q in questions[:3]
    ]
    assert [m.point for m in row.missed] == sorted(points)[:MISSED_SHOWN]
    assert all(m.misses == len(questions) for m in row.missed)


def test_a_key_point_without_english_is_shown_in_chinese_only(bank, candidate):
    question = questions_in("cnn")[0]
    point = question.key_points.first().point
    KeyPoint.objects.filter(point=point).update(point_en="")
    sit(candidate, [Said(question, 0.2, missed=[point])])
    (missed,) = weakest(candidate)["cnn"].missed
    assert (missed.point, missed.point_en, missed.misses) == (point, None, 1)


def test_each_topic_lists_only_its_own_questions_and_points(bank, candidate):
    act, cnn = questions_in("activation")[0], questions_in("cnn")[0]
    act_point, cnn_point = act.key_points.first().point, cnn.key_points.first().point
    sit(candidate, [Said(act, 0.1, missed=[act_point]), Said(cnn, 0.6, missed=[cnn_point])])
    rows = weakest(candidate)
    assert [s.question_id for s in rows["activation"].pulled_down] == [act.id]
    assert [m.point for m in rows["activation"].missed] == [act_point]
    assert [s.question_id for s in rows["cnn"].pulled_down] == [cnn.id]
    assert [m.point for m in rows["cnn"].missed] == [cnn_point]
