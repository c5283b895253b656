from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import profile_for
from interviews.models import Interview
from progress import selectors
from progress.measures import decay, mastery, wilson_lower_bound
from progress.models import Card, MissedPoint, TopicStat, UserProgress, WeeklyScore
from questions.models import Tag
from tests.progress.histories import Said, questions_in, sit

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def dashboard(user, now=None):
    return selectors.dashboard(user=user, now=now or timezone.now(), tz=SHANGHAI)


def test_a_user_without_answers_has_no_statistics(bank, candidate):
    dash = dashboard(candidate)
    assert not dash.has_history
    assert dash.totals is None
    assert dash.topics == [] and dash.weakest == [] and dash.weeks == []
    assert dash.due.total == dash.due.today == 0
    assert [tag.slug for tag in dash.untouched] == list(
        Tag.objects.order_by("position", "slug").values_list("slug", flat=True)
    )


def test_one_topic_counts_answers_mean_time_and_mastery(bank, candidate):
    first, second = questions_in("cnn")[:2]
    now = timezone.now()
    sit(candidate, [Said(first, 0.5, seconds=30), Said(second, 1.0, seconds=90)], at=now)

    stat = TopicStat.objects.get(user=candidate)
    assert stat.tag.slug == "cnn"
    assert (stat.answers, stat.score_sum, stat.timed_answers) == (2, Decimal("1.5"), 2)
    assert stat.mean == 0.75
    assert stat.mean_time == timedelta(seconds=60)
    assert stat.mastery(now) == pytest.approx(wilson_lower_bound(1.5, 2))
    assert 0 < stat.mastery(now) < stat.mean

    dash = dashboard(candidate, now)
    assert dash.has_history and dash.totals.answers == 2
    assert [row.tag.slug for row in dash.topics] == ["cnn"]
    assert dash.weakest[0].mean_percent == 75
    assert "cnn" not in {tag.slug for tag in dash.untouched}
    assert sum(week.answers for week in dash.weeks) == 2


def test_more_evidence_gives_more_mastery_at_the_same_mean():
    assert wilson_lower_bound(0, 0) == 0
    assert wilson_lower_bound(0.8, 1) < wilson_lower_bound(4, 5) < wilson_lower_bound(80, 100) < 0.8
    assert wilson_lower_bound(100, 100) > 0.95
    assert wilson_lower_bound(0, 50) == 0


def test_ties_are_ranked_in_the_taxonomys_order(bank, candidate):
    activation, cnn = questions_in("activation")[0], questions_in("cnn")[0]
    sit(candidate, [Said(cnn, 0.5), Said(activation, 0.5)])
    rows = dashboard(candidate).topics
    assert [row.tag.slug for row in rows] == ["activation", "cnn"]
    assert rows[0].mastery == rows[1].mastery


def test_recent_answers_count_more_than_old_ones(bank, candidate):
    now = timezone.now()
    long_ago = now - timedelta(days=180)
    gen = questions_in("generative")[:3]
    act = questions_in("activation")[:3]
    # Generative: weak long ago, strong now. Activation: strong long ago, weak now.
    sit(candidate, [Said(q, 0.1) for q in gen] + [Said(q, 0.9) for q in act], at=long_ago)
    sit(candidate, [Said(q, 0.9) for q in gen] + [Said(q, 0.1) for q in act], at=now)

    stats = {s.tag.slug: s for s in TopicStat.objects.filter(user=candidate).select_related("tag")}
    assert stats["generative"].mean == stats["activation"].mean == 0.5
    assert stats["generative"].mastery(now) > stats["activation"].mastery(now)
    gen_recent = stats["generative"].recent_score / stats["generative"].recent_weight
    act_recent = stats["activation"].recent_score / stats["activation"].recent_weight
    assert gen_recent > 0.85 and act_recent < 0.15
    assert [row.tag.slug for row in dashboard(candidate, now).topics] == [
        "activation",
        "generative",
    ]
    # Weights: an answer 180 days old counts 1/64 of one given today.
    assert stats["generative"].recent_weight == pytest.approx(3 + 3 * decay(now - long_ago))


