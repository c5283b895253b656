from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from questions.bank import import_document, write_fixtures
from questions.document import DocumentError
from questions.models import Question


class Command(BaseCommand):
    help = (
        "Import the interview document and its curation into questions and tags (idempotent, "
        "one transaction), then write fixtures/tags.json and fixtures/questions.json."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", type=Path, default=settings.SOURCE_DOCUMENT)
        parser.add_argument("--curation", type=Path, default=settings.CURATION_DIR)
        parser.add_argument(
            "--fixtures-dir",
            type=Path,
            default=settings.FIXTURE_DIRS[0],
            help="Where to write tags.json and questions.json.",
        )
        parser.add_argument(
            "--no-fixtures", action="store_true", help="Import only; do not write fixtures."
        )

    def handle(
        self, *args, source: Path, curation: Path, fixtures_dir: Path, no_fixtures: bool, **options
    ):
        try:
            questions = import_document(source=source, curation_dir=curation)
        except DocumentError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Imported {len(questions)} questions from {source.name}.")
        if not no_fixtures:
            ids = [question.id for question in questions]
            for path in write_fixtures(fixtures_dir, Question.objects.filter(id__in=ids)):
                self.stdout.write(f"Wrote {path}.")
