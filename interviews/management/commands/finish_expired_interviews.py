from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from interviews.models import GRACE, Interview
from interviews.services import interview_finish


class Command(BaseCommand):
    help = (
        "Finish every interview whose deadline (plus grace) has passed, scoring what was saved. "
        "Idempotent and safe to run from cron every minute, on several servers at once."
    )

    def handle(self, *args, **options):
        cutoff = timezone.now() - GRACE
        finished = 0
        expired = Interview.objects.in_progress().filter(deadline__lt=cutoff)
        for pk in expired.values_list("pk", flat=True).iterator():
            with transaction.atomic():
                # SKIP LOCKED: an interview someone is writing to right now is left for the
                # request itself (it finishes expired interviews too) or the next run.
                interview = (
                    Interview.objects.select_for_update(skip_locked=True)
                    .in_progress()
                    .filter(pk=pk)
                    .first()
                )
                if interview is not None:
                    interview_finish(interview=interview)
                    finished += 1
        self.stdout.write(f"Finished {finished} expired interviews.")
