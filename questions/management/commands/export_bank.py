import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from questions.bank import dump_bank


class Command(BaseCommand):
    help = "Write the whole question bank (tags, questions, rubrics, variants) as a fixture file."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, help="Output file (default: stdout).")

    def handle(self, *args, file: Path | None, **options):
        text = dump_bank()
        if file is None:
            sys.stdout.write(text)
        else:
            file.write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {file}.")
