"""The answer scorer: agreement with hand grades, penalties, normalisation, objective forms."""

import dataclasses
import json
import math
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviews import scoring
from interviews.scoring import Score, score_objective, score_text

GRADED = Path(__file__).with_name("graded_answers.jsonl")
KINDS = {
    "strong",
    "partial",
    "wrong",
    "english",
    "paraphrase",
    "stuffed",
    "offtopic",
    "empty",
    "copy",
    "negated",
}


def graded_rows() -> list[dict]:
    with GRADED.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def snapshot(prompt: str, *points) -> dict:
    """A Question.snapshot()-shaped dict; points are (point, weight, phrases[, point_en])."""
    rubric = []
    for point, weight, phrases, *english in points:
        rubric.append(
            {
                "point": point,
                "point_en": english[0] if english else point,
                "weight": weight,
                "phrases": list(phrases),
            }
        )
    return {"key": "t", "prompt": prompt, "rubric": rubric, "variants": []}


@pytest.fixture
def snapshots(bank):
    questions = bank.filter(source_number__isnull=False).prefetch_related(
        "tags", "key_points", "variants__choices"
    )
    return {question.source_number: question.snapshot() for question in questions}


# --- The graded set ------------------------------------------------------------------------------


def test_graded_set_is_large_and_varied():
    rows = graded_rows()
    assert len(rows) >= 120
    assert len({row["question"] for row in rows}) >= 25
    assert {row["kind"] for row in rows} == KINDS
    for row in rows:
        assert set(row) == {"question", "answer", "grade", "kind"}
        assert isinstance(row["answer"], str)
        assert 0 <= row["grade"] <= 1
    answers = [row["answer"] for row in rows]
    assert any(a.isascii() and a.strip() for a in answers)  # English
    assert any("過擬合" in a or "網絡" in a for a in answers)  # traditional Chinese
    assert any(not a.isascii() and "dropout" in a.lower() and "randomly" in a for a in answers)


@pytest.mark.django_db
def test_scorer_agrees_with_human_grades(snapshots):
    rows = graded_rows()
    human = [row["grade"] for row in rows]
    machine = [score_text(snapshots[row["question"]], row["answer"]).score for row in rows]
    assert scoring.spearman(human, machine) >= 0.7
    assert scoring.pass_fail_agreement(human, machine) >= 0.85
    by_kind = {}
    for row, score in zip(rows, machine, strict=True):
        by_kind.setdefault(row["kind"], []).append(score)
    assert max(by_kind["empty"]) == 0
    assert max(by_kind["offtopic"]) == 0
    assert max(by_kind["copy"]) <= 0.2
    assert max(by_kind["stuffed"]) <= 0.3
    assert min(by_kind["strong"]) >= 0.6


def test_spearman_uses_average_ranks_for_ties():
    assert scoring.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1)
    assert scoring.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1)
    # Ranks of [1, 1, 2] are [1.5, 1.5, 3]; of [1, 2, 3] are [1, 2, 3].
    assert scoring.spearman([1, 1, 2], [1, 2, 3]) == pytest.approx(math.sqrt(3) / 2)
    assert scoring.pass_fail_agreement([0.6, 0.1, 0.9], [0.7, 0.65, 0.2]) == pytest.approx(1 / 3)


# --- Rubric arithmetic ---------------------------------------------------------------------------

DROPOUT = snapshot(
    "Dropout 是什么意思?",
    ("训练时随机丢弃神经元", 3, ["随机丢弃", "randomly drop"], "Randomly drops units"),
    ("是一种正则化方法,减少过拟合", 2, ["正则化", "过拟合", "regulariz", "overfit"], "Regulariser"),
    ("测试时不丢弃", 1, ["测试时", "推理时", "inference"], "Not at test time"),
)


def test_score_is_a_frozen_dataclass():
    result = score_text(DROPOUT, "Dropout 在训练时随机丢弃神经元。")
    assert isinstance(result, Score)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.score = 1.0  # type: ignore[misc]


