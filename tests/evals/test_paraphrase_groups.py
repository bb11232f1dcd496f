"""Stable under rewording: every paraphrase of one question (a group in evals/gold.jsonl) gets the same decision.

The groups are dev data. A group the assistant still treats unevenly is an expected failure with its reason, and
strict: when a change makes it agree, the test turns red until the mark is removed, so the list stays the truth.
"""

from __future__ import annotations

import json

import pytest

from evals.gold import groups
from evals.sets import SEED_GOLD

ITEMS = [json.loads(line) for line in SEED_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
GROUPS = groups(ITEMS)

# Measured with the seed index on 2026-12-01; each names the member that breaks ranks and why. pg01 agrees since a
# focus that the best clauses' document names no longer refuses.
UNEVEN = {
    "pg02": "「河里」「游泳」 are in no document: the swimming paraphrase is refused, the 溺水 ones answered",
    "pg03": "「才艺」「唱歌」 are in no document; 「几样」 asks a count the 艺术 sentence gives as 1—2项 (no_number)",
    "pg08": "「混日子」 and 「后果」 are in no document; the paraphrase in the documents' words is answered",
    "pg12": "unanswerable; the member without 「产假」 finds the 绩效工资 clause and is answered",
}


def test_every_group_is_either_known_uneven_or_checked():
    assert set(UNEVEN) <= set(GROUPS)
    assert all(len(members) >= 2 for members in GROUPS.values())


@pytest.mark.slow
@pytest.mark.parametrize(
    "group",
    [
        pytest.param(g, marks=pytest.mark.xfail(reason=UNEVEN[g], strict=True)) if g in UNEVEN else g
        for g in sorted(GROUPS)
    ],
)
def test_paraphrases_get_one_decision(seed_assistant, group):
    decisions = {m["id"]: seed_assistant.ask(m["question"]).refused for m in GROUPS[group]}
    assert len(set(decisions.values())) == 1, decisions
