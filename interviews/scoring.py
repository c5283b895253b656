"""Scoring of interview answers against a question snapshot.

Everything here is a pure function of plain data: ``Question.snapshot()`` and
``Variant.snapshot()`` dictionaries and the candidate's response. Nothing touches the database.

Free-text answers (:func:`score_text`) are scored by the rubric: each key point has a weight and a
list of phrases, and a phrase ``"A & B"`` needs both parts. The score is the weight of the points
hit over the total weight, after these penalties:

- an empty answer scores 0;
- an answer that hits no key point scores 0;
- an answer that mostly repeats the prompt is scaled down to at most 0.2;
- an answer that only lists the right terms, with no sentence around them, is scaled down to at
  most 0.3 (to at most 0.6 when the prompt itself asks for a list, e.g. "有哪些…");
- a phrase said in a negated clause ("不是正则化", "does not prevent overfitting") does not count.

Matching works on normalised text: NFKC (full-width to half-width), one set of punctuation,
lower case, traditional to simplified Chinese, collapsed whitespace. English phrases start on a
word boundary, so "gan" is not found in "organizing" nor "relu" in "prelu"; their last word may be
continued ("regulariz" finds "regularization"), other words may be inflected ("reduce variance"
finds "reduces variance"). Chinese is segmented with jieba, the rubric phrases added as words, to
find clauses, negators and the function words that make a sentence.

Objective variants (:func:`score_objective`) are scored exactly; see its docstring.
"""

from __future__ import annotations

import bisect
import logging
import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

__all__ = [
    "Score",
    "normalize",
    "pass_fail_agreement",
    "score_objective",
    "score_text",
    "spearman",
]


@dataclass(frozen=True)
class Score:
    """The result of scoring one response."""

    score: float
    hit: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


HIT = "命中要点 / Hit"
NEGATED = "否定了要点 / Negates a key point"
EMPTY = "答案为空 / Empty answer"
NO_HIT = "没有命中任何要点 / No key point hit"
COPY = "答案重复了题目 / The answer restates the question"
STUFFED = "只罗列了术语 / Lists terms without explaining them"
NO_RUBRIC = "题目没有评分要点 / The question has no rubric"

COPY_FACTOR = 0.2  # a copy of the prompt keeps at most a fifth of its credit
STUFFED_FACTOR = 0.3  # a bare list of terms keeps at most 30 % of its credit
LIST_CAP = 0.6  # ... unless the prompt asks for a list: then it is worth at most a bare pass


# --- Normalisation -------------------------------------------------------------------------------

_PUNCTUATION = str.maketrans(
    {
        "。": ".",
        "、": ",",
        "｡": ".",
        "､": ",",
        "“": '"',
        "”": '"',
        "„": '"',
        "‘": "'",
        "’": "'",
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "《": '"',
        "》": '"',
        "〈": '"',
        "〉": '"',
        "【": "[",
        "】": "]",
        "〔": "(",
        "〕": ")",
        "—": "-",
        "–": "-",
        "−": "-",
        "‐": "-",
        "‑": "-",
        "―": "-",
        "〜": "~",
        "•": " ",
    }
)
_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_lock = threading.RLock()
_converter = None


def _to_simplified(text: str) -> str:
    global _converter
    if not _CJK.search(text):
        return text
    if _converter is None:
        with _lock:
            if _converter is None:
                import opencc  # the OpenCC wheel or opencc-python-reimplemented: same API

                _converter = opencc.OpenCC("t2s")
    return _converter.convert(text)


