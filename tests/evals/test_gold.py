"""The gold sets are well-formed, grounded and split by the stated rule.

Every evidence string is a verbatim substring of its seed document; every line says its split and its author; the
split of the original items is the rule's; paraphrase groups are dev and have answerable and unanswerable groups.
Reads files only: evals/gold.jsonl, evals/unseen/gold.jsonl and seeds/.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evals import gold as G

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "evals" / "gold.jsonl"
UNSEEN = ROOT / "evals" / "unseen" / "gold.jsonl"
SEEDS = ROOT / "seeds"
KEYS = ["id", "question", "persona", "doc", "clause_path", "evidence", "answer_keywords", "type", "split", "author"]
GROUP_KEYS = [*KEYS[:8], "group", *KEYS[8:]]
TYPES = {"fact", "number", "list", "paraphrase", "cross_script", "multi_doc", "unanswerable"}
PERSONAS = {"teacher", "parent", "staff", "other"}


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


GOLD_ITEMS = _load(GOLD)
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
    assert list(item) == (GROUP_KEYS if "group" in item else KEYS)
    assert item["type"] in TYPES
    assert item["persona"] in PERSONAS
    assert item["split"] in G.SPLITS
    assert isinstance(item["author"], str) and item["author"].strip()
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


# -- the split ------------------------------------------------------------------------------------------------


def test_stored_splits_follow_the_rule():
    assert G.split_mismatches(GOLD_ITEMS) == []
    assert len(G.ruled(GOLD_ITEMS)) == 180  # g001–g180: the items the rule splits


def test_split_is_stratified_by_document_and_type():
    buckets: dict[tuple[str, str], Counter] = {}
    for g in G.ruled(GOLD_ITEMS):
        buckets.setdefault(G.bucket(g), Counter())[g["split"]] += 1
    assert all(abs(c["dev"] - c["test"]) <= 1 for c in buckets.values())
    total = Counter(g["split"] for g in G.ruled(GOLD_ITEMS))
    assert abs(total["dev"] - total["test"]) <= 10


def test_later_items_carry_the_split_they_were_written_for():
    later = [g for g in GOLD_ITEMS if not G.RULED_ID.match(g["id"])]
    grouped = [g for g in later if "group" in g]
    assert grouped and all(g["split"] == "dev" for g in grouped)
    # e001–: everyday wording, written for test; w01–: who-questions, written for dev; v01–: everyday wording,
    # written for dev; r01–: probes in everyday wording, half unanswerable, written for dev; s01–: probes with a
    # setting clause before the ask, half unanswerable, written for dev (evals/GOLD_NOTES.md).
    everyday = [g for g in later if "group" not in g and g["id"].startswith("e")]
    assert len(everyday) >= 20 and all(g["split"] == "test" for g in everyday)
    assert sum(1 for g in everyday if g["type"] == "unanswerable") >= 5
    who = [g for g in later if g["id"].startswith("w")]
    assert len(who) >= 20 and all(g["split"] == "dev" for g in who)
    plain = [g for g in later if g["id"].startswith("v")]
    assert len(plain) >= 30 and all(g["split"] == "dev" for g in plain)
    probes = [g for g in later if g["id"].startswith("r")]
    assert len(probes) >= 23 and all(g["split"] == "dev" for g in probes)
    assert sum(1 for g in probes if g["type"] == "unanswerable") >= 10
    settings = [g for g in later if g["id"].startswith("s")]
    assert len(settings) >= 24 and all(g["split"] == "dev" for g in settings)
    assert sum(1 for g in settings if g["type"] == "unanswerable") >= 12
    assert {g["id"][0] for g in later if "group" not in g} == {"e", "w", "v", "r", "s"}  # a new batch says its split


def test_paraphrase_groups_hold_one_question_each():
    groups = G.groups(GOLD_ITEMS)
    assert len(groups) >= 12
    for gid, members in groups.items():
        assert 3 <= len(members) <= 4, gid
        # One underlying question: the same answer (or the same refusal) for every member.
        assert len({json.dumps([m["doc"], m["evidence"], m["answer_keywords"], m["type"]]) for m in members}) == 1
    kinds = Counter(members[0]["type"] == "unanswerable" for members in groups.values())
    assert kinds[True] >= 3 and kinds[False] >= 3


def test_unseen_set_is_test_only_with_authors():
    items = _load(UNSEEN)
    assert items and all(g["split"] == "test" and g["author"] for g in items)
