import json
import re

import pytest
from django.conf import settings
from django.core.management import call_command

from questions.bank import dump_bank, import_document
from questions.models import KeyPoint, Question, QuestionVersion, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path):
    Question.objects.all().delete()
    Tag.objects.all().delete()
    call_command("import_document", fixtures_dir=tmp_path, verbosity=0)
    return tmp_path


def test_it_imports_all_59_questions(imported):
    assert Question.objects.count() == 59
    numbers = list(Question.objects.values_list("source_number", flat=True))
    assert numbers == list(range(1, 60))


def test_it_keeps_the_first_and_last_questions(imported):
    first = Question.objects.get(source_number=1)
    last = Question.objects.get(source_number=59)
    assert first.prompt == "什么是深度学习?"
    assert "猫和狗" in first.reference_answer
    assert "生成对抗网络" in last.prompt
    assert "判别器" in last.reference_answer
    assert first.source_document == "dl-interview-qa-2023"


def test_it_skips_the_advertisement_footer(imported):
    assert not Question.objects.filter(source_number=60).exists()
    for text in ("未完待续", "开放原子", "所有评论", "更多推荐"):
        assert not Question.objects.filter(reference_answer__contains=text).exists()
        assert not Question.objects.filter(prompt__contains=text).exists()


def test_item_25_has_one_latex_formula(imported):
    question = Question.objects.get(source_number=25)
    assert question.reference_answer.count("$$") == 2
    assert "n e w" not in question.reference_answer
    assert "\\varTheta" not in question.reference_answer
    html = str(question.reference_html)
    assert html.count('display="block"') == 1
    assert "<mfrac>" in html


def test_it_fixes_typos(imported):
    question = Question.objects.get(source_number=44)
    assert "GPT-3" in question.reference_answer
    assert "GTP-3" not in question.reference_answer


def test_every_question_has_tags_difficulty_and_a_rubric(imported):
    for question in Question.objects.prefetch_related("tags", "key_points"):
        assert 1 <= question.tags.count() <= 3, question.source_number
        assert 2 <= question.key_points.count() <= 6, question.source_number
        assert question.difficulty in (1, 2, 3)
        for point in question.key_points.all():
            assert point.phrase_list and 1 <= point.weight <= 5
    assert Tag.objects.count() >= 8


def test_wrong_answers_are_corrected_and_the_original_kept(imported):
    for number, wrong in (
        (8, "大型数据库"),
        (12, "用于消除数据冗余"),
        (34, "类似于多层感知器的简化版本"),
    ):
        question = Question.objects.get(source_number=number)
        assert question.is_corrected
        assert question.correction_note
        assert wrong in question.original_answer
        assert wrong not in question.reference_answer


def test_near_duplicates_are_related(imported):
    for a, b in ((17, 36), (21, 39), (23, 34), (26, 40)):
        question = Question.objects.get(source_number=a)
        assert question.related.filter(source_number=b).exists()
        assert Question.objects.get(source_number=b).related.filter(source_number=a).exists()


def test_objective_variants_exist(imported):
    numeric = Question.objects.get(source_number=43).variants.get(kind="numeric")
    assert numeric.numeric_answer == 50
    activation = Question.objects.get(source_number=16).variants.get(kind="multiple")
    correct = set(activation.choices.filter(is_correct=True).values_list("text", flat=True))
    assert {"ReLU", "Sigmoid"} <= {re.sub(r"\s.*", "", text) for text in correct} | correct
    padding = Question.objects.get(source_number=56).variants.filter(kind="single").first()
    assert padding.choices.filter(is_correct=True).count() == 1


def test_lists_become_markdown_lists(imported):
    assert "- 计算机视觉" in Question.objects.get(source_number=4).reference_answer
    assert "<li>" in str(Question.objects.get(source_number=16).reference_html)


def test_reimport_changes_nothing(imported, tmp_path):
    before = dump_bank()
    ids = sorted(KeyPoint.objects.values_list("id", flat=True))
    versions = QuestionVersion.objects.count()
    import_document(source=settings.SOURCE_DOCUMENT, curation_dir=settings.CURATION_DIR)
    assert dump_bank() == before
    assert sorted(KeyPoint.objects.values_list("id", flat=True)) == ids
    assert QuestionVersion.objects.count() == versions == 59


def test_loaddata_yields_the_same_rows_as_the_import(imported):
    # Content, not the edit time: a fixture keeps milliseconds, so a time whose microseconds
    # are below 1,000 dumps as ".000" from the import and without a fraction after loaddata.
    imported_bank = timeless(dump_bank())
    Question.objects.all().delete()
    Tag.objects.all().delete()
    call_command("loaddata", imported / "tags.json", imported / "questions.json", verbosity=0)
    assert timeless(dump_bank()) == imported_bank
    call_command("loaddata", imported / "tags.json", imported / "questions.json", verbosity=0)
    assert timeless(dump_bank()) == imported_bank
    assert Question.objects.count() == 59


def timeless(text: str) -> list[dict]:
    objects = json.loads(text)
    for obj in objects:
        obj["fields"].pop("updated_at", None)
    return objects


def without_timestamps(path):
    return timeless(path.read_text(encoding="utf-8"))


def test_committed_fixtures_are_what_the_import_writes(imported):
    for name in ("tags.json", "questions.json"):
        committed = without_timestamps(settings.FIXTURE_DIRS[0] / name)
        assert without_timestamps(imported / name) == committed, (
            f"fixtures/{name} is stale: run `make fixtures`"
        )
