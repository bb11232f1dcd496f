"""Answer generators behind one interface, `generate(question, supports) -> Draft`.

`ExtractiveGenerator` (the default, no LLM) composes the answer from sentences of the supporting clauses, each
followed by the [n] of its clause, in the script of the question. The sentence that answers comes first; further
sentences follow in the order of how well they answer, and only when they concern the question: they name its
subject (班主任, 幼儿园 …), share its key terms, and — for a figure question — state a figure of the kind asked that
the answer does not already give. A table row is read out as "指标：列名：值（单位）", its unit taken from the header.
An LLM generator (later) fills the same Draft, and the same citation guard checks both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from assistant.evidence import LEAD_UNITS, Support, states_kind
from assistant.lexicon import subjects_met
from assistant.numbers import quantities
from assistant.question import AGENT, AGENT_VERB, FIGURE_EVIDENCE, FINANCE_AGENT, Question
from assistant.rows import covers, format_row
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


# -- sentence choice -------------------------------------------------------------------------------------------

OPEN, CLOSE = "(（", ")）"
# "哪几项工程" and "哪些" ask for a list, even though "几项" reads as a count: list items need not hold a figure.
LIST_QUESTION = re.compile(r"哪几|哪些")
# Another clause's sentence that says all the lead says of the question extends it when it scores this near it.
SAME_TOPIC = 0.8
# A department name as it stands in a clause: ends in an office word and then a separator, so that 办学 or 部署
# are not read as 办 or 部 (the judge's looser pattern finds clauses; this one says what an answer states).
DEPARTMENT = re.compile(
    r"[\u4e00-\u9fff]{1,12}?(?:管委会|委员会|人民政府|政府|局|委|办|部|厅|联|协|院|校)(?=[、,，;；:：)）。\s]|$|负责|牵头|会同|统筹|等|和|与|及)"
    r"|牵头单位|责任单位"
    rf"|{FINANCE_AGENT}|{AGENT}(?={AGENT_VERB})"
)


def whole_statement(sentence: str, text: str) -> str:
    """The sentence with the rest of a bracket it leaves open (or closes without opening) in the clause text: a
    split at "；" inside "(牵头单位:区教委;责任单位:区财政局)" must not leave "(牵头单位:区教委;" as the answer."""
    at = text.find(sentence)
    if at < 0:
        return sentence
    depth = sum(ch in OPEN for ch in sentence) - sum(ch in CLOSE for ch in sentence)
    start, end = at, at + len(sentence)
    if depth > 0:
        close = next((i for i in range(end, min(len(text), end + 200)) if text[i] in CLOSE), -1)
        if close >= 0:
            end = close + 1
            if text[end : end + 1] in ("。", "；", ";"):
                end += 1
    elif depth < 0:
        opening = next((i for i in range(start - 1, max(-1, start - 200), -1) if text[i] in OPEN), -1)
        if opening >= 0:
            start = opening
    return text[start:end]


@dataclass
class Candidate:
    """A sentence that could go into the answer: its judge score, its clause, and what it would show."""

    score: float
    support: Support
    sentence: str
    shown: str  # the sentence, or a table row as formatted
    used: list[str]  # what of the clause text it uses
    order: tuple[int, int] = (0, 0)  # clause rank, position in the clause: breaks score ties

    @property
    def simple(self) -> str:
        return to_simplified(self.shown)

    @property
    def setting(self) -> str:
        """The sentence with what its clause is about (title, heading chain): whom a figure is for may be named
        there rather than in the sentence."""
        c = self.support.hit.chunk
        return to_simplified(f"{c.title} {c.context} {c.heading} {self.shown}")


class ExtractiveGenerator:
    """The answering sentence first, then on-topic sentences of the best clauses by how well they answer."""

    def __init__(
        self, max_sentences: int = 4, max_clauses: int = 3, relative: float = 0.6, max_chars: int = 320
    ) -> None:
        if max_sentences < 1 or max_clauses < 1 or max_chars < 1:
            raise ValueError("max_sentences, max_clauses and max_chars must be at least 1")
        self.max_sentences, self.max_clauses, self.relative = max_sentences, max_clauses, relative
        self.max_chars = max_chars

    def generate(self, q: Question, supports: list[Support]) -> Draft:
        cited: dict[int, Support] = {}
        used: dict[int, list[str]] = {}
        numbers: dict[str, int] = {}
        parts: list[str] = []
        picks = self.choose(q, supports)
        for pick in picks:
            n = numbers.setdefault(pick.support.hit.chunk.id, len(numbers) + 1)
            cited[n] = pick.support
            used.setdefault(n, []).extend(u for u in pick.used if u not in used.get(n, []))
            shown = to_script(pick.shown, q.script).rstrip()
            if not shown.endswith(("。", "！", "？", "；", ";")):
                shown += "。"
            parts.append(f"{shown}[{n}]")
        also = []
        for support in self.related(q, supports, picks):
            n = numbers.setdefault(support.hit.chunk.id, len(numbers) + 1)
            cited[n] = support
            also.append(f"[{n}]")
        if also:
            # A pointer, not a statement: it quotes nothing, so it states no figure the guard must find.
            parts.append(to_script("另见", q.script) + "".join(also))
        return Draft("".join(parts), cited, used)

    # -- choice ------------------------------------------------------------------------------------------------

    def choose(self, q: Question, supports: list[Support]) -> list[Candidate]:
        """The sentences of the answer, in the order they are said."""
        if not supports:
            return []
        if q.cross_doc:
            # One best clause per document, so "which documents say X" hears from each.
            per_doc: dict[str, Support] = {}
            for s in supports:
                per_doc.setdefault(s.hit.chunk.source, s)
            leads = [self._lead(q, [s]) for s in list(per_doc.values())[:4]]
            return [c for c in leads if c is not None]
        lead = self._lead(q, supports)
        if lead is None:
            return []
        picks = [lead]
        floor = max(lead.score, self._top(supports)) * self.relative
        said = self._terms(q, lead)
        stated = self._figures(q, lead)
        length = len(lead.shown)
        # Beyond the lead's clause, only its own document speaks, unless the question compares documents.
        source = lead.support.hit.chunk.source
        same_doc = [s for s in supports if s.hit.chunk.source == source][: self.max_clauses]
        for c in self._candidates(q, same_doc):
            if len(picks) >= self.max_sentences or c.score < floor or c.score <= 0:
                break
            if any(c.shown == p.shown or c.sentence in p.sentence or p.sentence in c.sentence for p in picks):
                continue
            if self._is_heading(c) or not self._on_topic(q, c, lead):
                continue
            if self._asks_figure(q):
                # A figure question asks for a figure: a further sentence must give one of the asked kind that the
                # answer does not state yet (a second clause repeating "2000个" adds nothing), for the year asked
                # about, and answer as well as the lead or say something of the question the answer leaves out
                # (the 900元 for 班主任 does not extend the 300元 for 教育教学考核奖励 it shares every term with).
                new = self._figures(q, c) - stated
                if not self._holds_figure(q, c, strict=True) or not new:
                    continue
                if q.years and not any(y in c.simple for y in q.years):
                    continue
                if not q.years and c.score < lead.score and not self._terms(q, c) - said:
                    continue
                stated |= new
            if length + len(c.shown) > self.max_chars:
                continue
            picks.append(c)
            said |= self._terms(q, c)
            length += len(c.shown)
        return picks

    def related(self, q: Question, supports: list[Support], picks: list[Candidate]) -> list[Support]:
        """Further supporting clauses the answer does not quote, for its "另见" line: where the judge found several
        clauses on the question, the reader is pointed to each, best first. Each must share the question's terms;
        for a figure question it must be of the lead's document and state a figure of the asked kind the answer
        does not state yet, for the year asked about."""
        if not picks:
            return []
        cited = {id(p.support) for p in picks}
        lead = picks[0]
        stated = set().union(*(self._figures(q, p) for p in picks)) if self._asks_figure(q) else set()
        out: list[Support] = []
        for support in supports:
            if len(cited) + len(out) >= self.max_clauses:
                break
            if id(support) in cited:
                continue
            best = next((c for c in self._candidates(q, [support]) if not self._is_heading(c)), None)
            if best is None or best.score <= 0 or not self._terms(q, best):
                continue
            if self._asks_figure(q) and (
                support.hit.chunk.source != lead.support.hit.chunk.source
                or not self._holds_figure(q, best, strict=True)
                or not self._subjects_named(q, best.simple)
                or not self._figures(q, best) - stated
                or (q.years and not any(y in best.simple for y in q.years))
            ):
                continue
            out.append(support)
        return out

    @staticmethod
    def _is_heading(c: Candidate) -> bool:
        """The clause's own heading line ("七、建立教育经费调整优化机制。"): it names the topic, it says nothing of it."""
        chunk = c.support.hit.chunk
        if not chunk.heading or chunk.heading not in c.sentence:
            return False
        # Short, or the clause's opening line ("7 .持续提高教师待遇,增强职业认同感和归属感一一落实正向激励政策。").
        return len(c.sentence) <= len(chunk.heading) + 8 or chunk.text.lstrip().startswith(c.sentence)

    @staticmethod
    def _top(supports: list[Support]) -> float:
        return max((s.sentences[0][0] for s in supports if s.sentences), default=0.0)

    def _candidates(self, q: Question, supports: list[Support]) -> list[Candidate]:
        """Every sentence of the supports, best score first; ties keep clause order, then document order."""
        out = []
        for rank, support in enumerate(supports):
            text = support.hit.chunk.text
            for score, sentence in support.sentences:
                if support.hit.chunk.kind == "table_row":
                    shown, cells = format_row(q, sentence)
                else:
                    sentence = whole_statement(sentence, text)
                    shown, cells = sentence, [sentence]
                    heading = support.hit.chunk.heading
                    if q.figure == "department" and shown[:1] in OPEN and LEAD_UNITS.search(shown) and heading:
                        # "（牵头单位：区教委…）" alone does not say for what: the clause's heading does.
                        shown = f"{heading}{shown}" if heading not in shown else shown
                out.append(Candidate(score, support, sentence, shown, cells, (rank, text.find(sentence))))
        return sorted(out, key=lambda c: (-c.score, c.order))

    @staticmethod
    def _asks_figure(q: Question) -> bool:
        if q.figure in ("count", "number") and LIST_QUESTION.search(q.simplified):
            return False  # "哪几项工程" asks for the items, which need not come with a count
        return q.figure in FIGURE_EVIDENCE

    def _holds_figure(self, q: Question, c: Candidate, strict: bool = False) -> bool:
        """Whether the sentence states a figure of the asked kind. `strict` reads departments as names that end at
        a separator (区教委、); otherwise as the judge reads them, which also finds "由公办学校或通过政府…提供"."""
        pattern = DEPARTMENT if strict and q.figure == "department" else FIGURE_EVIDENCE.get(q.figure or "")
        if pattern is None:
            return True
        row = c.sentence if c.support.hit.chunk.kind == "table_row" else None
        return states_kind(c.shown, q.figure or "", pattern, row, q.unit)

    def _about_subjects(self, q: Question, c: Candidate) -> bool:
        """Whether the sentence, with what its clause is about, names whom the question asks about. A clause's
        "（牵头单位：…）" line is about everything its clause says."""
        if q.figure == "department" and LEAD_UNITS.search(c.simple):
            return self._subjects_named(q, f"{c.setting} {to_simplified(c.support.hit.chunk.text)}")
        return self._subjects_named(q, c.setting)

    @staticmethod
    def _subjects_named(q: Question, text: str) -> bool:
        return subjects_met(q.terms, lambda t: covers(t, text))

    def _lead(self, q: Question, supports: list[Support]) -> Candidate | None:
        """The sentence that answers, from the first clause (in the judge's order) that has one.

        For a figure question it must hold a figure of the asked kind and name, in it or in its clause's headings,
        whom the question asks about; None when no clause has such a sentence (a 900元 for 班主任 is no answer to
        幼儿园保教费). A sentence naming the year asked about leads before one that does not, among sentences that
        score near the best.
        """
        figure = self._asks_figure(q)
        floor = self._top(supports) * self.relative
        for need_year in (True, False) if q.years else (False,):
            for support in supports:
                ranked = self._candidates(q, [support])
                if figure:
                    ranked = [c for c in ranked if self._about_subjects(q, c)]
                if need_year:
                    ranked = [c for c in ranked if c.score >= floor and any(y in c.simple for y in q.years)]
                if not ranked:
                    continue
                if not figure:
                    return ranked[0]
                top = ranked[0]
                with_figure = next((c for c in ranked if c.score > 0 and self._holds_figure(q, c)), None)
                if with_figure is None:
                    continue
                # The figure sentence leads unless it is about much less of the question than the best sentence.
                if with_figure is top or len(self._terms(q, with_figure, True)) >= len(self._terms(q, top, True)) / 2:
                    return with_figure
                return top
        return None

    @staticmethod
    def _terms(q: Question, c: Candidate, setting: bool = False) -> set[str]:
        text = c.setting if setting else c.simple
        return {t for t in q.terms if covers(t, text)}

    def _on_topic(self, q: Question, c: Candidate, lead: Candidate) -> bool:
        """Whether a further sentence concerns the question.

        For a figure question it must name each subject the question names, in the sentence itself (a figure for
        特殊教育学校教职工 does not extend an answer about 班主任); elsewhere 老师 or 家长 is as often the asker as
        the subject. A sentence of the lead's clause must say half of the question's terms the lead says, or two it
        does not (the clause goes on to the rest of the question). A sentence of another clause must answer as well
        as the lead (its score), or say all the lead says nearly as well: sharing "教师" and "培训" with an answer
        about 五年360学时 of training does not make a sentence about 社区教育 part of it.
        """
        if self._asks_figure(q) and not self._subjects_named(q, c.simple):
            return False
        terms, lead_terms = self._terms(q, c), self._terms(q, lead)
        if c.support is lead.support:
            return len(terms & lead_terms) >= max(1, (len(lead_terms) + 1) // 2) or len(terms - lead_terms) >= 2
        return c.score >= lead.score or (terms >= lead_terms and c.score >= lead.score * SAME_TOPIC)

    @staticmethod
    def _figures(q: Question, c: Candidate) -> set[float | str]:
        """What the sentence states of the asked kind: departments, or figures other than years (a row's "2025年"
        says when, not how much)."""
        if q.figure == "department":
            return {m.group(0) for m in DEPARTMENT.finditer(c.simple)} - {"牵头单位", "责任单位"}
        return {f.value for f in quantities(c.shown) if f.value is not None and f.kind not in ("year", "date")}
