"""Personas for teams: olivia owns the team, mike is a member, sam is a stranger to it."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import Profile
from interviews import services as interview_services
from interviews.services import Answer
from teams import services
from teams.models import SCORE_SCALE, DailyStat


def make_user(django_user_model, username: str, display_name: str = "", tz: str = ""):
    # No password: these tests log in with force_login, and hashing one is slow.
    user = django_user_model.objects.create_user(username, email=f"{username}@mail.example.com")
    defaults = {"display_name": display_name} | ({"timezone": tz} if tz else {})
    Profile.objects.update_or_create(user=user, defaults=defaults)
    return user


@pytest.fixture(autouse=True)
def fresh_cache():
    """The public ranking is cached: every test starts without it."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user_factory(db, django_user_model):
    def create(username: str, display_name: str = "", tz: str = ""):
        return make_user(django_user_model, username, display_name, tz)

    return create


@pytest.fixture
def owner(user_factory):
    return user_factory("olivia", "奥莉维亚 Olivia")


@pytest.fixture
def member(user_factory):
    return user_factory("mike", "麦克 Mike")


@pytest.fixture
def stranger(user_factory):
    return user_factory("sam", "山姆 Sam")


@pytest.fixture
def team(owner, member):
    team = services.team_create(owner=owner, name="Transformer 学习小组", description="每周三场")
    services.team_join(user=member, code=team.invite_code)
    team.refresh_from_db()
    return team


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner):
    return logged_in(owner)


@pytest.fixture
def member_client(member):
    return logged_in(member)


@pytest.fixture
def stranger_client(stranger):
    return logged_in(stranger)


@pytest.fixture
def stat():
    """Hand-made aggregate rows: stat(user, day, [scores 0..100], topics)."""

    def create(user, day: dt.date, scores: list[float], topics=()):
        points = [int(Decimal(str(score)) * SCORE_SCALE / 100) for score in scores]
        return DailyStat.objects.create(
            user=user,
            day=day,
            interviews=len(scores),
            score_sum=sum(points),
            best_score=max(points),
            topics=sorted(topics),
        )

    return create


@pytest.fixture
def sit_interview(bank):
    """Start and finish an interview through the real services, answering some questions."""

    def sit(user, *, mode="interview", count=3, answers=1, finished_at=None, abandon=False):
        interview = interview_services.interview_start(
            user=user,
            mode=mode,
            tags=[],
            question_count=count,
            time_limit=dt.timedelta(minutes=20) if mode == "interview" else None,
            start_token=uuid.uuid4(),
        )
        for response in interview.responses.select_related("question")[:answers]:
            point = response.question.key_points.first()
            text = f"{point.phrase_list[0]},这是关键。" if point else "我的回答"
            interview_services.response_submit(
                interview=interview,
                position=response.position,
                answer=Answer(text=text),
                revision=None,
            )
        interview_services.interview_finish(interview=interview, now=finished_at, abandon=abandon)
        interview.refresh_from_db()
        return interview

    return sit
