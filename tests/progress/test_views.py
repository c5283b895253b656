import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from interviews.models import Interview
from progress.models import Card, FlashcardReview
from tests.progress.histories import Said, questions_in, sit

pytestmark = pytest.mark.django_db


def practice(client, **data):
    form = {"question_count": 5, "mode": "practice", "start_token": str(uuid.uuid4())}
    return client.post(reverse("progress:practice"), {**form, **data})


@pytest.fixture
def history(candidate):
    """Activation failed, generative half-known, CNN strong, two days ago."""
    act, gen, cnn = (
        questions_in("activation")[0],
        questions_in("generative")[0],
        questions_in("cnn")[0],
    )
    sit(
        candidate,
        [Said(act, 0.0), Said(gen, 0.5), Said(cnn, 0.95)],
        at=timezone.now() - timedelta(days=2),
    )
    return {"activation": act, "generative": gen, "cnn": cnn}


def test_every_page_needs_a_login(client, bank):
    for name, args in [("dashboard", []), ("cards", []), ("card", [1])]:
        response = client.get(reverse(f"progress:{name}", args=args))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for name, args in [("practice", []), ("cards_add", []), ("rate", [1])]:
        response = client.post(reverse(f"progress:{name}", args=args))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_new_user_sees_how_to_start(candidate_client, bank):
    response = candidate_client.get(reverse("progress:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "还没有统计数据" in page and "No statistics yet" in page
    assert reverse("interviews:new") in page
    assert "<svg" not in page


def test_the_dashboard_shows_charts_and_the_same_numbers_as_tables(candidate_client, history):
    response = candidate_client.get(reverse("progress:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<svg class="chart') == 2
    assert 'role="img"' in page
    assert '<table class="progress-table">' in page
    for name in ("激活函数", "生成与无监督模型", "卷积神经网络"):
        assert name in page
    assert "练我的薄弱主题" in page and "Practise my weak topics" in page
    assert "拉低分数的题" in page and history["activation"].prompt[:20] in page
    dash = response.context["dash"]
    assert [row.tag.slug for row in dash.topics] == ["activation", "generative", "cnn"]
    assert dash.due.today == 2 and dash.due.now == 2


def test_practice_puts_due_questions_first_then_the_weakest_topics(
    candidate_client, candidate, history
):
    response = practice(candidate_client)
    interview = Interview.objects.for_user(candidate).get(state="in_progress")
    assert response.status_code == 302 and response["Location"] == interview.get_absolute_url()
    assert interview.mode == "practice" and interview.deadline is None
    asked = [r.question for r in interview.responses.order_by("position")]
    assert len(asked) == 5
    assert asked[:2] == [history["activation"], history["generative"]]  # due, oldest due first
    assert {t.slug for t in asked[2].tags.all()} >= {"activation"}
    assert {t.slug for t in asked[3].tags.all()} >= {"generative"}
    assert {t.slug for t in asked[4].tags.all()} >= {"cnn"}
    assert history["cnn"] not in asked  # scheduled days ahead: after the others of its topic
    assert {t.slug for t in interview.tags.all()} == {"activation", "generative", "cnn"}


def test_practice_of_one_topic_in_interview_mode(candidate_client, candidate, history):
    response = practice(candidate_client, topic="cnn", mode="interview")
    assert response.status_code == 302
    interview = Interview.objects.for_user(candidate).get(state="in_progress")
    asked = [r.question for r in interview.responses.order_by("position")]
    assert len(asked) == min(5, len(questions_in("cnn", only=False)))
    assert interview.mode == "interview"
    assert interview.time_limit == timedelta(minutes=2 * len(asked))
    assert all("cnn" in {t.slug for t in q.tags.all()} for q in asked)
    assert asked[-1] == history["cnn"]


def test_practice_without_history_explains_what_to_do(candidate_client, candidate, bank):
    response = practice(candidate_client)
    assert response.status_code == 302 and response["Location"] == reverse("progress:dashboard")
    assert not Interview.objects.exists()
    page = candidate_client.get(response["Location"]).content.decode()
    assert "先完成一场模拟面试" in page


def test_practice_with_an_interview_open_sends_to_it(candidate_client, candidate, history):
    practice(candidate_client)
    response = practice(candidate_client)
    assert response["Location"] == reverse("interviews:new")
    assert Interview.objects.for_user(candidate).count() == 2  # the history's and the open one


def test_the_same_practice_start_twice_is_one_interview(candidate_client, candidate, history):
    token = str(uuid.uuid4())
    first = practice(candidate_client, start_token=token)
    second = practice(candidate_client, start_token=token)
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"question_count": 7}, 400, "练习设置无效"),
        ({"mode": "exam"}, 400, "Invalid practice settings"),
        ({"start_token": "not-a-uuid"}, 400, "练习设置无效"),
        ({"topic": "no-such-topic"}, 404, "没有这个主题"),
    ],
)
def test_bad_practice_requests_are_refused(candidate_client, history, data, status, message):
    response = practice(candidate_client, **data)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Interview.objects.filter(state="in_progress").exists()


def test_flashcards_prompt_reveal_rate_and_move_on(candidate_client, candidate, history):
    response = candidate_client.get(reverse("progress:cards"))
    card = Card.objects.get(user=candidate, question=history["activation"])
    assert response["Location"] == reverse("progress:card", args=[card.pk])

    page = candidate_client.get(response["Location"]).content.decode()
    assert history["activation"].prompt in page and "显示答案" in page
    assert "参考答案" not in page and 'name="rating"' not in page

    page = candidate_client.get(response["Location"] + "?reveal=1").content.decode()
    assert "参考答案" in page
    assert page.count('name="rating"') == 4
    assert "10 分钟" in page  # Again brings it back in ten minutes

    response = candidate_client.post(reverse("progress:rate", args=[card.pk]), {"rating": "3"})
    assert response.status_code == 302 and response["Location"] == reverse("progress:cards")
    card.refresh_from_db()
    assert card.reviews == 2 and card.last_rating == 3 and card.due > timezone.now()
    nxt = candidate_client.get(response["Location"])
    generative = Card.objects.get(user=candidate, question=history["generative"])
    assert nxt["Location"] == reverse("progress:card", args=[generative.pk])


