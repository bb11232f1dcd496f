"""Decide from evidence whether to answer: answer from the best clauses unless there is a reason to refuse.

A refusal needs a positive reason that can be shown to the user, read from the question and the documents:

* `absent_terms`: a thing the question is about (a noun of the question) occurs in no document in scope, nor
  does any synonym of it ("电梯", "校车补贴" in documents that never mention them), or a person no document names;
* `focus_absent`: the question's rarest noun is named by none of the best clauses, nor by their documents;
* `year_absent`: the question names a year that none of the candidate clauses contains (a document that writes
  no year at all is not counted against it);
* `no_<figure>`: the question asks for a kind of figure (an amount, a percentage, a count, a date, a length of
  time, a department) and no candidate clause about its subject states one.

Otherwise the assistant answers from the retrieved clauses, best answering sentence first. Nothing here is a cosine
threshold (e5 scores answerable and unanswerable questions alike) and nothing is a coverage threshold on wording,
which is what refused everyday paraphrases. Term matching is whole-word (`assistant.matching`), so "融入学校"
never covers "入学". Its few numbers are `Settings.judge` (`JudgeSettings` in index/config.py, set as
POLICY_JUDGE__<NAME>), fitted on development data only.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field

from assistant.lexicon import general_frequency, looks_like_name, subjects_met
from assistant.matching import TermMatcher
from assistant.models import Hit
from assistant.numbers import quantities
from assistant.question import FIGURE_EVIDENCE, Question, without_dateline
from assistant.rows import TABLE_VALUE
from index.config import JudgeSettings
from index.text import split_sentences, to_simplified

LEAD_UNITS = re.compile(r"牵头|责任单位|负责单位|主办|承办")
_ANY_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
# The kinds of quantity (assistant.numbers) that state each kind of figure a question can ask for.
FIGURE_QUANTITIES: dict[str, frozenset[str]] = {
    "money": frozenset({"money"}),
    "percent": frozenset({"percent", "fraction"}),
    "count": frozenset({"count"}),
    "points": frozenset({"points"}),
    "year": frozenset({"year", "date", "duration", "range"}),
    "duration": frozenset({"duration", "range"}),
    "number": frozenset({"money", "percent", "fraction", "count", "points", "duration", "number", "range"}),
}


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
    missing: list[str] = field(default_factory=list)  # the question's terms the documents do not contain
    # Years the question names that the answering clauses' documents cannot confirm: they write no year at all.
    unconfirmed_years: list[str] = field(default_factory=list)


# Measure words that count the same things: people.
_PEOPLE = frozenset({"名", "人", "位", "人次"})


def counts_in(unit: str, sentence: str) -> bool:
    """Whether the sentence counts in the measure word a question asked in (几节 → 3节), in 个, or, for people, in
    any of 名/人/位: "1-2项技能" does not say how many 节 of PE a week."""
    same = _PEOPLE if unit in _PEOPLE else {unit}
    return any(x.kind in ("count", "range") and x.unit in same | {"个"} for x in quantities(sentence))


def states_kind(
    sentence: str, figure: str, pattern: re.Pattern[str], row: str | None = None, unit: str | None = None
) -> bool:
    """Whether a sentence states a figure of the kind asked: by the kind's pattern, by a quantity of the kind as
    `assistant.numbers` reads it ("五千次" is a count), or, for a table row (`row`, its raw "列名:值" text), by a
    numeric cell other than its 序号. A count asked in a measure word (`unit`) is stated only in that word (or 个).
    A news dateline dates the report, not the policy, and is read past. The judge and the generator both decide
    with this."""
    plain = without_dateline(sentence)
    if unit and row is None:
        return counts_in(unit, to_simplified(plain))
    if pattern.search(to_simplified(plain)):
        return True
    kinds = FIGURE_QUANTITIES.get(figure, frozenset())
    if any(x.kind in kinds for x in quantities(plain)):
        return True
    return row is not None and bool(TABLE_VALUE.search(to_simplified(row)))


def sentences_of(text: str, kind: str) -> list[str]:
    """A table row is one statement; a clause is split at sentence ends."""
    if kind == "table_row":
        return [text]
    # A heading line ("（一）集中培训") ends a statement even without a full stop.
    return [s.strip() for line in text.split("\n") for s in split_sentences(line) if s.strip()]


class Vocabulary:
    """Which documents contain a word: the BM25 postings, and the documents' text for words BM25 cut otherwise."""

    def __init__(
        self,
        postings: dict[str, list[int]],
        sources: list[str],
        texts: dict[str, str],
        dates: dict[str, str] | None = None,
    ) -> None:
        self.postings, self.sources, self.texts = postings, sources, texts
        self.dates = dates or {}  # source → the document's date as written: a news item's "1月25日" is of its year

    def contains(self, word: str, scope: set[str] | None) -> bool:
        found = self.documents_with(word)
        return bool(found) if scope is None else not found.isdisjoint(scope)

    @functools.lru_cache(maxsize=50_000)  # noqa: B019 - one Vocabulary per index snapshot; it dies with it
    def names_a_year(self, source: str) -> bool:
        """Whether the document writes any year (in its text or its date). One that writes none (a news item dated
        only "1月25日晚上") cannot say that the year a question names is not its year."""
        return bool(_ANY_YEAR.search(self.texts.get(source, "")) or _ANY_YEAR.search(self.dates.get(source) or ""))

    @functools.lru_cache(maxsize=50_000)  # noqa: B019 - one Vocabulary per index snapshot; it dies with it
    def documents_with(self, word: str) -> frozenset[str]:
        """The documents that contain the word: as a BM25 token, or, for a longer word, inside a longer one
        ("年级新生" in "一年级新生"). Cached: a library of 50k clauses is scanned once per word, not per question."""
        found = {self.sources[i] for i in self.postings.get(word, ())}
        if len(word) >= 3:
            found.update(s for s, t in self.texts.items() if s not in found and word in t)
        return frozenset(found)


