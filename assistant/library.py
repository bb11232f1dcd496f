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

    def _condenser(self):
        # Every form of every place the documents name (武汉市, 武汉, 湖北), so a follow-up keeps its place.
        rules = Condenser(set(self.assistant.regions.by_form))
        llm = getattr(self.assistant, "llm", None)
        return llm.condenser(rules) if llm is not None else rules  # the LLM condenses; the rules when it fails

    def ask(self, question: str, sources: list[str] | None = None) -> Answer:
        with self.lock.read():
            return self.assistant.ask(question, sources)

    def ask_stream(self, question: str, sources: list[str] | None = None):
        """`Assistant.ask_stream` (text pieces, then the Answer), under the read lock while it is drawn."""
        with self.lock.read():
            yield from self.assistant.ask_stream(question, sources)

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
    undoes the file and the store entry, so the index and the documents folder are left as they were.

    Both hold the index's writer lock (the builder's, index/lock.py) for their whole run, so they never interleave
    with an `index build` in another process; the builder's limits (index/limits.py) bound what an upload may cost.
    """

    def __init__(self, shared: SharedAssistant, builder, docs_dir: Path) -> None:
        self.shared, self.builder, self.docs_dir = shared, builder, Path(docs_dir)
        self._serial = threading.Lock()  # one upload or deletion at a time; asks continue while embedding

    @property
    def max_upload_bytes(self) -> int:
        """The per-file limit (POLICY_MAX_FILE_MB), for a UI that wants to refuse a file before reading it."""
        return self.builder.limits.max_file_bytes

    def upload(self, name: str, data: bytes, progress: Callable[[float, str], None] | None = None) -> LibraryResult:
        from index.limits import LimitExceeded
        from index.lock import IndexBusy

        report = progress or (lambda fraction, desc: None)
        name = Path(str(name or "").replace("\\", "/")).name
        refused = _name_problem(name)
        if refused:
            return LibraryResult(False, refused)
        try:
            self.builder.limits.check_file_size(name, len(data))
        except LimitExceeded as exc:
            return LibraryResult(False, f"文件过大：{exc}")
        if not data or data.isspace():  # isspace, not strip: no copy of a large file
            return LibraryResult(False, f"{name} 是空文件。")
        try:
            with self._serial, self.builder.writing():
                return self._upload(name, data, report)
        except IndexBusy as exc:
            return LibraryResult(False, f"索引正在被另一个进程写入，请稍后再试（{exc}）。")
        except Exception as exc:  # noqa: BLE001 - the store failed while writing; everything was undone
            log.exception("upload %s failed while writing", name)
            return LibraryResult(False, f"写入索引失败，已撤销：{type(exc).__name__}: {exc}")

    def _upload(self, name: str, data: bytes, report: Callable[[float, str], None]) -> LibraryResult:
        from index.builder import document_version
        from index.readers import UnreadableDocument

        records = self.shared.records()
        same = next((r for r in records if r.sha == document_version(data)), None)
        if same is not None:
            return LibraryResult(False, f"重复文件：与已索引的《{same.title}》（{same.source}）内容完全相同。")
        if any(r.source == name for r in records) or (self.docs_dir / name).exists():
            return LibraryResult(False, f"已有同名文件 {name}：请先删除旧文件或改名后再上传。")
        report(0.05, "解析文件")
        try:
            doc, chunks = self.builder.prepare(name, data)
        except UnreadableDocument as exc:
            return LibraryResult(False, f"无法读取该文件：{exc}")
        except Exception as exc:  # noqa: BLE001 - a reader library choking on a malformed file is still a bad upload
            log.warning("upload %s failed to parse", name, exc_info=True)
            return LibraryResult(False, f"无法解析该文件：{type(exc).__name__}: {exc}")
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
                # Each undo step runs even when another fails, and none raises over the original error.
                _quietly(tmp.unlink, missing_ok=True)
                _quietly(target.unlink, missing_ok=True)
                _quietly(self.shared.store.remove_document, doc.source)
                raise
            finally:
                self.shared.reload_locked()

    def delete(self, source: str) -> LibraryResult:
        from index.lock import IndexBusy

        source = Path(str(source or "")).name
        if not source:
            return LibraryResult(False, "请选择要删除的文件。")
        try:
            with self._serial, self.builder.writing():
                if not any(r.source == source for r in self.shared.records()):
                    return LibraryResult(False, f"索引中没有 {source}。")
                with self.shared.lock.write():
                    try:
                        self.shared.store.remove_document(source)
                        (self.docs_dir / source).unlink(missing_ok=True)
                    finally:
                        self.shared.reload_locked()
        except IndexBusy as exc:
            return LibraryResult(False, f"索引正在被另一个进程写入，请稍后再试（{exc}）。")
        except Exception as exc:  # noqa: BLE001 - a store or file error is a message, not a traceback in the UI
            log.exception("delete %s failed", source)
            return LibraryResult(False, f"删除失败：{type(exc).__name__}: {exc}")
        return LibraryResult(True, f"{source} 已从索引和文件夹中移除。", source)


MAX_NAME_BYTES = 255  # what Linux and most file systems allow for one file name


def _name_problem(name: str) -> str:
    """Why a file name cannot be stored in the documents folder, or "" when it can."""
    if not name or name.startswith("."):
        return "文件名无效。"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "文件名无效：含有控制字符（如 NUL）。"
    if len(f".{name}.uploading".encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return f"文件名过长（{len(name)} 个字符）：请改成较短的名字后再上传。"
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        shown = suffix or "（无扩展名）"
        return f"不支持的文件类型 {shown}：只接受 {'、'.join(UPLOAD_SUFFIXES)}。"
    return ""


def _quietly(step: Callable, *args, **kwargs) -> None:
    try:
        step(*args, **kwargs)
    except Exception:  # noqa: BLE001 - clean-up after a failure must not hide that failure
        log.warning("clean-up step %s failed", getattr(step, "__name__", step), exc_info=True)


class _ProgressBar:
    """The `update(n)` interface `IndexBuilder.embed_chunks` expects, reporting to a Gradio progress callback."""

    def __init__(self, report: Callable[[float, str], None], total: int, low: float, high: float) -> None:
        self.report, self.total, self.low, self.high, self.done = report, max(total, 1), low, high, 0

    def update(self, n: int) -> None:
        self.done += n
        share = self.low + (self.high - self.low) * self.done / self.total
        self.report(share, f"生成向量 {self.done}/{self.total}")