def normalize(text: str) -> str:
    """NFKC, one set of punctuation, lower case, simplified Chinese, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_PUNCTUATION).lower()
    return _SPACES.sub(" ", _to_simplified(text)).strip()


# --- Phrases -------------------------------------------------------------------------------------

_PIECE = re.compile(r"[a-z0-9]+|[\s\-_]+|.", re.DOTALL)
_SEPARATOR = r"[\s\-_]*"


def _is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


def _inflected(word: str) -> str:
    """A non-final English word of a phrase, with its common inflections."""
    if len(word) <= 2 or word[-1].isdigit():
        return re.escape(word)
    if word.endswith("e"):
        return re.escape(word[:-1]) + "(?:e|es|ed|ing)"
    if word.endswith("y") and len(word) >= 4:
        return re.escape(word[:-1]) + "(?:y|ies|ied)"
    last = re.escape(word[-1])
    return re.escape(word) + f"(?:s|es|ed|ing|{last}ing|{last}ed|king|ked)?"


def _final(word: str) -> str:
    """The last English word of a phrase: short ones whole, longer ones as a prefix."""
    if word[-1].isdigit():
        return re.escape(word) + "(?![0-9])"
    if len(word) <= 3:
        return re.escape(word) + "(?:s|es)?(?![a-z])"
    if word.endswith("e") and len(word) >= 5:
        return re.escape(word[:-1])  # "noise" finds "noisy", "reduce" finds "reduction"
    return re.escape(word)


@lru_cache(maxsize=8192)
def _pattern(part: str) -> re.Pattern | None:
    """Compile one normalised phrase part ("A" of "A & B") to a regular expression."""
    pieces = []
    for match in _PIECE.finditer(part):
        piece = match.group()
        if piece[0] in " \t\n-_":
            kind = "sep"
        elif piece[0].isascii() and piece[0].isalnum():
            kind = "word"
        elif _is_cjk(piece):
            kind = "cjk"
        else:
            kind = "sym"
        pieces.append((kind, piece))
    while pieces and pieces[0][0] == "sep":
        pieces.pop(0)
    while pieces and pieces[-1][0] == "sep":
        pieces.pop()
    if not pieces:
        return None
    last_word = max((i for i, (kind, _) in enumerate(pieces) if kind != "sep"), default=-1)
    out = ["(?<![a-z0-9])"] if pieces[0][0] == "word" else []
    previous = None
    for index, (kind, piece) in enumerate(pieces):
        if kind == "sep":
            out.append(_SEPARATOR)
        elif kind == "word":
            if previous == "cjk":
                out.append(r"\s*")
            if index == last_word:
                out.append(_final(piece))
            else:
                out.append(_inflected(piece) + "(?![a-z])")
        elif kind == "cjk":
            if previous == "word":
                out.append(r"\s*")
            out.append(re.escape(piece))
        else:
            out.append((r"\s*" if index else "") + re.escape(piece))
            if index != len(pieces) - 1:
                out.append(r"\s*")
        previous = kind
    regex = "".join(out)
    words = [piece for kind, piece in pieces if kind == "word"]
    if len(words) > 1 and all(kind in ("word", "sep") for kind, _ in pieces):
        # "back propagation" also finds "backpropagation".
        regex += "|(?<![a-z0-9])" + "".join(re.escape(w) for w in words[:-1]) + _final(words[-1])
    return re.compile(regex)


@lru_cache(maxsize=4096)
def _phrase_parts(phrase: str) -> tuple[str, ...]:
    return tuple(p for p in (normalize(part) for part in phrase.split("&")) if p)


# --- Segmentation --------------------------------------------------------------------------------

_jieba = None


def _segmenter():
    """jieba, initialised once, lazily and without its start-up chatter."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


@dataclass
class _Token:
    text: str
    start: int
    end: int
    kind: str  # "zh", "en" or "punct"