class EvidenceJudge:
    """Answer unless the question asks for something the documents lack; rank the supporting sentences."""

    def __init__(
        self, idf: dict[str, float], vocabulary: Vocabulary, matcher: TermMatcher, settings: JudgeSettings
    ) -> None:
        # The knobs are validated where they are defined (index/config.py): one place for their ranges.
        self.idf, self.vocabulary, self.matcher, self.settings = idf, vocabulary, matcher, settings
        values = sorted(idf.values())
        # A word the index never saw weighs like a typical one: everyday wording is as often unseen as a rare topic.
        self.oov_idf = values[len(values) // 2] if values else 1.0

    def weight(self, term: str) -> float:
        return self.idf.get(term, self.oov_idf)

    def coverage(self, q: Question, text: str) -> float:
        if not q.terms:
            return 0.0
        seg = self.matcher.segment(text)
        total = sum(self.weight(t) for t in q.terms)
        return sum(self.weight(t) * self.matcher.score(t, seg) for t in q.terms) / total if total else 0.0

    def absent(self, q: Question, scope: set[str] | None) -> list[str]:
        """Nouns of the question that no document in scope contains, nor any synonym of them."""
        # A join jieba's HMM made of the question's phrasing ("娃能") is in no dictionary: phrasing, not a topic.
        lexicon = self.matcher.lexicon
        return [
            t
            for t in q.terms
            if t in q.nouns
            and len(t) >= 2
            and (lexicon.frequency(t) > 0 or self._is_name(t))
            and not self._known(t, scope, compound=True)
        ]

    def reread(self, q: Question, scope: set[str] | None) -> list[str]:
        """The question's terms, with each word no document in scope knows read again with the documents' words.

        jieba cuts a question without knowing the documents, and a cut across a word they use leaves a term none
        of them has: "对开餐单位" is cut 对开|餐|单位 (对开 is a dictionary word), "按生均" 按生|均. Such a term is
        replaced by the documents' words (their BM25 tokens) made of a part of it and the whole words beside it
        (开餐, 生均), never by cutting a neighbouring word, which would find 家校 in "一家校外".

        A word the documents know only through the one word inside it (补课班 → 补课, 申请人 → 申请) is read as that
        word: `absent` already counts it as known that way, and whole-word matching would otherwise give a clause
        that says 补课 no credit for it."""
        cut = self.matcher.lexicon.cut(q.simplified.lower())
        terms: list[str] = []
        for term in q.terms:
            if self._known(term, scope):
                found = []
            elif self._known(term, scope, compound=True):
                found = self._inner(term)
            else:
                found = self._rejoined(cut, term, scope) if term in cut else []
            terms.extend(w for w in (found or [term]) if w not in terms)
        return terms

    def _inner(self, term: str) -> list[str]:
        """The one word of two or more characters inside the term, or nothing when there are several (体育比赛's
        halves are credited together by the matcher)."""
        parts = [p for p in self.matcher.lexicon.parts(term) if len(p) >= 2 and p != term]
        return parts if len(parts) == 1 else []

    def _rejoined(self, cut: list[str], term: str, scope: set[str] | None) -> list[str]:
        k = cut.index(term)
        found = []
        for n in range(1, len(term)):
            # The end of the term with the words after it, the words before it with its start; at most 4 characters.
            for joined in (
                itertools.accumulate(cut[k + 1 : k + 3], initial=term[n:]),
                itertools.accumulate(reversed(cut[max(0, k - 2) : k]), lambda w, p: p + w, initial=term[:n]),
            ):
                for word in itertools.islice(joined, 1, None):
                    if len(word) > 4:
                        break
                    if word in self.vocabulary.postings and self.vocabulary.contains(word, scope):
                        found.append(word)
                        break
        return found

    def _is_name(self, word: str) -> bool:
        """A person's name: a word jieba's dictionary lacks, that its tagger reads as a name and that begins with a
        surname (蔡奇, 王新伟; not the join "对师德")."""
        lexicon = self.matcher.lexicon
        return looks_like_name(word) and lexicon.frequency(word) == 0 and lexicon.tag(word) == "nr"

    def _known(self, word: str, scope: set[str] | None, compound: bool = False) -> bool:
        lexicon = self.matcher.lexicon
        if self.vocabulary.contains(word, scope) or any(
            self.vocabulary.contains(s, scope) for s in lexicon.synonyms(word)
        ):
            return True
        if not compound or len(word) < 3:
            return False
        # A compound the documents never write whole ("体育比赛") is known when each of its words is ("体育",
        # "比赛" or its synonym "竞赛"); "煤炭企业" is not, where no document names 煤炭.
        parts = [p for p in lexicon.parts(word) if len(p) >= 2 and p != word]
        return bool(parts) and all(self._known(p, scope) for p in parts)

    def rank_sentences(self, q: Question, hit: Hit) -> list[tuple[float, str]]:
        ranked = []
        figure = FIGURE_EVIDENCE.get(q.figure or "")
        for s in sentences_of(hit.chunk.text, hit.chunk.kind):
            seg = self.matcher.segment(s)
            score = sum(self.weight(t) * self.matcher.score(t, seg) for t in q.terms)
            if figure and figure.search(seg.text):
                score *= 3.0 if q.figure == "department" else 1.5
            if len(seg.text) <= 24 and hit.chunk.heading and hit.chunk.heading in seg.text:
                score *= 0.3  # the clause's own heading repeats the question; the body answers it
            if any(y in seg.text for y in q.years):
                score *= 1.3
            ranked.append((score, s))
        if q.figure == "department" and ranked:
            # "（牵头单位：区教委；责任单位：区财政局）" names who carries out the whole clause, yet shares no word
            # with the question: it scores as the clause's best sentence would with the ×3 a department earns.
            best = max(score for score, _ in ranked)
            ranked = [(best * 3.0 if not score and LEAD_UNITS.search(s) else score, s) for score, s in ranked]
        return sorted(ranked, key=lambda x: -x[0])

    def focus(self, q: Question, scope: set[str] | None) -> list[str]:
        """What the question is most specifically about: its rarest nouns that the documents in scope contain (more
        than one, because a tagger's noun is not always the topic: jieba tags "专门" a noun)."""
        known = [t for t in q.terms if self._known(t, scope)]
        nouns = [t for t in known if t in q.nouns]
        # A word the documents use themselves beats one they only use a synonym of (孩子 → 儿童).
        direct = [t for t in nouns if self.vocabulary.contains(t, scope)]
        # Rarest in general Chinese first: "健康码" is what a question is about, "意义" or "材料" what it asks.
        return sorted(direct or nouns or known, key=lambda t: (general_frequency(t), -self.weight(t)))[
            : self.settings.focus_terms
        ]

    def states_figure(self, q: Question, hit: Hit, ranked: list[tuple[float, str]], focus: list[str]) -> bool:
        """Whether the clause states the kind of figure asked, in a sentence about the question's focus (a clause
        may give 900元 for 班主任 and say nothing of 保教费), for its subject."""
        c = hit.chunk
        pattern = FIGURE_EVIDENCE[q.figure or ""]
        # Whom the figure is for (校长, 班主任, 幼儿园) must be named by the clause or its headings.
        whole = self.matcher.segment(_whole(hit))
        if not subjects_met(q.terms, lambda t: self.matcher.score(t, whole) > 0):
            return False
        if q.figure == "department" and LEAD_UNITS.search(c.text):
            return True
        return any(
            states_kind(s, q.figure or "", pattern, s if c.kind == "table_row" else None, q.unit)
            and self.coverage(q, f"{c.title} {c.context} {c.heading} {s}") >= self.settings.figure_coverage
            and self._mentions_any(focus, f"{c.title} {c.context} {c.heading} {s}")
            for score, s in ranked
            if score > 0
        )

    def matched(self, q: Question, hits: list[Hit]) -> int:
        """How many of the question's terms the best of these clauses (with title and headings) contains."""
        best = 0
        for h in hits:
            seg = self.matcher.segment(_whole(h))
            best = max(best, sum(self.matcher.score(t, seg) > 0 for t in q.terms))
        return best

    def _mentions_any(self, words: list[str], text: str) -> bool:
        seg = self.matcher.segment(text)
        return not words or any(self.matcher.score(w, seg) > 0 for w in words)

    def __call__(self, q: Question, hits: list[Hit], scope: set[str] | None = None) -> Verdict:
        if not hits:
            return Verdict(False, "no_hits", [])
        if not q.terms:
            return Verdict(False, "no_terms", [])
        candidates = hits[: self.settings.depth]
        missing = self.absent(q, scope)
        # A word no document uses is often just the asker's wording ("住校" for 寄宿制): it decides only when the
        # best clauses share little else with the question either, or when it is not the only such word. A person's
        # name is never wording: what someone no document names said or did is not in the documents.
        if missing and (
            len(missing) >= self.settings.absent_enough
            or any(self._is_name(t) for t in missing)
            or self.matched(q, candidates[:3]) <= self.settings.absent_max_matched
        ):
            return Verdict(False, "absent_terms", [], missing)
        if self.settings.focus_depth:
            focus = self.focus(q, scope)[:1]
            best = candidates[: self.settings.focus_depth]
            # A clause need not repeat what its document is about (a news item names 疫情 in its lead, an airport
            # in its headline): the focus is missing only when the best clauses' documents do not name it either.
            if (
                focus
                and not any(self._mentions_any(focus, _whole(h)) for h in best)
                and not self._known(focus[0], {h.chunk.source for h in best})
            ):
                return Verdict(False, "focus_absent", [], focus)
        year_unmet = False
        if q.years:
            dated = [self._of_year(q, h) for h in candidates]
            # A document that writes no year cannot contradict the one asked: its clauses stay candidates.
            candidates = [h for h, d in zip(candidates, dated) if d or not self.vocabulary.names_a_year(h.chunk.source)]
            if not candidates:
                return Verdict(False, "year_absent", [])
            year_unmet = not any(dated)  # if the undated clauses then fail too, the year is the reason to show
        supports = []
        for hit in candidates:
            supports.append(Support(hit, self.coverage(q, _whole(hit)), self.rank_sentences(q, hit)))
        # The clause with a sentence that says most of the question, as retrieval ranks it, answers first: the
        # question's words gathered in one sentence beat the same words spread over a long clause.
        supports.sort(key=lambda s: -(self.sentence_coverage(q, s.hit) + s.hit.score))
        if q.figure in FIGURE_EVIDENCE:
            focus = self.focus(q, scope)
            stating = [s for s in supports if self.states_figure(q, s.hit, s.sentences, focus)]
            if not stating:
                return Verdict(False, "year_absent" if year_unmet else f"no_{q.figure}", [])
            # Clauses that state the figure answer first; the others may still add context.
            supports = stating + [s for s in supports if s not in stating]
        unconfirmed = list(q.years) if year_unmet else []
        return Verdict(True, "supported", supports[: self.settings.max_supports], unconfirmed_years=unconfirmed)

    def _of_year(self, q: Question, hit: Hit) -> bool:
        """Whether the clause (with its headings) or its document's date names every year the question names."""
        date = self.vocabulary.dates.get(hit.chunk.source) or ""
        return all(y in _plain(hit) or y in date for y in q.years)

    def sentence_coverage(self, q: Question, hit: Hit) -> float:
        """The share of the question's term weight that the clause's best sentence (with its heading) covers."""
        c = hit.chunk
        return max((self.coverage(q, f"{c.heading} {s}") for s in sentences_of(c.text, c.kind)), default=0.0)


def _plain(hit: Hit) -> str:
    c = hit.chunk
    return to_simplified(f"{c.title} {c.context} {c.text}")


def _whole(hit: Hit) -> str:
    c = hit.chunk
    return f"{c.title} {c.context} {c.heading} {c.text}"
