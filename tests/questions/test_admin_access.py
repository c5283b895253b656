import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def admin_urls(question):
    version = question.record_version(note="test")
    return [
        reverse("admin:index"),
        reverse("admin:questions_question_changelist"),
        reverse("admin:questions_question_add"),
        reverse("admin:questions_question_change", args=[question.pk]),
        reverse("admin:questions_export"),
        reverse("admin:questions_import"),
        reverse("admin:questions_questionversion_change", args=[version.pk]),
        reverse("admin:questions_tag_changelist"),
    ]


def test_staff_can_open_every_bank_page(staff_client, bank):
    for url in admin_urls(bank.get(source_number=25)):
        assert staff_client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["anonymous", "candidate"])
def test_non_staff_are_sent_to_the_admin_login(client, candidate, bank, persona):
    if persona == "candidate":
        client.force_login(candidate)
    for url in admin_urls(bank.get(source_number=25)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_non_staff_cannot_import(client, candidate, bank):
    client.force_login(candidate)
    before = bank.get(source_number=1).prompt
    response = client.post(reverse("admin:questions_import"), {"bank_file": b"[]"})
    assert response.status_code == 302
    assert bank.get(source_number=1).prompt == before


def test_search_finds_chinese_text_and_item_numbers(staff_client, bank):
    url = reverse("admin:questions_question_changelist")
    response = staff_client.get(url, {"q": "梯度消失"})
    assert "处理深度神经网络中梯度消失" in response.content.decode()
    response = staff_client.get(url, {"q": "#43"})
    content = response.content.decode()
    assert "Epoch" in content
    assert "什么是深度学习" not in content


def test_filters_by_tag_status_and_difficulty(staff_client, bank):
    url = reverse("admin:questions_question_changelist")
    response = staff_client.get(
        url, {"tags__id__exact": bank.get(source_number=31).tags.first().pk}
    )
    assert "LSTM" in response.content.decode()
    assert staff_client.get(url, {"status__exact": "retired"}).context["cl"].result_count == 0
    assert staff_client.get(url, {"difficulty__exact": "1"}).context["cl"].result_count > 0
