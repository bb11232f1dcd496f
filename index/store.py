"""Chroma-backed storage of chunks (with their vectors) and of parsed documents.

Chunks are written through llama-index's `ChromaVectorStore` as `TextNode`s that already carry their embedding;
queries go to the Chroma collection directly with a precomputed query vector (importing llama-index costs ~4 s,
which an app worker should not pay at start-up). Chroma is never given an embedding function, so it can never fall
back to downloading its default model. A second collection holds each parsed document (facts and clause tree) as
JSON with a one-dimensional placeholder vector.

A document's record is its commit mark, and replacing a document never leaves it without chunks: every write of a
document gets a new revision, its chunks are stored under ids carrying that revision, then the record switches to
it, then the chunks of other revisions go. Readers see only the chunks of each record's revision, so a build killed
at any point leaves the old or the new version answerable, and `sweep` (run after every build) removes the orphans.
"""

from __future__ import annotations

import uuid
from collections import Counter
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
    rev: str = ""  # the revision whose chunks are this document's; "" for an index written before revisions


class StoreUnavailable(ValueError):
    """The index cannot be opened (a damaged chroma.sqlite3, an unreachable Chroma server); one line, no traceback."""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def make_client(settings):
    """Embedded PersistentClient by default; HttpClient when a Chroma server host is configured."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        where = f"the Chroma server at {settings.chroma_host}:{settings.chroma_port}"
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        except Exception as exc:  # noqa: BLE001 - any failure to connect is the same message to the user
            raise StoreUnavailable(f"cannot open {where} ({_first_line(exc)})") from exc
    try:
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:  # noqa: BLE001 - a damaged database raises Chroma's internal errors
        raise StoreUnavailable(
            f"cannot open the index in {settings.chroma_dir} ({_first_line(exc)}); if it is damaged, move that "
            f"folder aside and run `python -m index build` to rebuild it"
        ) from exc


class ClauseStore:
    """Chunks and documents of one index, in two Chroma collections named after `collection`."""

    def __init__(self, client, collection: str, embedder_name: str) -> None:
        if not collection or not collection.replace("_", "").isalnum():
            raise ValueError("collection name must be letters, digits and underscores")
        self.embedder_name = embedder_name
        try:
            self._chunks = client.get_or_create_collection(
                collection, embedding_function=None, metadata={"hnsw:space": "cosine", "embedder": embedder_name}
            )
            self._docs = client.get_or_create_collection(f"{collection}_docs", embedding_function=None)
        except Exception as exc:  # noqa: BLE001 - a damaged database raises Chroma's internal errors
            raise StoreUnavailable(f"cannot open the index collection {collection!r} ({_first_line(exc)})") from exc
        stored = (self._chunks.metadata or {}).get("embedder")
        if stored and stored != embedder_name:
            raise ValueError(
                f"index {collection!r} was built with embedder {stored!r}, not {embedder_name!r}: "
                f"use another data directory or collection, or delete the index and rebuild"
            )
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
        """Store the new chunks under a new revision, switch the document's record to it, then drop the old ones."""
        from llama_index.core.schema import TextNode

        rev = f"{doc.sha256[:12]}.{uuid.uuid4().hex[:8]}"
        nodes = [
            TextNode(
                id_=_stored_id(c.id, rev),
                text=c.text,
                metadata={**c.metadata(), "rev": rev},
                embedding=[float(x) for x in v],
            )
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
            "rev": rev,
        }
        self._docs.upsert(ids=[doc.source], embeddings=[[1.0]], documents=[document_to_json(doc)], metadatas=[meta])
        self._drop_chunks(doc.source, keep=rev)

    def remove_document(self, source: str) -> None:
        """The record goes first: a kill after it leaves orphan chunks, which no reader sees and `sweep` removes."""
        self._docs.delete(ids=[source])
        self._drop_chunks(source, keep=None)

    def sweep(self) -> int:
        """Delete chunks no record points to (left by a killed build); returns how many went."""
        live = self._live()
        if self._chunks.count() == sum(n for _, n in live.values()):
            return 0  # every record's chunks are written before it, so equal totals mean no orphans
        got = self._chunks.get(include=["metadatas"])
        dead = [i for i, m in zip(got["ids"], got["metadatas"]) if not _is_live(m, live)]
        for start in range(0, len(dead), 1000):
            self._chunks.delete(ids=dead[start : start + 1000])
        return len(dead)

    def incomplete(self) -> list[str]:
        """Documents whose record counts more chunks than are stored (an index written before revisions, killed
        half-way through a document); a build redoes them."""
        live = self._live()
        if self._chunks.count() == sum(n for _, n in live.values()):
            return []
        got = self._chunks.get(include=["metadatas"])
        have = Counter(m.get("source", "") for m in got["metadatas"] if _is_live(m, live))
        return sorted(s for s, (_, n) in live.items() if have[s] < n)

    def _drop_chunks(self, source: str, keep: str | None) -> None:
        got = self._chunks.get(where={"source": source}, include=["metadatas"])
        dead = [i for i, m in zip(got["ids"], got["metadatas"]) if keep is None or m.get("rev", "") != keep]
        for start in range(0, len(dead), 1000):
            self._chunks.delete(ids=dead[start : start + 1000])

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
                rev=m.get("rev", ""),
            )
            for i, m in zip(got["ids"], got["metadatas"])
        ]
        return sorted(out, key=lambda r: r.source)

    def revisions(self) -> dict[str, tuple[str, int]]:
        """Each recorded document's current revision and chunk count: what a reader's snapshot of the index holds,
        handed back to `query` so that a question does not read every record again."""
        return self._live()

    def _live(self) -> dict[str, tuple[str, int]]:
        """Each recorded document's current revision and chunk count."""
        got = self._docs.get(include=["metadatas"])
        return {i: (m.get("rev", ""), int(m.get("chunks", 0))) for i, m in zip(got["ids"], got["metadatas"])}

    def document(self, source: str) -> Document | None:
        got = self._docs.get(ids=[source], include=["documents"])
        return document_from_json(got["documents"][0]) if got["ids"] else None

    def chunks(self, live: dict[str, tuple[str, int]] | None = None) -> list[Chunk]:
        """The chunks of every document's current revision (never a half-written new one, nor an orphan); `live`
        pins the revisions to a snapshot the caller read with `revisions()`."""
        live = self._live() if live is None else live
        got = self._chunks.get(include=["documents", "metadatas"])
        chunks = [
            Chunk.from_metadata(_chunk_id(i, m), d, m)
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])
            if _is_live(m, live)
        ]
        return sorted(chunks, key=lambda c: (c.source, c.start, c.part))

    def vectors_of(self, source: str) -> dict[tuple[str, str], np.ndarray]:
        """The stored vectors of a document's chunks, keyed by what they embedded (title and content hash).

        Chunks of any revision count: a re-run after a killed build reuses what the killed one had embedded."""
        got = self._chunks.get(where={"source": source}, include=["embeddings", "metadatas"])
        return {
            (m.get("title", ""), m.get("hash", "")): np.asarray(v, dtype=np.float32)
            for m, v in zip(got["metadatas"], got["embeddings"])
            if m.get("hash")
        }

    def count(self) -> int:
        """Chunks answerable now (orphans excluded)."""
        return sum(n for _, n in self._live().values())

    def query(
        self,
        vector: np.ndarray,
        k: int,
        sources: list[str] | None = None,
        live: dict[str, tuple[str, int]] | None = None,
    ) -> list[tuple[str, float]]:
        """Ids of the k nearest chunks with their cosine similarity, optionally within some documents. `live` is the
        caller's snapshot of `revisions()`; without it the records are read now."""
        live = self._live() if live is None else live
        revs = {rev for rev, _ in live.values()}
        stored = self._chunks.count()
        # Orphans are at most the stored chunks no record counts; fetching that many more keeps k live ones.
        extra = max(0, stored - sum(n for _, n in live.values()))
        n = min(k + extra, max(1, stored))
        where = {"source": {"$in": list(sources)}} if sources else None
        # A stored id ends in its revision, which is enough to tell a live chunk; only an index written before
        # revisions needs the metadata (fetching it makes a query about five times slower).
        legacy = "" in revs
        got = self._chunks.query(
            query_embeddings=[[float(x) for x in vector]],
            n_results=n,
            where=where,
            include=["distances", "metadatas"] if legacy else ["distances"],
        )
        ids, distances = got["ids"][0], got["distances"][0]
        hits: list[tuple[str, float]] = []
        for pos, (stored_id, distance) in enumerate(zip(ids, distances)):
            if legacy:
                meta = got["metadatas"][0][pos]
                chunk_id = _chunk_id(stored_id, meta) if _is_live(meta, live) else None
            else:
                base, _, rev = stored_id.rpartition("@")
                chunk_id = base if rev in revs else None
            if chunk_id is not None:
                hits.append((chunk_id, 1.0 - float(distance)))  # Chroma's cosine distance is 1 - similarity
        return hits[:k]


def _stored_id(chunk_id: str, rev: str) -> str:
    return f"{chunk_id}@{rev}"


def _chunk_id(stored_id: str, meta: dict) -> str:
    """The chunk's own id (source#clause#part), without the revision its stored id carries."""
    rev = meta.get("rev", "")
    return stored_id[: -len(rev) - 1] if rev and stored_id.endswith("@" + rev) else stored_id


def _is_live(meta: dict, live: dict[str, tuple[str, int]]) -> bool:
    current = live.get(meta.get("source", ""))
    return current is not None and current[0] == meta.get("rev", "")
