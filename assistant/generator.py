"""Answer generators behind one interface, `generate(question, supports) -> Draft`.

`ExtractiveGenerator` (the default, no LLM) composes the answer from the best sentences of the supporting clauses,
each followed by the [n] of its clause, in the script of the question. An LLM generator (later) fills the same Draft,
and the same citation guard checks both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from assistant.evidence import Support
from assistant.lexicon import SUBJECT_WORDS, SYNONYMS
from assistant.question import Question
from index.text import to_simplified, to_traditional


@dataclass
class Draft:
    """Answer text with [n] markers; `cited` maps n → the support it points to; `used` its sentences."""

    text: str
    cited: dict[int, Support]
    used: dict[int, list[str]] = field(default_factory=dict)


class Generator(Protocol):
    def generate(self, q: Question, supports: list[Support]) -> Draft: ...


def to_script(text: str, script: str) -> str:
    return to_traditional(text) if script == "traditional" else to_simplified(text)


IDENTITY_COLUMNS = ("分类", "项目", "指标", "名称", "内容", "序号")


def table_answer(q: Question, row: str) -> str:
    """The cells of a table row that answer the question: its label columns plus the columns the question names
    (a year, 牵头/责任单位), or the whole row when it names none. Every cell is copied verbatim."""
    cells = [c for c in row.split("；") if c]
    pairs = [(c.split(":", 1)[0], c) for c in cells]
    wanted = [
        c
        for name, c in pairs
        if any(y in name for y in q.years) or (q.figure == "department" and ("牵头" in name or "责任" in name))
    ]
    if not wanted:
        return row
    label = [c for name, c in pairs if name in IDENTITY_COLUMNS and name != "序号"]
    return "；".join(label + [c for c in wanted if c not in label])


class ExtractiveGenerator:
    """Pick sentences: the best of the best clause, then strong sentences of the next clauses."""

    def __init__(self, max_sentences: int = 4, max_clauses: int = 3, relative: float = 0.6) -> None:
        if max_sentences < 1 or max_clauses < 1:
            raise ValueError("max_sentences and max_clauses must be at least 1")
        self.max_sentences, self.max_clauses, self.relative = max_sentences, max_clauses, relative

    def generate(self, q: Question, supports: list[Support]) -> Draft:
        chosen = self._choose(q, supports)
        cited: dict[int, Support] = {}
        used: dict[int, list[str]] = {}
        numbers: dict[str, int] = {}
        parts: list[str] = []
        for support, sentence in chosen:
            if support.hit.chunk.kind == "table_row":
                sentence = table_answer(q, sentence)
            key = support.hit.chunk.id
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                cited[numbers[key]] = support
            n = numbers[key]
            used.setdefault(n, []).append(sentence)
            shown = to_script(sentence, q.script).rstrip()
            if not shown.endswith(("。", "！", "？", "；", ";")):
                shown += "。"
            parts.append(f"{shown}[{n}]")
        return Draft("".join(parts), cited, used)

    def _choose(self, q: Question, supports: list[Support]) -> list[tuple[Support, str]]:
        if not supports:
            return []
        if q.cross_doc:
            # One best clause per document, so "which documents say X" hears from each.
            per_doc: dict[str, Support] = {}
            for s in supports:
                per_doc.setdefault(s.hit.chunk.source, s)
            return [(s, s.sentences[0][1]) for s in list(per_doc.values())[:4] if s.sentences]
        best = supports[0]
        if not best.sentences:
            return []
        top_score = best.sentences[0][0]
        picks: list[tuple[Support, str]] = [(best, best.sentences[0][1])]
        floor = top_score * self.relative
        # Beyond the best clause, only its own document speaks, unless the question compares documents.
        same_doc = [s for s in supports if s.hit.chunk.source == best.hit.chunk.source]
        candidates = [(sc, s, sent) for s in same_doc[: self.max_clauses] for sc, sent in s.sentences]
        candidates.sort(key=lambda x: -x[0])
        subjects = [t for t in q.terms if t in SUBJECT_WORDS]
        for score, support, sentence in candidates:
            if len(picks) >= self.max_sentences or score < floor or score <= 0:
                break
            if any(sentence == p[1] for p in picks):
                continue
            simple = to_simplified(sentence)
            if not all(t in simple or any(s in simple for s in SYNONYMS.get(t, ())) for t in subjects):
                continue  # a figure for someone else (特殊教育学校教职工) does not extend an answer about 班主任
            picks.append((support, sentence))
        # Keep document order within a clause so the answer reads as the clause does.
        order = {id(s): i for i, s in enumerate(supports)}

        def position(item: tuple[Support, str]) -> tuple[int, int]:
            support, sentence = item
            text = support.hit.chunk.text
            return order[id(support)], text.find(sentence)

        return sorted(picks, key=position)
