"""Follow-up condensing: turn an elliptical follow-up ("那幼儿园呢?") into a standalone question.

`Condenser` is deterministic and rule-based. A follow-up is a short question that opens with a connective
(那 / 那么 / 还有 / 如果是 …) or closes with 呢, and asks nothing of its own. Its topic is substituted for the
noun of the same kind in the previous standalone question (school stage, persona, year, region); a topic with no
counterpart there is added to it instead. Anything else is returned as it is.

The interface is one method, `condense(history, question) -> str`, so an LLM condenser can replace this one.
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
TRAILING = re.compile(r"[呢嘞哪啊呀]?[\s?？。!！.,，、]*$")
FILLER = re.compile(r"^[的在是和与及对于关于,，、\s]+|[的在是和与及,，、\s]+$")
MAX_TOPIC_CHARS = 15


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

    def condense(self, history: list[tuple[str, str]], question: str) -> str:
        """The standalone form of `question`; earlier user turns may themselves be follow-ups (or condensed)."""
        question = (question or "").strip()
        previous = ""
        for earlier, _answer in history:
            # Replaying every turn makes a chain of follow-ups work from raw history as well as condensed history.
            if earlier and earlier.strip():
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
        body, opened = question, False
        stripping = True
        while stripping:
            stripping = False
            for word in CONNECTIVES:
                if to_simplified(body).startswith(word) and len(body) > len(word):
                    body, opened, stripping = body[len(word) :].lstrip(" ，,、"), True, True
                    break
        closes_with_ne = bool(re.search(r"呢[\s?？。!！]*$", simple))
        body = FILLER.sub("", TRAILING.sub("", body))
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
            mark = re.search(r"[?？]*$", out).group(0)
            out = f"{out[: len(out) - len(mark)]}，{rest}呢{mark or '?'}"
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
            bare = FILLER.sub("", YEAR.sub("", text).replace("年", ""))
            if bare and GENERIC_REGION.match(bare):
                start = text.find(bare)
                found.append(Term("region", bare, start, start + len(bare)))
        return sorted(found, key=lambda t: t.start)

    def _term_at(self, text: str, i: int) -> Term | None:
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
    return FILLER.sub("", "".join(keep))
