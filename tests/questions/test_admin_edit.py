import pytest
from django.urls import reverse

from questions.models import Question, QuestionVersion

pytestmark = pytest.mark.django_db


def change_form_data(question: Question) -> dict:
    """The admin change form's POST data for the question as it stands."""
    data = {
        "prompt": question.prompt,
        "reference_answer": question.reference_answer,
        "tags": [tag.pk for tag in question.tags.all()],
        "difficulty": question.difficulty,
        "status": question.status,
        "key": question.key,
        "source_document": question.source_document,
        "source_number": question.source_number,
        "original_answer": question.original_answer,
        "correction_note": question.correction_note,
        "related": [other.pk for other in question.related.all()],
    }
    points = list(question.key_points.all())
    data.update(
        {
            "key_points-TOTAL_FORMS": len(points),
            "key_points-INITIAL_FORMS": len(points),
            "key_points-MIN_NUM_FORMS": 0,
            "key_points-MAX_NUM_FORMS": 1000,
        }
    )
    for i, point in enumerate(points):
        data.update(
            {
                f"key_points-{i}-id": point.pk,
                f"key_points-{i}-question": question.pk,
                f"key_points-{i}-position": point.position,
                f"key_points-{i}-point": point.point,
                f"key_points-{i}-point_en": point.point_en,
                f"key_points-{i}-weight": point.weight,
                f"key_points-{i}-phrases": point.phrases,
            }
        )
    variants = list(question.variants.all())
    data.update(
        {
            "variants-TOTAL_FORMS": len(variants),
            "variants-INITIAL_FORMS": len(variants),
            "variants-MIN_NUM_FORMS": 0,
            "variants-MAX_NUM_FORMS": 1000,
        }
    )
    for i, variant in enumerate(variants):
        data.update(
            {
                f"variants-{i}-id": variant.pk,
                f"variants-{i}-question": question.pk,
                f"variants-{i}-position": variant.position,
                f"variants-{i}-kind": variant.kind,
                f"variants-{i}-prompt": variant.prompt,
                f"variants-{i}-numeric_answer": variant.numeric_answer or "",
                f"variants-{i}-tolerance": variant.tolerance,
                f"variants-{i}-choices_text": "\n".join(
                    f"[{'x' if c.is_correct else ' '}] {c.text}" for c in variant.choices.all()
                ),
            }
        )
    versions = question.versions.count()
    data.update(
        {
            "versions-TOTAL_FORMS": versions,
            "versions-INITIAL_FORMS": versions,
            "versions-MIN_NUM_FORMS": 0,
            "versions-MAX_NUM_FORMS": 1000,
        }
    )
    for i, version in enumerate(question.versions.order_by("-number")):
        data[f"versions-{i}-id"] = version.pk
        data[f"versions-{i}-question"] = question.pk
    return data


def test_staff_edit_a_question_and_it_is_versioned(staff_client, staff, bank):
    question = bank.get(source_number=56)
    question.record_version(note="before")
    url = reverse("admin:questions_question_change", args=[question.pk])
    data = change_form_data(question)
    data["key_points-0-phrases"] += "\n边缘补零标记"
    data["variants-0-choices_text"] = "[x] 28×28\n[ ] 32×32\n[ ] 30×30"
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""

    question.refresh_from_db()
    assert "边缘补零标记" in question.key_points.first().phrases
    assert list(question.variants.first().choices.values_list("text", flat=True)) == [
        "28×28",
        "32×32",
        "30×30",
    ]
    latest = question.versions.order_by("-number").first()
    assert latest.number == 2
    assert latest.author == staff
    assert "rubric" in latest.changed_fields(question.versions.get(number=1))
    earlier = staff_client.get(
        reverse("admin:questions_questionversion_change", args=[question.versions.get(number=1).pk])
    )
    assert earlier.status_code == 200
    assert "边缘补零标记" not in earlier.content.decode()


def test_a_single_choice_variant_needs_exactly_one_right_answer(staff_client, bank):
    question = bank.get(source_number=56)
    data = change_form_data(question)
    data["variants-0-choices_text"] = "[x] 28×28\n[x] 32×32"
    response = staff_client.post(
        reverse("admin:questions_question_change", args=[question.pk]), data
    )
    assert response.status_code == 200
    assert "exactly one correct choice" in response.content.decode()
    assert question.variants.first().choices.filter(is_correct=True).count() == 1


def test_publish_and_retire_actions(staff_client, bank):
    url = reverse("admin:questions_question_changelist")
    ids = list(bank.filter(source_number__in=[1, 2]).values_list("pk", flat=True))
    staff_client.post(url, {"action": "retire", "_selected_action": ids})
    assert Question.objects.filter(pk__in=ids, status="retired").count() == 2
    assert (
        QuestionVersion.objects.filter(question_id__in=ids, note__contains="retired").count() == 2
    )
    staff_client.post(url, {"action": "publish", "_selected_action": ids})
    assert Question.objects.filter(pk__in=ids, status="published").count() == 2


def test_staff_create_a_draft_and_preview_it(staff_client, client, bank):
    tag = bank.get(source_number=1).tags.first()
    data = {
        "prompt": "什么是注意力机制?",
        "reference_answer": "注意力按相关性加权求和。",
        "tags": [tag.pk],
        "difficulty": 2,
        "status": "draft",
        "key": "staff-attention",
        "source_document": "",
        "source_number": "",
        "original_answer": "",
        "correction_note": "",
        "key_points-TOTAL_FORMS": 2,
        "key_points-INITIAL_FORMS": 0,
        "key_points-MIN_NUM_FORMS": 0,
        "key_points-MAX_NUM_FORMS": 1000,
        "key_points-0-position": 0,
        "key_points-0-point": "加权求和",
        "key_points-0-weight": 2,
        "key_points-0-phrases": "加权求和\nweighted sum",
        "key_points-1-position": 1,
        "key_points-1-point": "相关性",
        "key_points-1-weight": 1,
        "key_points-1-phrases": "相关性\nrelevance",
        "variants-TOTAL_FORMS": 0,
        "variants-INITIAL_FORMS": 0,
        "variants-MIN_NUM_FORMS": 0,
        "variants-MAX_NUM_FORMS": 1000,
        "versions-TOTAL_FORMS": 0,
        "versions-INITIAL_FORMS": 0,
        "versions-MIN_NUM_FORMS": 0,
        "versions-MAX_NUM_FORMS": 1000,
    }
    response = staff_client.post(reverse("admin:questions_question_add"), data)
    assert response.status_code == 302
    question = Question.objects.get(key="staff-attention")
    assert question.versions.count() == 1
    preview = staff_client.get(question.get_absolute_url())
    assert preview.status_code == 200
    assert "预览" in preview.content.decode()
    client.logout()
    assert client.get(question.get_absolute_url()).status_code == 404
