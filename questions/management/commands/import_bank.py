from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questions.bank import BankFileError, load_bank


class Command(BaseCommand):
    help = "Import a bank file written by export_bank (or the admin's export); all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            questions = load_bank(text)
        except BankFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Imported {len(questions)} questions from {file}.")
