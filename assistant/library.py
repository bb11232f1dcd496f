"""Server-side objects shared by the web UI and the HTTP API.

`SharedAssistant`: many questions at once, one index reload at a time (a read-write lock). `Library`: uploads and
deletions that are read and parsed before anything is written and undone on failure, so the index and the documents
folder are never left half-changed.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.conversation import Condenser
from assistant.models import Answer

log = logging.getLogger(__name__)

UPLOAD_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ReadWriteLock:
    """Many readers or one writer; a waiting writer holds back new readers so a reload is not starved."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class SharedAssistant:
    """The server's one assistant. `ask` and `condense` run concurrently; `reload` (after an upload or a
    deletion, under the write lock) swaps the in-memory index while no question is being answered."""

    def __init__(self, assistant) -> None:
        self.assistant = assistant
        self.lock = ReadWriteLock()
        self.condenser = self._condenser()

    def _condenser(self) -> Condenser:
        # Every form of every place the documents name (武汉市, 武汉, 湖北), so a follow-up keeps its place.
        return Condenser(set(self.assistant.regions.by_form))

    def ask(self, question: str, sources: list[str] | None = None) -> Answer:
        with self.lock.read():
            return self.assistant.ask(question, sources)

    def condense(self, history: list[tuple[str, str]], question: str) -> str:
        return self.condenser.condense(history, question)

    @property
    def store(self):
        return self.assistant.index.store

    def records(self):
        with self.lock.read():
            return self.store.records()

    def document(self, source: str):
        with self.lock.read():
            return self.store.document(source)

    def reload_locked(self) -> None:
        """Reload the index; the caller holds the write lock."""
        self.assistant.reload()
        self.condenser = self._condenser()


@dataclass(frozen=True)
class LibraryResult:
    """What an upload or a deletion did, as a message for the user."""

    ok: bool
    message: str
    source: str = ""
    chunks: int = 0


class Library:
    """Uploads and deletions. An upload is read and parsed before anything is written; a failure while writing
    undoes the file and the store entry, so the index and the documents folder are left as they were."""

    def __init__(self, shared: SharedAssistant, builder, docs_dir: Path) -> None:
        self.shared, self.builder, self.docs_dir = shared, builder, Path(docs_dir)
        self._serial = threading.Lock()  # one upload or deletion at a time; asks continue while embedding

    def upload(self, name: str, data: bytes, progress: Callable[[float, str], None] | None = None) -> LibraryResult:
        from index.builder import document_version
        from index.readers import UnreadableDocument, read_bytes

        report = progress or (lambda fraction, desc: None)
        name = Path(name or "").name
        suffix = Path(name).suffix.lower()
        if not name or name.startswith("."):
            return LibraryResult(False, "文件名无效。")
        if suffix not in UPLOAD_SUFFIXES:
            shown = suffix or "（无扩展名）"
            return LibraryResult(False, f"不支持的文件类型 {shown}：只接受 {'、'.join(UPLOAD_SUFFIXES)}。")
        if len(data) > MAX_UPLOAD_BYTES:
            return LibraryResult(False, f"文件过大（{len(data) // 1024 // 1024} MB），上限 20 MB。")
        if not data.strip():
            return LibraryResult(False, f"{name} 是空文件。")
        with self._serial:
            version = document_version(data)
            records = self.shared.records()
            same = next((r for r in records if r.sha == version), None)
            if same is not None:
                return LibraryResult(False, f"重复文件：与已索引的《{same.title}》（{same.source}）内容完全相同。")
            if any(r.source == name for r in records) or (self.docs_dir / name).exists():
                return LibraryResult(False, f"已有同名文件 {name}：请先删除旧文件或改名后再上传。")
            report(0.05, "解析文件")
            try:
                doc = self.builder.parser(name, read_bytes(name, data))
            except UnreadableDocument as exc:
                return LibraryResult(False, f"无法读取该文件：{exc}")
            except Exception as exc:  # a reader library choking on a malformed file is still a bad upload
                log.warning("upload %s failed to parse", name, exc_info=True)
                return LibraryResult(False, f"无法解析该文件：{type(exc).__name__}: {exc}")
            doc.sha256 = version
            chunks = self.builder.chunker(doc)
            if not chunks:
                return LibraryResult(False, f"{name}：去除版面杂项后没有找到政策条文，未建立索引。")
            report(0.15, f"生成向量（{len(chunks)} 段）")
            vectors = self.builder.embed_chunks(chunks, _ProgressBar(report, len(chunks), 0.15, 0.9))
            report(0.92, "写入索引")
            self._commit(doc, chunks, vectors, data)
            report(1.0, "完成")
        title = doc.title or name
        return LibraryResult(True, f"《{title}》（{name}）已加入索引：{len(chunks)} 个片段。", name, len(chunks))

    def _commit(self, doc, chunks, vectors, data: bytes) -> None:
        target = self.docs_dir / doc.source
        tmp = self.docs_dir / f".{doc.source}.uploading"
        with self.shared.lock.write():
            try:
                self.docs_dir.mkdir(parents=True, exist_ok=True)
                tmp.write_bytes(data)
                os.replace(tmp, target)
                self.builder.write(doc, chunks, vectors)
            except BaseException:
                tmp.unlink(missing_ok=True)
                target.unlink(missing_ok=True)
                self.shared.store.remove_document(doc.source)
                raise
            finally:
                self.shared.reload_locked()

    def delete(self, source: str) -> LibraryResult:
        source = Path(source or "").name
        if not source:
            return LibraryResult(False, "请选择要删除的文件。")
        with self._serial:
            if not any(r.source == source for r in self.shared.records()):
                return LibraryResult(False, f"索引中没有 {source}。")
            with self.shared.lock.write():
                self.shared.store.remove_document(source)
                (self.docs_dir / source).unlink(missing_ok=True)
                self.shared.reload_locked()
        return LibraryResult(True, f"{source} 已从索引和文件夹中移除。", source)


class _ProgressBar:
    """The `update(n)` interface `IndexBuilder.embed_chunks` expects, reporting to a Gradio progress callback."""

    def __init__(self, report: Callable[[float, str], None], total: int, low: float, high: float) -> None:
        self.report, self.total, self.low, self.high, self.done = report, max(total, 1), low, high, 0

    def update(self, n: int) -> None:
        self.done += n
        share = self.low + (self.high - self.low) * self.done / self.total
        self.report(share, f"生成向量 {self.done}/{self.total}")
