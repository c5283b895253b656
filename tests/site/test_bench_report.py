"""bench/run.py's table of CPU per request, from a load run's phases."""

import importlib.util
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "bench" / "run.py"


@pytest.fixture(scope="module")
def bench_run():
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cpu(generator, gunicorn, postgres, busy):
    return {
        "generator_pct_of_core": generator,
        "generator_children_pct_of_core": 0.0,
        "gunicorn_pct_of_core": gunicorn,
        "postgres_pct_of_core": postgres,
        "other_pct_of_core": busy - generator - gunicorn - postgres,
        "machine_busy_pct_of_core": busy,
    }


def test_it_gives_each_maximums_cpu_per_request_and_its_ratio_to_the_trivial_view(bench_run):
    phases = {
        "max trivial": {"throughput": 600.0, "cpu": cpu(36.0, 126.0, 18.0, 180.0)},
        "max submit": {"throughput": 240.0, "cpu": cpu(24.0, 132.0, 24.0, 180.0)},
        "half submit": {"throughput": 120.0, "cpu": cpu(12.0, 60.0, 12.0, 90.0)},
        "raw sql submit": {"throughput": 1000.0, "cpu": cpu(120.0, 0.0, 70.0, 190.0)},
    }
    rows = {row["name"]: row for row in bench_run.cpu_per_request(phases)}
    assert set(rows) == {"trivial", "submit"}  # closed-loop maxima only
    assert rows["trivial"]["all"] == pytest.approx(3.0)
    assert rows["trivial"]["gunicorn"] == pytest.approx(2.1)
    assert rows["submit"]["all"] == pytest.approx(7.5)
    assert rows["submit"]["generator"] == pytest.approx(1.0)
    assert rows["submit"]["postgres"] == pytest.approx(1.0)
    assert rows["submit"]["ratio"] == pytest.approx(0.4)
    assert rows["trivial"]["ratio"] == pytest.approx(1.0)


def test_without_a_trivial_phase_there_is_no_ratio(bench_run):
    phases = {"max submit": {"throughput": 240.0, "cpu": cpu(24.0, 132.0, 24.0, 180.0)}}
    (row,) = bench_run.cpu_per_request(phases)
    assert row["ratio"] is None