def test_flashcards_with_htmx_swap_the_card(candidate_client, candidate, history):
    card = Card.objects.get(user=candidate, question=history["activation"])
    url = reverse("progress:card", args=[card.pk])
    partial = candidate_client.get(url + "?reveal=1", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert partial.content.decode().lstrip().startswith('<section id="flashcard"')

    rated = candidate_client.post(
        reverse("progress:rate", args=[card.pk]), {"rating": "1"}, headers={"HX-Request": "true"}
    )
    generative = Card.objects.get(user=candidate, question=history["generative"])
    assert rated.status_code == 200
    assert rated["HX-Push-Url"] == reverse("progress:card", args=[generative.pk])
    assert "已安排" in rated.content.decode()

    last = candidate_client.post(
        reverse("progress:rate", args=[generative.pk]),
        {"rating": "4"},
        headers={"HX-Request": "true"},
    )
    assert last["HX-Redirect"] == reverse("progress:cards")


def test_when_nothing_is_due_the_deck_says_when(candidate_client, candidate, bank):
    page = candidate_client.get(reverse("progress:cards")).content.decode()
    assert "你还没有卡片" in page
    sit(candidate, [Said(questions_in("cnn")[0], 1.0)])
    page = candidate_client.get(reverse("progress:cards")).content.decode()
    assert "现在没有到期的卡片" in page and "下一张到期" in page


@pytest.mark.parametrize("rating", ["0", "5", "x", ""])
def test_a_bad_rating_is_refused_and_changes_nothing(candidate_client, candidate, history, rating):
    card = Card.objects.get(user=candidate, question=history["activation"])
    before = Card.objects.filter(pk=card.pk).values().get()
    response = candidate_client.post(reverse("progress:rate", args=[card.pk]), {"rating": rating})
    assert response.status_code == 400
    assert "评分无效" in response.content.decode() and "Invalid rating" in response.content.decode()
    assert Card.objects.filter(pk=card.pk).values().get() == before
    assert not FlashcardReview.objects.exists()


def test_a_bad_rating_from_htmx_lands_in_the_error_region(candidate_client, candidate, history):
    card = Card.objects.get(user=candidate, question=history["activation"])
    response = candidate_client.post(
        reverse("progress:rate", args=[card.pk]), {"rating": "9"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#progress-errors"


def test_someone_elses_or_an_unknown_card_is_404(client, candidate, bob, history):
    card = Card.objects.get(user=candidate, question=history["activation"])
    before = Card.objects.filter(pk=card.pk).values().get()
    client.force_login(bob)
    for url in (reverse("progress:card", args=[card.pk]), reverse("progress:card", args=[999999])):
        response = client.get(url)
        assert response.status_code == 404
        assert "没有这张卡片" in response.content.decode()
    response = client.post(reverse("progress:rate", args=[card.pk]), {"rating": "4"})
    assert response.status_code == 404 and "There is no such card" in response.content.decode()
    assert Card.objects.filter(pk=card.pk).values().get() == before
    assert not FlashcardReview.objects.exists()


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"question": "999999"}, 404, "没有这道题"),
        ({"question": "abc"}, 400, "题目编号无效"),
        ({"topic": "nope"}, 404, "没有这个主题"),
        ({}, 400, "请选择一个主题或一道题"),
    ],
)
def test_adding_unknown_cards_is_refused(candidate_client, bank, data, status, message):
    response = candidate_client.post(reverse("progress:cards_add"), data)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Card.objects.exists()


def test_adding_a_topic_and_a_question(candidate_client, candidate, bank):
    response = candidate_client.post(reverse("progress:cards_add"), {"topic": "cnn"})
    assert response["Location"] == reverse("progress:cards")
    assert Card.objects.filter(user=candidate).count() == len(questions_in("cnn", only=False))
    question = questions_in("activation")[0]
    candidate_client.post(reverse("progress:cards_add"), {"question": str(question.pk)})
    assert Card.objects.filter(user=candidate, question=question).exists()


def test_posts_need_a_csrf_token(candidate, history):
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)
    card = Card.objects.get(user=candidate, question=history["activation"])
    assert client.post(reverse("progress:rate", args=[card.pk]), {"rating": "3"}).status_code == 403
    assert client.post(reverse("progress:practice")).status_code == 403
    assert client.post(reverse("progress:cards_add"), {"topic": "cnn"}).status_code == 403
    assert Card.objects.get(pk=card.pk).reviews == 1


def test_reading_pages_refuse_posts_and_writing_ones_refuse_gets(candidate_client, bank):
    assert candidate_client.post(reverse("progress:dashboard")).status_code == 405
    assert candidate_client.get(reverse("progress:practice")).status_code == 405
    assert candidate_client.get(reverse("progress:rate", args=[1])).status_code == 405


def test_cards_without_answers_show_the_deck_and_explain_the_empty_charts(candidate_client, bank):
    candidate_client.post(reverse("progress:cards_add"), {"topic": "cnn"})
    page = candidate_client.get(reverse("progress:dashboard")).content.decode()
    assert "还没有计分的作答" in page and "No scored answers yet" in page
    assert "今天要复习" in page and "<svg" not in page
