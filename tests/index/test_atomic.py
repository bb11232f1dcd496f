"""Atomic replacement: a build killed at any store write leaves every document answerable (old or new version,
never a mix, never none), readers see only the chunks of each record's revision, and the next build completes and
leaves no orphans."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from index.builder import IndexBuilder, parse_file
from index.chunker import Chunker
from index.config import Settings
from index.embedder import HashEmbedder
from index.store import ClauseStore, make_client

A1 = "甲区关于课后服务的通知\n一、服务时间\n课后服务不早于下班时间结束。\n二、经费\n每课时补助50元。\n"
A2 = "甲区关于课后服务的通知\n一、服务时间\n课后服务不早于下班时间结束。\n二、经费\n每课时补助60元。\n三、监督\n家长可以投诉。\n"
B = "乙区关于招生的通知\n一、对象\n年满6周岁的儿童入学。\n"
C = "丙区关于校车的通知\n一、安全\n校车应当配备照管人员。\n"
D = "丁区关于午餐的通知\n一、标准\n午餐补助每生每天5元。\n"
WRITES = ("add", "upsert", "delete", "update")
ROOT = Path(__file__).resolve().parents[2]


class Killed(BaseException):
    """Stands for kill -9: not an Exception, so no per-file handler catches it."""


class Dying:
    """A Chroma collection that dies on the store's `at`-th write (counting writes to both collections)."""

    def __init__(self, inner, counter: list[int], at: int) -> None:
        self._inner, self._counter, self._at = inner, counter, at

    def __getattr__(self, name):
        attr = getattr(self._inner, name)
        if name not in WRITES:
            return attr

        def write(*args, **kwargs):
            self._counter[0] += 1
            if self._counter[0] == self._at:
                raise Killed(f"write {self._at}")
            return attr(*args, **kwargs)

        return write


def open_store(settings: Settings) -> ClauseStore:
    return ClauseStore(make_client(settings), settings.collection, HashEmbedder().name)


def dying_store(settings: Settings, at: int) -> tuple[ClauseStore, list[int]]:
    store, counter = open_store(settings), [0]
    store._chunks = Dying(store._chunks, counter, at)
    store._docs = Dying(store._docs, counter, at)
    return store, counter


def build(store: ClauseStore, docs: Path):
    return IndexBuilder(store, HashEmbedder(), Chunker()).run(docs, progress=False)


def visible(store: ClauseStore) -> dict[str, set[str]]:
    """What a reader sees: each document's chunk texts."""
    out: dict[str, set[str]] = {}
    for c in store.chunks():
        out.setdefault(c.source, set()).add(c.text)
    return out


def texts_of(content: str, tmp_path: Path, name: str) -> set[str]:
    """The chunk texts a build makes of `content`."""
    path = tmp_path / "alone" / f"{name}.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return {c.text for c in Chunker()(parse_file(path))}


def start(tmp_path: Path) -> tuple[Settings, Path]:
    """An index of a, b and c; then a changes, c is deleted and d is added (what the killed build would do)."""
    docs = tmp_path / "docs"
    docs.mkdir(parents=True)
    for name, text in (("a.txt", A1), ("b.txt", B), ("c.txt", C)):
        (docs / name).write_text(text, encoding="utf-8")
    settings = Settings(docs_dir=docs, data_dir=tmp_path / "data", embedder="hash")
    assert build(open_store(settings), docs).added == ["a.txt", "b.txt", "c.txt"]
    (docs / "a.txt").write_text(A2, encoding="utf-8")
    (docs / "c.txt").unlink()
    (docs / "d.txt").write_text(D, encoding="utf-8")
    return settings, docs


def writes_of_one_build(tmp_path: Path) -> int:
    settings, docs = start(tmp_path / "count")
    store, counter = dying_store(settings, at=0)
    build(store, docs)
    return counter[0]


def test_the_killed_build_fixture_counts_the_writes_of_an_incremental_build(tmp_path):
    # remove c (record, chunks), replace a (add, record, old chunks), add d (add, record; no old chunks to delete)
    assert writes_of_one_build(tmp_path) == 7


