"""Reads of progress: the dashboard and the plan of a weak-topic practice.

Each reads the maintained aggregates of one user through a fixed number of indexed queries; the
rows read are bounded by the number of topics, questions and weeks shown, never by history.
"""

from __future__ import annotations

import json
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Subquery,
)
from django.db.models.functions import JSONObject, NullIf
from django.utils.dateparse import parse_datetime

from accounts.models import timezone_of
from progress import measures
from progress.models import (
    Card,
    MissedPoint,
    TopicQuestionStat,
    TopicStat,
    UserProgress,
    WeeklyTopicScore,
)
from questions.models import Question, Tag

HISTORY_WEEKS = 12  # score over time
TREND_WEEKS = 8  # a topic's trend: its last four weeks against the four before
WEAKEST_SHOWN = 3
PULLED_DOWN_SHOWN = 3
MISSED_SHOWN = 3
DUE_SHOWN = 5
WEAK_TOPICS_PRACTISED = 3


def user_timezone(user) -> zoneinfo.ZoneInfo:
    """The time zone of a user or user id (their weeks and days), without creating a profile."""
    return timezone_of(user)


def end_of_day(now: datetime, tz: zoneinfo.ZoneInfo) -> datetime:
    tomorrow = now.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time.min, tzinfo=tz)


def _percent(value: float | None) -> int | None:
    return None if value is None else round(value * 100)


@dataclass
class TopicRow:
    tag: Tag
    stat: TopicStat
    mastery: float
    weekly: list[float | None] = field(default_factory=list)
    trend: float | None = None
    pulled_down: list[TopicQuestionStat] = field(default_factory=list)
    missed: list[MissedPoint] = field(default_factory=list)

    @property
    def answers(self) -> int:
        return self.stat.answers

    @property
    def mean(self) -> float:
        return self.stat.mean or 0.0

    @property
    def mean_percent(self) -> int:
        return _percent(self.mean)

    @property
    def mastery_percent(self) -> int:
        return _percent(self.mastery)

    @property
    def trend_percent(self) -> int | None:
        return _percent(self.trend)

    @property
    def mean_time(self) -> timedelta | None:
        return self.stat.mean_time


def rank_topics(stats: list[TopicStat], now: datetime) -> list[TopicRow]:
    """Topics weakest first: by mastery, then mean score, then the taxonomy's order."""
    rows = [TopicRow(tag=stat.tag, stat=stat, mastery=stat.mastery(now)) for stat in stats]
    return sorted(rows, key=lambda r: (r.mastery, r.mean, r.tag.position, r.tag.slug))


@dataclass
class WeekRow:
    week: date
    answers: int
    mean: float | None

    @property
    def mean_percent(self) -> int | None:
        return _percent(self.mean)


@dataclass
class DueSummary:
    now: int
    today: int
    total: int
    next_due: datetime | None
    cards: list[Card]


@dataclass
class Dashboard:
    now: datetime
    tz: zoneinfo.ZoneInfo
    totals: UserProgress | None
    topics: list[TopicRow]
    weakest: list[TopicRow]
    untouched: list[Tag]
    weeks: list[WeekRow]
    due: DueSummary

    @property
    def has_history(self) -> bool:
        return self.totals is not None and self.totals.answers > 0

    @property
    def mean_percent(self) -> int | None:
        return _percent(self.totals.mean) if self.totals else None

    @property
    def answers(self) -> int:
        return self.totals.answers if self.totals else 0

    @property
    def mean_time(self) -> timedelta | None:
        return self.totals.mean_time if self.totals else None


