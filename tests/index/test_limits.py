"""Size limits: a file over the per-file cap, a .docx zip bomb, too much text and too many chunks are each refused
with a message naming the setting that raises the limit, in bounded memory, while the rest of the folder indexes."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from index.builder import IndexBuilder
from index.chunker import Chunker
from index.config import Settings
from index.embedder import HashEmbedder
from index.limits import MB, LimitExceeded, Limits
from index.readers import UnreadableDocument, read_bytes
from index.store import ClauseStore, make_client

ROOT = Path(__file__).resolve().parents[2]
GOOD = "甲区关于课后服务的通知\n一、服务时间\n课后服务不早于下班时间结束。\n二、经费\n每课时补助50元。\n"
PARAGRAPH = ("<w:p><w:r><w:t>" + "学校应当安排教师培训经费" * 8 + "</w:t></w:r></w:p>").encode()


def zip_bomb(path: Path, megabytes: int) -> Path:
    """A valid .docx whose document.xml inflates to `megabytes` MB of paragraphs (written in steps, never whole)."""
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    step = PARAGRAPH * (MB // len(PARAGRAPH))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                out.writestr(info, src.read(info))
                continue
            head = src.read(info).decode().split("<w:body>")[0]
            with out.open("word/document.xml", "w") as part:
                part.write((head + "<w:body>").encode())
                for _ in range(megabytes):
                    part.write(step)
                part.write(b"</w:body></w:document>")
    return path


def understate(path: Path, member: str, declared: int) -> None:
    """Rewrite the uncompressed size the central directory gives for `member` (what zipfile trusts)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while data[at + 46 : at + 46 + len(name)] != name:
        at = data.find(b"PK\x01\x02", at + 1)
    struct.pack_into("<I", data, at + 24, declared)  # central header: crc @16, sizes @20 and @24, name @46
    path.write_bytes(bytes(data))


def build(tmp_path: Path, files: dict[str, bytes], limits: Limits, embedder=None):
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    for name, data in files.items():
        (docs / name).write_bytes(data)
    settings = Settings(docs_dir=docs, data_dir=tmp_path / "data", embedder="hash")
    embedder = embedder or HashEmbedder()
    store = ClauseStore(make_client(settings), settings.collection, embedder.name)
    report = IndexBuilder(store, embedder, Chunker(), limits=limits).run(docs, progress=False)
    return store, report


def small_limits(**overrides) -> Limits:
    values = dict(max_file_bytes=MB, max_docx_unzipped_bytes=8 * MB, max_text_chars=100_000, max_chunks=100)
    return Limits(**{**values, **overrides})


def test_limits_are_settings_that_the_environment_raises(monkeypatch):
    monkeypatch.setenv("POLICY_MAX_FILE_MB", "50")
    monkeypatch.setenv("POLICY_MAX_CHUNKS_PER_DOC", "7")
    limits = Limits.from_settings(Settings())
    assert (limits.max_file_bytes, limits.max_chunks) == (50 * MB, 7)
    defaults = Limits.from_settings(Settings(max_file_mb=20, max_chunks_per_doc=3000))
    assert (defaults.max_file_bytes, defaults.max_docx_unzipped_bytes) == (20 * MB, 50 * MB)


def test_a_file_over_the_size_limit_is_refused_by_its_size_and_the_rest_indexes(tmp_path, monkeypatch):
    big = ("第一条 学校应当安排教师培训经费。\n" * 40_000).encode()  # 1.9 MB
    read = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or real(self))
    store, report = build(tmp_path, {"big.txt": big, "good.txt": GOOD.encode()}, small_limits())
    assert report.added == ["good.txt"]
    assert report.failed == [
        ("big.txt", "big.txt: the file is 1.9 MB, over the 1.0 MB limit per file "
         "(max_file_mb; raise it with POLICY_MAX_FILE_MB)")
    ]  # fmt: skip
    assert "big.txt" not in read  # refused by its size, never loaded
    assert {c.source for c in store.chunks()} == {"good.txt"}


def test_a_docx_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    bomb = zip_bomb(tmp_path / "bomb.docx", 64).read_bytes()
    assert len(bomb) < MB
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded) as err:
            read_bytes("bomb.docx", bomb, small_limits())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(err.value) == (
        "bomb.docx: the Word file declares 65 MB of content, over the 8.0 MB limit "
        "(max_docx_unzipped_mb; raise it with POLICY_MAX_DOCX_UNZIPPED_MB)"
    )
    assert peak < 4 * MB


def test_a_docx_whose_header_understates_a_part_is_refused_in_bounded_memory(tmp_path):
    path = zip_bomb(tmp_path / "liar.docx", 64)
    understate(path, "word/document.xml", 1000)
    with zipfile.ZipFile(path) as archive:
        assert sum(i.file_size for i in archive.infolist()) < MB  # the headers alone would pass
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableDocument) as err:
            read_bytes("liar.docx", path.read_bytes(), small_limits())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(err.value).startswith("liar.docx: not a readable Word .docx file (BadZipFile")
    assert peak < 4 * MB


