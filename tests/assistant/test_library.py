"""Staff uploads and deletions: a bad name, an oversized file or a zip bomb is refused with a message before anything
is written; a failed write is undone without its clean-up raising; uploads share the index's writer lock."""

from __future__ import annotations

import tracemalloc

import pytest

from assistant.library import Library, SharedAssistant
from assistant.pipeline import build_assistant
from index.builder import IndexBuilder
from index.limits import MB
from index.lock import WriterLock
from tests.index.test_limits import zip_bomb

A = "甲市教育局关于课后服务的通知\n一、课后服务\n1.课后服务经费。按照生均每年80元标准落实课后服务经费。\n"
NEW = "乙市教育局关于研学旅行的通知\n一、次数\n研学旅行每学年不少于2次。\n"


@pytest.fixture
def make_library(tiny_index):
    def make(**settings_changes):
        settings, _, _, embedder = tiny_index({"a.txt": A})
        settings = settings.model_copy(update=settings_changes)
        assistant = build_assistant(settings, embedder=embedder)
        builder = IndexBuilder.from_settings(settings, assistant.index.store, embedder)
        return Library(SharedAssistant(assistant), builder, settings.docs_dir), settings

    return make


def files(settings) -> list[str]:
    return sorted(p.name for p in settings.docs_dir.iterdir())


def test_an_upload_is_indexed_answerable_and_then_deleted(make_library):
    library, settings = make_library()
    result = library.upload("trips.txt", NEW.encode())
    assert (result.ok, result.source, result.chunks) == (True, "trips.txt", 1)
    assert files(settings) == ["a.txt", "trips.txt"]
    assert library.shared.ask("研学旅行每学年几次?").citations[0].source == "trips.txt"
    deleted = library.delete("trips.txt")
    assert deleted.ok and files(settings) == ["a.txt"]
    assert [r.source for r in library.shared.records()] == ["a.txt"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("a\x00b.txt", "文件名无效：含有控制字符（如 NUL）。"),
        ("长" * 296 + ".txt", "文件名过长（300 个字符）：请改成较短的名字后再上传。"),
        (".hidden.txt", "文件名无效。"),
        ("table.xlsx", "不支持的文件类型 .xlsx：只接受 .txt、.md、.docx、.pdf、.html、.htm。"),
    ],
)
def test_an_upload_with_a_name_the_folder_cannot_hold_is_refused_before_anything_is_written(
    make_library, name, message
):
    library, settings = make_library()
    result = library.upload(name, NEW.encode())
    assert (result.ok, result.message) == (False, message)
    assert files(settings) == ["a.txt"]


def test_a_failed_write_is_undone_and_its_clean_up_never_raises(make_library, monkeypatch):
    library, settings = make_library()

    def write(*args):
        raise RuntimeError("disk full")

    def remove(source):
        raise OSError("store gone too")

    monkeypatch.setattr(library.builder, "write", write)
    monkeypatch.setattr(library.shared.store, "remove_document", remove)
    result = library.upload("trips.txt", NEW.encode())
    assert (result.ok, result.message) == (False, "写入索引失败，已撤销：RuntimeError: disk full")
    assert files(settings) == ["a.txt"]


def test_an_upload_over_the_file_size_limit_names_the_setting(make_library):
    library, settings = make_library(max_file_mb=0.001)
    result = library.upload("trips.txt", NEW.encode() * 20)
    assert not result.ok
    assert result.message.startswith("文件过大：trips.txt: the file is")
    assert result.message.endswith("(max_file_mb; raise it with POLICY_MAX_FILE_MB)")
    assert library.max_upload_bytes == 1048


def test_a_zip_bomb_upload_is_refused_in_bounded_memory(make_library, tmp_path):
    library, settings = make_library(max_docx_unzipped_mb=8)
    bomb = zip_bomb(tmp_path / "bomb.docx", 64).read_bytes()
    tracemalloc.start()
    try:
        result = library.upload("bomb.docx", bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not result.ok
    assert result.message == (
        "无法读取该文件：bomb.docx: the Word file declares 65 MB of content, over the 8.0 MB limit "
        "(max_docx_unzipped_mb; raise it with POLICY_MAX_DOCX_UNZIPPED_MB)"
    )
    assert peak < 8 * MB
    assert files(settings) == ["a.txt"]


def test_uploads_and_deletions_wait_for_the_index_writer_lock_then_say_it_is_busy(make_library):
    library, settings = make_library(writer_lock_timeout=0.2)
    assert library.builder.lock.path == settings.data_dir / "index.lock"  # the lock `index build` takes
    with WriterLock(settings.data_dir, timeout=0).hold():
        uploaded = library.upload("trips.txt", NEW.encode())
        deleted = library.delete("a.txt")
    assert not uploaded.ok and uploaded.message.startswith("索引正在被另一个进程写入，请稍后再试（the index in ")
    assert not deleted.ok and "POLICY_WRITER_LOCK_TIMEOUT" in deleted.message
    assert files(settings) == ["a.txt"]
    assert library.upload("trips.txt", NEW.encode()).ok  # free again
