import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from questions.bank import dump_bank
from questions.models import Question, Tag

pytestmark = pytest.mark.django_db


def test_export_then_import_round_trips_exactly(bank, tmp_path):
    path = tmp_path / "bank.json"
    call_command("export_bank", path, verbosity=0)
    exported = path.read_text(encoding="utf-8")
    Question.objects.all().delete()
    Tag.objects.all().delete()
    call_command("import_bank", path, verbosity=0)
    assert dump_bank() == exported
    call_command("import_bank", path, verbosity=0)
    assert dump_bank() == exported


def test_import_restores_edited_questions_and_removes_extra_key_points(bank, tmp_path):
    path = tmp_path / "bank.json"
    call_command("export_bank", path, verbosity=0)
    exported = path.read_text(encoding="utf-8")
    question = bank.get(source_number=7)
    question.prompt = "改过的题目"
    question.save()
    question.key_points.create(position=99, point="多余", weight=1, phrases="多余")
    call_command("import_bank", path, verbosity=0)
    assert dump_bank() == exported
    assert question.versions.order_by("-number").first().data["prompt"] == "什么是反向传播?"


def test_admin_export_and_import_round_trip(staff_client, bank):
    response = staff_client.get(reverse("admin:questions_export"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    exported = response.content
    Question.objects.all().delete()
    upload = SimpleUploadedFile("bank.json", exported, content_type="application/json")
    response = staff_client.post(reverse("admin:questions_import"), {"bank_file": upload})
    assert response.status_code == 302
    assert dump_bank().encode() == exported


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json at all", "Not a valid bank file"),
        (b"[]", "holds no objects"),
        (b'[{"model": "auth.user", "fields": {"username": "x"}}]', "only tags and questions"),
        (b'[{"model": "questions.question", "fields": {"key": "x", "status": "nope"}}]', ""),
        ("\ufeff".encode() + b"\xff\xfe", "UTF-8"),
    ],
)
def test_admin_import_refuses_a_malformed_file_and_changes_nothing(
    staff_client, bank, content, message
):
    before = dump_bank()
    upload = SimpleUploadedFile("bank.json", content, content_type="application/json")
    response = staff_client.post(reverse("admin:questions_import"), {"bank_file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "nothing changed" in response.content.decode()
    assert dump_bank() == before


def test_admin_import_without_a_file_is_refused(staff_client, bank):
    response = staff_client.post(reverse("admin:questions_import"), {})
    assert response.status_code == 400
    assert "Choose a file" in response.content.decode()


def test_import_command_refuses_a_file_that_breaks_a_reference(bank, tmp_path):
    before = dump_bank()
    objects = json.loads(dump_bank())
    for obj in objects:
        if obj["model"] == "questions.question":
            obj["fields"]["tags"] = [["no-such-topic"]]
            break
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_bank", path, verbosity=0)
    assert dump_bank() == before


def test_import_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_bank", tmp_path / "missing.json")
