"""Decide from evidence, not similarity, whether the retrieved clauses hold what the question asks.

A clause supports a question when it covers the question's key terms (IDF-weighted, everyday words mapped to
policy words), contains the kind of figure asked for (an amount in 元, a percentage, a count, a year, a department)
next to those terms, and contains any year the question names. A question about a region no document covers is
refused outright; the nearest clauses are still shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.lexicon import SUBJECT_WORDS, SYNONYMS
from assistant.models import Hit
from assistant.question import FIGURE_EVIDENCE, Question
from index.text import split_sentences, to_simplified

# A table row "列名:值" whose value is a number: the figure an indicator question asks for.
TABLE_VALUE = re.compile(r"[:：]\s*[>≥<≤]?\d")


@dataclass
class Support:
    """A hit judged to support the question, with its coverage and its sentences ranked for the answer."""

    hit: Hit
    coverage: float
    sentences: list[tuple[float, str]] = field(default_factory=list)


@dataclass
class Verdict:
    answerable: bool
    reason: str
    supports: list[Support]


def sentences_of(text: str, kind: str) -> list[str]:
    """A table row is one statement; a clause is split at sentence ends."""
    if kind == "table_row":
        return [text]
    # A heading line ("（一）集中培训") ends a statement even without a full stop.
    return [s.strip() for line in text.split("\n") for s in split_sentences(line) if s.strip()]


class EvidenceJudge:
    """Coverage threshold and figure checks over the top hits."""

    def __init__(self, idf: dict[str, float], corpus: str, min_coverage: float = 0.45, depth: int = 6) -> None:
        if not 0 < min_coverage <= 1:
            raise ValueError("min_coverage must be in (0, 1]")
        self.idf, self.corpus, self.min_coverage, self.depth = idf, corpus, min_coverage, depth
        # The sentence holding the figure must itself be about the question, not merely share its clause.
        self.figure_coverage = 0.5
        values = sorted(idf.values())
        # An out-of-vocabulary word is as often everyday wording (that synonyms map) as an absent topic: it weighs
        # like a typical corpus word, and the figure and focus checks below decide the rest.
        self.oov_idf = values[len(values) // 2] if values else 1.0

    def weight(self, term: str) -> float:
        return self.idf.get(term, self.oov_idf)

    def absent_nouns(self, q: Question) -> list[str]:
        """Nouns of the question that no document contains, nor any everyday synonym of them: a figure about a
        thing the documents never mention ("校车补贴", "交通补贴") cannot be in them."""
        return [
            t
            for t in q.terms
            if t in q.nouns
            and len(t) >= 2
            and t not in self.corpus
            and not any(s in self.corpus for s in SYNONYMS.get(t, ()))
        ]

    def covered(self, term: str, text: str) -> float:
        if term in text:
            return 1.0
        syns = [s for s in SYNONYMS.get(term, ()) if s in text]
        if syns:
            return 0.8
        # Long compound terms jieba kept whole: accept when each of its halves occurs.
        if len(term) >= 4 and term[:2] in text and term[2:] in text:
            return 0.7
        return 0.0

    def coverage(self, q: Question, text: str) -> float:
        if not q.terms:
            return 0.0
        total = sum(self.weight(t) for t in q.terms)
        got = sum(self.weight(t) * self.covered(t, text) for t in q.terms)
        return got / total if total else 0.0

    def rank_sentences(self, q: Question, hit: Hit) -> list[tuple[float, str]]:
        ranked = []
        figure = FIGURE_EVIDENCE.get(q.figure or "")
        for s in sentences_of(hit.chunk.text, hit.chunk.kind):
            simple = to_simplified(s)
            score = sum(self.weight(t) * self.covered(t, simple) for t in q.terms)
            if figure and figure.search(simple):
                score *= 3.0 if q.figure == "department" else 1.5
            if len(simple) <= 24 and hit.chunk.heading and hit.chunk.heading in simple:
                score *= 0.3  # the clause's own heading repeats the question; the body answers it
            if any(y in simple for y in q.years):
                score *= 1.3
            ranked.append((score, s))
        return sorted(ranked, key=lambda x: -x[0])

    def __call__(self, q: Question, hits: list[Hit]) -> Verdict:
        if not hits:
            return Verdict(False, "no_hits", [])
        if not q.terms:
            return Verdict(False, "no_terms", [])
        supports: list[Support] = []
        best_reason = "low_coverage"
        for hit in hits[: self.depth]:
            c = hit.chunk
            whole = to_simplified(f"{c.title} {c.context} {c.heading} {c.text}")
            cov = self.coverage(q, whole)
            # "Which documents say X" is answered by each document in part: one clause covers less of it.
            if cov < (self.min_coverage * 0.7 if q.cross_doc else self.min_coverage):
                continue
            if q.years and not all(y in to_simplified(c.title + c.context + c.text) for y in q.years):
                best_reason = "year_absent"
                continue
            ranked = self.rank_sentences(q, hit)
            if q.figure and q.figure in FIGURE_EVIDENCE:
                # The figure must stand next to what the question is about, not anywhere in the clause.
                pattern = FIGURE_EVIDENCE[q.figure]
                subjects = [t for t in q.terms if t in SUBJECT_WORDS]
                relevant = [
                    t
                    for s, t in ranked
                    if s > 0
                    and (pattern.search(to_simplified(t)) or (c.kind == "table_row" and TABLE_VALUE.search(t)))
                    and self.coverage(q, to_simplified(f"{c.context} {c.heading} {t}")) >= self.figure_coverage
                    # Whom or what the figure is for (校长, 班主任, 幼儿园) must be named where the figure stands.
                    and all(self.covered(n, to_simplified(f"{c.title} {c.context} {c.heading} {t}")) for n in subjects)
                ]
                if self.absent_nouns(q):
                    relevant = []
                if not relevant and not (q.figure == "department" and re.search(r"牵头|责任", c.text)):
                    best_reason = f"no_{q.figure}"
                    continue
            supports.append(Support(hit, cov, ranked))
        if not supports:
            return Verdict(False, best_reason, [])
        # Cite first the clause whose best sentence answers best; retrieval order breaks ties.
        supports.sort(key=lambda s: -(s.sentences[0][0] if s.sentences else 0.0) * (0.5 + s.coverage))
        return Verdict(True, "supported", supports)