# The taxonomy, the user's totals (NULL without any) and their weekly scores of the weeks shown:
# one round trip, not three, and SQL rather than the ORM's array subqueries, whose building and
# compiling cost more than running them.
TOTALS_SQL = """
SELECT ARRAY(
           SELECT jsonb_build_array(t.id, t.slug, t.name_zh, t.name_en, t.position)
           FROM questions_tag t
           ORDER BY t.position, t.slug
       ),
       p.id, p.answers, p.score_sum, p.timed_answers, p.time_spent, p.last_answered_at,
       ARRAY(
           SELECT jsonb_build_array(w.week, w.answers, w.score_sum::text)
           FROM progress_weeklyscore w
           WHERE w.user_id = %(user)s AND w.week >= %(first)s AND w.week <= %(last)s
       )
FROM (VALUES (1)) AS one
LEFT JOIN progress_userprogress p ON p.user_id = %(user)s
"""
_TOTALS_FIELDS = ["answers", "score_sum", "timed_answers", "time_spent", "last_answered_at"]


def dashboard(*, user, now: datetime, tz: zoneinfo.ZoneInfo) -> Dashboard:
    """Everything the dashboard shows, in at most five queries whatever the user's history."""
    this_week = measures.week_start(now, tz)
    first_week = this_week - timedelta(weeks=HISTORY_WEEKS - 1)
    params = {"user": user.pk, "first": first_week, "last": this_week}
    with connection.cursor() as cursor:
        cursor.execute(TOTALS_SQL, params)
        tag_list, progress_id, *tally, week_list = cursor.fetchone()
    tags = [
        Tag(id=tag_id, slug=slug, name_zh=zh, name_en=en, position=position)
        for tag_id, slug, zh, en, position in map(json.loads, tag_list)
    ]
    totals = None
    if progress_id is not None:
        totals = _loaded(
            UserProgress,
            connection.alias,
            {
                "id": progress_id,
                "user_id": user.pk,
                **dict(zip(_TOTALS_FIELDS, tally, strict=True)),
            },
        )
    topics: list[TopicRow] = []
    weeks: list[WeekRow] = []
    if totals is not None and totals.answers:
        by_id = {tag.id: tag for tag in tags}
        stats = list(TopicStat.objects.filter(user=user))
        for stat in stats:
            stat.tag = by_id[stat.tag_id]
        topics = rank_topics(stats, now)
        weeks = _weeks(list(map(json.loads, week_list)), first_week)
        _add_trends(user, topics, this_week)
        _add_weak_spots(user, topics[:WEAKEST_SHOWN])
    practised = {row.tag.id for row in topics}
    return Dashboard(
        now=now,
        tz=tz,
        totals=totals,
        topics=topics,
        weakest=topics[:WEAKEST_SHOWN],
        untouched=[tag for tag in tags if tag.id not in practised],
        weeks=weeks,
        due=due_summary(user=user, now=now, tz=tz),
    )


def _weeks(stored: list[list], first: date) -> list[WeekRow]:
    """The last HISTORY_WEEKS weeks, from the stored [week, answers, score sum] of some."""
    by_week = {
        date.fromisoformat(week): (answers, Decimal(score_sum))
        for week, answers, score_sum in stored
    }
    result = []
    for n in range(HISTORY_WEEKS):
        week = first + timedelta(weeks=n)
        answers, score_sum = by_week.get(week, (0, Decimal(0)))
        result.append(WeekRow(week, answers, float(score_sum) / answers if answers else None))
    return result


def _tally_mean(rows) -> float | None:
    answers = sum(r.answers for r in rows)
    return float(sum((r.score_sum for r in rows), Decimal(0))) / answers if answers else None


def _add_trends(user, topics: list[TopicRow], this_week: date) -> None:
    first = this_week - timedelta(weeks=TREND_WEEKS - 1)
    by_tag: dict[int, dict[date, WeeklyTopicScore]] = defaultdict(dict)
    for row in WeeklyTopicScore.objects.filter(user=user, week__gte=first, week__lte=this_week):
        by_tag[row.tag_id][row.week] = row
    half = TREND_WEEKS // 2
    for topic in topics:
        weeks = by_tag.get(topic.tag.id, {})
        rows = [weeks.get(first + timedelta(weeks=n)) for n in range(TREND_WEEKS)]
        topic.weekly = [row.mean if row else None for row in rows]
        earlier = _tally_mean([r for r in rows[:half] if r])
        recent = _tally_mean([r for r in rows[half:] if r])
        topic.trend = recent - earlier if earlier is not None and recent is not None else None


