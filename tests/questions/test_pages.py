import pytest
from django.urls import reverse

from questions.models import Question

pytestmark = pytest.mark.django_db


def test_home_shows_topics_with_counts(client, bank, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get(reverse("home"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "59 道题" in content
    assert "激活函数" in content and "Activation functions" in content


def test_browser_lists_all_published_questions(client, bank, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get(reverse("questions:browser"))
    assert len(response.context["questions"]) == 59


def test_topic_page_lists_its_questions(client, bank, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = client.get(reverse("questions:topic", args=["rnn"]))
    prompts = [q.prompt for q in response.context["questions"]]
    assert any("LSTM" in prompt for prompt in prompts)
    assert all(q.tags.filter(slug="rnn").exists() for q in response.context["questions"])


def test_unknown_topic_is_404(client, bank):
    assert client.get(reverse("questions:topic", args=["nope"])).status_code == 404


def test_question_page_renders_answer_math_and_related(client, bank, django_assert_max_num_queries):
    question = bank.get(source_number=25)
    with django_assert_max_num_queries(6):
        response = client.get(question.get_absolute_url())
    content = response.content.decode()
    assert "<math" in content and "<mfrac>" in content
    related = bank.get(source_number=17)
    content = client.get(related.get_absolute_url()).content.decode()
    assert bank.get(source_number=36).get_absolute_url() in content


def test_corrected_question_shows_both_answers(client, bank):
    content = client.get(bank.get(source_number=8).get_absolute_url()).content.decode()
    assert "已更正" in content and "Corrected" in content
    assert "大型数据库" in content  # the original, inside the collapsed provenance


def test_page_query_count_does_not_grow_with_the_bank(client, bank, django_assert_max_num_queries):
    for question in list(bank.all()[:20]):
        question.pk = None
        question.key = f"{question.key}-copy"
        question.source_number = None
        question.save()
    with django_assert_max_num_queries(4):
        client.get(reverse("questions:browser"))


def test_drafts_and_retired_are_hidden_from_candidates(candidate_client, bank):
    question = bank.get(source_number=3)
    question.status = Question.Status.RETIRED
    question.save()
    assert candidate_client.get(question.get_absolute_url()).status_code == 404
    listing = candidate_client.get(reverse("questions:browser")).content.decode()
    assert question.get_absolute_url() not in listing


def test_markdown_from_the_bank_is_escaped(client, bank):
    question = bank.get(source_number=1)
    question.reference_answer = "<script>alert(1)</script> **粗体**"
    question.prompt = "<img src=x onerror=alert(1)>"
    question.save()
    content = client.get(question.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;" in content
    assert "<img src=x" not in content
    assert "<strong>粗体</strong>" in content


def test_login_and_logout(client, candidate):
    response = client.post(reverse("login"), {"username": "alice", "password": "alice-pass-2023"})
    assert response.status_code == 302
    assert "alice" in client.get(reverse("home")).content.decode()
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "alice" not in client.get(reverse("home")).content.decode()


def test_wrong_password_is_refused_with_a_message(client, candidate):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_bootstrap_loads_an_empty_bank_once_and_keeps_staff_edits(db, django_user_model):
    from django.core.management import call_command

    Question.objects.all().delete()
    call_command("bootstrap", verbosity=0)
    assert Question.objects.count() == 59
    assert all(q.versions.count() == 1 for q in Question.objects.all()[:5])
    assert django_user_model.objects.get(username="staff").is_staff
    assert not django_user_model.objects.get(username="demo").is_staff
    Question.objects.filter(source_number=1).update(prompt="staff wording")
    call_command("bootstrap", verbosity=0)
    assert Question.objects.get(source_number=1).prompt == "staff wording"