def _tokenize(
    text: str, phrases: Sequence[tuple[int, int]] = (), begin: int = 0, end: int | None = None
) -> list[_Token]:
    """Words of ``text`` (spaces dropped), each matched rubric phrase kept as one word.

    One jieba pass over the whole text; English words come out whole, and "doesn't" is put back
    together. Rather than ``jieba.add_word`` (which changes jieba's global dictionary, so that the
    rubrics scored before would change how later answers are cut), jieba's words are cut at the
    edges of this answer's phrase matches and the pieces inside one match are joined again.
    Only ``text[begin:end]`` is cut; offsets are into ``text``.
    """
    end = len(text) if end is None else end
    merged = [(max(a, begin), min(b, end)) for a, b in _merge(phrases) if a < end and b > begin]
    starts = [start for start, _ in merged]
    edges = sorted({edge for span in merged for edge in span})
    tokens: list[_Token] = []
    offset = begin
    for word, begin, end in _segmenter().tokenize(text[offset:end], HMM=False):
        begin, end = begin + offset, end + offset
        first = word[0]
        if first.isspace():
            continue
        if first.isascii() and first.isalnum():
            last = tokens[-1] if len(tokens) > 1 else None
            if (
                last
                and last.text == "'"
                and last.start == begin - 1
                and tokens[-2].kind == "en"
                and tokens[-2].end == last.start
            ):
                tokens.pop()
                head = tokens.pop()
                tokens.append(_Token(text[head.start : end], head.start, end, "en"))
            else:
                tokens.append(_Token(word, begin, end, "en"))
            continue
        if not _is_cjk(first):
            tokens.append(_Token(word, begin, end, "punct"))
            continue
        cuts = edges[bisect.bisect_right(edges, begin) : bisect.bisect_left(edges, end)]
        for left, right in zip([begin, *cuts], [*cuts, end], strict=True):
            i = bisect.bisect_right(starts, left) - 1
            inside = i >= 0 and right <= merged[i][1]
            last = tokens[-1] if tokens else None
            if (
                inside
                and last
                and last.kind == "zh"
                and last.end == left
                and last.start >= starts[i]
            ):
                tokens[-1] = _Token(last.text + text[left:right], last.start, right, "zh")
            else:
                tokens.append(_Token(text[left:right], left, right, "zh"))
    return tokens


# --- Negation ------------------------------------------------------------------------------------

NEGATORS_ZH = frozenset(
    "不 没 没有 并非 不是 并不是 并不 并没有 无法 不能 不会 不可 不可能 不可以 未 从未 从不 绝不 "
    "不再 毫无".split()
)
NEGATORS_EN = frozenset("not no never cannot neither nor none hardly".split())
# After these a negator does not deny: "not only", "不仅", and "no need" (不需要), which in answers
# usually states a benefit ("不需要从头训练").
_NOT_A_DENIAL_AFTER = frozenset("only just merely 仅 仅仅 只 只是 光 单 需要 必要 必".split())
# A negator after these in the same clause states a consequence, usually a true statement:
# "初始化不当会导致无法收敛".
_CONSEQUENCE = frozenset(
    "导致 使 使得 造成 以致 致使 引起 让 令 cause causes caused lead leads led makes making so".split()
)
# ... and so does one anywhere after a condition in the same sentence: "没有激活函数的话,…,无法…",
# "Without them, … cannot …".
_CONDITION = frozenset("如果 若 假如 要是 一旦 的话 否则 if unless otherwise without".split())
_CLAUSE_WORDS = frozenset(
    "而 而是 但 但是 却 可是 不过 然而 but however whereas while although though instead "
    "rather".split()
)
_CLAUSE_PUNCT = frozenset(",;:!?()[]\"'")
_SENTENCE_PUNCT = frozenset(".;!?")
_GAP_ZH = 2  # words allowed between a negator and the phrase it denies
_GAP_EN = 3


def _is_negator(tokens: Sequence[_Token], index: int) -> bool:
    token = tokens[index]
    if token.kind == "zh":
        negator = token.text in NEGATORS_ZH
    elif token.kind == "en":
        negator = token.text in NEGATORS_EN or token.text.endswith("n't")
    else:
        return False
    following = tokens[index + 1].text if index + 1 < len(tokens) else ""
    return negator and following not in _NOT_A_DENIAL_AFTER


def _is_break(tokens: Sequence[_Token], index: int, text: str, punct=_CLAUSE_PUNCT) -> bool:
    token = tokens[index]
    if token.kind != "punct":
        return punct is _CLAUSE_PUNCT and token.text in _CLAUSE_WORDS
    if token.text == ".":
        before = text[token.start - 1 : token.start]
        after = text[token.end : token.end + 1]
        return not (before.isdigit() and after.isdigit())
    return token.text in punct


def _has_negator(text: str) -> bool:
    tokens = _tokenize(normalize(text))
    return any(_is_negator(tokens, i) for i in range(len(tokens)))


_CLAUSE_CHARS = frozenset(",;:!?()[]\"'\n")
_SENTENCE_CHARS = frozenset(".;!?\n")
_WINDOW = 40  # characters before a phrase in which to look for its negator


