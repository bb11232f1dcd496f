"""Retrievers behind one interface, `retrieve(question, k, sources) -> list[Hit]`.

`HybridRetriever` fuses a dense arm (e5 vectors in Chroma) and a BM25 arm (jieba tokens of simplified text, with
everyday-word expansion), by reciprocal rank fusion or a convex mix of min-max normalised scores, then lifts the
clauses of the documents that BM25 finds most about the question as a whole (a question names its document's topic
and then one detail of it; a clause alone often holds only the detail). The eval compares it with each arm alone.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from assistant.bm25 import BM25
from assistant.lexicon import Lexicon
from assistant.models import Hit
from index.embedder import Embedder
from index.models import Chunk
from index.store import ClauseStore


class Retriever(Protocol):
    def retrieve(self, question: str, k: int, sources: list[str] | None = None) -> list[Hit]: ...


class ChunkIndex:
    """The chunks of the store held in memory, with a BM25 index over them; rebuilt when the store changes."""

    def __init__(self, store: ClauseStore, lexicon: Lexicon) -> None:
        self.store, self.lexicon = store, lexicon
        self.refresh()

    def refresh(self) -> None:
        # One read of the records pins the snapshot: its chunks and its dense queries see the same revisions, and a
        # question does not read every record again.
        self.revisions = self.store.revisions()
        self.chunks: list[Chunk] = self.store.chunks(self.revisions)
        self.by_id = {c.id: i for i, c in enumerate(self.chunks)}
        self.clause_parts: dict[str, list[Chunk]] = {}
        for c in sorted(self.chunks, key=lambda c: c.part):
            self.clause_parts.setdefault(c.clause_id, []).append(c)
        self.bm25 = BM25([c.embed_text() for c in self.chunks], self.lexicon)
        texts: dict[str, list[str]] = {}
        for c in self.chunks:
            texts.setdefault(c.source, [c.title]).append(c.text)
        self.documents = list(texts)
        self.document_bm25 = BM25([" ".join(parts) for parts in texts.values()], self.lexicon)

    def allowed(self, sources: list[str] | None) -> set[int] | None:
        if not sources:
            return None
        wanted = set(sources)
        return {i for i, c in enumerate(self.chunks) if c.source in wanted}


class DenseRetriever:
    def __init__(self, index: ChunkIndex, embedder: Embedder) -> None:
        self.index, self.embedder = index, embedder

    def retrieve(self, question: str, k: int, sources: list[str] | None = None) -> list[Hit]:
        vector = self.embedder.embed([question], "query")[0]
        out = []
        hits = self.index.store.query(vector, k, sources, live=self.index.revisions)
        for rank, (cid, sim) in enumerate(hits, start=1):
            i = self.index.by_id.get(cid)
            if i is not None:
                out.append(Hit(self.index.chunks[i], sim, dense=sim, dense_rank=rank))
        return out


class BM25Retriever:
    def __init__(self, index: ChunkIndex, expand: bool = True) -> None:
        self.index, self.expand = index, expand

    def weights(self, question: str) -> dict[str, float]:
        """The question's query terms with their weights: an everyday-word substitute counts half, a thesaurus
        synonym a quarter (lexicon.TABLE/THESAURUS_WEIGHT)."""
        lex = self.index.lexicon
        terms = lex.query_terms(question)
        return lex.expansion(terms) if self.expand else dict.fromkeys(terms, 1.0)

    def retrieve(self, question: str, k: int, sources: list[str] | None = None) -> list[Hit]:
        weights = self.weights(question)
        ranked = self.index.bm25.score(list(weights), self.index.allowed(sources), weights)[:k]
        return [Hit(self.index.chunks[i], s, bm25=s, bm25_rank=rank) for rank, (i, s) in enumerate(ranked, start=1)]

    def document_scores(self, question: str) -> dict[str, float]:
        """BM25 of each document as a whole (title and every clause) against the question, by source."""
        weights = self.weights(question)
        docs = self.index.documents
        return {docs[i]: s for i, s in self.index.document_bm25.score(list(weights), None, weights)}


class HybridRetriever:
    """Fusion of the dense and BM25 arms.

    `fusion="rrf"`: score = Σ 1 / (rrf_k + rank). `fusion="convex"`: each arm's scores min-max normalised over its
    candidates, then weight·dense + (1 − weight)·bm25; unlike RRF it keeps how far ahead an arm's best hit is, which
    matters when BM25 finds the one clause with the question's rare words.
    """

    def __init__(
        self,
        dense: DenseRetriever,
        bm25: BM25Retriever,
        candidates: int = 30,
        rrf_k: int = 60,
        fusion: str = "rrf",
        weight: float = 0.5,
        document_weight: float = 0.0,
    ) -> None:
        if candidates < 1 or rrf_k < 1:
            raise ValueError("candidates and rrf_k must be positive")
        if fusion not in ("rrf", "convex"):
            raise ValueError("fusion must be 'rrf' or 'convex'")
        if not 0 <= weight <= 1:
            raise ValueError("weight must be within [0, 1]")
        if document_weight < 0:
            raise ValueError("document_weight must not be negative")
        self.dense, self.bm25, self.candidates, self.rrf_k = dense, bm25, candidates, rrf_k
        self.fusion, self.weight, self.document_weight = fusion, weight, document_weight

    def retrieve(self, question: str, k: int, sources: list[str] | None = None) -> list[Hit]:
        n = max(k, self.candidates)
        fused: dict[str, dict] = {}
        for hit in self.dense.retrieve(question, n, sources):
            fused[hit.chunk.id] = {"chunk": hit.chunk, "dense": hit.dense, "dense_rank": hit.dense_rank}
        for hit in self.bm25.retrieve(question, n, sources):
            entry = fused.setdefault(hit.chunk.id, {"chunk": hit.chunk})
            entry.update(bm25=hit.bm25, bm25_rank=hit.bm25_rank)
        hits = []
        lo_hi = {
            arm: (min(vals), max(vals)) if vals else (0.0, 1.0)
            for arm in ("dense", "bm25")
            for vals in [[e[arm] for e in fused.values() if e.get(arm) is not None]]
        }

        def norm(arm: str, value: float | None) -> float:
            if value is None:
                return 0.0
            lo, hi = lo_hi[arm]
            return (value - lo) / (hi - lo) if hi > lo else 1.0

        for e in fused.values():
            if self.fusion == "rrf":
                score = sum(1.0 / (self.rrf_k + e[r]) for r in ("dense_rank", "bm25_rank") if e.get(r))
            else:
                score = self.weight * norm("dense", e.get("dense")) + (1 - self.weight) * norm("bm25", e.get("bm25"))
            hits.append(
                Hit(
                    e["chunk"],
                    score,
                    dense=e.get("dense"),
                    bm25=e.get("bm25"),
                    dense_rank=e.get("dense_rank"),
                    bm25_rank=e.get("bm25_rank"),
                )
            )
        if self.document_weight and hits:
            hits = self._by_document(question, hits)
        hits.sort(key=lambda h: -h.score)
        return hits[:k]

    def _by_document(self, question: str, hits: list[Hit]) -> list[Hit]:
        """Each hit's score mixed with its document's whole-text BM25 (normalised by the best among the candidates'
        documents), kept within [0, 1] so that later stages see the scale they always saw."""
        scores = self.bm25.document_scores(question)
        best = max((scores.get(h.chunk.source, 0.0) for h in hits), default=0.0)
        w = self.document_weight
        return [
            replace(h, score=(h.score + w * (scores.get(h.chunk.source, 0.0) / best if best > 0 else 0.0)) / (1 + w))
            for h in hits
        ]
