"""Score a file of answers with the interview scorer, one JSON line out per line in."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interviews.scoring import score_text
from questions.models import Question

MAX_ERRORS = 20


class Command(BaseCommand):
    help = (
        'Read JSON lines {"question": <source item number>, "answer": "..."} (other keys are '
        'ignored) and write {"question", "score", "hit", "missed"} for each, in order, scored '
        "against the question's current content. Every line is checked before any is scored: "
        "on a bad line nothing is written and the command fails, naming the line."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help='a JSON-lines file, or "-" for standard input')
        parser.add_argument(
            "--document",
            default="",
            help="the source document of the item numbers, when the bank holds several",
        )

    def handle(self, *args, **options):
        lines = self._read(options["file"])
        items, errors = self._parse(lines)
        numbers = {number for _, number, _ in items}
        questions = self._questions(numbers, options["document"]) if numbers else {}
        errors += [
            f"line {line}: no question with item number {number}"
            for line, number, _ in items
            if number not in questions
        ]
        errors += [
            f"line {line}: item number {number} is in several documents; use --document"
            for line, number, _ in items
            if questions.get(number) is None and number in questions
        ]
        if errors:
            errors.sort(key=lambda message: int(message.split(":")[0].split()[1]))
            shown = errors[:MAX_ERRORS]
            if len(errors) > MAX_ERRORS:
                shown.append(f"... and {len(errors) - MAX_ERRORS} more")
            raise CommandError("\n".join(shown))

        snapshots = {number: question.snapshot() for number, question in questions.items()}
        for _, number, answer in items:
            result = score_text(snapshots[number], answer)
            record = {
                "question": number,
                "score": result.score,
                "hit": result.hit,
                "missed": result.missed,
            }
            self.stdout.write(json.dumps(record, ensure_ascii=False))

    def _read(self, name: str) -> list[bytes]:
        if name == "-":
            return sys.stdin.buffer.read().splitlines()
        path = Path(name)
        try:
            return path.read_bytes().splitlines()
        except FileNotFoundError:
            raise CommandError(f"{name}: no such file") from None
        except IsADirectoryError:
            raise CommandError(f"{name}: is a directory, not a file") from None
        except OSError as error:
            raise CommandError(f"{name}: cannot be read ({error.strerror})") from None

    def _parse(self, lines: list[bytes]) -> tuple[list[tuple[int, int, str]], list[str]]:
        """(line number, item number, answer) for each non-blank line, and the errors found."""
        items, errors = [], []
        for line, raw in enumerate(lines, start=1):
            try:
                text = raw.decode("utf-8-sig" if line == 1 else "utf-8")
            except UnicodeDecodeError:
                errors.append(f"line {line}: not UTF-8 text")
                continue
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as error:
                errors.append(f"line {line}: not valid JSON ({error.msg})")
                continue
            if not isinstance(record, dict):
                errors.append(f"line {line}: expected a JSON object")
                continue
            number, answer = record.get("question"), record.get("answer")
            if "question" not in record:
                errors.append(f'line {line}: "question" (the item number) is missing')
            elif isinstance(number, bool) or not isinstance(number, int) or number < 1:
                errors.append(f'line {line}: "question" must be an item number, not {number!r}')
            elif "answer" not in record:
                errors.append(f'line {line}: "answer" is missing')
            elif not isinstance(answer, str):
                kind = type(answer).__name__
                errors.append(f'line {line}: "answer" must be a string, not {kind}')
            else:
                items.append((line, number, answer))
        return items, errors

    def _questions(self, numbers: set[int], document: str) -> dict[int, Question | None]:
        """Each item number's question; None where several documents share the number."""
        queryset = Question.objects.filter(source_number__in=numbers).prefetch_related(
            "tags", "key_points", "variants__choices"
        )
        if document:
            queryset = queryset.filter(source_document=document)
        found: dict[int, Question | None] = {}
        for question in queryset:
            found[question.source_number] = None if question.source_number in found else question
        return found