# Per weak topic, the questions that lost the most points (answers minus score; then by item
# number, then first recorded) and the key points missed most often (then alphabetically), each
# with the English of the key point where the bank has one: every list is an index range scan
# of the user's rows in the topic, cut at its length. SQL, not the ORM: building and compiling
# the equivalent window queries cost more than running them.
WEAK_SPOTS_SQL = """
SELECT t.tag_id,
    ARRAY(
        SELECT jsonb_build_array(s.id, s.question_id, s.answers, s.score_sum::text,
                                 q.key, q.source_number, q.prompt)
        FROM progress_topicquestionstat s
        JOIN questions_question q ON q.id = s.question_id
        WHERE s.user_id = %(user)s AND s.tag_id = t.tag_id AND s.answers > s.score_sum
        ORDER BY s.answers - s.score_sum DESC, q.source_number, s.id
        LIMIT %(questions)s
    ),
    ARRAY(
        SELECT jsonb_build_array(m.id, m.point, m.misses, (
            SELECT k.point_en FROM questions_keypoint k
            WHERE k.point = m.point AND k.point_en <> ''
            ORDER BY k.position, k.id
            LIMIT 1
        ))
        FROM progress_missedpoint m
        WHERE m.user_id = %(user)s AND m.tag_id = t.tag_id
        ORDER BY m.misses DESC, m.point
        LIMIT %(points)s
    )
FROM unnest(%(tags)s::bigint[]) AS t(tag_id)
"""


def _add_weak_spots(user, weakest: list[TopicRow]) -> None:
    """The questions that pulled each weak topic down most, and its most missed key points."""
    if not weakest:
        return
    by_id = {row.tag.id: row for row in weakest}
    params = {
        "user": user.pk,
        "tags": list(by_id),
        "questions": PULLED_DOWN_SHOWN,
        "points": MISSED_SHOWN,
    }
    with connection.cursor() as cursor:
        cursor.execute(WEAK_SPOTS_SQL, params)
        rows = cursor.fetchall()
    db = connection.alias
    for tag_id, questions, points in rows:
        row = by_id[tag_id]
        for stat_id, question_id, answers, score_sum, key, number, prompt in map(
            json.loads, questions
        ):
            stat = _loaded(
                TopicQuestionStat,
                db,
                {
                    "id": stat_id,
                    "user_id": user.pk,
                    "tag_id": tag_id,
                    "question_id": question_id,
                    "answers": answers,
                    "score_sum": Decimal(score_sum),
                },
            )
            stat.question = _loaded(
                Question,
                db,
                {"id": question_id, "key": key, "source_number": number, "prompt": prompt},
            )
            row.pulled_down.append(stat)
        for point_id, point, misses, point_en in map(json.loads, points):
            missed = _loaded(
                MissedPoint,
                db,
                {
                    "id": point_id,
                    "user_id": user.pk,
                    "tag_id": tag_id,
                    "point": point,
                    "misses": misses,
                },
            )
            missed.point_en = point_en
            row.missed.append(missed)


# The user's cards of published questions, first due first, with the counts over all of them:
# window aggregates, computed before the limit. SQL for the same reason as WEAK_SPOTS_SQL.
DUE_CARDS_SQL = """
SELECT c.id, c.due, q.id, q.key, q.source_number, q.prompt,
       COUNT(*) FILTER (WHERE c.due <= %(now)s) OVER (),
       COUNT(*) FILTER (WHERE c.due <= %(end)s) OVER (),
       COUNT(*) OVER (),
       MIN(c.due) FILTER (WHERE c.due > %(now)s) OVER ()
FROM progress_card c
JOIN questions_question q ON q.id = c.question_id
WHERE c.user_id = %(user)s AND q.status = %(published)s
ORDER BY c.due, c.id
LIMIT %(shown)s
"""


