"""Incremental index build: parse → chunk → embed → store, only for documents that are new or changed.

A document's identity is its file name; its version is the hash of its bytes plus the parser version, so a parser
change re-indexes everything while an untouched folder embeds nothing. Removed files lose all their chunks.
"""

from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.chunker import Chunker
from index.embedder import Embedder, configure_llama_index
from index.models import Chunk, Document
from index.parser import Parser
from index.readers import SUPPORTED_SUFFIXES, UnreadableDocument, read_file
from index.store import ClauseStore

PARSER_VERSION = "9"


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
        if self.failed:
            text += "\n" + "\n".join(f"failed: {msg}" for _, msg in self.failed)
        return text


def document_version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32] + f"-p{PARSER_VERSION}"


def list_documents(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise ValueError(f"documents folder not found: {folder}")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)


def parse_file(path: Path, parser: Parser | None = None) -> Document:
    """Read and parse one file; the document's sha is its version string."""
    data = path.read_bytes()
    doc = (parser or Parser())(path.name, read_file(path))
    doc.sha256 = document_version(data)
    return doc


class IndexBuilder:
    """Bring the store in line with a documents folder."""

    def __init__(self, store: ClauseStore, embedder: Embedder, chunker: Chunker, batch: int = 16) -> None:
        if batch < 1:
            raise ValueError("batch must be at least 1")
        self.store, self.embedder, self.chunker, self.batch = store, embedder, chunker, batch
        self._llama_ready = False
        self.parser = Parser()

    def run(self, folder: Path, progress: bool = True) -> BuildReport:
        t0 = time.perf_counter()
        report = BuildReport()
        known = {r.source: r.sha for r in self.store.records()}
        files = list_documents(folder)
        todo: list[tuple[Document, list[Chunk]]] = []
        for path in files:
            # One bad file (unreadable, undecodable, a parser bug on a layout nobody foresaw) is a failure line for
            # that file; the rest of the folder is still indexed.
            try:
                version = document_version(path.read_bytes())
                if known.get(path.name) == version:
                    report.unchanged.append(path.name)
                    continue
                doc = parse_file(path, self.parser)
                chunks = self.chunker(doc)
            except UnreadableDocument as exc:
                report.failed.append((path.name, str(exc)))
                continue
            except Exception as exc:  # noqa: BLE001 - see above
                report.failed.append(
                    (path.name, f"{path.name}: could not be read or parsed ({type(exc).__name__}: {exc})")
                )
                continue
            if not chunks:
                report.failed.append((path.name, f"{path.name}: no policy text found after removing clutter"))
                continue
            todo.append((doc, chunks))
        for source in sorted(set(known) - {p.name for p in files}):
            self.store.remove_document(source)
            report.removed.append(source)
        total = sum(len(c) for _, c in todo)
        if total:
            bar = _progress(total, progress)
            for doc, chunks in todo:
                try:
                    stored = self.store.vectors_of(doc.source)
                    vectors = self.embed_chunks(chunks, bar, stored)
                    self.write(doc, chunks, vectors)
                except Exception as exc:  # noqa: BLE001 - a store error on one document fails that document
                    report.failed.append(
                        (doc.source, f"{doc.source}: could not be stored ({type(exc).__name__}: {exc})")
                    )
                    continue
                (report.updated if doc.source in known else report.added).append(doc.source)
                reused = sum((c.title, c.content_hash) in stored for c in chunks)
                report.chunks_embedded += len(chunks) - reused
                report.chunks_reused += reused
            bar.close()
        report.seconds = time.perf_counter() - t0
        return report

    def write(self, doc: Document, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Replace a document's chunks and record in the store (the document record is written last)."""
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
