"""Report rendering on a synthetic two-set results document: tables, targets, groups, privacy, files."""

from __future__ import annotations

import json

from evals import metrics as m
from evals import report

SEED_ITEM = {"id": "t1", "type": "number", "persona": "staff", "doc": "003.txt", "evidence": "毛入园率达到95%"}
SEED_ITEM |= {"answer_keywords": ["95%"], "clause_path": "三、(一) 1."}
UNANSWERABLE = {"id": "t2", "type": "unanswerable", "persona": "parent", "doc": None, "evidence": None}
UNANSWERABLE |= {"answer_keywords": [], "clause_path": None}


def _records(public: bool) -> list[dict]:
    right = ("003.txt", "学前三年毛入园率达到95%。")
    recs = [
        m.score_item(SEED_ITEM, [right], "毛入园率达到95%[1]", False, [right], 10.0),
        m.score_item(SEED_ITEM | {"id": "t3"}, [], "", True, [], 12.0),  # a false refusal
        m.score_item(UNANSWERABLE, [], "无法作答", True, [], 20.0),
    ]
    for r, group in zip(recs, ("pg01", "pg01", None), strict=True):
        expected = [{"doc": "003.txt", "clause": "三、(一) 1."}] if r["answerable"] else []
        r.update(group=group, expected=expected, citations=[], nearest=[], reason="", error="")
        if public:
            r["question"] = f"问题{r['id']}"
    return recs


def _entry(label: str, public: bool, records: list[dict]) -> dict:
    corpus = {"docs_dir": "seeds", "files": 1, "chars": 10, "chunks": 3, "index": {"failed": []}}
    summary = m.summarise(records) | {"errors": 0}
    pipe = {"summary": summary, "by_type": m.breakdown(records, "type", m.TYPES)}
    pipe |= {"groups": m.group_agreement(records), "timing": {"build_s": 1.0, "eval_s": 2.0}}
    return {"label": label, "gold": "g.jsonl", "split": "test", "public": public, "n": len(records)} | {
        "types": {"number": 2, "unanswerable": 1},
        "corpus": corpus,
        "pipelines": {"hybrid": pipe},
    }


def _results() -> dict:
    seeds, ncpqa = _records(True), _records(False)
    return {
        "meta": {
            "date": "2026-11-30T00:00:00",
            "commit": "abc1234",
            "command": "python -m evals run",
            "embedder": "hash",
            "pipelines": ["hybrid"],
            "labels": {"hybrid": "project (hybrid)"},
            "skipped": {},
        },
        "sets": {"seeds-test": _entry("seeds test", True, seeds), "ncpqa-dev": _entry("ncpqa-dev", False, ncpqa)},
        "records": {"seeds-test": {"hybrid": seeds}, "ncpqa-dev": {"hybrid": ncpqa}},
    }


def test_headline_table_has_one_row_per_set_and_pipeline():
    rows = report.headline_table(_results())
    assert rows[0].startswith("| set | pipeline | answerable / unanswerable | cite@3 |")
    assert rows[2] == (
        "| seeds test | **project (hybrid)** | 2 / 1 | 0.500 | 0.500 | 50.0% | 100.0% | 0.500 | 0.500 | 0.000 |"
    )
    assert rows[3].startswith("| ncpqa-dev | **project (hybrid)** | 2 / 1 |")
    assert len(rows) == 4


def test_targets_are_judged_per_set():
    verdicts = report.target_verdicts("seeds-test", {"false_refusal_rate": 0.5, "refusal_recall": 1.0})
    assert [(v[0], v[4]) for v in verdicts] == [
        ("false_refusal_rate", False),
        ("refusal_recall", True),
        ("citation_hit@3", None),  # nothing to measure it on
    ]
    ncpqa = report.target_verdicts("ncpqa-dev", {"citation_hit@3": 0.86})
    assert [(v[0], v[2], v[4]) for v in ncpqa][-1] == ("citation_hit@3", 0.85, True)


def test_report_lists_failures_with_text_only_for_public_sets(tmp_path):
    paths = report.write_outputs(_results(), tmp_path)
    text = paths["report"].read_text(encoding="utf-8")
    assert "project (hybrid) failures on seeds test: 1 of 3 questions." in text
    assert "| t3 | number | 问题t3 | 003.txt 三、(一) 1. |" in text  # public: the question is shown
    assert "| t3 | number | 003.txt 三、(一) 1. |" in text  # ncpqa: the same failure by id only
    assert "Paraphrase groups: 1 groups, agreement (same decision for every member) 0.000" in text
    assert "| false_refusal_rate ≤ 8.0% | 50.0% | **no** |" in text
    assert paths["chart"].read_bytes()[:4] == b"\x89PNG"
    assert json.loads(paths["results"].read_text(encoding="utf-8")) == _results()


def test_stdout_table_and_group_line():
    text = report.stdout_table(_results())
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["set", "pipeline", "cite@3"]
    assert lines[1].startswith("seeds test") and "50.0%" in lines[1]
    assert lines[-1] == "ncpqa-dev: paraphrase-group agreement 0.000 over 1 groups (project)"