def due_summary(*, user, now: datetime, tz: zoneinfo.ZoneInfo) -> DueSummary:
    """The due counts and the first cards due by the end of the day: one query."""
    end = end_of_day(now, tz)
    params = {
        "user": user.pk,
        "now": now,
        "end": end,
        "published": Question.Status.PUBLISHED,
        "shown": DUE_SHOWN,
    }
    with connection.cursor() as cursor:
        cursor.execute(DUE_CARDS_SQL, params)
        rows = cursor.fetchall()
    if not rows:
        return DueSummary(now=0, today=0, total=0, next_due=None, cards=[])
    db = connection.alias
    cards = []
    for card_id, due, question_id, key, number, prompt, *_ in rows:
        if due > end:
            continue
        card = _loaded(Card, db, {"id": card_id, "user_id": user.pk, "due": due})
        card.question = _loaded(
            Question,
            db,
            {"id": question_id, "key": key, "source_number": number, "prompt": prompt},
        )
        cards.append(card)
    due_now, due_today, total, next_due = rows[0][-4:]
    return DueSummary(now=due_now, today=due_today, total=total, next_due=next_due, cards=cards)


# --- Flashcards ----------------------------------------------------------------------------------


def due_count(*, user, now: datetime) -> int:
    return Card.objects.for_user(user).published().due(now).count()


def ranked_topics(*, user, now: datetime) -> list[TopicRow]:
    return rank_topics(list(TopicStat.objects.filter(user=user).select_related("tag")), now)


def next_card(*, user, now: datetime) -> Card | None:
    return (
        Card.objects.for_user(user)
        .published()
        .due(now)
        .select_related("question")
        .order_by("due", "id")
        .first()
    )


def card_for(*, user, card_id: int) -> Card:
    """One of the user's cards, with its question's tags and rubric; raises Card.DoesNotExist."""
    return (
        Card.objects.for_user(user)
        .published()
        .select_related("question")
        .prefetch_related("question__tags", "question__key_points")
        .get(pk=card_id)
    )


# --- Practice ------------------------------------------------------------------------------------


@dataclass
class PracticePlan:
    questions: list[Question]  # without their answers: key, item number and prompt only
    topics: list[Tag]
    due: int


_PLAN_TAG_FIELDS = ["id", "slug", "name_zh", "name_en", "position"]
_PLAN_STAT_FIELDS = ["id", "answers", "score_sum", "recent_weight", "recent_score"]


def _plan_questions(*, user, topic: Tag | None):
    """The published questions (of `topic`) with all a practice plan reads, in one query.

    Each has `due` (when the user's card for it is due; None without a card), `plan_tags` (per
    tag of the question: the tag's fields, `stat`, the user's statistics in that topic or None,
    and `mean`, the user's mean score on the question in that topic or None) and `practised`
    (whether the user has statistics in any topic at all).
    """
    topic_stat = TopicStat.objects.filter(user=user, tag_id=OuterRef("tag_id"))
    question_stat = TopicQuestionStat.objects.filter(
        user=user, tag_id=OuterRef("tag_id"), question_id=OuterRef("question_id")
    )
    mean = ExpressionWrapper(F("score_sum") / NullIf(F("answers"), 0), output_field=FloatField())
    plan_tags = Question.tags.through.objects.filter(question_id=OuterRef("pk")).values(
        json=JSONObject(
            **{name: f"tag__{name}" for name in _PLAN_TAG_FIELDS},
            stat=Subquery(
                topic_stat.values(
                    json=JSONObject(
                        **{name: name for name in _PLAN_STAT_FIELDS},
                        last_answered_at="last_answered_at",
                    )
                )[:1]
            ),
            mean=Subquery(question_stat.values(mean=mean)[:1]),
        )
    )
    questions = Question.objects.published().only("key", "source_number", "prompt")
    if topic is not None:
        questions = questions.filter(tags=topic)
    return questions.annotate(
        due=Subquery(Card.objects.for_user(user).filter(question=OuterRef("pk")).values("due")[:1]),
        plan_tags=ArraySubquery(plan_tags),
        practised=Exists(TopicStat.objects.filter(user=user)),
    )