def test_partial_credit_is_the_share_of_weight():
    result = score_text(DROPOUT, "Dropout 在训练时随机丢弃一部分神经元，推理时则使用完整的网络。")
    assert result.score == pytest.approx(4 / 6, abs=1e-4)
    assert result.hit == ["训练时随机丢弃神经元", "测试时不丢弃"]
    assert result.missed == ["是一种正则化方法,减少过拟合"]
    assert result.reasons == [
        "命中要点:训练时随机丢弃神经元 / Hit: Randomly drops units",
        "命中要点:测试时不丢弃 / Hit: Not at test time",
    ]


def test_hit_and_missed_follow_rubric_order():
    result = score_text(DROPOUT, "推理时不丢弃；它是一种正则化方法，训练时会随机丢弃神经元。")
    assert result.score == 1.0
    assert result.hit == [kp["point"] for kp in DROPOUT["rubric"]]
    assert result.missed == []


def test_score_is_rounded_to_four_places():
    thirds = snapshot("题目", ("甲", 1, ["alpha"]), ("乙", 2, ["beta"]))
    assert score_text(thirds, "alpha is the first letter of the greek alphabet").score == 0.3333


def test_a_phrase_with_ampersand_needs_every_part():
    gd = snapshot("梯度下降", ("沿负梯度方向更新", 1, ["梯度 & 反方向"]))
    assert score_text(gd, "参数沿着梯度的反方向更新，使损失下降。").score == 1
    assert score_text(gd, "参数沿着梯度更新，使损失下降。").score == 0


def test_empty_answers_score_zero():
    for answer in ["", "   ", "\n\t　", None]:
        result = score_text(DROPOUT, answer)
        assert result.score == 0
        assert result.reasons == ["答案为空 / Empty answer"]
        assert result.missed == [kp["point"] for kp in DROPOUT["rubric"]]


def test_an_answer_hitting_nothing_scores_zero():
    result = score_text(DROPOUT, "我最近在做推荐系统，主要用 XGBoost 做特征交叉。")
    assert result.score == 0
    assert result.hit == []
    assert result.reasons == ["没有命中任何要点 / No key point hit"]


def test_a_question_without_rubric_scores_zero():
    assert score_text(snapshot("题目"), "随便说点什么").score == 0


# --- Normalisation and matching ------------------------------------------------------------------


def test_normalize():
    assert scoring.normalize("ＲｅＬＵ，梯度消失。") == "relu,梯度消失."
    assert scoring.normalize("過擬合與權重") == "过拟合与权重"
    assert scoring.normalize("  Leaky   ReLU\t\n\n 负区间 ") == "leaky relu\n负区间"
    assert scoring.normalize("“引号”、顿号——破折号") == '"引号",顿号--破折号'


def test_normalize_maps_every_punctuation_mark_of_its_table():
    """Each mark of the table, alone and between words, becomes its plain form."""
    for code, plain in scoring._PUNCTUATION.items():
        mark = chr(code)
        expected = unicodedata.normalize("NFKC", f"a{mark}b{mark}{mark}c").translate(
            scoring._PUNCTUATION
        )
        assert scoring.normalize(f"a{mark}b{mark}{mark}c") == scoring.normalize(expected), mark
        assert plain in scoring.normalize(f"a{mark}b") or not plain.strip()


@pytest.mark.django_db
def test_the_substring_test_before_a_scan_never_skips_a_match(snapshots):
    """Every phrase part of the bank against every graded answer (and each phrase itself):
    the spans found with the needle test first are the pattern's own."""
    parts = {
        part
        for data in snapshots.values()
        for point in data["rubric"]
        for phrase in point.get("phrases") or []
        for part in scoring._phrase_parts(phrase)
    }
    answers = [scoring.normalize(row["answer"]) for row in graded_rows()]
    found = 0
    for part in parts:
        needle, pattern = scoring._pattern(part)
        assert needle, part
        for text in [*answers, part]:
            spans = [m.span() for m in pattern.finditer(text) if m.end() > m.start()]
            assert scoring._pattern(part).spans(text) == spans, (part, text)
            found += bool(spans)
    assert found > len(parts)  # each part finds at least itself, many find answers too


@settings(max_examples=300, deadline=None)
@given(
    part=st.text(alphabet="abdeky1 -_.+梯度消失", min_size=1, max_size=12),
    text=st.text(alphabet="abdegiknsy1 -_.+梯度消失,", max_size=40),
)
def test_a_needle_is_in_every_match_of_its_pattern(part, text):
    matcher = scoring._pattern(scoring.normalize(part))
    if matcher is None:
        return
    for match in matcher.pattern.finditer(text):
        if match.end() > match.start():
            assert matcher.needle in match.group(), (part, text)