def test_evidence_fades_while_a_topic_is_not_practised(bank, candidate):
    then = timezone.now() - timedelta(days=90)
    sit(candidate, [Said(q, 0.8) for q in questions_in("activation")[:3]], at=then)
    stat = TopicStat.objects.get(user=candidate)
    assert stat.mastery(then) > stat.mastery(then + timedelta(days=90)) > 0
    assert stat.mastery(then + timedelta(days=90)) == pytest.approx(
        mastery(stat.recent_score, stat.recent_weight, then, then + timedelta(days=90))
    )


def test_the_trend_compares_the_last_four_weeks_with_the_four_before(bank, candidate):
    now = timezone.now()
    first, second = questions_in("cnn")[:2]
    sit(candidate, [Said(first, 0.2), Said(second, 0.2)], at=now - timedelta(weeks=6))
    sit(candidate, [Said(first, 0.8), Said(second, 0.8)], at=now)
    row = dashboard(candidate, now).topics[0]
    assert row.trend == pytest.approx(0.6)
    assert row.trend_percent == 60
    assert row.weekly[1] == pytest.approx(0.2) and row.weekly[-1] == pytest.approx(0.8)
    assert row.weekly.count(None) == 6


def test_a_single_period_has_no_trend(bank, candidate):
    sit(candidate, [Said(questions_in("cnn")[0], 0.7)])
    assert dashboard(candidate).topics[0].trend is None


def test_abandoned_interviews_and_unanswered_questions_do_not_count(bank, candidate):
    one, two, three = questions_in("activation")[:3]
    sit(candidate, [Said(one, 1.0), Said(two, 1.0)], state=Interview.State.ABANDONED)
    assert not UserProgress.objects.exists() and not Card.objects.exists()

    sit(candidate, [Said(one, 0.5), Said(two, None)])
    sit(
        candidate,
        [Said(three, 0.3, seconds=None)],
        state=Interview.State.TIMED_OUT,
    )
    totals = UserProgress.objects.get(user=candidate)
    assert (totals.answers, totals.score_sum) == (2, Decimal("0.8"))
    assert (totals.timed_answers, totals.time_spent) == (1, timedelta(seconds=60))
    assert set(Card.objects.values_list("question_id", flat=True)) == {one.id, three.id}


def test_weak_spots_name_the_questions_and_key_points_that_cost_most(bank, candidate):
    worst, middle, best = questions_in("activation")[:3]
    point, other = [kp.point for kp in worst.key_points.all()[:2]]
    for _ in range(2):
        sit(
            candidate,
            [
                Said(worst, 0.0, missed=[point, other]),
                Said(middle, 0.5, missed=[point]),
                Said(best, 1.0),
            ],
        )
    weakest = dashboard(candidate).weakest[0]
    assert weakest.tag.slug == "activation"
    assert [stat.question_id for stat in weakest.pulled_down] == [worst.id, middle.id]
    assert [(m.point, m.misses) for m in weakest.missed] == [(point, 4), (other, 2)]
    assert weakest.missed[0].point_en == worst.key_points.get(point=point).point_en
    assert MissedPoint.objects.filter(user=candidate).count() == 2


def test_weeks_are_the_users_own(bank, candidate, bob):
    profile = profile_for(bob)
    profile.timezone = "Europe/London"
    profile.save()
    # Sunday 17:30 UTC: Monday 01:30 in Shanghai, still Sunday in London.
    at = datetime(2025, 3, 2, 17, 30, tzinfo=UTC)
    question = questions_in("cnn")[0]
    sit(candidate, [Said(question, 0.5)], at=at)
    sit(bob, [Said(question, 0.5)], at=at)
    assert WeeklyScore.objects.get(user=candidate).week == date(2025, 3, 3)
    assert WeeklyScore.objects.get(user=bob).week == date(2025, 2, 24)


def test_questions_asked_under_several_topics_count_in_each(bank, candidate):
    question = next(q for q in questions_in("basics", only=False) if q.tags.count() == 2)
    sit(candidate, [Said(question, 0.4)])
    assert TopicStat.objects.filter(user=candidate).count() == 2
    assert UserProgress.objects.get(user=candidate).answers == 1
