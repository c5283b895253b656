import shutil

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from questions.bank import dump_bank
from questions.models import Question

pytestmark = pytest.mark.django_db

SOURCE = settings.SOURCE_DOCUMENT.read_text(encoding="utf-8")


def run_import(tmp_path, text=None, source=None, curation=None):
    if source is None:
        source = tmp_path / "doc.txt"
        source.write_text(text, encoding="utf-8")
    call_command(
        "import_document",
        source=source,
        curation=curation or settings.CURATION_DIR,
        fixtures_dir=tmp_path / "out",
        verbosity=0,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        ("深度学习面试问题\n没有编号的内容\n", "no numbered items"),
        (SOURCE.replace("2)人工智能", "1)人工智能"), "appears twice"),
        (SOURCE.replace("30)在循环网络", "在循环网络"), "numbered 1..N"),
        (SOURCE.replace("59)什么是生成对抗网络 (GAN)?", "58)GAN?"), "appears twice"),
    ],
)
def test_it_refuses_a_malformed_document(tmp_path, bank, text, message):
    before = dump_bank()
    with pytest.raises(CommandError, match=message):
        run_import(tmp_path, text)
    assert dump_bank() == before
    assert not (tmp_path / "out").exists()


def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="not found"):
        run_import(tmp_path, source=tmp_path / "nope.txt")


def test_it_refuses_a_file_that_is_not_utf8(tmp_path):
    source = tmp_path / "doc.txt"
    source.write_bytes(SOURCE.encode("gb18030"))
    with pytest.raises(CommandError, match="UTF-8"):
        run_import(tmp_path, source=source)


def test_it_refuses_bad_curation_and_leaves_the_bank_alone(tmp_path, bank):
    before = dump_bank()
    curation = tmp_path / "curation"
    shutil.copytree(settings.CURATION_DIR, curation)
    last = sorted(curation.glob("items-*.yaml"))[-1]
    entries = yaml.safe_load(last.read_text(encoding="utf-8"))
    entries[-1]["tags"] = ["no-such-topic"]
    last.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError, match="unknown tag 'no-such-topic'"):
        run_import(tmp_path, source=settings.SOURCE_DOCUMENT, curation=curation)
    assert dump_bank() == before


def test_a_failure_after_writes_began_rolls_everything_back(tmp_path, bank, monkeypatch):
    Question.objects.filter(source_number=1).update(prompt="staff wording")
    before = dump_bank()

    def explode(self, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Question, "record_version", explode)
    with pytest.raises(RuntimeError):
        run_import(tmp_path, source=settings.SOURCE_DOCUMENT)
    assert dump_bank() == before
