"""One writer at a time: builds, uploads and deletions share a lock file in the data folder; a second writer waits,
then gives up with a message naming the holder and the setting; two builds started together embed each file once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from index.builder import IndexBuilder
from index.config import Settings
from index.embedder import HashEmbedder
from index.lock import LOCK_NAME, IndexBusy, WriterLock
from index.store import ClauseStore, make_client

ROOT = Path(__file__).resolve().parents[2]
DOCS = {
    "a.txt": "甲区关于课后服务的通知\n一、服务时间\n课后服务不早于下班时间结束。\n二、经费\n每课时补助50元。\n",
    "b.txt": "乙区关于招生的通知\n一、对象\n年满6周岁的儿童入学。\n",
    "c.txt": "丙区关于校车的通知\n一、安全\n校车应当配备照管人员。\n",
}


def folder(tmp_path: Path) -> Settings:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    return Settings(docs_dir=docs, data_dir=tmp_path / "data", embedder="hash", writer_lock_timeout=60)


def test_a_second_writer_waits_until_the_first_is_done(tmp_path):
    lock = WriterLock(tmp_path, timeout=30)
    events: list[str] = []
    holding = threading.Event()
    release = threading.Event()

    def first():
        with lock.hold():
            events.append("first in")
            holding.set()
            release.wait(10)
            events.append("first out")

    t = threading.Thread(target=first)
    t.start()
    holding.wait(10)
    threading.Timer(0.3, release.set).start()
    with lock.hold():
        events.append("second in")
    t.join()
    assert events == ["first in", "first out", "second in"]


def test_a_second_writer_gives_up_after_the_timeout_naming_the_holder_and_the_setting(tmp_path):
    holder = WriterLock(tmp_path, timeout=0)
    with holder.hold(), pytest.raises(IndexBusy) as err, WriterLock(tmp_path, timeout=0.2).hold():
        pass
    assert str(err.value) == (
        f"the index in {tmp_path} is being written by process {os.getpid()} (an `index build`, or an upload or "
        f"deletion in the app); gave up after 0.2s (writer_lock_timeout; raise it with POLICY_WRITER_LOCK_TIMEOUT)"
    )
    with WriterLock(tmp_path, timeout=0).hold():  # released: free again at once
        assert (tmp_path / LOCK_NAME).read_text() == f"{os.getpid()}\n"


def test_the_lock_of_a_killed_writer_is_free(tmp_path):
    code = (
        "import sys, time; from index.lock import WriterLock\n"
        "with WriterLock(sys.argv[1], 0).hold():\n    print('held', flush=True); time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        with pytest.raises(IndexBusy), WriterLock(tmp_path, timeout=0).hold():
            pass
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        with WriterLock(tmp_path, timeout=10).hold():
            pass
    finally:
        child.kill()
        child.wait(10)
        child.stdout.close()


class SharedCount(HashEmbedder):
    """One embedder's call log shared by both builders."""

    def __init__(self, log: list[str], lock: threading.Lock) -> None:
        super().__init__()
        self.log, self.guard = log, lock

    def embed(self, texts, kind):
        with self.guard:
            self.log.extend(texts)
        return super().embed(texts, kind)


def test_two_builds_started_together_embed_each_file_once_and_leave_one_index(tmp_path):
    settings = folder(tmp_path)
    embedded: list[str] = []
    guard = threading.Lock()
    barrier = threading.Barrier(2)
    reports = []

    def builder() -> IndexBuilder:
        # Opened one after the other: Chroma's client start-up is not thread-safe (the builds are what race).
        embedder = SharedCount(embedded, guard)
        store = ClauseStore(make_client(settings), settings.collection, embedder.name)
        return IndexBuilder.from_settings(settings, store, embedder)

    def one_build(builder: IndexBuilder):
        barrier.wait(10)
        reports.append(builder.run(settings.docs_dir, progress=False))

    threads = [threading.Thread(target=one_build, args=(builder(),)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted((r.added, r.unchanged) for r in reports) == [
        ([], ["a.txt", "b.txt", "c.txt"]),
        (["a.txt", "b.txt", "c.txt"], []),
    ]
    assert len(embedded) == len(set(embedded)) == 4
    store = ClauseStore(make_client(settings), settings.collection, HashEmbedder().name)
    assert store._chunks.count() == sum(r.chunks for r in store.records()) == 4


def run_build(tmp_path: Path, **env) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_")} | {
        "POLICY_EMBEDDER": "hash",
        "POLICY_DOCS_DIR": str(tmp_path / "docs"),
        "POLICY_DATA_DIR": str(tmp_path / "data"),
        "OMP_NUM_THREADS": "1",
        **env,
    }
    cmd = [sys.executable, "-m", "index", "build", "--quiet"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_index_build_exits_3_with_one_line_when_another_writer_holds_the_lock(tmp_path):
    folder(tmp_path)
    with WriterLock(tmp_path / "data", timeout=0).hold():
        child = run_build(tmp_path, POLICY_WRITER_LOCK_TIMEOUT="0.5")
        out, err = child.communicate(timeout=120)
    assert child.returncode == 3
    assert out == ""
    assert err.strip() == (
        f"error: the index in {tmp_path / 'data'} is being written by process {os.getpid()} (an `index build`, or "
        f"an upload or deletion in the app); gave up after 0.5s (writer_lock_timeout; raise it with "
        f"POLICY_WRITER_LOCK_TIMEOUT)"
    )


@pytest.mark.slow
def test_two_build_processes_started_together_leave_one_consistent_index(tmp_path):
    settings = folder(tmp_path)
    children = [run_build(tmp_path), run_build(tmp_path)]
    outs = [c.communicate(timeout=300) for c in children]
    assert [c.returncode for c in children] == [0, 0], outs
    firsts = sorted(out.splitlines()[0].split(" chunks embedded")[0] for out, _ in outs)
    assert firsts == ["0 added, 0 updated, 0 removed, 3 unchanged, 0", "3 added, 0 updated, 0 removed, 0 unchanged, 4"]
    store = ClauseStore(make_client(settings), settings.collection, HashEmbedder().name)
    assert store._chunks.count() == sum(r.chunks for r in store.records()) == 4