def _boundary(text: str, position: int, chars: frozenset[str], limit: int) -> int:
    """Where the clause or sentence holding ``position`` starts, looking back ``limit`` chars."""
    floor = max(0, position - limit)
    for i in range(position - 1, floor - 1, -1):
        char = text[i]
        if char == "." and text[i - 1 : i].isdigit() and text[i + 1 : i + 2].isdigit():
            continue
        if char in chars or (char == "." and "." not in chars and i > 0):
            return i + 1
    return floor


class _Answer:
    """A normalised answer and the places where rubric phrases were found in it.

    Words are cut lazily: around a phrase to judge negation, and for the whole text only when the
    answer might be a bare list of terms.
    """

    def __init__(self, text: str, phrases: Sequence[tuple[int, int]]):
        self.text = text
        self.phrases = _merge(phrases)
        self._tokens: list[_Token] | None = None

    @property
    def tokens(self) -> list[_Token]:
        if self._tokens is None:
            self._tokens = _tokenize(self.text, self.phrases)
        return self._tokens

    def negated(self, span: tuple[int, int]) -> bool:
        """Is the phrase at ``span`` denied by a negator just before it, in its clause?"""
        start, end = span
        begin = _boundary(self.text, start, _CLAUSE_CHARS, _WINDOW)
        tokens = _tokenize(self.text, self.phrases, begin, end)
        index = next((i for i, t in enumerate(tokens) if t.end > start), len(tokens))
        if index >= len(tokens):
            return False
        token = tokens[index]
        limit = _GAP_ZH if token.kind == "zh" else _GAP_EN
        gap = 0
        if token.start < start:
            # The phrase begins inside a word: "收敛" in "不收敛", "死亡" in "神经元死亡".
            if self.text[token.start : start] in NEGATORS_ZH:
                return not self._qualified(token.start)
            gap = 1
        for position in range(index - 1, -1, -1):
            previous = tokens[position]
            if _is_break(tokens, position, self.text):
                return False
            if _is_negator(tokens, position):
                return not self._qualified(previous.start)
            if previous.kind == "en":
                limit = _GAP_EN
            gap += previous.kind != "punct"
            if gap > limit:
                return False
        return False

    def _qualified(self, negator: int) -> bool:
        """Does a consequence or a condition come before the negator starting at ``negator``?"""
        begin = _boundary(self.text, negator, _SENTENCE_CHARS, 200)
        tokens = _tokenize(self.text, self.phrases, begin, negator)
        in_clause = True
        for position in range(len(tokens) - 1, -1, -1):
            token = tokens[position]
            if _is_break(tokens, position, self.text):
                in_clause = False
                continue
            if in_clause and token.text in _CONSEQUENCE or token.text in _CONDITION:
                return True
            if not in_clause:
                # An earlier clause that opens with a negator is a condition: "没有激活函数,…".
                opens = position == 0 or _is_break(tokens, position - 1, self.text)
                if opens and _is_negator(tokens, position):
                    return True
        return False


# --- Structure: copies and lists of terms --------------------------------------------------------

_NOT_CONTENT = re.compile(r"[\W_]+")
_UNIT = re.compile(r"[a-z0-9]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LIST_PROMPT = re.compile(
    r"有哪些|哪几|哪些|多少种|几种|哪种|列举|举几个|举出|两种|三种"
    r"|types of|kinds of|what are the|name (?:some|a few|two|three)|list (?:some|the)"
)
# Words that hold a sentence together: copulas, auxiliaries, prepositions, conjunctions,
# particles, pronouns and common predicates. "和/and/or" are left out: lists use them too.
GLUE_ZH = frozenset(
    """
    是 为 即 叫 叫做 称为 指 表示 意味着 代表 属于 作为 相当于 等于 类似 像 包括 包含 有 没有
    的 地 得 了 着 在 把 将 被 让 使 使得 给 用 来 去 对 对于 关于 从 到 向 往 自 由 以 按 按照
    根据 通过 经过 随着 当 时 时候 里 中 之 所 与 同 跟 并 并且 而 而且 且 但 但是 却 然而 因为
    由于 所以 因此 因而 从而 进而 如果 若 假如 虽然 尽管 然后 于是 就 也 都 还 又 再 才 只 只能
    仅 更 最 很 太 非常 比 比较 越 不 没 能 能够 可以 可能 会 要 需要 应该 必须 用于 用来 来说
    导致 造成 引起 防止 避免 减少 降低 提高 增加 缓解 解决 得到 产生 进行 采用 使用 利用 帮助
    让 它 它们 其 这 那 这样 那样 这些 那些 这个 那个 一个 一种 每 每个 所有 各 某 什么 怎么
    如何 为什么 吗 呢 吧 啊 等 等等 就是 也就是 例如 比如 即使 只有 只要 否则
    高 低 大 小 快 慢 好 差 多 少 强 弱 难 易 长 短
    """.split()
)
_common_words: frozenset[str] | None = None


