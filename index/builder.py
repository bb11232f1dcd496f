"""Incremental index build: parse → chunk → embed → store, only for documents that are new or changed.

A document's identity is its file name; its version is the hash of its bytes plus the parser version, so a parser
change re-indexes everything while an untouched folder embeds nothing. Removed files lose all their chunks.

A build holds the data folder's writer lock (index/lock.py), refuses a file over a size limit (index/limits.py)
before doing the work the limit bounds, and turns any error of one file (reader, parser, store) into a failure line
for that file: the rest of the folder is indexed. Each document is replaced atomically (index/store.py).
"""

from __future__ import annotations

import hashlib
import sys
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.chunker import Chunker
from index.embedder import Embedder, configure_llama_index
from index.limits import Limits
from index.lock import WriterLock
from index.models import Chunk, Document
from index.parser import Parser
from index.readers import SUPPORTED_SUFFIXES, UnreadableDocument, file_bytes, read_bytes
from index.store import ClauseStore, StoreUnavailable

PARSER_VERSION = "16"


@dataclass
class BuildReport:
    """What a build did, for the CLI and the benchmark."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_reused: int = 0  # vectors kept from the store: same title and content as before
    orphans_removed: int = 0  # chunks left by an interrupted build, which no reader saw
    seconds: float = 0.0

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.removed)} removed",
            f"{len(self.unchanged)} unchanged",
            f"{self.chunks_embedded} chunks embedded ({self.chunks_reused} vectors reused) in {self.seconds:.1f}s",
        ]
        text = ", ".join(parts)
        if self.orphans_removed:
            text += f"\nremoved {self.orphans_removed} chunks left by an interrupted build"
        if self.failed:
            text += "\n" + "\n".join(f"failed: {msg}" for _, msg in self.failed)
        return text


def document_version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32] + f"-p{PARSER_VERSION}"


def list_documents(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise ValueError(f"documents folder not found: {folder}")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)


def parse_file(path: Path, parser: Parser | None = None, limits: Limits | None = None) -> Document:
    """Read and parse one file; the document's sha is its version string."""
    data = file_bytes(path, limits)
    doc = (parser or Parser())(path.name, read_bytes(path.name, data, limits))
    doc.sha256 = document_version(data)
    return doc


