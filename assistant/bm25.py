"""Okapi BM25 over jieba tokens of OpenCC-simplified text, so a question in either script matches either script."""

from __future__ import annotations

import math
from collections import Counter

from assistant.lexicon import Lexicon


class BM25:
    """A small in-memory BM25 index; `score` returns (doc index, score) best first."""

    def __init__(self, texts: list[str], lexicon: Lexicon, k1: float = 1.2, b: float = 0.75) -> None:
        if k1 <= 0 or not 0 <= b <= 1:
            raise ValueError("BM25 needs k1 > 0 and 0 <= b <= 1")
        self.lexicon, self.k1, self.b = lexicon, k1, b
        self.docs = [Counter(lexicon.tokens(t)) for t in texts]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg = sum(self.lengths) / max(1, len(self.lengths))
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.postings: dict[str, list[int]] = {}
        for i, d in enumerate(self.docs):
            for t in d:
                self.postings.setdefault(t, []).append(i)

    def score(self, terms: list[str], allowed: set[int] | None = None, weights: dict[str, float] | None = None):
        scores: dict[int, float] = {}
        for t in set(terms):
            idf = self.idf.get(t)
            if idf is None:
                continue
            w = (weights or {}).get(t, 1.0)
            for i in self.postings[t]:
                if allowed is not None and i not in allowed:
                    continue
                tf = self.docs[i][t]
                norm = tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avg))
                scores[i] = scores.get(i, 0.0) + w * idf * norm
        return sorted(scores.items(), key=lambda kv: -kv[1])
