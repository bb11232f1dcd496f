"""jieba's dictionary as data, read once per process: word → count and word → part-of-speech tag.

The region gazetteer (whether a short form is an everyday word) and the lexicon (a question's nouns, how common a
word is in general Chinese) both read it; the file is found without importing jieba, whose import loads its
model tables.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class JiebaDictionary:
    counts: dict[str, int]
    tags: dict[str, str]


def package_file(package: str, *parts: str) -> Path:
    """A data file shipped inside an installed package, found without importing it (cpca loads pandas, jieba
    its 70 MB of model tables)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"this needs the {package} package's data: pip install {package}")
    return Path(next(iter(spec.submodule_search_locations)), *parts)


@cache
def jieba_dictionary() -> JiebaDictionary:
    counts: dict[str, int] = {}
    tags: dict[str, str] = {}
    with open(package_file("jieba", "dict.txt"), encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3:
                counts[parts[0]] = int(parts[1])
                tags[parts[0]] = parts[2]
    return JiebaDictionary(counts, tags)
