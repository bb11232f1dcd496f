"""Tokenising for BM25 and evidence checks: OpenCC-simplified text, jieba with domain words, stop words, and everyday
↔ policy wording (the words parents and teachers use are not the words documents use).

The word lists are data, in `assistant/resources/*.tsv`, each row with a provenance (see the README there): a hand
table of general everyday → policy mappings, and HIT 同义词词林 (`assistant.thesaurus`) for everything else. Entries
once written for a single gold question were removed; `resources/removed.tsv` records which and why.
"""

from __future__ import annotations

import csv
import logging
import re
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path

import jieba

from assistant.thesaurus import thesaurus
from index.dictionary import jieba_dictionary
from index.text import to_simplified

jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" banner would pollute CLI output

RESOURCES = Path(__file__).with_name("resources")
# `general:<kind>` holds in any education-policy text, `domain:<kind>` is a term of art of the field; `gold:<ids>`
# marks an entry written for particular gold questions, which may only appear in removed.tsv.
PROVENANCE = re.compile(r"^(general|domain):[a-z][a-z-]*$")
SEPARATOR = "|"  # between the synonyms of one row; no policy phrase contains it

# Expansion weights relative to a question's own terms (1.0): a hand-table synonym was checked for this domain, a
# thesaurus synonym is a general-language equivalent that may be of another sense (待遇 → 招待), so it counts less.
TABLE_WEIGHT = 0.5
THESAURUS_WEIGHT = 0.25


