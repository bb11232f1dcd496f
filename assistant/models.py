"""Result types of retrieval and answering."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from index.models import Chunk


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the ranks that produced it (None: not found by that arm)."""

    chunk: Chunk
    score: float
    dense: float | None = None
    bm25: float | None = None
    dense_rank: int | None = None
    bm25_rank: int | None = None


@dataclass(frozen=True)
class Citation:
    """A cited clause: [n] in the answer points here."""

    n: int
    source: str
    title: str
    clause: str
    text: str
    score: float
    sentences: tuple[str, ...] = ()  # the sentences of `text` the answer used, for highlighting

    def as_dict(self) -> dict:
        d = asdict(self)
        d["sentences"] = list(self.sentences)
        return d


@dataclass
class Answer:
    """The assistant's answer: text with [n] markers, its citations, or a refusal with the nearest clauses."""

    question: str
    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    nearest: list[Citation] = field(default_factory=list)
    reason: str = ""
    latency_ms: float = 0.0
    script: str = "simplified"
    condensed: str = ""
    generator: str = "extractive"  # who wrote the text: "extractive" or "llm:<model>"
    dropped: list[str] = field(default_factory=list)  # LLM sentences the citation guard removed
    notice: str = ""  # shown to the user: why an LLM answer fell back to the extractive one

    def as_dict(self) -> dict:
        return {
            "answer": self.text,
            "refused": self.refused,
            "citations": [
                {k: v for k, v in c.as_dict().items() if k in ("source", "title", "clause", "text", "score")}
                | {"n": c.n}
                for c in self.citations
            ],
            "nearest": [
                {k: v for k, v in c.as_dict().items() if k in ("source", "title", "clause", "text", "score")}
                for c in self.nearest
            ],
            "reason": self.reason,
            "latency_ms": round(self.latency_ms, 1),
            "generator": self.generator,
            "dropped": list(self.dropped),
            "notice": self.notice,
        }
