"""Gold loading per set, the split rule, whitespace-blind evidence, and the runner over sets — all hermetic.

The runner tests use the hash embedder and tiny made-up corpora (nothing from ncpqa-dev: its documents and questions
stay outside the repository), so they check plumbing — skipping, privacy of non-public sets, per-set indexes, the
gate's exit codes — not answer quality.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evals import gold as G
from evals.sets import NCPQA_KEYS, SEED_KEYS

# -- the split rule -------------------------------------------------------------------------------------------


def _items(n: int = 40) -> list[dict]:
    docs = ["a.txt", "b.txt", ["a.txt", "b.txt"], None]
    types = ["fact", "number", "multi_doc", "unanswerable"]
    return [{"id": f"g{i:03d}", "doc": docs[i % 4], "type": types[i % 4] if i % 3 else "fact"} for i in range(1, n)]


def test_split_is_deterministic_and_independent_of_order():
    items = _items()
    first = G.assign_splits(items)
    assert G.assign_splits(list(reversed(items))) == first
    assert set(first.values()) == {"dev", "test"}


def test_split_is_stratified_within_each_document_and_type():
    items = _items(200)
    splits = G.assign_splits(items)
    per_bucket: dict[tuple[str, str], Counter] = {}
    for item in items:
        per_bucket.setdefault(G.bucket(item), Counter())[splits[item["id"]]] += 1
    assert len(per_bucket) >= 6
    assert all(abs(c["dev"] - c["test"]) <= 1 for c in per_bucket.values())
    assert G.bucket({"doc": ["x", "y"], "type": "multi_doc"}) == ("multi", "multi_doc")
    assert G.bucket({"doc": None, "type": "unanswerable"}) == ("none", "unanswerable")


def test_items_added_to_another_bucket_do_not_move_existing_ones():
    items = _items()
    before = G.assign_splits(items)
    after = G.assign_splits(items + [{"id": "g900", "doc": "c.txt", "type": "list"}])
    assert {k: after[k] for k in before} == before


def test_split_mismatches_names_the_wrong_lines():
    items = _items(10)
    rule = G.assign_splits(items)
    stored = [g | {"split": rule[g["id"]]} for g in items]
    assert G.split_mismatches(stored) == []
    flipped = stored[0] | {"split": "test" if stored[0]["split"] == "dev" else "dev"}
    later = {"id": "pg01a", "doc": "a.txt", "type": "fact"}  # not ruled, and without a split
    assert G.split_mismatches([flipped, *stored[1:], later]) == [stored[0]["id"], "pg01a"]


# -- loading --------------------------------------------------------------------------------------------------

NCPQA_LIKE = {
    "id": "d001",
    "question": "开学前学生要做什么准备?",
    "doc": "ncp_x.txt",
    "evidence": "返校前14天\n每日测量体温",
    "answer_keywords": ["每日测量体温"],
    "type": "passage",
    "answer": "…",
    "topic": "general",
}


def _write(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    return path


def test_loader_accepts_lines_without_persona_or_clause_path_for_ncpqa(tmp_path):
    path = _write(tmp_path / "gold.jsonl", [NCPQA_LIKE, NCPQA_LIKE | {"id": "d002", "type": "unanswerable"}])
    assert [g["id"] for g in G.load_gold(path, NCPQA_KEYS)] == ["d001", "d002"]
    with pytest.raises(ValueError, match=r"gold.jsonl:1: missing keys \['persona', 'clause_path'\]"):
        G.load_gold(path, SEED_KEYS)


def test_loader_filters_a_split_and_rejects_lines_without_one(tmp_path):
    seed = {k: None for k in SEED_KEYS} | {"question": "q", "answer_keywords": [], "type": "unanswerable"}
    path = _write(tmp_path / "g.jsonl", [seed | {"id": "a", "split": "dev"}, seed | {"id": "b", "split": "test"}])
    assert [g["id"] for g in G.load_gold(path, SEED_KEYS, "test")] == ["b"]
    assert len(G.load_gold(path, SEED_KEYS)) == 2
    bad = _write(tmp_path / "bad.jsonl", [seed | {"id": "c"}])
    with pytest.raises(ValueError, match="bad.jsonl:1: split must be one of"):
        G.load_gold(bad, SEED_KEYS, "dev")
    with pytest.raises(ValueError, match="no gold items in split 'dev'"):
        G.load_gold(_write(tmp_path / "t.jsonl", [seed | {"id": "d", "split": "test"}]), SEED_KEYS, "dev")


def test_evidence_match_ignores_whitespace_on_both_sides():
    document = "三、返校要求\n学生返校前14天\n每日测量体温, 并如实填报。"
    assert G.evidence_in("返校前14天每日测量体温", document)
    assert G.evidence_in("返校前14天\n每日测量 体温", "返校前14天每日测量体温")
    assert not G.evidence_in("返校前7天每日测量体温", document)
    assert not G.evidence_in("  \n", document)


# -- the runner over sets (hash embedder, made-up corpora) ------------------------------------------------------

DOC = (
    "甲市关于中小学春季开学的通知\n"
    "一、返校安排。各校分年级错峰返校，\n第一周先安排毕业年级返校。\n"
    "二、健康监测。学生返校前14天 每日测量体温。\n"
)


@pytest.fixture
def fake_ncpqa(tmp_path):
    folder = tmp_path / "ncpqa"
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "ncp_0001.txt").write_text(DOC, encoding="utf-8")
    (folder / "docs" / "ncp_0002.txt").write_text("乙县关于农贸市场管理的通知\n一、市场每日消毒两次。\n", "utf-8")
    base = {"doc": "ncp_0001.txt", "type": "fact"}
    items = [
        # The file has a space inside the evidence: matched with whitespace removed on both sides.
        base | {"id": "d001", "question": "学生返校前14天要每日测量体温吗?", "evidence": "学生返校前14天每日测量体温"},
        # Runs across a line break of the file, which the parser reads as two paragraphs: no unit holds it.
        base | {"id": "d002", "question": "毕业年级什么时候返校?", "evidence": "错峰返校，\n第一周先安排毕业年级"},
        {"id": "d003", "question": "丙区出租车停运到几号?", "doc": None, "evidence": None, "type": "unanswerable"},
    ]
    _write(folder / "gold.jsonl", [i | {"answer_keywords": [i["evidence"]] if i["evidence"] else []} for i in items])
    return folder


def _settings(tmp_path):
    from index.config import Settings

    return Settings(embedder="hash", data_dir=tmp_path / "data")


def test_a_missing_ncpqa_folder_is_skipped_with_a_note(tmp_path, capsys):
    from evals import runner

    results = runner.run(("ncpqa-dev",), ("hybrid",), _settings(tmp_path), progress=False, ncpqa_dir=tmp_path / "no")
    assert results["sets"] == {} and list(results["meta"]["skipped"]) == ["ncpqa-dev"]
    assert "note: skipping ncpqa-dev" in capsys.readouterr().err


def test_ncpqa_set_runs_in_its_own_index_and_keeps_no_question_text(tmp_path, fake_ncpqa):
    from evals import report, runner
    from evals.report_text import failure_kind

    names = ("hybrid", "hybrid_baseline")
    results = runner.run(("ncpqa-dev",), names, _settings(tmp_path), progress=False, ncpqa_dir=fake_ncpqa)
    entry = results["sets"]["ncpqa-dev"]
    assert (entry["n"], entry["types"], entry["public"]) == (3, {"fact": 2, "unanswerable": 1}, False)
    assert (entry["corpus"]["files"], entry["corpus"]["index"]["failed"]) == (2, [])
    assert (tmp_path / "data" / "eval_ncpqa" / "chroma").is_dir()
    records = results["records"]["ncpqa-dev"]["hybrid_baseline"]
    assert [r["id"] for r in records] == ["d001", "d002", "d003"]
    assert all("question" not in r and "answer" not in r for r in records)
    assert records[0]["reachable"] is True and records[0]["citation_at3"] is True
    assert records[1]["reachable"] is False and records[1]["citation_at3"] is False
    assert failure_kind(records[1]) == "evidence split across clauses (not citable)"
    assert records[2]["refused"] is False  # the hybrid baseline never refuses
    assert entry["pipelines"]["hybrid_baseline"]["summary"]["evidence_indexed"] == 0.5
    text = json.dumps(results, ensure_ascii=False) + report.render_markdown(results, chart=None)
    assert "测量体温吗" not in text and "丙区出租车" not in text and "错峰返校" not in text


def test_gate_exit_codes_on_seeds_test(tmp_path, monkeypatch, capsys):
    from evals.__main__ import main

    monkeypatch.setenv("POLICY_EMBEDDER", "hash")
    lax = _write(tmp_path / "lax.json", [])  # replaced below: json object, not JSONL
    lax.write_text(json.dumps({"false_refusal_rate": {"max": 1.0}, "n": {"min": 1}}), encoding="utf-8")
    strict = tmp_path / "strict.json"
    strict.write_text(json.dumps({"false_refusal_rate": {"max": -0.01}}), encoding="utf-8")
    common = ["run", "--set", "seeds-test", "--retriever", "hybrid", "--limit", "3", "--quiet", "--gate"]
    common += ["--data", str(tmp_path / "data")]
    assert main([*common, "--out", str(tmp_path / "a"), "--thresholds", str(lax)]) == 0
    assert "gate passed on seeds-test" in capsys.readouterr().out
    assert main([*common, "--out", str(tmp_path / "b"), "--thresholds", str(strict)]) == 1
    assert "GATE FAILED: hybrid on seeds-test: false_refusal_rate" in capsys.readouterr().err
    # The gate needs the project pipeline on seeds-test in the run.
    assert main(["run", "--set", "seeds-dev", "--retriever", "hybrid", "--gate", "--data", str(tmp_path)]) == 2
