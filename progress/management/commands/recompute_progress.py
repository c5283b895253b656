import time

from django.core.management.base import BaseCommand

from progress.recompute import recompute_aggregates, recompute_cards


class Command(BaseCommand):
    help = (
        "Rebuild the progress statistics and the spaced-repetition cards from the raw "
        "interviews, responses and flashcard reviews. Safe to run at any time; it gives what "
        "the incremental updates maintain."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--user", type=int, action="append", dest="users", help="Only this user id (repeat)."
        )

    def handle(self, *args, users=None, **options):
        started = time.perf_counter()
        recompute_aggregates(users)
        aggregated = time.perf_counter()
        cards = recompute_cards(users)
        done = time.perf_counter()
        scope = f"{len(users)} users" if users else "all users"
        self.stdout.write(
            f"Recomputed progress for {scope}: statistics in {aggregated - started:.1f} s, "
            f"{cards} cards replayed in {done - aggregated:.1f} s."
        )
