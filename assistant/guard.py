"""The citation guard: an answer may only state figures and departments that the clause it cites contains.

It checks every sentence of an answer against the clauses its [n] markers point to, after normalising script and
width. A sentence with no marker, a marker to no citation, or a figure/department absent from its cited clauses is
dropped. Figures are read by `assistant.numbers` and compared whole, by value and unit: "300元" is supported by
"三百元", but "5元" is not by "2025年" or "15元". This is the rule that keeps answers grounded; it runs on every
answer, whoever wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


class CitationGuard:
    """Drop answer sentences whose figures or departments their cited clauses do not contain."""

    def __call__(self, answer: str, cited: dict[int, str]) -> GuardResult:
        kept: list[str] = []
        dropped: list[str] = []
        norm_cited = {n: _norm(t) for n, t in cited.items()}
        figures_cited = {n: quantities(t) for n, t in cited.items()}
        statements = [body + marks for body, marks in STATEMENT.findall(answer)]
        tail = STATEMENT.sub("", answer).strip()
        if tail:
            dropped.append(tail)  # text after the last marker cites nothing
        for sentence in statements:
            if not sentence.strip():
                continue
            markers = [int(m) for m in MARKER.findall(sentence)]
            sources = [norm_cited[n] for n in markers if n in norm_cited]
            raw_body = MARKER.sub("", sentence)
            body = _norm(raw_body)
            if not sources or len(sources) != len(markers):
                dropped.append(sentence)
                continue
            pool = "".join(sources)
            evidence = [q for n in markers for q in figures_cited[n]]
            figures_ok = all(supported(q, evidence) for q in quantities(raw_body))
            departments_ok = all(_org_name(d) in pool for d in DEPARTMENT.findall(body))
            (kept if figures_ok and departments_ok else dropped).append(sentence)
        return GuardResult("".join(kept).strip(), dropped)
