"""Rebuild every progress aggregate and card from the raw facts.

The raw facts are interviews with their responses (and the question versions that were asked)
and flashcard reviews. The aggregates are rebuilt in SQL, set-based (minutes for ten million
responses); the cards are replayed through the same FSRS code as the incremental path. The
definitions here mirror `progress.services` exactly: same counted states, same answers, same
week, same decay; the test suite proves the two agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby

import fsrs
from django.db import connection, transaction
from django.db.models import F

from accounts.models import DEFAULT_TIMEZONE
from interviews.models import Interview, Response
from progress import measures, scheduling
from progress.models import (
    Card,
    FlashcardReview,
    MissedPoint,
    TopicQuestionStat,
    TopicStat,
    UserProgress,
    WeeklyScore,
    WeeklyTopicScore,
)
from progress.services import CARD_FIELDS, COUNTED_STATES
from questions.models import QuestionVersion, Tag

AGGREGATES = [
    UserProgress,
    TopicStat,
    WeeklyScore,
    WeeklyTopicScore,
    TopicQuestionStat,
    MissedPoint,
]
BATCH = 5000


def _tables() -> dict[str, str]:
    from accounts.models import Profile

    return {
        "response": Response._meta.db_table,
        "interview": Interview._meta.db_table,
        "version": QuestionVersion._meta.db_table,
        "tag": Tag._meta.db_table,
        "profile": Profile._meta.db_table,
        "flashcard": FlashcardReview._meta.db_table,
        **{model.__name__: model._meta.db_table for model in [*AGGREGATES, Card]},
    }


def _params(user_ids) -> dict:
    return {
        "states": list(COUNTED_STATES),
        "tz": DEFAULT_TIMEZONE,
        "users": list(user_ids or []),
        "half_life": measures.HALF_LIFE.total_seconds(),
    }


def _user_filter(column: str, user_ids) -> str:
    return f"AND {column} = ANY(%(users)s)" if user_ids is not None else ""


def recompute_aggregates(user_ids: Iterable[int] | None = None) -> None:
    """Rebuild the statistics tables (all users, or only `user_ids`) in one transaction."""
    user_ids = None if user_ids is None else list(user_ids)
    t = _tables()
    params = _params(user_ids)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # TRUNCATE refuses to run while this transaction has deferred foreign-key checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model in AGGREGATES:
            if user_ids is None:
                cursor.execute(f"TRUNCATE {model._meta.db_table}")
            else:
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE user_id = ANY(%(users)s)", params
                )
        # Every counted answer once, then once per topic it was asked under.
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE progress_answered ON COMMIT DROP AS
            SELECT i.user_id, r.question_id, coalesce(r.auto_score, 0) AS score, r.time_spent,
                   r.form, r.missed, v.data -> 'tags' AS tags, i.finished_at AS at,
                   date_trunc('week', i.finished_at AT TIME ZONE coalesce(p.timezone, %(tz)s))
                       ::date AS week
            FROM {t["response"]} r
            JOIN {t["interview"]} i ON i.id = r.interview_id
            JOIN {t["version"]} v ON v.id = r.version_id
            LEFT JOIN {t["profile"]} p ON p.user_id = i.user_id
            WHERE i.state = ANY(%(states)s) AND (r.submitted_at IS NOT NULL OR r.from_draft)
            {_user_filter("i.user_id", user_ids)}
            """,
            params,
        )
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE progress_by_topic ON COMMIT DROP AS
            SELECT a.user_id, tag.id AS tag_id, a.question_id, a.score, a.time_spent, a.at,
                   a.week, max(a.at) OVER (PARTITION BY a.user_id, tag.id) AS last_at
            FROM progress_answered a
            CROSS JOIN LATERAL jsonb_array_elements_text(
                CASE jsonb_typeof(a.tags) WHEN 'array' THEN a.tags ELSE '[]' END) AS s(slug)
            JOIN {t["tag"]} tag ON tag.slug = s.slug
            """,
            params,
        )
        cursor.execute(
            f"""
            INSERT INTO {t["UserProgress"]}
                (user_id, answers, score_sum, timed_answers, time_spent, last_answered_at)
            SELECT user_id, count(*), sum(score), count(time_spent),
                   coalesce(sum(time_spent), interval '0'), max(at)
            FROM progress_answered GROUP BY user_id
            """
        )
        cursor.execute(
            f"""
            INSERT INTO {t["WeeklyScore"]} (user_id, week, answers, score_sum)
            SELECT user_id, week, count(*), sum(score) FROM progress_answered
            GROUP BY user_id, week
            """
        )
        cursor.execute(
            f"""
            INSERT INTO {t["TopicStat"]}
                (user_id, tag_id, answers, score_sum, timed_answers, time_spent,
                 last_answered_at, recent_weight, recent_score)
            SELECT user_id, tag_id, count(*), sum(score), count(time_spent),
                   coalesce(sum(time_spent), interval '0'), last_at,
                   sum(power(0.5::float8,
                             extract(epoch FROM last_at - at)::float8 / %(half_life)s)),
                   sum(score::float8 * power(0.5::float8,
                             extract(epoch FROM last_at - at)::float8 / %(half_life)s))
            FROM progress_by_topic GROUP BY user_id, tag_id, last_at
            """,
            params,
        )
        cursor.execute(
            f"""
            INSERT INTO {t["WeeklyTopicScore"]} (user_id, tag_id, week, answers, score_sum)
            SELECT user_id, tag_id, week, count(*), sum(score) FROM progress_by_topic
            GROUP BY user_id, tag_id, week
            """
        )
        cursor.execute(
            f"""
            INSERT INTO {t["TopicQuestionStat"]} (user_id, tag_id, question_id, answers, score_sum)
            SELECT user_id, tag_id, question_id, count(*), sum(score) FROM progress_by_topic
            GROUP BY user_id, tag_id, question_id
            """
        )
        cursor.execute(
            f"""
            INSERT INTO {t["MissedPoint"]} (user_id, tag_id, point, misses)
            SELECT a.user_id, tag.id, left(m.point, 200), count(*)
            FROM progress_answered a
            CROSS JOIN LATERAL jsonb_array_elements_text(
                CASE jsonb_typeof(a.tags) WHEN 'array' THEN a.tags ELSE '[]' END) AS s(slug)
            JOIN {t["tag"]} tag ON tag.slug = s.slug
            CROSS JOIN LATERAL jsonb_array_elements_text(
                CASE jsonb_typeof(a.missed) WHEN 'array' THEN a.missed ELSE '[]' END) AS m(point)
            WHERE a.form = 'text' AND m.point <> ''
            GROUP BY a.user_id, tag.id, left(m.point, 200)
            """
        )


def _events(cursor, user_ids) -> Iterator[tuple]:
    """(user_id, question_id, at, rating) of every review, by card, oldest first."""
    t = _tables()
    cursor.execute(
        f"""
        SELECT user_id, question_id, at, score, self_assessment, rating FROM (
            SELECT i.user_id, r.question_id, i.finished_at AS at, 0 AS kind, r.id,
                   r.auto_score AS score, r.self_assessment, NULL::smallint AS rating
            FROM {t["response"]} r JOIN {t["interview"]} i ON i.id = r.interview_id
            WHERE i.state = ANY(%(states)s)
              AND (r.submitted_at IS NOT NULL OR r.from_draft OR r.self_assessment <> '')
              {_user_filter("i.user_id", user_ids)}
            UNION ALL
            SELECT f.user_id, f.question_id, f.reviewed_at, 1, f.id, NULL, '', f.rating
            FROM {t["flashcard"]} f WHERE true {_user_filter("f.user_id", user_ids)}
        ) reviews
        ORDER BY user_id, question_id, at, kind, id
        """,
        _params(user_ids),
    )
    while rows := cursor.fetchmany(BATCH):
        for user_id, question_id, at, score, self_assessment, rating in rows:
            if rating is None:
                rating = scheduling.rating_for(score, self_assessment)
            yield user_id, question_id, at, fsrs.Rating(rating)


def recompute_cards(user_ids: Iterable[int] | None = None) -> int:
    """Replay every card (all users, or only `user_ids`) from its reviews; returns how many.

    A card with no review left (added to the deck, never rated) is reset to new.
    """
    user_ids = None if user_ids is None else list(user_ids)
    replayed = 0
    with transaction.atomic():
        cards = Card.objects.all() if user_ids is None else Card.objects.filter(user__in=user_ids)
        cards.update(  # as Card.reset(), for every card at once
            state=Card.State.LEARNING,
            step=0,
            stability=None,
            difficulty=None,
            due=F("created_at"),
            last_review=None,
            reviews=0,
            again_count=0,
            last_rating=None,
        )
        with connection.chunked_cursor() as cursor:
            batch = []
            for (user_id, question_id), reviews in groupby(
                _events(cursor, user_ids), key=lambda e: (e[0], e[1])
            ):
                reviews = [(at, rating) for _, _, at, rating in reviews]
                card = Card(user_id=user_id, question_id=question_id, created_at=reviews[0][0])
                scheduling.replay(card, reviews)
                batch.append(card)
                if len(batch) >= BATCH:
                    replayed += _upsert_cards(batch)
                    batch = []
            replayed += _upsert_cards(batch)
    return replayed


def _upsert_cards(cards: list[Card]) -> int:
    if cards:
        Card.objects.bulk_create(
            cards,
            update_conflicts=True,
            unique_fields=["user", "question"],
            update_fields=CARD_FIELDS,
        )
    return len(cards)


def recompute_all(user_ids: Iterable[int] | None = None) -> int:
    user_ids = None if user_ids is None else list(user_ids)
    recompute_aggregates(user_ids)
    return recompute_cards(user_ids)
