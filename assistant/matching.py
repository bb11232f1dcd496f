"""Whole-word term matching: does a text contain a question's term as a word of its own, or a synonym of it?

A plain substring test lets "融入学校" cover "入学" and "一律" cover "一". Here a term counts only where it starts and
ends on a word boundary of the text: those of jieba's precise-mode segmentation and of the dictionary words inside a
long word (就近入学 → 就近, 入学), as jieba's search mode has them. A compound the text writes as two words
("课后" + "服务") still covers "课后服务", while a word that straddles two words ("融入|学校") never matches. A
two-character abbreviation covers the two adjacent words it shortens (安检 → 安全|检查), and a spoken rate the written
one (一个月 → 每月), both with less credit. Segmentations are
cached per text, so a clause is cut once however many questions it meets.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

from index.text import to_simplified

# How much a match through another word counts against the word itself: a synonym is evidence, not proof.
SYNONYM_CREDIT = 0.8
# Both halves of a long compound the text never writes whole ("校车补贴" → 校车 … 补贴): weaker still.
PARTS_CREDIT = 0.6
# A two-character abbreviation of two adjacent words (安检 → 安全检查, 医保 → 医疗保险, 义教 → 义务教育), Chinese's
# regular way of shortening a compound (缩略语: the first character of each word). Credited as parts are, because
# the rule can overreach (安排检查 also begins 安…检…).
ABBREVIATION_CREDIT = PARTS_CREDIT
# A rate as people say it ("一个月给多少", "每个班") is the documents' 每月 / 每班. "一月" (January) is not a rate, so the
# spoken form needs its 个.
SPOKEN_RATE = re.compile(r"^(?:一个|每个)([\u4e00-\u9fff]{1,2})$")


@dataclass(frozen=True)
class Segmented:
    """A simplified, lower-cased text with the character offsets where its precise-mode words begin and end."""

    text: str
    bounds: frozenset[int]

    def has(self, word: str) -> bool:
        """Whether `word` occurs starting and ending on word boundaries."""
        if not word:
            return False
        start = self.text.find(word)
        while start != -1:
            if start in self.bounds and start + len(word) in self.bounds:
                return True
            start = self.text.find(word, start + 1)
        return False

    @cached_property
    def following(self) -> dict[int, int]:
        """Each word boundary → the next one; computed once per cached segmentation, on first need."""
        ends = sorted(self.bounds)
        return dict(zip(ends, ends[1:]))

    def abbreviates(self, term: str) -> bool:
        """Whether a two-character term is the first characters of two adjacent words of two or more characters."""
        if len(term) != 2:
            return False
        following = self.following
        start = self.text.find(term[0])
        while start != -1:
            second = following.get(start, start)
            if (
                second - start >= 2
                and self.text[second : second + 1] == term[1]
                and following.get(second, second) - second >= 2
            ):
                return True
            start = self.text.find(term[0], start + 1)
        return False


class TermMatcher:
    """Scores how well a text covers a term: 1 as a whole word, less through a synonym or the term's parts."""

    def __init__(self, lexicon, cache_size: int = 20000) -> None:
        self.lexicon = lexicon
        self._cache: OrderedDict[str, Segmented] = OrderedDict()
        self._cache_size = cache_size

    def segment(self, text: str) -> Segmented:
        hit = self._cache.get(text)
        if hit is not None:
            self._cache.move_to_end(text)
            return hit
        simple = to_simplified(text).lower()
        bounds = {0}
        pos = 0
        for tok in self.lexicon.cut(simple):
            # A long word's dictionary sub-words are words too, as in jieba's search mode: 就近入学 holds 入学.
            for n in (2, 3):
                for i in range(len(tok) - n + 1 if len(tok) > n else 0):
                    if self.lexicon.frequency(tok[i : i + n]) > 0:
                        bounds.update((pos + i, pos + i + n))
            pos += len(tok)
            bounds.add(pos)
        seg = Segmented(simple, frozenset(bounds))
        self._cache[text] = seg
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return seg

    def score(self, term: str, seg: Segmented) -> float:
        if seg.has(term):
            return 1.0
        if any(seg.has(s) for s in self.lexicon.synonyms(term)):
            return SYNONYM_CREDIT
        if len(term) >= 4 and seg.has(term[:2]) and seg.has(term[2:]):
            return PARTS_CREDIT
        if seg.abbreviates(term):
            return ABBREVIATION_CREDIT
        rate = SPOKEN_RATE.match(term)
        if rate and seg.has("每" + rate.group(1)):
            return SYNONYM_CREDIT
        return 0.0
