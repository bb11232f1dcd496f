"""The same index on a Chroma server (several app workers share one): build through HttpClient, then query."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DOC = "甲区关于课后服务的通知\n一、经费\n课后服务每课时补助不低于50元。\n二、时间\n课后服务不早于下班时间结束。\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    exe = Path(shutil.which("chroma") or Path(__file__).resolve().parents[2] / ".venv/bin/chroma")
    if not exe.exists():
        pytest.skip("the chroma server command is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail("chroma server did not start")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_build_and_ask_through_a_chroma_server(tmp_path, chroma_server):
    from assistant.pipeline import build_assistant
    from index.builder import IndexBuilder
    from index.chunker import Chunker
    from index.config import Settings
    from index.embedder import HashEmbedder
    from index.store import ClauseStore, make_client

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(DOC, encoding="utf-8")
    settings = Settings(
        docs_dir=docs, data_dir=tmp_path / "data", embedder="hash", chroma_host="127.0.0.1", chroma_port=chroma_server
    )
    embedder = HashEmbedder()
    store = ClauseStore(make_client(settings), settings.collection, embedder.name)
    report = IndexBuilder(store, embedder, Chunker()).run(docs, progress=False)
    assert report.added == ["a.txt"]
    assert not (tmp_path / "data" / "chroma").exists()  # nothing written locally: the server holds the index
    # A second worker: a fresh client and assistant over the same server.
    answer = build_assistant(settings, embedder=HashEmbedder()).ask("课后服务每课时补助多少钱?")
    assert not answer.refused
    assert answer.citations[0].clause == "一、"
    assert "50元" in answer.text
