"""Clauses → chunks: one chunk per clause; a long clause is split at sentence ends and every part keeps the path.

Heading-only clauses are not chunked themselves: their headings travel as context with their children.
"""

from __future__ import annotations

from index.models import Chunk, Document
from index.text import split_sentences


class Chunker:
    """Split a parsed document into chunks of at most `max_chars` characters, never inside a sentence."""

    def __init__(self, max_chars: int = 480) -> None:
        if max_chars < 50:
            raise ValueError("max_chars must be at least 50")
        self.max_chars = max_chars

    def __call__(self, doc: Document) -> list[Chunk]:
        headings = {c.path: c for c in doc.clauses}
        chunks: list[Chunk] = []
        seen: dict[str, int] = {}
        for clause in doc.clauses:
            if clause.kind == "heading":
                continue
            chain: list[str] = []
            parent = clause.parent
            while parent and parent in headings:
                p = headings[parent]
                chain.insert(0, f"{p.marker}{p.heading}" if p.heading else p.marker)
                parent = p.parent
            if clause.kind == "table_row" and clause.heading:
                chain.append(clause.heading.split("｜")[0])
            parts = self._split(clause.text)
            # Real documents repeat their numbering (two "（一）" under one heading the parser could not tell apart);
            # the n-th clause with a path gets "~n", so ids are unique by construction.
            seen[clause.path] = seen.get(clause.path, 0) + 1
            key = clause.path if seen[clause.path] == 1 else f"{clause.path}~{seen[clause.path]}"
            for i, part in enumerate(parts):
                chunks.append(
                    Chunk(
                        id=f"{doc.source}#{key}#{i}",
                        source=doc.source,
                        title=doc.title,
                        path=clause.path,
                        heading=clause.heading,
                        text=part,
                        start=clause.start,
                        end=clause.end,
                        script=doc.script,
                        kind=clause.kind,
                        region=doc.region,
                        part=i,
                        parts=len(parts),
                        context=" > ".join(x for x in chain if x),
                    )
                )
        return chunks

    def _split(self, text: str) -> list[str]:
        if len(text) <= self.max_chars:
            return [text]
        parts: list[str] = []
        current = ""
        for sentence in split_sentences(text):
            if current and len(current) + len(sentence) > self.max_chars:
                parts.append(current)
                current = ""
            current += sentence
        if current:
            parts.append(current)
        return parts
