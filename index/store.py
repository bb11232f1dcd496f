"""Chroma-backed storage of chunks (with their vectors) and of parsed documents.

Chunks are written through llama-index's `ChromaVectorStore` as `TextNode`s that already carry their embedding;
queries go to the Chroma collection directly with a precomputed query vector (importing llama-index costs ~4 s,
which an app worker should not pay at start-up). Chroma is never given an embedding function, so it can never fall
back to downloading its default model. A second
collection holds each parsed document (facts and clause tree) as JSON with a one-dimensional placeholder vector;
its record is written last and is the commit mark of a document: a build killed half-way leaves no record, so the
next build redoes that document.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.models import Chunk, Document, document_from_json, document_to_json


@dataclass(frozen=True)
class DocRecord:
    """What the store knows of an indexed document without loading its clause tree."""

    source: str
    title: str
    region: str
    date: str
    clauses: int
    chunks: int
    sha: str
    script: str
    fmt: str


def make_client(settings):
    """Embedded PersistentClient by default; HttpClient when a Chroma server host is configured."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


class ClauseStore:
    """Chunks and documents of one index, in two Chroma collections named after `collection`."""

    def __init__(self, client, collection: str, embedder_name: str) -> None:
        if not collection or not collection.replace("_", "").isalnum():
            raise ValueError("collection name must be letters, digits and underscores")
        self.embedder_name = embedder_name
        self._chunks = client.get_or_create_collection(
            collection, embedding_function=None, metadata={"hnsw:space": "cosine", "embedder": embedder_name}
        )
        stored = (self._chunks.metadata or {}).get("embedder")
        if stored and stored != embedder_name:
            raise ValueError(
                f"index {collection!r} was built with embedder {stored!r}, not {embedder_name!r}: "
                f"use another data directory or collection, or delete the index and rebuild"
            )
        self._docs = client.get_or_create_collection(f"{collection}_docs", embedding_function=None)
        self._vector_store = None

    @property
    def vector_store(self):
        """llama-index's view of the chunk collection, created on first write."""
        if self._vector_store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            self._vector_store = ChromaVectorStore(chroma_collection=self._chunks)
        return self._vector_store

    # -- writing ---------------------------------------------------------------------------------------------

    def replace_document(self, doc: Document, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Remove every old chunk of the document, add the new ones, then write the document record."""
        from llama_index.core.schema import TextNode

        self.remove_document(doc.source)
        nodes = [
            TextNode(id_=c.id, text=c.text, metadata=c.metadata(), embedding=[float(x) for x in v])
            for c, v in zip(chunks, vectors)
        ]
        for start in range(0, len(nodes), 1000):
            self.vector_store.add(nodes[start : start + 1000])
        meta = {
            "title": doc.title,
            "region": doc.region,
            "date": doc.facts.date.value if doc.facts.date else "",
            "clauses": sum(c.kind != "heading" for c in doc.clauses),
            "chunks": len(chunks),
            "sha": doc.sha256,
            "script": doc.script,
            "fmt": doc.fmt,
        }
        self._docs.upsert(ids=[doc.source], embeddings=[[1.0]], documents=[document_to_json(doc)], metadatas=[meta])

    def remove_document(self, source: str) -> None:
        self._docs.delete(ids=[source])
        self._chunks.delete(where={"source": source})

    # -- reading ---------------------------------------------------------------------------------------------

    def records(self) -> list[DocRecord]:
        got = self._docs.get(include=["metadatas"])
        out = [
            DocRecord(
                source=i,
                title=m.get("title", i),
                region=m.get("region", ""),
                date=m.get("date", ""),
                clauses=int(m.get("clauses", 0)),
                chunks=int(m.get("chunks", 0)),
                sha=m.get("sha", ""),
                script=m.get("script", "simplified"),
                fmt=m.get("fmt", ""),
            )
            for i, m in zip(got["ids"], got["metadatas"])
        ]
        return sorted(out, key=lambda r: r.source)

    def document(self, source: str) -> Document | None:
        got = self._docs.get(ids=[source], include=["documents"])
        return document_from_json(got["documents"][0]) if got["ids"] else None

    def chunks(self) -> list[Chunk]:
        got = self._chunks.get(include=["documents", "metadatas"])
        chunks = [Chunk.from_metadata(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]
        return sorted(chunks, key=lambda c: (c.source, c.start, c.part))

    def vectors_of(self, source: str) -> dict[tuple[str, str], np.ndarray]:
        """The stored vectors of a document's chunks, keyed by what they embedded (title and content hash)."""
        got = self._chunks.get(where={"source": source}, include=["embeddings", "metadatas"])
        return {
            (m.get("title", ""), m.get("hash", "")): np.asarray(v, dtype=np.float32)
            for m, v in zip(got["metadatas"], got["embeddings"])
            if m.get("hash")
        }

    def count(self) -> int:
        return self._chunks.count()

    def query(self, vector: np.ndarray, k: int, sources: list[str] | None = None) -> list[tuple[str, float]]:
        """Ids of the k nearest chunks with their cosine similarity, optionally within some documents."""
        n = min(k, max(1, self.count()))
        where = {"source": {"$in": list(sources)}} if sources else None
        got = self._chunks.query(
            query_embeddings=[[float(x) for x in vector]], n_results=n, where=where, include=["distances"]
        )
        # Chroma's cosine distance is 1 - cosine similarity.
        return [(i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0])]