SIMPLE = snapshot(
    "激活函数有什么用?",
    ("引入非线性", 3, ["非线性", "non-linear", "nonlinearity"]),
    ("缓解梯度消失", 2, ["梯度消失", "vanishing gradient"]),
    ("ReLU", 1, ["relu"]),
)


@pytest.mark.parametrize(
    "variant",
    [
        "激活函數為網絡引入非線性，ReLU 還能緩解梯度消失。",  # traditional
        "激活函数为网络引入非线性，ＲｅＬＵ还能缓解梯度消失。",  # full-width Latin
        "激活函数为网络引入非线性，ReLU 还能缓解梯度消失。",  # full-width punctuation
        "激活函数为网络引入非线性,ReLU还能缓解梯度消失.",  # half-width punctuation
    ],
)
def test_traditional_and_full_width_score_like_simplified_half_width(variant):
    reference = score_text(SIMPLE, "激活函数为网络引入非线性,ReLU 还能缓解梯度消失。")
    assert reference.score == 1
    assert score_text(SIMPLE, variant) == reference


@pytest.mark.django_db
def test_traditional_answer_on_the_bank_scores_like_its_simplified_form(snapshots):
    simplified = "激活函数为神经网络引入非线性，没有激活函数的话，多层网络只能表示输入的线性组合。"
    traditional = "激活函數為神經網絡引入非線性，沒有激活函數的話，多層網絡只能表示輸入的線性組合。"
    assert score_text(snapshots[15], traditional) == score_text(snapshots[15], simplified)


@pytest.mark.parametrize(
    ("phrase", "answer", "hits"),
    [
        ("gan", "organizing the data matters", False),
        ("gan", "a GAN has a generator", True),
        ("gan", "GANs are hard to train", True),
        ("relu", "PReLU learns the slope", False),
        ("relu", "ReLU-based networks", True),
        ("relu", "用relu做激活", True),
        ("regulariz", "regularization reduces variance", True),
        ("reduce variance", "bagging mainly reduces variance", True),
        ("back propagation", "backpropagation through time", True),
        ("back propagation", "back-propagation", True),
        ("noise", "noisy gradient estimates", True),
        ("stable", "training becomes unstable", False),
        ("x * sigmoid", "swish(x) = x*sigmoid(βx)", True),
        ("max(0", "ReLU = max(0, x)", True),
        ("0.01", "slope of 0.01 for x<0", True),
        ("0.01", "a rate of 10.01", False),
        ("he 初始化", "用 He初始化", True),
        ("l2 正则", "加上L2正则项", True),
    ],
)
def test_english_phrases_match_on_word_boundaries(phrase, answer, hits):
    one = snapshot("题目", ("要点", 1, [phrase]))
    assert (score_text(one, answer).score == 1) is hits


def test_english_synonyms_and_paraphrases_in_the_rubric_are_found():
    result = score_text(
        DROPOUT,
        "Dropout randomly drops units while training; it is a regularizer that reduces "
        "overfitting, and at inference time nothing is dropped.",
    )
    assert result.score == 1


def test_scores_do_not_depend_on_what_was_scored_before():
    answer = "Leaky ReLU 并不能解决神经元死亡的问题。"
    leaky = snapshot("Leaky ReLU?", ("解决神经元死亡", 1, ["死亡"]))
    before = score_text(leaky, answer)
    score_text(snapshot("ReLU?", ("死亡", 1, ["神经元死亡", "死亡问题"])), answer)
    assert score_text(leaky, answer) == before


# --- Negation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "Dropout 不是正则化方法，也不能防止过拟合。",
        "Dropout is not a regularization method and does not prevent overfitting.",
        "Dropout 并不能防止过拟合，它也不是正则化。",
        "Dropout can't reduce overfitting and isn't regularization at all.",
    ],
)
def test_a_negated_phrase_does_not_count(answer):
    result = score_text(DROPOUT, answer)
    assert "是一种正则化方法,减少过拟合" in result.missed
    assert "否定了要点:是一种正则化方法,减少过拟合 / Negates a key point: Regulariser" in (
        result.reasons
    )


