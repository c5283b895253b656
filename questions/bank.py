"""Write paths for the question bank: the document import, and export/import in fixture format."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.core import serializers
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, IntegrityError, transaction

from questions.document import QuestionRecord
from questions.document import load as load_document
from questions.models import Choice, KeyPoint, Question, Tag, Variant


class BankFileError(Exception):
    """An uploaded or given bank file cannot be imported; the message says why."""


def _upsert(model, lookup: dict, values: dict, create_values: dict | None = None):
    """update_or_create that writes only when a value differs, so re-imports change nothing."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values, **(create_values or {}))
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
    return obj


def _sync_children(question: Question, record: QuestionRecord) -> None:
    """Make the question's key points and variants equal the record, updating in place."""
    for position, point in enumerate(record.rubric):
        _upsert(
            KeyPoint,
            {"question": question, "position": position},
            {
                "point": point["point"],
                "point_en": point.get("point_en", ""),
                "weight": int(point.get("weight", 1)),
                "phrases": "\n".join(str(phrase) for phrase in point["phrases"]),
            },
        )
    question.key_points.filter(position__gte=len(record.rubric)).delete()

    for position, data in enumerate(record.variants):
        numeric = data["kind"] == Variant.Kind.NUMERIC
        variant = _upsert(
            Variant,
            {"question": question, "position": position},
            {
                "kind": data["kind"],
                "prompt": data["prompt"],
                "numeric_answer": Decimal(str(data["answer"])) if numeric else None,
                "tolerance": Decimal(str(data.get("tolerance", 0))),
            },
        )
        choices = data.get("choices") or []
        for choice_position, choice in enumerate(choices):
            _upsert(
                Choice,
                {"variant": variant, "position": choice_position},
                {"text": str(choice["text"]), "is_correct": bool(choice.get("correct"))},
            )
        variant.choices.filter(position__gte=len(choices)).delete()
    question.variants.filter(position__gte=len(record.variants)).delete()


@transaction.atomic
def import_document(*, source: Path, curation_dir: Path) -> list[Question]:
    """Import the document and its curation; idempotent, all or nothing."""
    meta, tags, records = load_document(source, curation_dir)
    for position, tag in enumerate(tags):
        _upsert(
            Tag,
            {"slug": tag["slug"]},
            {"name_zh": tag["name_zh"], "name_en": tag["name_en"], "position": position},
        )
    tags_by_slug = {tag.slug: tag for tag in Tag.objects.all()}

    by_number: dict[int, Question] = {}
    for record in records:
        question = _upsert(
            Question,
            {"source_document": meta["source"], "source_number": record.number},
            {
                "key": record.key,
                "prompt": record.prompt,
                "reference_answer": record.reference_answer,
                "original_answer": record.original_answer,
                "correction_note": record.correction_note,
                "difficulty": record.difficulty,
            },
            create_values={"status": Question.Status.PUBLISHED},
        )
        question.tags.set([tags_by_slug[slug] for slug in record.tags])
        _sync_children(question, record)
        by_number[record.number] = question
    for record in records:
        by_number[record.number].related.set([by_number[n] for n in record.related])
    questions = list(by_number.values())
    for question in questions:
        question.record_version(note="导入文档 document import")
    return questions


def _bank_objects(questions) -> list:
    questions = list(questions.order_by("source_number", "key").prefetch_related("tags", "related"))
    ids = [question.id for question in questions]
    return [
        *Tag.objects.order_by("position", "slug"),
        *questions,
        *KeyPoint.objects.filter(question_id__in=ids)
        .select_related("question")
        .order_by("question__source_number", "question__key", "position"),
        *Variant.objects.filter(question_id__in=ids)
        .select_related("question")
        .order_by("question__source_number", "question__key", "position"),
        *Choice.objects.filter(variant__question_id__in=ids)
        .select_related("variant__question")
        .order_by(
            "variant__question__source_number",
            "variant__question__key",
            "variant__position",
            "position",
        ),
    ]


def dump_bank(questions=None, *, include_tags: bool = True) -> str:
    """Serialize questions (default: the whole bank) in Django's fixture format."""
    objects = _bank_objects(questions if questions is not None else Question.objects.all())
    if not include_tags:
        objects = [obj for obj in objects if not isinstance(obj, Tag)]
    return (
        serializers.serialize(
            "json",
            objects,
            indent=2,
            ensure_ascii=False,
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
        + "\n"
    )


def write_fixtures(directory: Path, questions) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    tags_path = directory / "tags.json"
    tags_path.write_text(
        serializers.serialize(
            "json",
            Tag.objects.order_by("position", "slug"),
            indent=2,
            ensure_ascii=False,
            use_natural_primary_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )
    questions_path = directory / "questions.json"
    questions_path.write_text(dump_bank(questions, include_tags=False), encoding="utf-8")
    return [tags_path, questions_path]


ALLOWED_MODELS = {Tag, Question, KeyPoint, Variant, Choice}


@transaction.atomic
def load_bank(text: str, *, author=None) -> list[Question]:
    """Import a bank file so the bank's questions equal it; all or nothing.

    Questions are matched by key; key points, variants and choices of an imported question
    that the file no longer has are removed. Questions absent from the file are left alone.
    """
    objects = []
    deferred = []
    try:
        with transaction.atomic():
            # Saved while deserializing: a child's natural key needs its parent in the database.
            for wrapped in serializers.deserialize("json", text, handle_forward_references=True):
                if type(wrapped.object) not in ALLOWED_MODELS:
                    raise BankFileError(
                        "A bank file holds only tags and questions, "
                        f"not {wrapped.object._meta.label}."
                    )
                wrapped.save()
                objects.append(wrapped)
                if wrapped.deferred_fields:
                    deferred.append(wrapped)
            for wrapped in deferred:
                wrapped.save_deferred_fields()
    except DeserializationError as error:
        raise BankFileError(f"Not a valid bank file: {error}") from error
    except (DatabaseError, IntegrityError) as error:
        raise BankFileError(f"The bank file does not fit the bank: {error}") from error
    if not objects:
        raise BankFileError("The bank file holds no objects.")

    kept = {(type(w.object), w.object.pk) for w in objects}
    questions = [w.object for w in objects if isinstance(w.object, Question)]
    for question in questions:
        for point in question.key_points.all():
            if (KeyPoint, point.pk) not in kept:
                point.delete()
        for variant in question.variants.all():
            if (Variant, variant.pk) not in kept:
                variant.delete()
                continue
            for choice in variant.choices.all():
                if (Choice, choice.pk) not in kept:
                    choice.delete()
    for question in questions:
        question.record_version(author=author, note="导入题库 bank import")
    return questions
