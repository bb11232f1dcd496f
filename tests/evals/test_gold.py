"""The gold set is well-formed and grounded: every evidence string is a verbatim substring of its seed document.

Reads files only: evals/gold.jsonl and seeds/.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "evals" / "gold.jsonl"
SEEDS = ROOT / "seeds"
KEYS = ["id", "question", "persona", "doc", "clause_path", "evidence", "answer_keywords", "type"]
TYPES = {"fact", "number", "list", "paraphrase", "cross_script", "multi_doc", "unanswerable"}
PERSONAS = {"teacher", "parent", "staff", "other"}


def _load() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


GOLD_ITEMS = _load()
SEED_TEXT = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.iterdir() if p.is_file()}


def _lists(item: dict) -> tuple[list, list, list]:
    def as_list(v):
        return v if isinstance(v, list) else [v]

    return as_list(item["doc"]), as_list(item["clause_path"]), as_list(item["evidence"])


def test_size_and_unanswerable_share():
    assert len(GOLD_ITEMS) >= 100
    assert sum(1 for g in GOLD_ITEMS if g["type"] == "unanswerable") >= 15


def test_ids_and_questions_unique():
    ids = Counter(g["id"] for g in GOLD_ITEMS)
    assert [i for i, n in ids.items() if n > 1] == []
    questions = Counter(g["question"] for g in GOLD_ITEMS)
    assert [q for q, n in questions.items() if n > 1] == []


@pytest.mark.parametrize("item", GOLD_ITEMS, ids=lambda g: g.get("id", "?"))
def test_item_shape(item):
    assert list(item) == KEYS
    assert item["type"] in TYPES
    assert item["persona"] in PERSONAS
    assert isinstance(item["question"], str) and item["question"].strip()
    assert isinstance(item["answer_keywords"], list)
    if item["type"] == "unanswerable":
        assert (item["doc"], item["clause_path"], item["evidence"], item["answer_keywords"]) == (None, None, None, [])
        return
    assert item["answer_keywords"] and all(isinstance(k, str) and k for k in item["answer_keywords"])
    if item["type"] == "multi_doc":
        docs, paths, evidence = item["doc"], item["clause_path"], item["evidence"]
        assert isinstance(docs, list) and isinstance(paths, list) and isinstance(evidence, list)
        assert len(docs) == len(paths) == len(evidence) >= 2
        assert len(set(docs)) == len(docs)
    else:
        assert all(isinstance(item[k], str) and item[k] for k in ("doc", "clause_path", "evidence"))


@pytest.mark.parametrize("item", [g for g in GOLD_ITEMS if g["type"] != "unanswerable"], ids=lambda g: g["id"])
def test_evidence_is_verbatim_in_its_seed(item):
    docs, _, evidence = _lists(item)
    for doc, ev in zip(docs, evidence, strict=True):
        assert doc in SEED_TEXT, f"{item['id']}: no seed document {doc}"
        assert ev in SEED_TEXT[doc], f"{item['id']}: evidence not found verbatim in {doc}: {ev!r}"


def test_every_seed_document_is_covered():
    covered = {d for g in GOLD_ITEMS if g["doc"] for d in _lists(g)[0]}
    assert sorted(set(SEED_TEXT) - covered) == []
