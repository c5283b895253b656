"""How well does the answer scorer agree with the hand-graded answers?

    .venv/bin/python bench/scorer_agreement.py            # rubrics from fixtures/questions.json
    .venv/bin/python bench/scorer_agreement.py --db       # rubrics from the configured database
    .venv/bin/python bench/scorer_agreement.py --worst 15 # also list the largest disagreements

Prints Spearman's rank correlation, pass/fail agreement (pass = score >= 0.6 on both sides), the
mean absolute error, counts and means per kind of answer, and the time per answer (mean, p95),
including a 5,000-character answer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interviews.scoring import pass_fail_agreement, score_text, spearman, warm_up  # noqa: E402

GRADED = ROOT / "tests" / "interviews" / "graded_answers.jsonl"
FIXTURE = ROOT / "fixtures" / "questions.json"


def snapshots_from_fixture(path: Path) -> dict[int, dict]:
    """The parts of Question.snapshot() that scoring reads, straight from the fixture file."""
    objects = json.loads(path.read_text(encoding="utf-8"))
    questions = {}
    for obj in objects:
        if obj["model"] == "questions.question" and obj["fields"].get("source_number"):
            fields = obj["fields"]
            questions[fields["key"]] = {
                "number": fields["source_number"],
                "key": fields["key"],
                "prompt": fields["prompt"],
                "rubric": [],
            }
    points = sorted(
        (o["fields"] for o in objects if o["model"] == "questions.keypoint"),
        key=lambda f: f["position"],
    )
    for fields in points:
        question = questions.get(fields["question"][0])
        if question is not None:
            question["rubric"].append(
                {
                    "point": fields["point"],
                    "point_en": fields["point_en"],
                    "weight": fields["weight"],
                    "phrases": [p.strip() for p in fields["phrases"].splitlines() if p.strip()],
                }
            )
    return {q.pop("number"): q for q in questions.values()}


def snapshots_from_database() -> dict[int, dict]:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
    django.setup()
    from questions.models import Question

    questions = Question.objects.filter(source_number__isnull=False).prefetch_related(
        "tags", "key_points", "variants__choices"
    )
    return {q.source_number: q.snapshot() for q in questions}


def load_graded(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="store_true", help="read rubrics from the database")
    parser.add_argument("--graded", type=Path, default=GRADED)
    parser.add_argument("--worst", type=int, default=0, help="list the N largest disagreements")
    args = parser.parse_args(argv)

    snapshots = snapshots_from_database() if args.db else snapshots_from_fixture(FIXTURE)
    rows = load_graded(args.graded)
    missing = sorted({row["question"] for row in rows} - set(snapshots))
    if missing:
        print(f"no rubric for questions {missing}", file=sys.stderr)
        return 1

    warm_up()  # jieba, OpenCC and the word table load once, outside the timings
    human, machine, times = [], [], []
    for row in rows:
        started = time.perf_counter()
        result = score_text(snapshots[row["question"]], row["answer"])
        times.append(time.perf_counter() - started)
        human.append(row["grade"])
        machine.append(result.score)

    long_answer = ("".join(row["answer"] for row in rows) * 3)[:5000]
    long_times = []
    for number in sorted(snapshots)[:20]:
        started = time.perf_counter()
        score_text(snapshots[number], long_answer)
        long_times.append(time.perf_counter() - started)

    errors = [abs(h - m) for h, m in zip(human, machine, strict=True)]
    print(f"answers            {len(rows)} on {len({r['question'] for r in rows})} questions")
    print(f"spearman           {spearman(human, machine):.3f}")
    print(f"pass/fail agree    {pass_fail_agreement(human, machine):.1%}  (pass = score >= 0.6)")
    print(f"mean abs error     {statistics.fmean(errors):.3f}")
    print()
    by_kind = defaultdict(list)
    for row, score, error in zip(rows, machine, errors, strict=True):
        by_kind[row["kind"]].append((row["grade"], score, error))
    print(f"{'kind':<12}{'count':>6}{'human':>8}{'scorer':>8}{'MAE':>7}")
    for kind, items in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
        h, s, e = zip(*items, strict=True)
        print(
            f"{kind:<12}{len(items):>6}{statistics.fmean(h):>8.2f}"
            f"{statistics.fmean(s):>8.2f}{statistics.fmean(e):>7.2f}"
        )
    print()

    def p95(values):
        return sorted(values)[max(0, int(len(values) * 0.95) - 1)] * 1000

    print(
        f"time per answer    mean {statistics.fmean(times) * 1000:.2f} ms, p95 {p95(times):.2f} ms"
    )
    print(
        f"5,000 characters   mean {statistics.fmean(long_times) * 1000:.2f} ms, "
        f"p95 {p95(long_times):.2f} ms, max {max(long_times) * 1000:.2f} ms"
    )
    if args.worst:
        print()
        ranked = sorted(zip(errors, rows, machine, strict=True), key=lambda t: -t[0])
        for error, row, score in ranked[: args.worst]:
            print(
                f"{error:.2f} q{row['question']} {row['kind']:<10} human {row['grade']:.2f} "
                f"scorer {score:.2f}  {row['answer'][:70]}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
