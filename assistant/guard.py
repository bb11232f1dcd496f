"""The citation guard: an answer may only state figures and departments that the clause it cites contains.

It checks every sentence of an answer against the clauses its [n] markers point to, after normalising script and
width. A sentence with no marker, a marker to no citation, or a figure/department absent from its cited clauses is
dropped. Figures are read by `assistant.numbers` and compared whole, by value and unit: "300元" is supported by
"三百元", but "5元" is not by "2025年" or "15元". This is the rule that keeps answers grounded; it runs on every
answer, whoever wrote it.

`CitationGuard` checks a finished answer (the extractive one). An LLM's answer arrives as a stream: `Statements`
cuts it into statements as they complete, and `StreamGuard` checks each one as it comes, drops the failures and
renumbers the markers of the rest to citation numbers in order of first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.numbers import quantities, supported
from index.numbering import normalize_width
from index.text import to_simplified

MARKER = re.compile(r"\[(\d+)\]")
DEPARTMENT = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:教育局|教委|工委|管委会|委员会|人民政府|党委|办公室|局)")
# An answer statement runs up to its citation markers; a table row may hold 。 inside a cell, so split on markers.
STATEMENT = re.compile(r"(.*?)((?:\s*\[\d+\])+)", re.S)


def _norm(text: str) -> str:
    return normalize_width(to_simplified(text)).replace(" ", "").replace(",", "").replace("，", "")


_ORG_BOUNDARY = re.compile(r"[由是和与及向对经为、,，:：;；]|会同|牵头|负责|单位")


def _org_name(match: str) -> str:
    """'牵头单位是区教委' → '区教委': the department name without the words that lead into it."""
    return _ORG_BOUNDARY.split(match)[-1]


@dataclass(frozen=True)
class GuardResult:
    text: str
    dropped: list[str]


class Evidence:
    """The clauses an answer may cite, read once: normalised text and figures per clause number."""

    def __init__(self, cited: dict[int, str]) -> None:
        self.norm = {n: _norm(t) for n, t in cited.items()}
        self.figures = {n: quantities(t) for n, t in cited.items()}

    def supports(self, sentence: str) -> bool:
        """Whether every marker of the sentence points to a given clause and its cited clauses hold each of its
        figures and departments."""
        markers = [int(m) for m in MARKER.findall(sentence)]
        sources = [self.norm[n] for n in markers if n in self.norm]
        if not sources or len(sources) != len(markers):
            return False
        raw_body = MARKER.sub("", sentence)
        pool = "".join(sources)
        evidence = [q for n in markers for q in self.figures[n]]
        figures_ok = all(supported(q, evidence) for q in quantities(raw_body))
        return figures_ok and all(_org_name(d) in pool for d in DEPARTMENT.findall(_norm(raw_body)))


class CitationGuard:
    """Drop answer sentences whose figures or departments their cited clauses do not contain."""

    def __call__(self, answer: str, cited: dict[int, str]) -> GuardResult:
        kept: list[str] = []
        dropped: list[str] = []
        evidence = Evidence(cited)
        statements = [body + marks for body, marks in STATEMENT.findall(answer)]
        tail = STATEMENT.sub("", answer).strip()
        if tail:
            dropped.append(tail)  # text after the last marker cites nothing
        for sentence in statements:
            if not sentence.strip():
                continue
            (kept if evidence.supports(sentence) else dropped).append(sentence)
        return GuardResult("".join(kept).strip(), dropped)


# -- an LLM's answer, statement by statement ----------------------------------------------------------------------

# Marker spellings models use for "[1][2]": 【1】, ［1］, [1,2], [1、2], [^1], [1][2].
_MARKER_LIKE = re.compile(r"[\[【［]\^?\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】］]")
# A statement in the stream: text, its markers, and punctuation written after them ("…50元[1]。").
_STREAM_STATEMENT = re.compile(r"(.*?)((?:\s*\[\d+\])+)([。；;！？!?，,、]*)", re.S)
_END_PUNCT = "。；;！？!?"
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.、)）](?!\d)|[（(]\d{1,2}[)）])\s*")


def normalise_markers(text: str) -> str:
    """Every marker spelling as "[n]" markers: "【1、2】" → "[1][2]"."""
    return _MARKER_LIKE.sub(lambda m: "".join(f"[{n}]" for n in re.findall(r"\d+", m.group(1))), text)


def tidy(body: str, marks: str, after: str) -> str:
    """One statement as the answer shows it: markers after its punctuation, no list bullet or bold marks, each
    marker once ("1. 每课时50元[1][1]。" → "每课时50元。[1]")."""
    body = _BULLET.sub("", body.replace("**", "").strip())
    numbers = list(dict.fromkeys(MARKER.findall(marks)))
    punct = after.strip()
    if body.endswith(tuple(_END_PUNCT)) or not punct:
        punct = ""
    elif punct[-1] in _END_PUNCT:
        punct = punct[-1]
    else:
        punct = "。"  # "…50元[1]，" ends a statement: say it as one
    return body + punct + "".join(f"[{n}]" for n in numbers)


class Statements:
    """Cuts a text arriving in pieces into statements as each completes: a statement ends at its markers (and the
    punctuation after them) once something else follows. `close()` returns the rest, and a tail without markers
    as a statement of its own (the guard then drops it: it cites nothing)."""

    def __init__(self) -> None:
        self.buffer = ""

    def feed(self, piece: str) -> list[str]:
        self.buffer += piece
        return self._take(final=False)

    def close(self) -> list[str]:
        out = self._take(final=True)
        tail, self.buffer = self.buffer.strip(), ""
        return [*out, tail] if tail else out

    def _take(self, final: bool) -> list[str]:
        out = []
        text = self.buffer
        if text.lstrip().startswith("<think>"):
            # A reasoning model's thinking comes first: it is not part of the answer.
            end = text.find("</think>")
            if end < 0:
                self.buffer = "" if final else text
                return []
            text = text[end + len("</think>") :]
        text = normalise_markers(text)
        at = 0
        for m in _STREAM_STATEMENT.finditer(text):
            rest = text[m.end() :].lstrip()
            if not final and (not rest or rest[0] in "[【［"):
                break  # more markers or punctuation may still come
            at = m.end()
            statement = tidy(*m.groups())
            if MARKER.sub("", statement).strip():
                out.append(statement)
        self.buffer = text[at:]
        return out


@dataclass
class StreamGuard:
    """Checks an LLM's statements one by one against the clauses it was given (numbered from 1), keeps the ones
    the clauses support with their markers renumbered to citation numbers in order of first use, and records the
    ones it drops."""

    given: dict[int, str]
    order: list[int] = field(default_factory=list)  # given clause numbers, in citation order
    dropped: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.evidence = Evidence(self.given)

    def __call__(self, statement: str) -> str | None:
        """The statement with citation numbers, or None when it is dropped."""
        if not self.evidence.supports(statement):
            self.dropped.append(statement)
            return None
        for n in MARKER.findall(statement):
            if int(n) not in self.order:
                self.order.append(int(n))
        return MARKER.sub(lambda m: f"[{self.order.index(int(m.group(1))) + 1}]", statement)