@pytest.mark.parametrize(
    "answer",
    [
        "Dropout 是一种正则化方法，可以防止过拟合。",
        "Dropout not only prevents overfitting but also acts like an ensemble.",
        "Dropout 不仅能防止过拟合，还相当于集成。",
        "Dropout 不会让网络更大，而是一种正则化方法。",  # the negator is in another clause
        "Without dropout a large network tends to overfit.",  # a true statement
        "它不需要额外的参数，就能起到正则化的作用。",  # "no need" is not a denial
        "Dropout 不是为了加速训练，它的目的是在许多训练步骤之后减轻过拟合。",  # far from the phrase
    ],
)
def test_phrases_outside_a_denial_count(answer):
    assert "是一种正则化方法,减少过拟合" in score_text(DROPOUT, answer).hit


def test_a_denied_phrase_counts_when_also_said_plainly():
    parallel = snapshot("Transformer 有何优势?", ("并行计算", 1, ["并行"]))
    assert score_text(parallel, "RNN 无法并行，而 Transformer 可以并行计算。").score == 1
    assert score_text(parallel, "Transformer 无法并行计算。").score == 0


def test_consequences_and_conditions_are_not_denials():
    init = snapshot("权重初始化?", ("影响收敛", 1, ["收敛", "converge"]))
    assert score_text(init, "初始化不当会导致网络无法收敛。").score == 1
    assert score_text(init, "如果初始化太大，网络就不收敛。").score == 1
    assert score_text(init, "Bad initialization can make the network not converge.").score == 1
    assert score_text(init, "初始化对结果没有影响，网络不会收敛。").score == 0


@pytest.mark.django_db
def test_the_documents_own_negated_wording_still_hits(snapshots):
    # Item 15 in the document: a true statement that starts with "如果没有".
    answer = (
        "激活函数用于将非线性引入神经网络,使其能够学习更复杂的函数。"
        "如果没有激活函数,神经网络只能学习其输入数据的线性组合函数。"
    )
    result = score_text(snapshots[15], answer)
    assert result.hit[:3] == [kp["point"] for kp in snapshots[15]["rubric"][:3]]
    assert not any(reason.startswith("否定") for reason in result.reasons)
    # Item 56: "不填充" is what the key point itself says.
    result = score_text(snapshots[56], "valid padding 不进行任何填充，输出会变小。")
    assert snapshots[56]["rubric"][0]["point"] in result.hit


def test_a_key_point_that_states_a_negation_is_hit_by_it():
    zero = snapshot("为什么零初始化不好?", ("需要随机初始化,权重不能全为零", 1, ["全为零", "对称"]))
    assert score_text(zero, "权重不能全为零，否则无法打破对称性。").score == 1


# --- Copies, lists of terms ----------------------------------------------------------------------

BACKPROP = snapshot(
    "什么是反向传播?",
    ("链式法则计算梯度", 5, ["链式法则", "chain rule"]),
    ("先前向传播", 3, ["前向传播", "forward pass"]),
    ("梯度下降更新权重", 3, ["梯度下降", "更新权重"]),
    ("反向传播本身", 1, ["反向传播"]),
)


def test_an_answer_copying_the_prompt_scores_low():
    result = score_text(BACKPROP, "什么是反向传播？反向传播就是反向传播。")
    assert result.score <= 0.2
    assert "答案重复了题目 / The answer restates the question" in result.reasons


def test_restating_the_prompt_before_answering_is_fine():
    result = score_text(
        BACKPROP,
        "什么是反向传播？反向传播先做前向传播得到损失，再用链式法则求出每个权重的梯度，"
        "最后用梯度下降更新权重。",
    )
    assert result.score == 1
    assert "答案重复了题目 / The answer restates the question" not in result.reasons


@pytest.mark.parametrize(
    "answer",
    [
        "链式法则 前向传播 梯度下降 更新权重",
        "链式法则、前向传播、梯度下降、反向传播",
        "chain rule, forward pass, gradient descent",
        "Keywords: chain rule; forward pass; 梯度下降",
    ],
)
def test_a_bare_list_of_terms_is_capped(answer):
    result = score_text(BACKPROP, answer)
    assert result.score <= 0.3
    assert "只罗列了术语 / Lists terms without explaining them" in result.reasons