def _loaded(model, db: str, values: dict):
    """An instance of `model` as loaded from the database with these field values only."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(db, names, [values[name] for name in names])


def _topic_stat(db: str, tag: Tag, row: dict) -> TopicStat:
    """A TopicStat from `_plan_questions`' JSON, with the fields the ranking reads."""
    last = row["last_answered_at"]
    stat = _loaded(
        TopicStat,
        db,
        {
            **{name: row[name] for name in _PLAN_STAT_FIELDS},
            "score_sum": Decimal(str(row["score_sum"])),
            "last_answered_at": parse_datetime(last) if last else None,
        },
    )
    stat.tag = tag
    return stat


def practice_plan(*, user, count: int, now: datetime, topic: Tag | None = None) -> PracticePlan:
    """Due questions first (oldest due first), then questions of the weakest topics.

    Within a topic, questions the user scored lowest on come first, never-answered ones next to
    half-known ones, and questions scheduled for later than today last. Three weakest topics
    take turns; further topics (weakest first, then never-practised ones) only fill up. Topics
    without published questions have none to give and take no turn.
    """
    end = end_of_day(now, user_timezone(user))
    questions: dict[int, Question] = {}
    scheduled: dict[int, datetime] = {}
    tags_of: dict[int, set[int]] = {}
    tags: dict[int, Tag] = {}
    stats: dict[int, TopicStat] = {}
    means: dict[tuple[int, int], float] = {}
    practised = False
    rows = _plan_questions(user=user, topic=topic)
    for question in rows:
        questions[question.id] = question
        practised = question.practised
        if question.due is not None:
            scheduled[question.id] = question.due
        tags_of[question.id] = set()
        for row in question.plan_tags:
            tag_id = row["id"]
            tags_of[question.id].add(tag_id)
            if tag_id not in tags:
                tags[tag_id] = _loaded(Tag, rows.db, {name: row[name] for name in _PLAN_TAG_FIELDS})
            if row["stat"] is not None and tag_id not in stats:
                stats[tag_id] = _topic_stat(rows.db, tags[tag_id], row["stat"])
            if row["mean"] is not None:
                means[(tag_id, question.id)] = row["mean"]

    due = sorted((due_at, qid) for qid, due_at in scheduled.items() if due_at <= end)
    if topic is not None:
        order = [topic]
    else:
        if not practised and not due:
            return PracticePlan([], [], 0)
        ranked = [row.tag for row in rank_topics(list(stats.values()), now)]
        seen = {tag.id for tag in ranked}
        never = sorted(
            (tag for tag in tags.values() if tag.id not in seen),
            key=lambda tag: (tag.position, tag.slug),
        )
        order = ranked + never
    by_topic = []
    for tag in order:
        members = [q for q in questions.values() if tag.id in tags_of[q.id]]
        members.sort(
            key=lambda q, tag=tag: (
                scheduled.get(q.id, now) > end,
                means.get((tag.id, q.id), 0.5),
                q.source_number or 0,
                q.id,
            )
        )
        by_topic.append((tag, members))

    chosen = [questions[qid] for _, qid in due[:count]]
    picked = {q.id for q in chosen}
    used_topics: list[Tag] = []

    def take(tag: Tag, members) -> bool:
        """Add the topic's next question not picked yet; False when it has none left or the
        practice is full."""
        if len(chosen) >= count:
            return False
        question = next((q for q in members if q.id not in picked), None)
        if question is None:
            return False
        chosen.append(question)
        picked.add(question.id)
        if tag not in used_topics:
            used_topics.append(tag)
        return True

    turns = [(tag, iter(members)) for tag, members in by_topic[:WEAK_TOPICS_PRACTISED]]
    while turns and len(chosen) < count:
        turns = [(tag, members) for tag, members in turns if take(tag, members)]
    for tag, members in by_topic[WEAK_TOPICS_PRACTISED:]:
        members = iter(members)
        while take(tag, members):
            pass
    return PracticePlan(chosen, used_topics, min(len(due), count))
