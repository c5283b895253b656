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
finds "reduces variance"). Chinese is segmented with jieba, each rubric phrase kept as one word,
to find clauses, negators and the function words that make a sentence.

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
from typing import NamedTuple

__all__ = [
    "Score",
    "normalize",
    "pass_fail_agreement",
    "score_objective",
    "score_text",
    "spearman",
    "warm_up",
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
# str.translate looks every character up in the table (about 30 µs for an answer of 200
# characters); one scan in C for the few that change, then a lookup per match, is ten times less.
_PUNCTUATION_MAP = {chr(key): value for key, value in _PUNCTUATION.items()}
_PUNCTUATION_CHARS = re.compile("[" + re.escape("".join(_PUNCTUATION_MAP)) + "]")
_SPACES = re.compile(r"[^\S\n]+")
_LINES = re.compile(r"\s*\n\s*")
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
    """NFKC, one set of punctuation, lower case, simplified Chinese, single spaces and newlines."""
    text = unicodedata.normalize("NFKC", text)
    text = _PUNCTUATION_CHARS.sub(lambda match: _PUNCTUATION_MAP[match.group()], text).lower()
    text = _LINES.sub("\n", _SPACES.sub(" ", _to_simplified(text)))
    return text.strip()


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


class _Matcher(NamedTuple):
    """A phrase part's regular expression, and a piece of text that every match contains:
    where the piece is not in the answer (most parts of most rubrics), a substring test says
    so without the scan (a pattern that opens with a look-behind is tried at every offset)."""

    needle: str
    pattern: re.Pattern

    def spans(self, text: str) -> list[tuple[int, int]]:
        if self.needle not in text:
            return []
        return [m.span() for m in self.pattern.finditer(text) if m.end() > m.start()]


def _needle(pieces: list[tuple[str, str]]) -> str:
    """The longest text that every match of the pieces' pattern contains: a run of Chinese
    characters (nothing may come between them), a symbol, or an English word without its last
    letter (the shortest form an inflection or a prefix match keeps)."""
    found, run = [], ""
    for kind, piece in pieces:
        run = run + piece if kind == "cjk" else ""
        if kind == "cjk":
            found.append(run)
        elif kind == "word":
            found.append(piece[:-1] if len(piece) > 1 else piece)
        elif kind == "sym":
            found.append(piece)
    return max(found, key=len, default="")


@lru_cache(maxsize=8192)
def _pattern(part: str) -> _Matcher | None:
    """Compile one normalised phrase part ("A" of "A & B") to a regular expression, kept with
    its needle (_Matcher); None for a part with nothing but separators."""
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
    last = len(pieces) - 1  # separators were stripped from both ends
    out = ["(?<![a-z0-9])"] if pieces[0][0] == "word" else []
    previous = None
    for index, (kind, piece) in enumerate(pieces):
        if kind == "sep":
            out.append(_SEPARATOR)
        elif kind == "word":
            if previous == "cjk":
                out.append(r"\s*")
            if index == last:
                out.append(_final(piece))
            else:
                out.append(_inflected(piece) + "(?![a-z])")
        elif kind == "cjk":
            if previous == "word":
                out.append(r"\s*")
            out.append(re.escape(piece))
        else:
            out.append((r"\s*" if index else "") + re.escape(piece))
            if index != last:
                out.append(r"\s*")
        previous = kind
    regex = "".join(out)
    words = [piece for kind, piece in pieces if kind == "word"]
    if len(words) > 1 and all(kind in ("word", "sep") for kind, _ in pieces):
        # "back propagation" also finds "backpropagation".
        regex += "|(?<![a-z0-9])" + "".join(re.escape(w) for w in words[:-1]) + _final(words[-1])
    return _Matcher(_needle(pieces), re.compile(regex))


@lru_cache(maxsize=1024)
def _normalized_prompt(prompt: str) -> str:
    """A question's prompt, normalised once: every answer to it is compared with it."""
    return normalize(prompt)


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
    """The words of ``text[begin:end]`` (offsets into ``text``), each rubric phrase kept whole.

    One jieba pass; English words come out whole and "doesn't" is put back together. Spaces are
    dropped, newlines kept as punctuation. Instead of ``jieba.add_word``, which changes jieba's
    global dictionary (so that every rubric scored before would change how later answers are
    cut), jieba's words are cut at the edges of this answer's phrase matches (``phrases``) and
    the pieces inside one match are joined again.
    """
    end = len(text) if end is None else end
    spans = [(max(a, begin), min(b, end)) for a, b in _merge(phrases) if a < end and b > begin]
    starts = [a for a, _ in spans]
    edges = sorted({edge for span in spans for edge in span})
    tokens: list[_Token] = []
    for word, left, right in _segmenter().tokenize(text[begin:end], HMM=False):
        left, right = left + begin, right + begin
        first = word[0]
        if first.isascii() and first.isalnum():
            if (
                len(tokens) > 1
                and tokens[-1].text == "'"
                and tokens[-1].end == left
                and tokens[-2].kind == "en"
                and tokens[-2].end == tokens[-1].start
            ):
                del tokens[-1]
                head = tokens.pop()
                tokens.append(_Token(text[head.start : right], head.start, right, "en"))
            else:
                tokens.append(_Token(word, left, right, "en"))
        elif not _is_cjk(first):
            if first == "\n" or not first.isspace():
                tokens.append(_Token(word, left, right, "punct"))
        else:
            cuts = edges[bisect.bisect_right(edges, left) : bisect.bisect_left(edges, right)]
            for a, b in zip([left, *cuts], [*cuts, right], strict=True):
                i = bisect.bisect_right(starts, a) - 1
                inside = i >= 0 and b <= spans[i][1]
                previous = tokens[-1] if tokens else None
                if inside and previous and previous.kind == "zh" and previous.start >= starts[i]:
                    tokens[-1] = _Token(previous.text + text[a:b], previous.start, b, "zh")
                else:
                    tokens.append(_Token(text[a:b], a, b, "zh"))
    return tokens


# --- Negation ------------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


NEGATORS_ZH = _words(
    "不 没 没有 并非 不是 并不是 并不 并没有 无法 不能 不会 不可 不可能 不可以 未 从未 从不 绝不 "
    "不再 毫无"
)
NEGATORS_EN = _words("not no never cannot neither nor none hardly")
# After these a negator does not deny: "not only", "不仅", and "no need" (不需要), which in answers
# usually states a benefit ("不需要从头训练").
_NOT_A_DENIAL_AFTER = _words("only just merely 仅 仅仅 只 只是 光 单 需要 必要 必")
# A negator after these in the same clause states a consequence, usually a true statement:
# "初始化不当会导致无法收敛".
_CONSEQUENCE = _words(
    "导致 使 使得 造成 以致 致使 引起 让 令 cause causes caused lead leads led make makes made "
    "making so"
)
# ... and so does one after a condition anywhere before it in the sentence:
# "没有激活函数的话,…,无法拟合复杂函数", "Without them, … cannot …".
_CONDITION = _words("如果 若 假如 要是 一旦 的话 否则 if unless otherwise without")
_CLAUSE_WORDS = _words(
    "而 而是 但 但是 却 可是 不过 然而 but however whereas while although though instead rather"
)
_CLAUSE_PUNCT = frozenset(",.;:!?()[]\"'\n")
_SENTENCE_PUNCT = frozenset(".;!?\n")
_GAP_ZH = 2  # words allowed between a negator and the phrase it denies
_GAP_EN = 3
_WINDOW = 40  # characters before a phrase in which its negator is looked for
_SENTENCE = 200  # ... and in which a condition is looked for


def _is_inside_word(text: str, index: int) -> bool:
    """A decimal point ("0.01") or an apostrophe ("isn't"): punctuation that ends nothing."""
    if text[index] not in ".'":
        return False
    before, after = text[index - 1 : index], text[index + 1 : index + 2]
    if text[index] == ".":
        return before.isdigit() and after.isdigit()
    return before.isalnum() and after.isalnum()


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


def _is_break(tokens: Sequence[_Token], index: int, text: str) -> bool:
    """Does the token end a clause (punctuation or a word like 而/but)?"""
    token = tokens[index]
    if token.kind == "punct":
        return token.text in _CLAUSE_PUNCT and not _is_inside_word(text, token.start)
    return token.text in _CLAUSE_WORDS


def _start_of(text: str, position: int, punctuation: frozenset[str], limit: int) -> int:
    """Where the clause (or sentence) holding ``position`` starts, at most ``limit`` back."""
    floor = max(0, position - limit)
    for i in range(position - 1, floor - 1, -1):
        if text[i] in punctuation and not _is_inside_word(text, i):
            return i + 1
    return floor


class _Answer:
    """A normalised answer and the places where rubric phrases were found in it.

    Words are cut lazily: in front of a phrase to judge negation, and over the whole text only
    when the answer might be a bare list of terms.
    """

    def __init__(self, text: str, phrases: Sequence[tuple[int, int]]):
        self.text = text
        self.phrases = _merge(phrases)
        self._tokens: list[_Token] | None = None
        self._negated: dict[tuple[int, int], bool] = {}

    @property
    def tokens(self) -> list[_Token]:
        if self._tokens is None:
            self._tokens = _tokenize(self.text, self.phrases)
        return self._tokens

    def negated(self, span: tuple[int, int]) -> bool:
        """Is the phrase at ``span`` denied by a negator just before it, in its clause?"""
        if span not in self._negated:
            self._negated[span] = self._find_negator(span)
        return self._negated[span]

    def _find_negator(self, span: tuple[int, int]) -> bool:
        start, end = span
        begin = _start_of(self.text, start, _CLAUSE_PUNCT, _WINDOW)
        tokens = _tokenize(self.text, self.phrases, begin, end)
        index = next((i for i, token in enumerate(tokens) if token.end > start), None)
        if index is None:
            return False
        limit = _GAP_ZH if tokens[index].kind == "zh" else _GAP_EN
        gap = 0
        if tokens[index].start < start:
            # The phrase begins inside a word: "收敛" in "不收敛", "死亡" in "神经元死亡".
            if self.text[tokens[index].start : start] in NEGATORS_ZH:
                return not self._qualified(tokens[index].start)
            gap = 1
        for position in range(index - 1, -1, -1):
            if _is_break(tokens, position, self.text):
                return False
            if _is_negator(tokens, position):
                return not self._qualified(tokens[position].start)
            if tokens[position].kind == "en":
                limit = _GAP_EN
            gap += tokens[position].kind != "punct"
            if gap > limit:
                return False
        return False

    def _qualified(self, negator: int) -> bool:
        """Does a consequence or a condition come before the negator starting at ``negator``?"""
        begin = _start_of(self.text, negator, _SENTENCE_PUNCT, _SENTENCE)
        tokens = _tokenize(self.text, self.phrases, begin, negator)
        in_clause = True
        for position in range(len(tokens) - 1, -1, -1):
            word = tokens[position].text
            if _is_break(tokens, position, self.text):
                in_clause = False
            elif word in _CONDITION or (in_clause and word in _CONSEQUENCE):
                return True
            elif (
                not in_clause
                and _is_negator(tokens, position)
                and (position == 0 or _is_break(tokens, position - 1, self.text))
            ):
                return True  # an earlier clause opening with a negator: "没有激活函数,…"
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
GLUE_ZH = _words("""
    是 为 即 叫 叫做 称为 指 表示 意味着 代表 属于 作为 相当于 等于 类似 像 包括 包含 有 没有
    的 地 得 了 着 在 把 将 被 让 使 使得 给 用 来 去 对 对于 关于 从 到 向 往 自 由 以 按 按照
    根据 通过 经过 随着 当 时 时候 里 中 之 所 与 同 跟 并 并且 而 而且 且 但 但是 却 然而 因为
    由于 所以 因此 因而 从而 进而 如果 若 假如 虽然 尽管 然后 于是 就 也 都 还 又 再 才 只 只能
    仅 更 最 很 太 非常 比 比较 越 不 没 能 能够 可以 可能 会 要 需要 应该 必须 用于 用来 来说
    导致 造成 引起 防止 避免 减少 降低 提高 增加 缓解 解决 得到 产生 进行 采用 使用 利用 帮助
    它 它们 其 这 那 这样 那样 这些 那些 这个 那个 一个 一种 每 每个 所有 各 某 什么 怎么
    如何 为什么 吗 呢 吧 啊 等 等等 就是 也就是 例如 比如 即使 只有 只要 否则
    高 低 大 小 快 慢 好 差 多 少 强 弱 难 易 长 短
    """)
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


GLUE_EN = _words("""
    is are was were be been being am it its they them their this that these those which who what
    when where how why so because since therefore thus hence if then than to of in on at by for
    with from into over under as a an the can could will would should may might must do does did
    has have had not no uses use used using means mean makes make helps help lets let gives give
    takes take keeps keep becomes become allows allow causes cause learns learn computes compute
    turns turn each every all one only just also very more most less such per via through
    between while whereas instead rather like
    """)


def _units(text: str) -> list[str]:
    return _UNIT.findall(text)


@lru_cache(maxsize=1024)
def _prompt_pairs(prompt: str) -> tuple[tuple[tuple[str, str], ...], frozenset[tuple[str, str]]]:
    """A normalised prompt's neighbouring unit pairs, in order and as a set: every answer to
    the question is compared with them."""
    source = _units(prompt)
    pairs = tuple(zip(source, source[1:], strict=False))
    return pairs, frozenset(pairs)


def _is_copy(answer: str, prompt: str) -> bool:
    """Does the answer mostly repeat the prompt, adding next to nothing?

    Most of the answer's character (or word) pairs come from the prompt, most of the prompt is
    said again, and at most a few characters are new. "深度学习属于机器学习" reuses the prompt's
    terms but does not restate it.
    """
    source_pairs, known = _prompt_pairs(prompt)
    units = _units(answer)
    if len(units) < 2 or not source_pairs:
        return False
    pairs = list(zip(units, units[1:], strict=False))
    shared = [i for i, pair in enumerate(pairs) if pair in known]
    if len(shared) / len(pairs) < 0.6:  # most answers: decided without the rest
        return False
    covered = [False] * len(units)
    for i in shared:
        covered[i] = covered[i + 1] = True
    novel = covered.count(False)
    said = set(pairs)
    restated = [False] * (len(source_pairs) + 1)
    for i, pair in enumerate(source_pairs):
        if pair in said:
            restated[i] = restated[i + 1] = True
    return novel <= max(6, len(units) // 5) and restated.count(True) >= 0.6 * len(restated)


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

    "需要随机初始化以打破对称性,不能全为零" is hit by "权重不能全为零", and "valid:不填充" by
    "不进行任何填充". The Chinese wording decides; the English one only when there is no Chinese.
    Deliberately broad ("训练不稳定" also counts): a denial missed costs less than a true statement
    refused.
    """
    tokens = _tokenize(normalize(point if _CJK.search(point) else point_en))
    return not any(_is_negator(tokens, i) for i in range(len(tokens)))


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
                    matcher = _pattern(part)
                    found[part] = matcher.spans(text) if matcher else []
    answer_ = _Answer(text, [span for spans in found.values() for span in spans])

    hit_ids: set[int] = set()
    denied: list[dict] = []
    spans: list[tuple[int, int]] = []
    for kp in rubric:
        negatable = _point_negatable(kp.get("point", ""), kp.get("point_en", ""))
        negated = False
        for phrase in kp.get("phrases") or []:
            parts = _phrase_parts(phrase)
            # Every part must be said once without being denied.
            for part in parts:
                said = next(
                    (s for s in found[part] if not negatable or not answer_.negated(s)), None
                )
                if said is None:
                    negated = negated or bool(found[part])
                    break
            else:
                if parts:
                    hit_ids.add(id(kp))
                    spans.extend(span for part in parts for span in found[part])
        if negated and id(kp) not in hit_ids:
            denied.append(kp)

    hit = [kp.get("point", "") for kp in everything if id(kp) in hit_ids]
    missed = [kp.get("point", "") for kp in everything if id(kp) not in hit_ids]
    reasons = [_reason(HIT, kp) for kp in everything if id(kp) in hit_ids]
    reasons += [_reason(NEGATED, kp) for kp in denied]
    raw = sum(kp["weight"] for kp in rubric if id(kp) in hit_ids) / total

    prompt = _normalized_prompt(snapshot.get("prompt") or "")
    if _is_copy(text, prompt):
        reasons.append(COPY)
        raw *= COPY_FACTOR
    elif _is_list_of_terms(answer_, _merge(spans), len(hit_ids)):
        reasons.append(STUFFED)
        raw = min(raw, LIST_CAP) if _LIST_PROMPT.search(prompt) else raw * STUFFED_FACTOR
    if not hit_ids:
        reasons.append(NO_HIT)
    return Score(round(raw, 4), hit, missed, reasons)


def warm_up() -> None:
    """Load jieba, OpenCC and jieba's word table now (about 2 s) rather than on a first answer."""
    _segmenter()
    _to_simplified("預熱")
    _is_common_predicate("是")


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
        if wanted.isdecimal():
            return int(wanted) if len(wanted) <= 6 and int(wanted) < len(choices) else None
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
        try:
            close = abs(given - expected) <= abs(tolerance)
        except ArithmeticError:  # "1e999999999": too far out to subtract, so not close
            close = False
        if close:
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
