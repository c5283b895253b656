"""Parse the source document and its curation into plain records, validating everything.

Nothing here touches the database: `questions.bank.import_document` writes what this returns,
so a malformed document or curation fails before a single row changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ITEM_START = re.compile(r"^(\d{1,3})\)\s*(.*)$")
LABELLED_LINE = re.compile(r"^([^::。,,]{1,16})[::]\s*(\S.*)$")
MAX_PLAIN_LIST_LINE = 40
KINDS = {"single", "multiple", "numeric"}
# A line opening with one of these sums a list up rather than continuing it.
CONCLUSION_OPENERS = ("总之", "综上", "因此", "需要注意", "总的来说")


class DocumentError(Exception):
    """The document or its curation cannot be imported; the message says why."""


@dataclass
class Item:
    number: int
    prompt: str
    lines: list[str]


@dataclass
class QuestionRecord:
    key: str
    number: int
    prompt: str
    reference_answer: str
    original_answer: str
    correction_note: str
    difficulty: int
    tags: list[str]
    related: list[int]
    rubric: list[dict]
    variants: list[dict] = field(default_factory=list)


def parse_items(text: str) -> tuple[list[Item], list[str]]:
    """Split the document into numbered items; return them and the header lines before them."""
    items: list[Item] = []
    header: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        match = ITEM_START.match(line)
        if match:
            number = int(match.group(1))
            if any(item.number == number for item in items):
                raise DocumentError(f"Item {number} appears twice in the document.")
            items.append(Item(number=number, prompt=match.group(2).strip(), lines=[]))
        elif items:
            items[-1].lines.append(line)
        else:
            header.append(line)
    if not items:
        raise DocumentError("The document has no numbered items (lines like '1)什么是深度学习?').")
    return items, header


def to_markdown(lines: list[str]) -> str:
    """Turn the document's answer lines into Markdown: paragraphs, and lists where it lists."""
    blocks: list[str] = []
    in_list = False
    all_short = len(lines) > 1 and all(
        len(line) <= MAX_PLAIN_LIST_LINE and not line.endswith("。") for line in lines
    )
    for index, line in enumerate(lines):
        introduced = index > 0 and (lines[index - 1].endswith((":", ":")) or in_list)
        labelled = LABELLED_LINE.match(line)
        next_labelled = index + 1 < len(lines) and LABELLED_LINE.match(lines[index + 1])
        is_item = all_short or introduced or (labelled and (in_list or next_labelled))
        is_item = is_item and not line.startswith(("$$", *CONCLUSION_OPENERS))
        if is_item and not line.endswith((":", ":")):
            if labelled:
                line = f"**{labelled.group(1)}**:{labelled.group(2)}"
            blocks.append(f"- {line}")
            in_list = True
        else:
            if in_list:
                blocks.append("")
            blocks.append(line)
            blocks.append("")
            in_list = False
    return "\n".join(blocks).strip() + "\n"


def _fail(number: int, message: str) -> None:
    raise DocumentError(f"Curation of item {number}: {message}")


