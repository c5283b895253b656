"""`manage.py grade_answers FILE`: JSON lines in, one scored JSON line out per answer."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from interviews.scoring import score_text
from questions.models import KeyPoint, Question

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def write_lines(path: Path, *lines) -> Path:
    path.write_text(
        "\n".join(
            line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
            for line in lines
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def grade(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("grade_answers", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot_of(number: int) -> dict:
    question = Question.objects.prefetch_related("tags", "key_points", "variants__choices").get(
        source_number=number
    )
    return question.snapshot()


def test_one_line_out_per_answer_in_order(bank, tmp_path):
    answers = [
        {"question": 15, "answer": "激活函数为网络引入非线性，否则多层网络只是线性组合。"},
        {
            "question": 3,
            "answer": "监督学习用带标签的数据，无监督学习用无标签数据做聚类。",
            "kind": "x",
        },
        {"question": 15, "answer": ""},
        {"question": 59, "answer": "GAN 由生成器和判别器组成，两者对抗博弈。", "grade": 0.7},
    ]
    out, err = grade(str(write_lines(tmp_path / "in.jsonl", *answers)))
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == len(answers)
    for line, given in zip(lines, answers, strict=True):
        record = json.loads(line)
        assert list(record) == ["question", "score", "hit", "missed"]
        assert record["question"] == given["question"]
        expected = score_text(snapshot_of(given["question"]), given["answer"])
        assert record["score"] == expected.score
        assert record["hit"] == expected.hit
        assert record["missed"] == expected.missed
        points = [kp["point"] for kp in snapshot_of(given["question"])["rubric"]]
        assert sorted(record["hit"] + record["missed"]) == sorted(points)
    assert json.loads(lines[2])["score"] == 0
    assert 0 < json.loads(lines[0])["score"] <= 1


def test_output_is_utf8_not_escaped(bank, tmp_path):
    out, _ = grade(str(write_lines(tmp_path / "in.jsonl", {"question": 21, "answer": "随机丢弃"})))
    assert "\\u" not in out
    assert "训练时以一定概率随机丢弃(置零)神经元" in out


def test_blank_lines_are_skipped(bank, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(
        '\n{"question": 7, "answer": "链式法则"}\n   \n{"question": 7, "answer": "前向传播"}\n\n',
        encoding="utf-8",
    )
    out, _ = grade(str(path))
    assert [json.loads(line)["question"] for line in out.splitlines()] == [7, 7]


def test_reads_standard_input(bank, monkeypatch):
    data = json.dumps(
        {"question": 7, "answer": "先前向传播，再用链式法则求梯度。"}, ensure_ascii=False
    )
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode())))
    out, _ = grade("-")
    assert json.loads(out)["question"] == 7


def test_scores_against_the_current_content(bank, tmp_path):
    path = write_lines(tmp_path / "in.jsonl", {"question": 7, "answer": "用 autodiff 实现"})
    before = json.loads(grade(str(path))[0])
    point = KeyPoint.objects.get(question__source_number=7, position=0)
    point.phrases += "\nautodiff"
    point.save()
    after = json.loads(grade(str(path))[0])
    assert point.point not in before["hit"]
    assert point.point in after["hit"]
    assert after["score"] > before["score"]


def test_the_graded_answers_file_itself_is_accepted(bank):
    out, _ = grade(str(Path(__file__).with_name("graded_answers.jsonl")))
    rows = Path(__file__).with_name("graded_answers.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(out.splitlines()) == len([row for row in rows if row.strip()])


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"question": 7, "answer": "链式法则"}', "{not json"], "line 2: not valid JSON"),
        (['[7, "链式法则"]'], "line 1: expected a JSON object"),
        (['{"answer": "链式法则"}'], 'line 1: "question" (the item number) is missing'),
        (['{"question": "7", "answer": "x"}'], 'line 1: "question" must be an item number'),
        (['{"question": true, "answer": "x"}'], 'line 1: "question" must be an item number'),
        (['{"question": 0, "answer": "x"}'], 'line 1: "question" must be an item number'),
        (['{"question": 7}'], 'line 1: "answer" is missing'),
        (['{"question": 7, "answer": 42}'], 'line 1: "answer" must be a string, not int'),
        (['{"question": 7, "answer": null}'], 'line 1: "answer" must be a string, not NoneType'),
        (
            ['{"question": 7, "answer": "x"}', '{"question": 999, "answer": "x"}'],
            "line 2: no question with item number 999",
        ),
    ],
)
def test_bad_lines_fail_naming_the_line_and_write_nothing(bank, tmp_path, lines, message):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "grade_answers", str(write_lines(tmp_path / "in.jsonl", *lines)), stdout=out, stderr=err
        )
    assert message in str(raised.value)
    assert out.getvalue() == ""


def test_every_bad_line_is_reported_in_line_order(bank, tmp_path):
    path = write_lines(
        tmp_path / "in.jsonl",
        '{"question": 999, "answer": "x"}',
        '{"question": 7, "answer": "链式法则"}',
        "oops",
        '{"question": 7, "answer": 1}',
    )
    with pytest.raises(CommandError) as raised:
        grade(str(path))
    assert [line.split(":")[0] for line in str(raised.value).splitlines()] == [
        "line 1",
        "line 3",
        "line 4",
    ]


def test_invalid_utf8_is_reported(bank, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"question": 7, "answer": "\xff"}\n')
    with pytest.raises(CommandError, match="line 1: not UTF-8"):
        grade(str(path))


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        grade(str(tmp_path / "missing.jsonl"))
    with pytest.raises(CommandError, match="is a directory"):
        grade(str(tmp_path))


def test_an_empty_file_writes_nothing(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("", encoding="utf-8")
    assert grade(str(path)) == ("", "")


def test_manage_py_exits_non_zero_with_the_error_on_stderr(tmp_path):
    bad = write_lines(tmp_path / "bad.jsonl", "{not json", '{"question": 7}')
    done = subprocess.run(
        [sys.executable, "manage.py", "grade_answers", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    assert "line 1: not valid JSON" in done.stderr
    assert 'line 2: "answer" is missing' in done.stderr