def test_the_same_terms_in_sentences_score_fully():
    result = score_text(
        BACKPROP, "先做前向传播，然后用链式法则把梯度一层层往回传，最后通过梯度下降来更新权重。"
    )
    assert result.score >= 0.9
    assert "只罗列了术语 / Lists terms without explaining them" not in result.reasons


def test_terse_statements_are_not_a_list_of_terms():
    rnn = snapshot(
        "在循环网络中训练时面临哪些问题?",
        ("梯度消失", 5, ["梯度消失"]),
        ("梯度爆炸", 4, ["梯度爆炸"]),
        ("对策", 4, ["梯度裁剪"]),
    )
    result = score_text(rnn, "会遇到梯度消失和梯度爆炸。")
    assert result.score == pytest.approx(9 / 13, abs=1e-4)
    assert "只罗列了术语 / Lists terms without explaining them" not in result.reasons


def test_a_list_is_worth_a_bare_pass_when_the_prompt_asks_for_one():
    layers = snapshot(
        "CNN 有哪些不同的层?",
        ("卷积层", 4, ["卷积层"]),
        ("激活层", 3, ["relu"]),
        ("池化层", 3, ["池化"]),
        ("全连接层", 3, ["全连接"]),
    )
    result = score_text(layers, "卷积层、ReLU 层、池化层、全连接层。")
    assert result.score == 0.6
    assert "只罗列了术语 / Lists terms without explaining them" in result.reasons
    explained = "卷积层用卷积核提取局部特征，ReLU 层引入非线性，池化层做下采样，全连接层用来分类。"
    assert score_text(layers, explained).score == 1


# --- Speed and robustness ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_5000_character_answer_of_any_shape_gets_a_valid_score(snapshots):
    """Long, repetitive and negated answers at the length limit score within 0..1. How fast:
    bench/scorer_agreement.py (a benchmark, not a timed test)."""
    text = "".join(row["answer"] for row in graded_rows())
    answers = [
        (text * 2)[:5000],
        ("梯度消失" * 2000)[:5000],
        ("不会梯度消失，" * 1000)[:5000],
        ("Dropout does not prevent overfitting; it randomly drops units. " * 100)[:5000],
    ]
    for answer in answers:
        assert len(answer) == 5000
        for number in (15, 21, 30, 57):
            result = score_text(snapshots[number], answer)
            assert 0 <= result.score <= 1
    # Stuffing the same term 1,250 times is not an answer.
    assert score_text(snapshots[15], answers[1]).score < 0.5


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_gets_a_score_between_0_and_1(answer):
    result = score_text(DROPOUT, answer)
    assert 0 <= result.score <= 1
    assert len(result.hit) + len(result.missed) == len(DROPOUT["rubric"])


# --- Objective variants --------------------------------------------------------------------------

SINGLE = {
    "kind": "single",
    "prompt": "梯度下降沿哪个方向移动?",
    "choices": [
        {"text": "梯度方向", "correct": False},
        {"text": "负梯度方向", "correct": True},
        {"text": "随机方向", "correct": False},
    ],
}
MULTIPLE = {
    "kind": "multiple",
    "prompt": "以下哪些是激活函数?",
    "choices": [
        {"text": "ReLU", "correct": True},
        {"text": "Adam", "correct": False},
        {"text": "Sigmoid", "correct": True},
        {"text": "Dropout", "correct": False},
        {"text": "Tanh", "correct": True},
        {"text": "Swish", "correct": True},
    ],
}
NUMERIC = {"kind": "numeric", "prompt": "10000/200 = ?", "answer": "50.0000", "tolerance": "0.0000"}


@pytest.mark.parametrize("response", [1, "1", [1], ("1",), "负梯度方向", " 负梯度方向 "])
def test_single_choice_right(response):
    result = score_objective(SINGLE, response)
    assert result.score == 1
    assert result.hit == ["负梯度方向"]
    assert result.reasons == ["回答正确 / Correct"]


def test_single_choice_wrong_names_the_answer():
    result = score_objective(SINGLE, 0)
    assert result.score == 0
    assert result.missed == ["负梯度方向"]
    assert "负梯度方向" in result.reasons[0]