def _validate_entry(entry: dict, tag_slugs: set[str], numbers: set[int]) -> None:
    number = entry["number"]
    tags = entry.get("tags") or []
    if not 1 <= len(tags) <= 3:
        _fail(number, "needs 1-3 tags.")
    for slug in tags:
        if slug not in tag_slugs:
            _fail(number, f"unknown tag {slug!r}.")
    if entry.get("difficulty") not in (1, 2, 3):
        _fail(number, "difficulty must be 1, 2 or 3.")
    rubric = entry.get("rubric") or []
    if not 2 <= len(rubric) <= 6:
        _fail(number, "needs 2-6 rubric key points.")
    for point in rubric:
        if not point.get("point") or not point.get("phrases"):
            _fail(number, "every key point needs a text and at least one phrase.")
        if not 1 <= int(point.get("weight", 1)) <= 5:
            _fail(number, "key point weights are 1-5.")
    for other in entry.get("related") or []:
        if other not in numbers or other == number:
            _fail(number, f"related item {other} is not another question.")
    if entry.get("corrected_answer") and not entry.get("correction_note"):
        _fail(number, "a corrected answer needs a correction_note.")
    for variant in entry.get("variants") or []:
        kind = variant.get("kind")
        if kind not in KINDS or not variant.get("prompt"):
            _fail(number, f"variant kind must be one of {sorted(KINDS)} and have a prompt.")
        if kind == "numeric":
            if not isinstance(variant.get("answer"), int | float):
                _fail(number, "a numeric variant needs a number answer.")
            continue
        correct = [c for c in variant.get("choices") or [] if c.get("correct")]
        if len(variant.get("choices") or []) < 2 or not correct:
            _fail(number, "a choice variant needs 2+ choices and a correct one.")
        if kind == "single" and len(correct) != 1:
            _fail(number, "a single-choice variant needs exactly one correct choice.")


def _load_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DocumentError(f"Cannot read {path}: {error}") from error


def load(source: Path, curation_dir: Path) -> tuple[dict, list[dict], list[QuestionRecord]]:
    """Return (document meta, tags, question records) or raise DocumentError."""
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise DocumentError(f"Document not found: {source}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise DocumentError(f"Cannot read {source} as UTF-8 text: {error}") from error
    if not text.strip():
        raise DocumentError(f"The document {source} is empty.")
    items, _header = parse_items(text)

    meta = _load_yaml(curation_dir / "document.yaml")
    tags = _load_yaml(curation_dir / "tags.yaml")
    skipped = {entry["number"] for entry in meta.get("not_questions", [])}
    first_skipped = min(skipped, default=None)
    questions = [item for item in items if first_skipped is None or item.number < first_skipped]
    numbers = [item.number for item in questions]
    expected = list(range(1, len(questions) + 1))
    if numbers != expected:
        missing = sorted(set(expected) - set(numbers))
        raise DocumentError(
            f"Items must be numbered 1..N in order; got {numbers[:5]}… (missing {missing[:5]})."
        )

    entries: dict[int, dict] = {}
    for path in sorted(curation_dir.glob("items-*.yaml")):
        for entry in _load_yaml(path) or []:
            if entry.get("number") in entries:
                raise DocumentError(f"Item {entry.get('number')} is curated twice ({path.name}).")
            entries[entry.get("number")] = entry
    number_set = set(numbers)
    if uncurated := sorted(number_set - set(entries)):
        raise DocumentError(f"Items without curation: {uncurated}.")
    if unknown := sorted(set(entries) - number_set, key=str):
        raise DocumentError(f"Curation for items not in the document: {unknown}.")

    tag_slugs = {tag["slug"] for tag in tags}
    records = []
    for item in questions:
        entry = entries[item.number]
        _validate_entry(entry, tag_slugs, number_set)
        if not item.prompt or not item.lines:
            raise DocumentError(f"Item {item.number} has no prompt or no answer.")
        text = "\n".join(item.lines)
        for fix in entry.get("replace") or []:
            if fix["from"] not in text:
                _fail(item.number, f"replacement text not found: {fix['from'][:40]!r}")
            text = text.replace(fix["from"], fix["to"])
        answer = to_markdown(text.splitlines())
        corrected = (entry.get("corrected_answer") or "").strip()
        records.append(
            QuestionRecord(
                key=f"{meta['key_prefix']}-{item.number:03d}",
                number=item.number,
                prompt=entry.get("prompt") or item.prompt,
                reference_answer=(corrected + "\n") if corrected else answer,
                original_answer=answer if corrected else "",
                correction_note=(entry.get("correction_note") or "").strip(),
                difficulty=entry["difficulty"],
                tags=entry["tags"],
                related=entry.get("related") or [],
                rubric=entry["rubric"],
                variants=entry.get("variants") or [],
            )
        )
    return meta, tags, records
