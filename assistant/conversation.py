"""Follow-up condensing: turn an elliptical follow-up ("那幼儿园呢?") into a standalone question.

`Condenser` is deterministic and rule-based. A follow-up is a short question that opens with a connective
(那 / 那么 / 还有 / 如果是 …) or closes with 呢, and asks nothing of its own. Its topic is substituted for the
noun of the same kind in the previous standalone question (school stage, persona, year, region); a topic with no
counterpart there is added to it instead. Anything else is returned as it is.

The interface is one method, `condense(history, question) -> str`, so an LLM condenser can replace this one.
Every step is linear in the length of its input (no regex that can backtrack over a long run of punctuation, no
re-conversion of the remaining text per connective), only the last `MAX_HISTORY_TURNS` turns are replayed, and an
earlier turn over `MAX_QUESTION_CHARS` (never an answerable question) ends the context instead of being read, so an
over-long or hostile conversation costs milliseconds. Callers still check the question's length before condensing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from index.text import to_simplified

# Longest forms first: "中小学" must not be read as "小学", nor "普通高中" as "高中".
STAGES = (
    "义务教育阶段",
    "普通高中",
    "中等职业学校",
    "职业学校",
    "特殊教育学校",
    "中小学",
    "幼儿园",
    "学前教育",
    "义务教育",
    "职业教育",
    "特殊教育",
    "小学",
    "初中",
    "高中",
    "中职",
    "高职",
    "高校",
    "大学",
)
PERSONAS = ("幼儿园教师", "乡村教师", "班主任", "校长", "教师", "老师", "教职工", "学生", "家长")
CONNECTIVES = tuple(
    sorted(
        ("那", "那么", "那如果是", "那要是", "如果是", "要是", "假如是", "换成", "至于", "还有", "另外"),
        key=len,
        reverse=True,
    )
)
QUESTION_WORDS = re.compile(r"什么|多少|怎么|怎样|如何|哪些|哪里|哪个|为什么|是否|能否|可以吗|吗|几[个年月]|啥")
YEAR = re.compile(r"(?:19|20)\d{2}")
GENERIC_REGION = re.compile(r"^[\u4e00-\u9fff]{2,8}?(?:省|自治区|市|州|盟|区|县|旗)$")
# Character sets stripped from the ends of a topic; stripped with str methods, which cannot backtrack.
TRAILING_PUNCT = "?？。!！.,，、"
TRAILING_PARTICLES = "呢嘞哪啊呀"
NE_PUNCT = "?？。!！"
LEADING_FILLER = "的在是和与及对于关于,，、"
TRAILING_FILLER = "的在是和与及,，、"
SEPARATORS = " ，,、"
MAX_TOPIC_CHARS = 15
MAX_QUESTION_CHARS = 2000  # the longest question the API, the CLI, the UI and the assistant accept
MAX_HISTORY_TURNS = 20  # a follow-up refers to the last few turns; older ones are not replayed


class QuestionCondenser(Protocol):
    """What the chat and the API need: the standalone form of the last question, given the earlier turns."""

    def condense(self, history: list[tuple[str, str]], question: str) -> str: ...


@dataclass(frozen=True)
class Term:
    """A recognised noun: its kind, and where it stands in the text it was found in."""

    kind: str  # "year" | "region" | "stage" | "persona"
    text: str
    start: int
    end: int


class Condenser:
    """Rule-based follow-up rewriting; `regions` are the place names it may recognise in earlier questions."""

    def __init__(self, regions: Iterable[str] = ()) -> None:
        self.regions = frozenset(to_simplified(r) for r in regions if len(r) >= 2)
        self._longest_region = max((len(r) for r in self.regions), default=0)
        # Most characters start no noun at all; skipping them keeps `terms` cheap on a long earlier question.
        self._initials = frozenset(w[0] for w in (*self.regions, *STAGES, *PERSONAS))

    def condense(self, history: list[tuple[str, str]], question: str) -> str:
        """The standalone form of `question`; earlier user turns may themselves be follow-ups (or condensed)."""
        question = (question or "").strip()
        previous = ""
        for earlier, _answer in history[-MAX_HISTORY_TURNS:]:
            # Replaying every turn makes a chain of follow-ups work from raw history as well as condensed history.
            if earlier and len(earlier) > MAX_QUESTION_CHARS:
                # Never an answerable question, so never the base of a follow-up; skipping it bounds the work.
                previous = ""
            elif earlier and earlier.strip():
                previous = self._rewrite(previous, earlier.strip())
        return self._rewrite(previous, question)

    # -- rules -------------------------------------------------------------------------------------------------

    def _rewrite(self, previous: str, question: str) -> str:
        if not previous or not question:
            return question
        topic = self.topic(question)
        if topic is None:
            return question
        return self._substitute(previous, topic)

    def topic(self, question: str) -> str | None:
        """The new topic of an elliptical follow-up ("那幼儿园呢?" → "幼儿园"), or None for a full question."""
        simple = to_simplified(question)
        # Connectives are matched in the simplified text, once; its positions hold in the original when the
        # conversion kept the length (it almost always does), otherwise the simplified text is the body.
        body = question if len(simple) == len(question) else simple
        start, opened = 0, False
        while True:
            word = next((w for w in CONNECTIVES if simple.startswith(w, start) and len(simple) - start > len(w)), None)
            if word is None:
                break
            start, opened = _skip(simple, start + len(word), SEPARATORS), True
        closes_with_ne = _rstrip(simple, NE_PUNCT).endswith("呢")
        body = _strip_filler(_strip_trailing(body[start:]))
        if not (opened or closes_with_ne) or not body or len(body) > MAX_TOPIC_CHARS:
            return None
        if QUESTION_WORDS.search(to_simplified(body)):
            return None
        return body

    def _substitute(self, previous: str, topic: str) -> str:
        prev_simple, topic_simple = to_simplified(previous), to_simplified(topic)
        # Positions are found in simplified text; they apply to the original only when conversion kept its length.
        base = previous if len(prev_simple) == len(previous) else prev_simple
        shown = topic if len(topic_simple) == len(topic) else topic_simple
        old_terms = self.terms(prev_simple)
        edits: dict[int, tuple[Term, str]] = {}
        prefixes: list[str] = []
        used: list[Term] = []
        for new in self.terms(topic_simple, topic_mode=True):
            text = shown[new.start : new.end]
            old = next((t for t in old_terms if t.kind == new.kind and t.start not in edits), None)
            if old is not None:
                edits[old.start] = (old, text)
            elif new.kind in ("year", "region"):
                # A place or year the previous question did not name narrows it: "2024年教师绩效工资…".
                prefixes.append(f"{text}年" if new.kind == "year" else text)
            else:
                continue
            used.append(new)
        out = base
        for start in sorted(edits, reverse=True):
            old, text = edits[start]
            out = out[: old.start] + text + out[old.end :]
        out = "".join(prefixes) + out
        rest = _residue(shown, used)
        if rest:
            body = out.rstrip("?？")
            out = f"{body}，{rest}呢{out[len(body) :] or '?'}"
        return out

    def terms(self, text: str, topic_mode: bool = False) -> list[Term]:
        """Recognised nouns of `text` (simplified) in reading order, longest match at each position."""
        found = [Term("year", m.group(0), m.start(), m.end()) for m in YEAR.finditer(text)]
        taken = {i for t in found for i in range(t.start, t.end)}
        i = 0
        while i < len(text):
            term = None if i in taken else self._term_at(text, i)
            if term:
                found.append(term)
            i = term.end if term else i + 1
        if topic_mode and not any(t.kind in ("region", "stage", "persona") for t in found):
            # A short follow-up naming an unknown place ("那玉泉区呢") is still a region by its suffix.
            bare = _strip_filler(YEAR.sub("", text).replace("年", ""))
            if bare and GENERIC_REGION.match(bare):
                start = text.find(bare)
                found.append(Term("region", bare, start, start + len(bare)))
        return sorted(found, key=lambda t: t.start)

    def _term_at(self, text: str, i: int) -> Term | None:
        if text[i] not in self._initials:
            return None
        candidates = [
            Term("region", text[i : i + n], i, i + n)
            for n in range(2, min(self._longest_region, len(text) - i) + 1)
            if text[i : i + n] in self.regions
        ]
        candidates += [
            Term(kind, word, i, i + len(word))
            for kind, words in (("stage", STAGES), ("persona", PERSONAS))
            for word in words
            if text.startswith(word, i)
        ]
        return max(candidates, key=lambda t: t.end - t.start, default=None)


def _residue(topic: str, used: list[Term]) -> str:
    """What is left of a topic once the substituted terms (and the 年 after a year) are taken out."""
    keep = list(topic)
    for t in used:
        end = t.end + 1 if t.kind == "year" and topic[t.end : t.end + 1] == "年" else t.end
        for i in range(t.start, min(end, len(keep))):
            keep[i] = ""
    return _strip_filler("".join(keep))


def _skip(text: str, start: int, chars: str) -> int:
    """The first position at or after `start` whose character is not in `chars`."""
    while start < len(text) and text[start] in chars:
        start += 1
    return start


def _rstrip(text: str, chars: str) -> str:
    """`text` without trailing whitespace or characters of `chars` (in any mix)."""
    end = len(text)
    while end and (text[end - 1] in chars or text[end - 1].isspace()):
        end -= 1
    return text[:end]


def _strip_trailing(text: str) -> str:
    """Trailing punctuation and whitespace off, then one sentence-final particle before them (那幼儿园呢? → 那幼儿园)."""
    text = _rstrip(text, TRAILING_PUNCT)
    return text[:-1] if text.endswith(tuple(TRAILING_PARTICLES)) else text


def _strip_filler(text: str) -> str:
    """Function words and separators off both ends ("的2024年的" → "2024年")."""
    start = 0
    while start < len(text) and (text[start] in LEADING_FILLER or text[start].isspace()):
        start += 1
    return _rstrip(text[start:], TRAILING_FILLER)