@pytest.mark.parametrize("at", range(1, 8))
def test_a_build_killed_at_any_store_write_leaves_every_document_answerable(tmp_path, at):
    expected = {
        name: texts_of(text, tmp_path, name) for name, text in (("a1", A1), ("a2", A2), ("b", B), ("c", C), ("d", D))
    }
    settings, docs = start(tmp_path)
    store, _ = dying_store(settings, at)
    with pytest.raises(Killed):
        build(store, docs)

    reader = open_store(settings)
    seen = visible(reader)
    records = {r.source: r for r in reader.records()}
    # a: the old version or the new one, whole; b untouched; c and d whole or absent; nothing without a record.
    assert seen["a.txt"] in (expected["a1"], expected["a2"])
    assert seen["b.txt"] == expected["b"]
    assert seen.get("c.txt", expected["c"]) == expected["c"]
    assert seen.get("d.txt", expected["d"]) == expected["d"]
    assert set(seen) == set(records)
    assert all(len(seen[s]) == r.chunks for s, r in records.items())
    # The dense arm answers from the same chunks: no id of a half-written revision comes back.
    ids = {c.id for c in reader.chunks()}
    hits = reader.query(HashEmbedder().embed(["课后服务补助"], "query")[0], k=20)
    assert hits and {i for i, _ in hits} <= ids

    report = build(open_store(settings), docs)
    assert report.failed == []
    after = open_store(settings)
    assert visible(after) == {"a.txt": expected["a2"], "b.txt": expected["b"], "d.txt": expected["d"]}
    assert after._chunks.count() == sum(r.chunks for r in after.records())  # no orphans left
    assert build(open_store(settings), docs).unchanged == ["a.txt", "b.txt", "d.txt"]


def test_a_rerun_after_a_kill_reuses_the_vectors_the_killed_build_stored(tmp_path):
    settings, docs = start(tmp_path)
    store, _ = dying_store(settings, at=4)  # after a's new chunks were added, before its record switched
    with pytest.raises(Killed):
        build(store, docs)
    report = build(open_store(settings), docs)
    assert report.updated == ["a.txt"] and report.added == ["d.txt"]
    assert (report.chunks_reused, report.chunks_embedded) == (3, 1)  # a's new chunks were embedded before the kill


def test_orphans_of_a_version_that_never_became_current_are_removed_by_the_next_build(tmp_path):
    settings, docs = start(tmp_path)
    store, _ = dying_store(settings, at=4)  # a's new chunks stored, its record not switched
    with pytest.raises(Killed):
        build(store, docs)
    (docs / "a.txt").write_text(A1, encoding="utf-8")  # the change is undone: a is unchanged for the next build
    report = build(open_store(settings), docs)
    assert report.unchanged == ["a.txt", "b.txt"] and report.orphans_removed == 3
    after = open_store(settings)
    assert after._chunks.count() == sum(r.chunks for r in after.records())


def test_readers_ignore_chunks_of_a_revision_no_record_points_to(tmp_path):
    settings, docs = start(tmp_path)
    store = open_store(settings)
    before = visible(store)
    # A new version's chunks written, the record not yet switched: the state a kill leaves.
    doc = parse_file(docs / "a.txt")
    chunks = Chunker()(doc)
    vectors = HashEmbedder().embed([c.embed_text() for c in chunks], "passage")
    store._docs, real = _NoUpsert(store._docs), store._docs
    with pytest.raises(Killed):
        IndexBuilder(store, HashEmbedder(), Chunker()).write(doc, chunks, vectors)
    store._docs = real
    assert visible(store) == before
    assert store.count() == sum(len(t) for t in before.values())
    assert store.sweep() == len(chunks)


class _NoUpsert:
    def __init__(self, inner) -> None:
        self._inner = inner

    def __getattr__(self, name):
        if name == "upsert":
            raise Killed("before the record switch")
        return getattr(self._inner, name)


def test_an_index_written_before_revisions_is_read_and_upgraded(tmp_path):
    """Chunks and records without a revision (the earlier layout) are answerable and replaced cleanly."""
    settings = Settings(docs_dir=tmp_path / "docs", data_dir=tmp_path / "data", embedder="hash")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text(A1, encoding="utf-8")
    store = open_store(settings)
    doc = parse_file(tmp_path / "docs" / "a.txt")
    chunks = Chunker()(doc)
    vectors = HashEmbedder().embed([c.embed_text() for c in chunks], "passage")
    store._chunks.add(
        ids=[c.id for c in chunks], documents=[c.text for c in chunks], metadatas=[c.metadata() for c in chunks],
        embeddings=[list(map(float, v)) for v in vectors],
    )  # fmt: skip
    store._docs.upsert(
        ids=["a.txt"], embeddings=[[1.0]], metadatas=[{"title": doc.title, "chunks": len(chunks), "sha": doc.sha256}]
    )
    assert sorted(c.id for c in store.chunks()) == ["a.txt#一、#0", "a.txt#二、#0"]
    (tmp_path / "docs" / "a.txt").write_text(A2, encoding="utf-8")
    report = build(store, tmp_path / "docs")
    assert report.updated == ["a.txt"] and report.chunks_reused == 1
    assert sorted(c.id for c in store.chunks()) == ["a.txt#一、#0", "a.txt#三、#0", "a.txt#二、#0"]
    assert store._chunks.count() == 3