def test_a_small_docx_within_the_limit_still_reads(tmp_path):
    path = zip_bomb(tmp_path / "ok.docx", 1)
    read = read_bytes("ok.docx", path.read_bytes(), small_limits(max_text_chars=MB))
    assert read.fmt == "docx" and read.text.startswith("学校应当安排教师培训经费")


def test_text_over_the_character_limit_is_refused(tmp_path):
    store, report = build(tmp_path, {"long.txt": GOOD.encode() * 40, "good.txt": GOOD.encode()},
                          small_limits(max_text_chars=1000))  # fmt: skip
    assert report.added == ["good.txt"]
    assert report.failed == [
        ("long.txt", "long.txt: 1,960 characters of text, over the 1,000 limit per file "
         "(max_text_chars; raise it with POLICY_MAX_TEXT_CHARS)")
    ]  # fmt: skip


def test_a_document_over_the_chunk_limit_is_refused_before_it_is_embedded(tmp_path):
    class Counting(HashEmbedder):
        texts: list[str] = []

        def embed(self, texts, kind):
            self.texts.extend(texts)
            return super().embed(texts, kind)

    many = "乙区关于学校管理的通知\n" + "".join(f"第{i}条 学校应当做好第{i}项工作。\n" for i in range(1, 31))
    embedder = Counting()
    _, report = build(tmp_path, {"many.txt": many.encode(), "good.txt": GOOD.encode()},
                      small_limits(max_chunks=20), embedder)  # fmt: skip
    assert report.added == ["good.txt"] and report.chunks_embedded == 2
    assert report.failed == [
        ("many.txt", "many.txt: 30 chunks, over the 20 limit per document "
         "(max_chunks_per_doc; raise it with POLICY_MAX_CHUNKS_PER_DOC)")
    ]  # fmt: skip
    assert not any("学校管理" in t for t in embedder.texts)


PROBE = """
import json, sys, time
from pathlib import Path
from index.builder import IndexBuilder
from index.chunker import Chunker
from index.config import Settings
from index.embedder import HashEmbedder
from index.store import ClauseStore, make_client


def peak_mb():
    # VmHWM is this process's own high-water mark; ru_maxrss would carry over the forking parent's (exec keeps it).
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024


docs, data = Path(sys.argv[1]), Path(sys.argv[2])
settings = Settings(docs_dir=docs, data_dir=data, embedder="hash")
store = ClauseStore(make_client(settings), settings.collection, HashEmbedder().name)
before = peak_mb()
t0 = time.perf_counter()
report = IndexBuilder.from_settings(settings, store, HashEmbedder()).run(docs, progress=False)
print(json.dumps({"rss_before_build_mb": before, "peak_rss_mb": peak_mb(), "seconds": time.perf_counter() - t0,
                  "added": report.added, "failed": report.failed}))
"""


def probe(docs: Path, data: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_")} | {"OMP_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(docs), str(data)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.splitlines()[-1])


@pytest.mark.slow
def test_bomb_bad_bom_and_50_mb_file_are_refused_in_bounded_memory_with_default_limits(tmp_path):
    """The issue's three files with the default settings, in a fresh process whose peak RSS is measured against a
    build of the good file alone."""
    alone, docs = tmp_path / "alone", tmp_path / "docs"
    for folder in (alone, docs):
        folder.mkdir()
        (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    zip_bomb(docs / "bomb.docx", 1100)
    (docs / "bad_bom.txt").write_bytes(b"\xef\xbb\xbf\xff\xfe\xfa\xfb" + "第一条".encode() * 100)
    with open(docs / "big.txt", "wb") as fh:
        line = "第一条 学校应当安排教师培训经费。\n".encode()
        for _ in range(50 * MB // len(line) + 1):
            fh.write(line)
    baseline = probe(alone, tmp_path / "data-alone")
    result = probe(docs, tmp_path / "data")
    print(f"\nbaseline {baseline}\nwith the three files {result}")
    assert result["added"] == baseline["added"] == ["good.txt"]
    failed = dict(result["failed"])
    assert "POLICY_MAX_DOCX_UNZIPPED_MB" in failed["bomb.docx"]
    assert failed["bad_bom.txt"] == "bad_bom.txt: starts with a UTF-8 byte-order mark but byte 3 is not UTF-8"
    assert "POLICY_MAX_FILE_MB" in failed["big.txt"]
    # The bomb inflates to 1.1 GB and the text file is 50 MB: refusing them may cost no more than a few MB.
    assert result["peak_rss_mb"] - baseline["peak_rss_mb"] < 30