def _is_common_predicate(word: str) -> bool:
    """A common verb, adjective or function word of jieba's dictionary (not a rare term)."""
    global _common_words
    if _common_words is None:
        jieba = _segmenter()
        with _lock:
            if _common_words is None:
                words = set()
                with jieba.get_dict_file() as fh:
                    for raw in fh:
                        fields = raw.decode("utf-8").split()
                        if (
                            len(fields) == 3
                            and len(fields[0]) > 1
                            and fields[2][0] in "vapcudr"
                            and int(fields[1]) >= 1000
                        ):
                            words.add(fields[0])
                _common_words = frozenset(words)
    return word in _common_words


GLUE_EN = frozenset(
    """
    is are was were be been being am it its they them their this that these those which who what
    when where how why so because since therefore thus hence if then than to of in on at by for
    with from into over under as a an the can could will would should may might must do does did
    has have had not no uses use used using means mean makes make helps help lets let gives give
    takes take keeps keep becomes become allows allow causes cause learns learn computes compute
    turns turn each every all one only just also very more most less such per via through
    between while whereas instead rather like e.g i.e
    """.split()
)


def _units(text: str) -> list[str]:
    return _UNIT.findall(text)


def _is_copy(answer: str, prompt: str) -> bool:
    """Does the answer mostly repeat the prompt, adding next to nothing?

    Most of the answer's character (or word) pairs come from the prompt, most of the prompt is
    said again, and at most a few characters are new. "深度学习属于机器学习" reuses the prompt's
    terms but does not restate it.
    """
    units, source = _units(answer), _units(prompt)
    if len(units) < 2 or len(source) < 2:
        return False
    known = set(zip(source, source[1:], strict=False))
    pairs = list(zip(units, units[1:], strict=False))
    covered = [False] * len(units)
    shared = 0
    for i, pair in enumerate(pairs):
        if pair in known:
            shared += 1
            covered[i] = covered[i + 1] = True
    novel = covered.count(False)
    said = set(pairs)
    restated = [False] * len(source)
    for i, pair in enumerate(zip(source, source[1:], strict=False)):
        if pair in said:
            restated[i] = restated[i + 1] = True
    return (
        shared / len(pairs) >= 0.6
        and novel <= max(6, len(units) // 5)
        and restated.count(True) >= 0.6 * len(source)
    )


def _is_list_of_terms(answer: _Answer, spans: list[tuple[int, int]], points_hit: int) -> bool:
    """The right terms and no sentence: almost no function words, most of the text is phrases."""
    if points_hit < 2 or not spans:
        return False
    matched = sum(end - start for start, end in spans)
    content = len(_NOT_CONTENT.sub("", answer.text))
    if matched < 0.25 * content:
        return False  # mostly other words: sentences, not a list (and no need to cut words)
    starts = [start for start, _ in spans]
    glue = other = words = 0
    for token in answer.tokens:
        if token.kind == "punct":
            continue
        words += 1
        i = bisect.bisect_right(starts, token.start) - 1
        if i >= 0 and token.start < spans[i][1]:
            continue  # part of a matched phrase
        if token.kind == "zh":
            # Single characters that are not function words are mostly pieces of unknown terms.
            is_glue = token.text in GLUE_ZH or (
                len(token.text) > 1 and _is_common_predicate(token.text)
            )
        else:
            is_glue = token.text in GLUE_EN or token.text.endswith("n't")
        glue += is_glue
        other += 0 if is_glue else len(token.text)
    coverage = matched / max(1, matched + other)
    return glue <= max(1, words // 12) and coverage >= 0.4


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


# --- Free-text answers ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _point_negatable(point: str, point_en: str) -> bool:
    """A key point that itself says "不…/没有…" expects negators before its phrases.

    "需要随机初始化以打破对称性,不能全为零" is hit by "权重不能全为零", "valid:不填充" by "不进行任何填充".
    The Chinese wording decides; the English one only when there is no Chinese.
    """
    return not _has_negator(point if _CJK.search(point) else point_en)


def _reason(prefix: str, kp: dict) -> str:
    zh, en = prefix.split(" / ")
    return f"{zh}:{kp.get('point', '')} / {en}: {kp.get('point_en') or kp.get('point', '')}"


def score_text(snapshot: dict, answer: str) -> Score:
    """Score a free-text answer against ``Question.snapshot()``'s rubric."""
    everything = list(snapshot.get("rubric") or [])
    rubric = [kp for kp in everything if (kp.get("weight") or 0) > 0]
    if not isinstance(answer, str) or not answer.strip():
        return Score(0.0, [], [kp.get("point", "") for kp in everything], [EMPTY])
    total = sum(kp["weight"] for kp in rubric)
    if not total:
        return Score(0.0, [], [kp.get("point", "") for kp in everything], [NO_RUBRIC])

    text = normalize(answer)
    # Where each part of each phrase occurs, before judging negation.
    found: dict[str, list[tuple[int, int]]] = {}
    for kp in rubric:
        for phrase in kp.get("phrases") or []:
            for part in _phrase_parts(phrase):
                if part not in found:
                    pattern = _pattern(part)
                    found[part] = [m.span() for m in pattern.finditer(text) if m.end() > m.start()]
    answer_ = _Answer(text, [span for spans in found.values() for span in spans])

    hit_ids: set[int] = set()
    denied: list[dict] = []
    spans: list[tuple[int, int]] = []
    for kp in rubric:
        negatable = _point_negatable(kp.get("point", ""), kp.get("point_en", ""))
        negated = False
        for phrase in kp.get("phrases") or []:
            kept_all: list[tuple[int, int]] = []
            for part in _phrase_parts(phrase):
                occurrences = found[part]
                kept = [s for s in occurrences if not (negatable and answer_.negated(s))]
                negated = negated or len(kept) < len(occurrences)
                if not kept:
                    kept_all = []
                    break
                kept_all.extend(kept)
            if kept_all:
                hit_ids.add(id(kp))
                spans.extend(kept_all)
        if negated and id(kp) not in hit_ids:
            denied.append(kp)

    hit = [kp.get("point", "") for kp in everything if id(kp) in hit_ids]
    missed = [kp.get("point", "") for kp in everything if id(kp) not in hit_ids]
    reasons = [_reason(HIT, kp) for kp in everything if id(kp) in hit_ids]
    reasons += [_reason(NEGATED, kp) for kp in denied]
    raw = sum(kp["weight"] for kp in rubric if id(kp) in hit_ids) / total

    prompt = normalize(snapshot.get("prompt") or "")
    if _is_copy(text, prompt):
        reasons.append(COPY)
        raw *= COPY_FACTOR
    elif _is_list_of_terms(answer_, _merge(spans), len(hit_ids)):
        reasons.append(STUFFED)
        raw = min(raw, LIST_CAP) if _LIST_PROMPT.search(prompt) else raw * STUFFED_FACTOR
    if not hit_ids:
        reasons.append(NO_HIT)
    return Score(round(raw, 4), hit, missed, reasons)


# --- Objective variants --------------------------------------------------------------------------

CORRECT = "回答正确 / Correct"
UNREADABLE = "无法识别的回答 / The response could not be read"


def _choice_index(response, choices: list[dict]) -> int | None:
    """A 0-based choice index from an int, a digit string or the choice's own text."""
    if isinstance(response, bool):
        return None
    if isinstance(response, int):
        return response if 0 <= response < len(choices) else None
    if isinstance(response, str):
        wanted = normalize(response)
        if wanted.isdigit():
            number = int(wanted)
            return number if number < len(choices) else None
        for index, choice in enumerate(choices):
            if normalize(str(choice.get("text", ""))) == wanted:
                return index
    return None


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal | int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None
        number = Decimal(repr(value))
    elif isinstance(value, str):
        cleaned = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
        if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", cleaned):
            cleaned = cleaned.replace(",", "")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def score_objective(variant: dict, response) -> Score:
    """Score a response to ``Variant.snapshot()``; never raises on a malformed response.

    - single: the response is the chosen choice's 0-based index (an int or a digit string) or its
      text. 1 if it is a correct choice, else 0.
    - multiple: the response is an iterable of such indices or texts (duplicates ignored).
      Partial credit: max(0, (right picked - wrong picked) / number of right choices), so the
      exact set scores 1 and picking everything scores at most 1 - wrong/right.
    - numeric: the response is a number or a numeric string ("50", "5e1", "１０,０００"); 1 if it
      is within the variant's tolerance of the answer, else 0.

    ``hit`` lists the correct choices picked (or the number), ``missed`` the correct ones not
    picked (or the expected number).
    """
    kind = variant.get("kind")
    if kind == "numeric":
        expected = _decimal(variant.get("answer"))
        tolerance = _decimal(variant.get("tolerance")) or Decimal(0)
        if expected is None:
            return Score(0.0, [], [], ["题目没有数值答案 / The variant has no numeric answer"])
        shown = variant.get("answer")
        given = _decimal(response)
        if given is None:
            return Score(0.0, [], [str(shown)], [UNREADABLE])
        if abs(given - expected) <= abs(tolerance):
            return Score(1.0, [str(shown)], [], [CORRECT])
        return Score(0.0, [], [str(shown)], [f"回答错误,正确答案是 {shown} / Wrong: it is {shown}"])

    choices = variant.get("choices") or []
    right = [i for i, choice in enumerate(choices) if choice.get("correct")]
    right_texts = [str(choices[i].get("text", "")) for i in right]
    if kind not in ("single", "multiple") or not right:
        return Score(0.0, [], right_texts, ["无法评分的题型 / This variant cannot be scored"])

    if kind == "single":
        if isinstance(response, list | tuple) and len(response) == 1:
            response = response[0]
        picked_index = _choice_index(response, choices)
        if picked_index is None:
            return Score(0.0, [], right_texts, [UNREADABLE])
        if picked_index in right:
            return Score(1.0, [str(choices[picked_index].get("text", ""))], [], [CORRECT])
        answer = " / ".join(right_texts)
        return Score(
            0.0, [], right_texts, [f"回答错误,正确答案是 {answer} / Wrong: it is {answer}"]
        )

    if isinstance(response, str | bytes | dict) or not isinstance(response, Iterable):
        return Score(0.0, [], right_texts, [UNREADABLE])
    picked: set[int] = set()
    for item in response:
        index = _choice_index(item, choices)
        if index is None:
            return Score(0.0, [], right_texts, [UNREADABLE])
        picked.add(index)
    good = [i for i in right if i in picked]
    bad = sorted(picked.difference(right))
    credit = max(0.0, (len(good) - len(bad)) / len(right))
    reasons = [CORRECT] if credit == 1 else []
    if len(good) < len(right):
        texts = "、".join(str(choices[i].get("text", "")) for i in right if i not in picked)
        reasons.append(f"漏选了 {texts} / Missed: {texts}")
    if bad:
        texts = "、".join(str(choices[i].get("text", "")) for i in bad)
        reasons.append(f"错选了 {texts} / Wrongly picked: {texts}")
    return Score(
        round(credit, 4),
        [str(choices[i].get("text", "")) for i in good],
        [str(choices[i].get("text", "")) for i in right if i not in picked],
        reasons,
    )


# --- Agreement with human grades -----------------------------------------------------------------


def _ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their average rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation: Pearson's correlation of the (average) ranks."""
    if len(xs) != len(ys) or len(xs) < 2:
        raise ValueError("need two sequences of the same length, at least 2")
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sx = math.sqrt(sum((a - mx) ** 2 for a in rx))
    sy = math.sqrt(sum((b - my) ** 2 for b in ry))
    return cov / (sx * sy) if sx and sy else 0.0


def pass_fail_agreement(xs: Sequence[float], ys: Sequence[float], threshold: float = 0.6) -> float:
    """The share of items that both sides pass (>= threshold) or both fail."""
    if len(xs) != len(ys) or not xs:
        raise ValueError("need two non-empty sequences of the same length")
    return sum((x >= threshold) == (y >= threshold) for x, y in zip(xs, ys, strict=True)) / len(xs)