CHILD = """
import json, sys, time
from pathlib import Path
from index.builder import IndexBuilder
from index.chunker import Chunker
from index.config import Settings
from index.embedder import HashEmbedder
from index.store import ClauseStore, make_client

mode, docs, data = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
settings = Settings(docs_dir=docs, data_dir=data, embedder="hash")
store = ClauseStore(make_client(settings), settings.collection, HashEmbedder().name)


def state():
    seen = {}
    for c in store.chunks():
        seen.setdefault(c.source, []).append(c.text)
    ids = {c.id for c in store.chunks()}
    hits = store.query(HashEmbedder().embed(["课后服务补助"], "query")[0], k=20)
    return {"seen": {s: sorted(t) for s, t in seen.items()}, "records": {r.source: r.chunks for r in store.records()},
            "stored": store._chunks.count(), "hits_live": bool(hits) and {i for i, _ in hits} <= ids}


class Pausing:
    def __init__(self, inner, counter, at):
        self._inner, self._counter, self._at = inner, counter, at

    def __getattr__(self, name):
        attr = getattr(self._inner, name)
        if name not in ("add", "upsert", "delete", "update"):
            return attr

        def write(*args, **kwargs):
            out = attr(*args, **kwargs)
            self._counter[0] += 1
            if self._counter[0] == self._at:
                print("wrote", self._at, flush=True)
                time.sleep(120)  # the parent kills us here, with the write done
            return out

        return write


if mode == "die":
    counter = [0]
    store._chunks = Pausing(store._chunks, counter, int(sys.argv[4]))
    store._docs = Pausing(store._docs, counter, int(sys.argv[4]))
before = state() if mode == "recover" else None
report = IndexBuilder(store, HashEmbedder(), Chunker()).run(docs, progress=False)
print(json.dumps({"before": before, "failed": report.failed, "after": state()}, ensure_ascii=False))
"""


def child(*args: str, **popen) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_")} | {"OMP_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, **popen
    )


@pytest.mark.slow
def test_a_build_process_killed_after_any_store_write_leaves_every_document_answerable(tmp_path):
    """The in-process fault injection again, with a real `kill -9` of a build process after a store write."""
    expected = {n: sorted(texts_of(t, tmp_path, n)) for n, t in (("a1", A1), ("a2", A2), ("b", B), ("c", C), ("d", D))}
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in (("a.txt", A1), ("b.txt", B), ("c.txt", C)):
        (docs / name).write_text(text, encoding="utf-8")
    first = child("build", str(docs), str(tmp_path / "base"))
    assert json.loads(first.communicate(timeout=120)[0])["failed"] == []
    (docs / "a.txt").write_text(A2, encoding="utf-8")
    (docs / "c.txt").unlink()
    (docs / "d.txt").write_text(D, encoding="utf-8")
    # After c's record went (2), a's new chunks were stored (3), a's record switched (4), d's chunks were stored (6).
    for at in (2, 3, 4, 6):
        data = tmp_path / f"killed-at-{at}"
        shutil.copytree(tmp_path / "base", data)
        dying = child("die", str(docs), str(data), str(at))
        try:
            assert dying.stdout.readline().split() == ["wrote", str(at)]
        finally:
            os.kill(dying.pid, signal.SIGKILL)
            dying.wait(30)
            dying.stdout.close()
        out = json.loads(child("recover", str(docs), str(data)).communicate(timeout=120)[0])
        seen, records = out["before"]["seen"], out["before"]["records"]
        assert seen["a.txt"] in (expected["a1"], expected["a2"]), at
        assert seen["b.txt"] == expected["b"], at
        assert seen.get("c.txt", expected["c"]) == expected["c"], at
        assert seen.get("d.txt", expected["d"]) == expected["d"], at
        assert {s: len(t) for s, t in seen.items()} == records and out["before"]["hits_live"], at
        assert out["failed"] == []
        assert out["after"]["seen"] == {"a.txt": expected["a2"], "b.txt": expected["b"], "d.txt": expected["d"]}
        assert out["after"]["stored"] == sum(out["after"]["records"].values())
