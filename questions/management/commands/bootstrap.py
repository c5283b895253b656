from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from questions.models import Question

DEMO_USERS = [
    # username, password, is_staff
    ("demo", "demo-pass-2023", False),
    ("staff", "staff-pass-2023", True),
]


class Command(BaseCommand):
    help = (
        "Load the committed fixtures when the question bank is empty (never overwriting staff "
        "edits), and create or reset the demo logins named in the README."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Do not create demo logins.")

    def handle(self, *args, no_demo: bool, **options):
        if Question.objects.exists():
            self.stdout.write("Question bank already loaded; fixtures left alone.")
        else:
            call_command("loaddata", "tags", "questions", verbosity=0)
            questions = Question.objects.prefetch_related("tags", "key_points", "variants__choices")
            for question in questions:
                question.record_version(note="初始题库 initial bank")
            self.stdout.write(f"Loaded {len(questions)} questions from fixtures.")
        if no_demo:
            return
        User = get_user_model()
        for username, password, is_staff in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            user.is_staff = user.is_superuser = is_staff
            user.set_password(password)
            user.save()
            role = "staff" if is_staff else "candidate"
            self.stdout.write(f"{'Created' if created else 'Reset'} {role} login {username}.")