def read_table(name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of one resource file; a missing or unexpected column or an unknown provenance is an error, so a
    hand edit cannot silently drop or smuggle in entries."""
    path = RESOURCES / name
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = tuple(next(reader))
        if header != columns:
            raise ValueError(f"{path}: header {header} is not {columns}")
        rows = []
        for n, cells in enumerate(reader, start=2):
            row = dict(zip(columns, cells, strict=False))
            if len(cells) != len(columns) or not all(cells):
                raise ValueError(f"{path}:{n}: expected {len(columns)} non-empty cells, got {cells}")
            if not PROVENANCE.match(row["provenance"]):
                raise ValueError(f"{path}:{n}: provenance {row['provenance']!r} is not general:… or domain:…")
            rows.append(row)
    return rows


def _words(name: str) -> list[str]:
    return [row["word"] for row in read_table(name, ("word", "provenance"))]


def _synonyms(name: str) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for row in read_table(name, ("word", "synonyms", "provenance")):
        if row["word"] in table:
            raise ValueError(f"{name}: {row['word']} listed twice")
        table[row["word"]] = tuple(row["synonyms"].split(SEPARATOR))
    return table


def _subjects(name: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for row in read_table(name, ("word", "dimension", "provenance")):
        if row["dimension"] not in SUBJECT_DIMENSIONS:
            raise ValueError(
                f"{name}: {row['word']} has dimension {row['dimension']!r}, not one of {SUBJECT_DIMENSIONS}"
            )
        table[row["word"]] = row["dimension"]
    return table


def subjects_met(terms: list[str], names: Callable[[str], bool]) -> bool:
    """Whether a text (read through `names`) speaks of whom the question's terms ask about.

    A person (班主任, 校长, 学生) must be named: a figure is paid to or asked of someone, and 900元 for 班主任 says
    nothing of 校长. So must 幼儿园: documents write 中小学幼儿园 and 学生和幼儿, so 学校 and 学生 do not include it.
    A level of school (小学, 初中), its ownership (公办学校) or whether it boards is met unless the text names
    another of its kind: "帮助每位学生学会1—2项艺术技能" and "中小学…班主任每班每月900元" are said of every level, so
    of 小学 too, while a provision for 初中 or for 幼儿园 is not. A refusal needs a positive reason, and a clause
    that does not narrow the level gives none.
    """
    for t in terms:
        dimension = SUBJECTS.get(t)
        if dimension is None or names(t):
            continue
        closing = _OPEN_DIMENSIONS.get(dimension)
        if closing is None or any(names(o) for o, d in SUBJECTS.items() if d in closing and o != t):
            return False
    return True


# jieba user words: policy compounds kept whole (绩效工资, 课后服务) instead of split into their parts.
DOMAIN_WORDS: list[str] = _words("domain_words.tsv")
STOP: frozenset[str] = frozenset(_words("stop_words.tsv"))
# Whom a figure is for, by dimension: a figure stated for one of these does not answer a question about another of
# the same dimension (`subjects_met`).
SUBJECT_DIMENSIONS = ("role", "preschool", "level", "ownership", "boarding")
# The dimensions a text may leave open, each with the dimensions whose words close it (幼儿园 is another level).
_OPEN_DIMENSIONS = {"level": ("level", "preschool"), "ownership": ("ownership",), "boarding": ("boarding",)}
SUBJECTS: dict[str, str] = _subjects("subject_words.tsv")
SUBJECT_WORDS: frozenset[str] = frozenset(SUBJECTS)
# Question words that say nothing about where the answer is (`assistant.question.GENERIC`).
GENERIC_WORDS: frozenset[str] = frozenset(_words("generic_words.tsv"))
# Single characters that carry meaning on their own in questions; other single-character tokens are noise.
SINGLE_CHAR_TERMS: frozenset[str] = frozenset(_words("single_char_terms.tsv"))
# Everyday word → the words policy documents use (one direction: 老师 → 教师, not 教师 → 老师).
SYNONYMS: dict[str, tuple[str, ...]] = _synonyms("synonyms.tsv")

_PUNCT = re.compile(r"^[\W_]+$")
# Auxiliaries and modal verbs: a closed class of Chinese, which jieba's HMM glues to the word before them.
AUXILIARIES = frozenset("会能要可该应将得")


class Lexicon:
    """jieba tokenizer (its own instance, with domain words) over simplified text."""

    def __init__(self, extra_words: tuple[str, ...] = ()) -> None:
        self._jieba = jieba.Tokenizer()
        for w in (*DOMAIN_WORDS, *extra_words):
            self._jieba.add_word(w, freq=20000)

    def nouns(self, text: str) -> set[str]:
        """The question's words (as `words` cuts them) that are nouns: what it is about, not how it asks. A word's
        part of speech is jieba's dictionary tag (n*, vn); a domain word is a noun; a word the
        dictionary lacks is tagged by jieba's tagger on its own."""
        return {w for w in self.words(text) if _is_noun(self.tag(w))}

    def tag(self, word: str) -> str:
        if word in DOMAIN_WORDS:
            return "n"
        tag = dictionary_tags().get(word)
        if tag is None:
            import jieba.posseg

            if not hasattr(self, "_pos"):
                self._pos = jieba.posseg.POSTokenizer(tokenizer=self._jieba)
            pieces = self._pos.lcut(word)
            tag = pieces[-1].flag if pieces else "x"  # a compound is what its last word is (煤炭企业 → 企业)
        return tag

    def tokens(self, text: str) -> list[str]:
        """Search-mode tokens (long words and their parts) of the simplified text, without stop words."""
        simple = to_simplified(text).lower()
        out = []
        for tok in self._jieba.lcut_for_search(simple):
            tok = self._unglued(tok.strip())
            if tok and tok not in STOP and not _PUNCT.match(tok):
                out.append(tok)
        return out

    def _unglued(self, tok: str) -> str:
        """A word jieba's HMM made of a word and the auxiliary after it ("违反师德会有" → 师德会) is the word: no
        dictionary has the join, and the auxiliary says nothing about the topic."""
        if len(tok) >= 3 and tok[-1] in AUXILIARIES and self.frequency(tok) == 0:
            return tok[:-1]
        return tok

    def cut(self, text: str) -> list[str]:
        """Precise-mode segmentation of already simplified text, every character kept (for word boundaries)."""
        return self._jieba.lcut(text)

    def parts(self, word: str) -> list[str]:
        """The dictionary words inside a longer word (search mode's sub-words): 体育比赛 → 体育, 比赛."""
        return [p for p in self._jieba.lcut_for_search(word) if p != word]

    def words(self, text: str) -> list[str]:
        """Whole words of the simplified text (precise mode), each once, without stop words."""
        out: list[str] = []
        for tok in self._jieba.lcut(to_simplified(text).lower()):
            tok = self._unglued(tok.strip())
            if tok and tok not in STOP and not _PUNCT.match(tok) and tok not in out:
                out.append(tok)
        return out

    def query_terms(self, text: str) -> list[str]:
        """Tokens of a question, each once, in order."""
        seen: list[str] = []
        for tok in self.tokens(text):
            if tok not in seen:
                seen.append(tok)
        return seen

    def frequency(self, word: str) -> int:
        """jieba's dictionary count for the word (domain words count 20000), 0 when jieba does not know it: tells a
        dictionary word from a join jieba's HMM made of a question's phrasing (会亮, 能领)."""
        self._jieba.check_initialized()
        return self._jieba.FREQ.get(word, 0)

    @staticmethod
    def synonyms(word: str) -> frozenset[str]:
        """Hand-table synonyms ∪ 词林 synonyms of a word (in either script), without the word itself."""
        word = to_simplified(word)
        return (frozenset(SYNONYMS.get(word, ())) | thesaurus().synonyms(word)) - {word}

    @staticmethod
    def expansion(terms: list[str]) -> dict[str, float]:
        """The terms (weight 1.0), then their hand-table synonyms (TABLE_WEIGHT), then their 词林 synonyms
        (THESAURUS_WEIGHT), each word once at the highest weight it earns, in that order."""
        out = dict.fromkeys(terms, 1.0)
        for t in terms:
            for syn in SYNONYMS.get(t, ()):
                out.setdefault(syn, TABLE_WEIGHT)
        for t in terms:
            for syn in sorted(thesaurus().synonyms(t)):  # sorted: a frozenset's order varies between processes
                out.setdefault(syn, THESAURUS_WEIGHT)
        return out

    @staticmethod
    def expand(terms: list[str]) -> list[str]:
        """The terms and every synonym of them, table first: `expansion` without the weights."""
        return list(Lexicon.expansion(terms))


def _is_noun(tag: str) -> bool:
    # Person names count: jieba's dictionary tags some common nouns nr (幼儿园), and a person a question names
    # is what it is about as much as a thing is.
    return tag.startswith("n") or tag == "vn"


def dictionary_tags() -> dict[str, str]:
    """jieba's dictionary: word → part-of-speech tag."""
    return jieba_dictionary().tags


# A character that begins this many of the dictionary's person names (nr, two or three characters) is read as a
# surname: 王 begins 1,819, 蔡 137, 应 55; 对 none. Below it a join jieba's HMM tags nr ("对师德") is phrasing.
SURNAME_MIN_NAMES = 20


@cache
def _surnames() -> frozenset[str]:
    starts = Counter(w[0] for w, tag in dictionary_tags().items() if tag == "nr" and 2 <= len(w) <= 3)
    return frozenset(ch for ch, n in starts.items() if n >= SURNAME_MIN_NAMES)


def looks_like_name(word: str) -> bool:
    """Whether a word has the shape of a Chinese person's name: two or three characters, a surname first."""
    return 2 <= len(word) <= 3 and word[0] in _surnames()


def general_frequency(word: str) -> int:
    """How common a word is in general Chinese (jieba's dictionary count, without the domain words), 0 when the
    dictionary lacks it: "意义", "材料" are everyday words, "健康码", "保教费" are not."""
    return jieba_dictionary().counts.get(word, 0)