class IndexBuilder:
    """Bring the store in line with a documents folder; also the parse-and-embed steps of a staff upload."""

    def __init__(
        self,
        store: ClauseStore,
        embedder: Embedder,
        chunker: Chunker,
        batch: int = 16,
        limits: Limits | None = None,
        lock: WriterLock | None = None,
    ) -> None:
        if batch < 1:
            raise ValueError("batch must be at least 1")
        self.store, self.embedder, self.chunker, self.batch = store, embedder, chunker, batch
        if limits is None:
            from index.config import Settings

            limits = Limits.from_settings(Settings())
        self.limits, self.lock = limits, lock
        self._llama_ready = False
        self.parser = Parser()

    @classmethod
    def from_settings(cls, settings, store: ClauseStore, embedder: Embedder) -> IndexBuilder:
        """The builder of `index build` and the app: limits and the writer lock of the settings' data folder."""
        return cls(
            store,
            embedder,
            Chunker(settings.max_chunk_chars),
            settings.embed_batch,
            limits=Limits.from_settings(settings),
            lock=WriterLock(settings.data_dir, settings.writer_lock_timeout),
        )

    def writing(self) -> AbstractContextManager:
        """Hold the writer lock (when there is one) around a build, an upload or a deletion."""
        return self.lock.hold() if self.lock is not None else nullcontext()

    def prepare(self, name: str, data: bytes) -> tuple[Document, list[Chunk]]:
        """Read, parse and chunk one file's bytes within the limits; raises UnreadableDocument (LimitExceeded for
        a limit) with a message naming the file."""
        doc = self.parser(name, read_bytes(name, data, self.limits))
        doc.sha256 = document_version(data)
        chunks = self.chunker(doc)
        if not chunks:
            raise UnreadableDocument(f"{name}: no policy text found after removing clutter")
        self.limits.check_chunks(name, len(chunks))
        return doc, chunks

    def run(self, folder: Path, progress: bool = True) -> BuildReport:
        with self.writing():
            return self._run(folder, progress)

    def _run(self, folder: Path, progress: bool) -> BuildReport:
        t0 = time.perf_counter()
        report = BuildReport()
        files = list_documents(folder)
        try:
            known = {r.source: r.sha for r in self.store.records()}
            incomplete = set(self.store.incomplete())
        except Exception as exc:  # noqa: BLE001 - a store that cannot be read fails the build with one line
            raise StoreUnavailable(f"cannot read the index ({type(exc).__name__}: {exc})") from exc
        # A record whose chunks are missing (an index written before revisions, killed mid-document) is redone.
        current = {source: sha for source, sha in known.items() if source not in incomplete}
        todo: list[tuple[Document, list[Chunk]]] = []
        for path in files:
            # One bad file (unreadable, undecodable, over a limit, a parser bug on a layout nobody foresaw) is a
            # failure line for that file; the rest of the folder is still indexed.
            try:
                data = file_bytes(path, self.limits)
                if current.get(path.name) == document_version(data):
                    report.unchanged.append(path.name)
                    continue
                todo.append(self.prepare(path.name, data))
            except UnreadableDocument as exc:
                report.failed.append((path.name, str(exc)))
            except Exception as exc:  # noqa: BLE001 - see above
                report.failed.append(
                    (path.name, f"{path.name}: could not be read or parsed ({type(exc).__name__}: {exc})")
                )
        for source in sorted(set(known) - {p.name for p in files}):
            try:
                self.store.remove_document(source)
            except Exception as exc:  # noqa: BLE001 - a store error on one removal fails that removal
                report.failed.append((source, f"{source}: could not be removed ({type(exc).__name__}: {exc})"))
                continue
            report.removed.append(source)
        self._embed_and_write(todo, known, report, progress)
        # Chunks of a killed build, or of a write that failed half-way, are orphans: no reader sees them, and they go
        # now, after this build has reused their vectors.
        try:
            report.orphans_removed = self.store.sweep()
        except Exception as exc:  # noqa: BLE001 - orphans are invisible; the next build tries again
            report.failed.append(("", f"orphan chunks not removed ({type(exc).__name__}: {exc})"))
        report.seconds = time.perf_counter() - t0
        return report

    def _embed_and_write(
        self, todo: list[tuple[Document, list[Chunk]]], known: dict[str, str], report: BuildReport, progress: bool
    ) -> None:
        total = sum(len(c) for _, c in todo)
        if not total:
            return
        bar = _progress(total, progress)
        for doc, chunks in todo:
            try:
                stored = self.store.vectors_of(doc.source)
                vectors = self.embed_chunks(chunks, bar, stored)
                self.write(doc, chunks, vectors)
            except Exception as exc:  # noqa: BLE001 - a store error on one document fails that document
                report.failed.append((doc.source, f"{doc.source}: could not be stored ({type(exc).__name__}: {exc})"))
                continue
            (report.updated if doc.source in known else report.added).append(doc.source)
            reused = sum((c.title, c.content_hash) in stored for c in chunks)
            report.chunks_embedded += len(chunks) - reused
            report.chunks_reused += reused
        bar.close()

    def write(self, doc: Document, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Replace a document's chunks and record in the store: new chunks, then the record, then old chunks go."""
        if not self._llama_ready:
            # Chunks are written as llama-index nodes: set its globals first so it never reaches for OpenAI.
            configure_llama_index(self.embedder)
            self._llama_ready = True
        self.store.replace_document(doc, chunks, vectors)

    def embed_chunks(self, chunks: list[Chunk], bar=None, stored: dict | None = None) -> np.ndarray:
        """Vectors for the chunks; a chunk whose title and content the store already embedded keeps its vector, so
        a parser change that moves a few clauses does not re-embed a whole library."""
        stored = stored or {}
        vectors: list[np.ndarray | None] = [stored.get((c.title, c.content_hash)) for c in chunks]
        if bar is not None:
            bar.update(sum(v is not None for v in vectors))
        todo = [i for i, v in enumerate(vectors) if v is None]
        for start in range(0, len(todo), self.batch):
            batch = todo[start : start + self.batch]
            for i, v in zip(batch, self.embedder.embed([chunks[i].embed_text() for i in batch], "passage")):
                vectors[i] = v
            if bar is not None:
                bar.update(len(batch))
        if not vectors:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.vstack([np.asarray(v, dtype=np.float32) for v in vectors])


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="embedding", unit="chunk", disable=not enabled, file=sys.stderr)
