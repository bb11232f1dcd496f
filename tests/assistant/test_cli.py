"""The command-line contract: `index build` and `assistant ask` (text, --json, --jsonl batch), and its errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

DOC = """甲市教育局关于教师待遇的通知
一、绩效工资
1.班主任津贴。按照每班每月900元标准增加绩效工资总量,用于班主任绩效考核奖励。
2.课后服务。确保每课时不低于50元的补助。
"""


def run(args, env, stdin=None):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    base = tmp_path_factory.mktemp("cli")
    docs = base / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(DOC, encoding="utf-8")
    env = {**os.environ, "POLICY_EMBEDDER": "hash", "POLICY_DOCS_DIR": str(docs), "POLICY_DATA_DIR": str(base / "data")}
    built = run(["-m", "index", "build", "--quiet"], env)
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("1 added, 0 updated, 0 removed, 0 unchanged")
    return env


def test_rebuild_is_incremental(env):
    again = run(["-m", "index", "build", "--quiet"], env)
    assert again.returncode == 0
    assert again.stdout.startswith("0 added, 0 updated, 0 removed, 1 unchanged, 0 chunks embedded")


def test_ask_prints_answer_and_citations(env):
    out = run(["-m", "assistant", "ask", "班主任每月津贴多少钱?"], env)
    assert out.returncode == 0, out.stderr
    assert "900元" in out.stdout
    assert "[1] 《关于教师待遇的通知》一、 1." in out.stdout


def test_ask_json(env):
    out = run(["-m", "assistant", "ask", "--json", "班主任每月津贴多少钱?"], env)
    data = json.loads(out.stdout)
    assert data["refused"] is False
    assert data["citations"][0]["clause"] == "一、 1."
    assert data["citations"][0]["source"] == "a.txt"


def test_jsonl_batch_contract(env):
    lines = "\n".join(
        [
            json.dumps({"id": "q1", "question": "每课时补助不低于多少钱?"}, ensure_ascii=False),
            json.dumps({"id": "q2", "question": "教师公寓怎么申请?"}, ensure_ascii=False),
            "not json",
            json.dumps({"id": "q3", "question": ""}),
        ]
    )
    out = run(["-m", "assistant", "ask", "--jsonl"], env, stdin=lines + "\n")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["q1", "q2", None, "q3"]
    first = rows[0]
    assert {"id", "answer", "refused", "citations", "latency_ms"} <= set(first)
    assert first["refused"] is False and "50元" in first["answer"]
    assert set(first["citations"][0]) >= {"source", "title", "clause", "text", "score"}
    assert first["citations"][0]["clause"] == "一、 2."
    scores = [c["score"] for c in first["citations"]]
    assert scores == sorted(scores, reverse=True) or len(scores) == 1
    assert rows[1]["refused"] is True and rows[1]["citations"] == []
    assert rows[2]["error"].startswith("line 3:")
    assert "问题为空" in rows[3]["error"]
    assert out.returncode == 1  # some lines were bad


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-m", "assistant", "ask", ""], "error: the question is empty"),
        (["-m", "assistant", "ask", "问" * 20000], "error: the question is too long (20000 characters"),
    ],
)
def test_bad_questions_are_one_line_errors(env, args, message):
    out = run(args, env)
    assert out.returncode == 2
    assert out.stderr.strip().startswith(message)
    assert "Traceback" not in out.stderr


def test_missing_index_is_a_clear_error(tmp_path):
    env = {**os.environ, "POLICY_EMBEDDER": "hash", "POLICY_DATA_DIR": str(tmp_path / "nothing")}
    out = run(["-m", "assistant", "ask", "问题"], env)
    assert out.returncode == 2
    assert out.stderr.strip() == f"error: no index in {tmp_path / 'nothing'}: run `python -m index build` first"


def test_unreadable_file_is_reported_and_the_rest_indexed(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(DOC, encoding="utf-8")
    (docs / "junk.txt").write_bytes(bytes(range(256)) * 4)
    env = {**os.environ, "POLICY_EMBEDDER": "hash"}
    out = run(["-m", "index", "build", "--quiet", "--docs", str(docs), "--data", str(tmp_path / "data")], env)
    assert out.returncode == 0
    assert out.stdout.splitlines()[0].startswith("1 added")
    assert "failed: junk.txt: binary data (NUL bytes), not a text document" in out.stdout
    assert "Traceback" not in out.stderr


def test_inspect_shows_tree_and_clutter(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text("当前位置:首页 > 政策\n" + DOC + "版权所有 甲市教育局\n", encoding="utf-8")
    out = run(["-m", "index", "inspect", str(path)], dict(os.environ))
    assert out.returncode == 0
    assert "[一、 1.] 班主任津贴" in out.stdout
    assert "[breadcrumb] 当前位置:首页 > 政策" in out.stdout
    assert "[copyright] 版权所有 甲市教育局" in out.stdout


# -- errors are one line, and a batch goes on ----------------------------------------------------------------------


def run_bytes(args, env, stdin: bytes):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, input=stdin, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def hostile_batch(env):
    """A batch with a `[`×100,000 line and an undecodable line between good ones, read under PYTHONIOENCODING."""
    good = [json.dumps({"id": f"q{i}", "question": "班主任每月津贴多少钱?"}, ensure_ascii=False) for i in (1, 2)]
    lines = [good[0].encode(), b"[" * 100_000, b'{"id": "x", "question": "\xff\xfe"}', good[1].encode()]
    out = run_bytes(["-m", "assistant", "ask", "--jsonl"], {**env, "PYTHONIOENCODING": "utf-8"}, b"\n".join(lines))
    return out, [json.loads(line) for line in out.stdout.decode().splitlines()]


def test_a_deeply_nested_jsonl_line_is_one_error_row_and_the_batch_goes_on(hostile_batch):
    out, rows = hostile_batch
    assert b"Traceback" not in out.stderr
    assert [r["id"] for r in rows] == ["q1", None, None, "q2"]
    assert rows[1]["error"] == "line 2: not valid JSON: nested too deeply"
    assert rows[0]["refused"] is False and rows[3]["refused"] is False and "900元" in rows[3]["answer"]
    assert out.returncode == 1


def test_invalid_utf8_on_stdin_is_one_error_row_not_a_traceback(hostile_batch):
    out, rows = hostile_batch
    assert b"Traceback" not in out.stderr
    assert rows[2]["error"] == "line 3: not valid UTF-8 (byte 0xff at offset 25)"


class _Flaky:
    """Answers like the assistant, but its store fails on one question."""

    def ask(self, question, sources=None):
        from assistant.models import Answer

        if question == "坏":
            raise RuntimeError("database disk image is malformed")
        return Answer(question, "答。", True)


def test_a_question_whose_answering_fails_is_one_error_row_and_the_batch_goes_on():
    import io

    from assistant.__main__ import _jsonl

    stdin = io.BytesIO("\n".join(json.dumps({"id": i, "question": q}) for i, q in enumerate("好坏好")).encode())
    stdout = io.StringIO()
    assert _jsonl(_Flaky(), stdin, stdout, None) == 1
    rows = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert [r["id"] for r in rows] == [0, 1, 2]
    assert rows[1]["error"] == "line 2: RuntimeError: database disk image is malformed"
    assert "error" not in rows[0] and "error" not in rows[2]


def test_top_k_zero_is_a_one_line_error(env):
    out = run(["-m", "assistant", "ask", "--top-k", "0", "班主任每月津贴多少钱?"], env)
    assert out.returncode == 2
    assert out.stderr == "error: --top-k must be at least 1, not 0\n"


def test_unknown_doc_is_a_one_line_error(env):
    out = run(["-m", "assistant", "ask", "--doc", "nope.txt", "班主任每月津贴多少钱?"], env)
    assert out.returncode == 2
    assert out.stderr == "error: unknown document for --doc: nope.txt (indexed: a.txt)\n"
    assert out.stdout == ""


def test_empty_index_is_a_one_line_error(tmp_path):
    (tmp_path / "docs").mkdir()
    env = {**os.environ, "POLICY_EMBEDDER": "hash", "POLICY_DOCS_DIR": str(tmp_path / "docs")}
    env["POLICY_DATA_DIR"] = str(tmp_path / "data")
    assert run(["-m", "index", "build", "--quiet"], env).returncode == 0
    out = run(["-m", "assistant", "ask", "班主任每月津贴多少钱?"], env)
    assert out.returncode == 2
    assert out.stderr == f"error: the index in {tmp_path / 'data'} is empty: run `python -m index build` first\n"


def test_corrupt_index_is_a_one_line_error(env, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(env["POLICY_DATA_DIR"], data)
    (data / "chroma" / "chroma.sqlite3").write_bytes(b"this is not a database" * 200)
    out = run(["-m", "assistant", "ask", "班主任每月津贴多少钱?"], {**env, "POLICY_DATA_DIR": str(data)})
    assert out.returncode == 2
    assert out.stderr.startswith("error: ") and out.stderr.count("\n") == 1
    assert "Traceback" not in out.stderr
    assert "index" in out.stderr