@pytest.mark.parametrize(
    ("picked", "credit"),
    [
        ([0, 2, 4, 5], 1.0),  # exactly the right set
        ([5, 4, 2, 0, 0], 1.0),  # order and duplicates do not matter
        ([0, 2, 4], 0.75),  # 3 right of 4
        ([0, 2, 4, 1], 0.5),  # (3 right - 1 wrong) / 4
        ([0, 1, 3], 0.0),  # (1 - 2) / 4, floored at 0
        (list(range(6)), 0.5),  # everything: (4 - 2) / 4
        ([], 0.0),
        (["ReLU", "Sigmoid", "Tanh", "Swish"], 1.0),  # by text
    ],
)
def test_multiple_choice_partial_credit(picked, credit):
    result = score_objective(MULTIPLE, picked)
    assert result.score == credit
    if credit == 1:
        assert result.reasons == ["回答正确 / Correct"]


def test_multiple_choice_reasons_name_missed_and_wrong_picks():
    result = score_objective(MULTIPLE, [0, 1])
    assert result.hit == ["ReLU"]
    assert result.missed == ["Sigmoid", "Tanh", "Swish"]
    assert any("Adam" in reason for reason in result.reasons)


@pytest.mark.parametrize(
    ("response", "score"),
    [
        ("50", 1),
        (50, 1),
        (50.0, 1),
        (Decimal("50.000"), 1),
        (" 5e1 ", 1),
        ("５０", 1),
        ("50.0001", 0),
        (49, 0),
        ("-50", 0),
        ("1e999999999", 0),
        (10**400, 0),
    ],
)
def test_numeric(response, score):
    assert score_objective(NUMERIC, response).score == score


def test_numeric_tolerance():
    variant = {**NUMERIC, "answer": "1.5", "tolerance": "0.1"}
    assert score_objective(variant, "1.45").score == 1
    assert score_objective(variant, "1.6").score == 1
    assert score_objective(variant, "1.61").score == 0
    assert score_objective({**NUMERIC, "answer": "10000"}, "10,000").score == 1


@pytest.mark.parametrize(
    ("variant", "response"),
    [
        (NUMERIC, "fifty"),
        (NUMERIC, ""),
        (NUMERIC, None),
        (NUMERIC, True),
        (NUMERIC, float("nan")),
        (NUMERIC, float("inf")),
        (NUMERIC, "NaN"),
        (NUMERIC, [50]),
        (SINGLE, 3),
        (SINGLE, -1),
        (SINGLE, "9"),
        (SINGLE, True),
        (SINGLE, None),
        (SINGLE, "都不是"),
        (SINGLE, "0" * 5000),
        (SINGLE, {"choice": 1}),
        (MULTIPLE, "0,2"),
        (MULTIPLE, 0),
        (MULTIPLE, [0, 7]),
        (MULTIPLE, [0, None]),
        (MULTIPLE, {0: True}),
    ],
)
def test_malformed_responses_score_zero_with_a_reason(variant, response):
    result = score_objective(variant, response)
    assert result.score == 0
    assert result.reasons == ["无法识别的回答 / The response could not be read"]


def test_unknown_or_broken_variants_score_zero():
    assert score_objective({"kind": "essay"}, "x").score == 0
    assert score_objective({"kind": "single", "choices": []}, 0).score == 0
    assert score_objective({"kind": "numeric", "answer": None}, "1").score == 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(variant=st.sampled_from([SINGLE, MULTIPLE, NUMERIC]), response=json_values)
def test_objective_scoring_never_raises(variant, response):
    result = score_objective(variant, response)
    assert 0 <= result.score <= 1


@pytest.mark.django_db
def test_objective_variants_of_the_bank(snapshots):
    (epochs,) = snapshots[43]["variants"]
    assert score_objective(epochs, "50").score == 1
    assert score_objective(epochs, "49").score == 0
    (activations,) = snapshots[16]["variants"]
    right = [i for i, choice in enumerate(activations["choices"]) if choice["correct"]]
    assert score_objective(activations, right).score == 1
    assert score_objective(activations, right[:-1]).score == pytest.approx(
        (len(right) - 1) / len(right), abs=1e-4
    )
