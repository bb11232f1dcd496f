"""Evaluation metrics on tiny hand-made fixtures, each with its exact expected value; no model, no index."""

from __future__ import annotations

import pytest

from evals import metrics as m

ITEM = {
    "id": "t1",
    "type": "number",
    "persona": "staff",
    "doc": "003.txt",
    "clause_path": "三、(一) 1.",
    "evidence": "到2025年,學前三年毛入園率達到95%",
    "answer_keywords": ["95%", "毛入园率"],
}
MULTI = {
    "id": "t2",
    "type": "multi_doc",
    "persona": "teacher",
    "doc": ["001.txt", "004.txt"],
    "clause_path": ["三、 10.", "二、 6."],
    "evidence": ["实行“一票否决”制", "实行师德失范“一票否决”"],
    "answer_keywords": ["一票否决"],
}
UNANSWERABLE = {
    "id": "t3",
    "type": "unanswerable",
    "persona": "parent",
    "doc": None,
    "clause_path": None,
    "evidence": None,
    "answer_keywords": [],
}


# -- normalisation -------------------------------------------------------------------------------------------


def test_normalise_folds_script_width_and_whitespace():
    assert m.normalise("學前 三年\n毛入園率　９５％") == "学前三年毛入园率95%"
    assert m.normalise(None) == ""
    assert m.half_width("（一）ＡＢ，１") == "(一)AB,1"


def test_evidence_pairs_single_and_multi():
    assert m.evidence_pairs(ITEM) == [("003.txt", ITEM["evidence"])]
    assert m.evidence_pairs(MULTI) == [("001.txt", "实行“一票否决”制"), ("004.txt", "实行师德失范“一票否决”")]
    assert m.evidence_pairs(UNANSWERABLE) == []


# -- relevance and retrieval ---------------------------------------------------------------------------------


def test_relevance_needs_the_right_document_and_the_evidence_across_scripts():
    clause = "(一)到2025年, 学前三年毛入园率达到95%以上。"
    assert m.is_relevant("003.txt", clause, ITEM)
    assert not m.is_relevant("004.txt", clause, ITEM)  # same words, wrong document
    assert not m.is_relevant("003.txt", "学前三年毛入园率达到94%", ITEM)


def test_multi_doc_evidence_counts_only_in_its_own_document():
    assert m.is_relevant("004.txt", "在职称评审中实行师德失范“一票否决”。", MULTI)
    assert m.is_relevant("001.txt", "对违反师德师风的实行“一票否决”制。", MULTI)
    # 004's evidence found in 001 does not count: each evidence belongs to its paired document.
    assert not m.is_relevant("001.txt", "实行师德失范“一票否决”", MULTI)


def test_rank_hit_and_reciprocal_rank():
    retrieved = [("004.txt", "无关"), ("003.txt", "其他条款"), ("003.txt", "到2025年，学前三年毛入园率达到95%")]
    rank = m.first_relevant_rank(retrieved, ITEM)
    assert rank == 3
    assert (m.hit_at(rank, 1), m.hit_at(rank, 3), m.hit_at(rank, 5)) == (0.0, 1.0, 1.0)
    assert m.reciprocal_rank(rank) == pytest.approx(1 / 3)
    assert m.first_relevant_rank(retrieved[:2], ITEM) is None
    assert m.hit_at(None, 5) == 0.0 and m.reciprocal_rank(None) == 0.0


# -- citations, keywords, figures ----------------------------------------------------------------------------


def test_citation_accuracy_uses_the_first_citation_and_hit3_the_first_three():
    good = ("003.txt", "到2025年,学前三年毛入园率达到95%。")
    bad = ("003.txt", "义务教育巩固率达到99%。")
    assert m.citation_correct([good, bad], ITEM, 1)
    assert not m.citation_correct([bad, good], ITEM, 1)
    assert m.citation_correct([bad, bad, good], ITEM, 3)
    assert not m.citation_correct([bad, bad, bad, good], ITEM, 3)
    assert not m.citation_correct([], ITEM, 1)


def test_cited_doc_recall():
    assert m.cited_doc_recall(["001.txt", "003.txt"], MULTI) == 0.5
    assert m.cited_doc_recall(["004.txt", "001.txt"], MULTI) == 1.0
    assert m.cited_doc_recall([], ITEM) == 0.0


def test_keyword_recall_normalises_script_and_width():
    assert m.keyword_recall("到2025年，學前三年毛入園率達到９５％。[1]", ITEM["answer_keywords"]) == 1.0
    assert m.keyword_recall("毛入园率会提高", ITEM["answer_keywords"]) == 0.5
    assert m.keyword_recall("anything", []) is None


def test_figures_drop_markers_and_join_thousands():
    assert m.figures("到2025年达到95.5%[1]，经费1,000万元[12]，１２所") == ["2025", "95.5", "1000", "12"]


def test_unsupported_figures_are_whole_numbers_absent_from_every_cited_clause():
    cited = ["到2025年,毛入园率达到95%", "新建学校12所"]
    assert m.unsupported_figures("到2025年达到95%[1]，新建12所[2]。", cited) == []
    # "5" is not excused by the "5" inside "2025" or "95".
    assert m.unsupported_figures("到2025年达到96%，另有5所[1]，再加5所。", cited) == ["96", "5"]
    assert m.unsupported_figures("没有数字", []) == []


def test_percentile_interpolates_like_numpy():
    values = [10.0, 20.0, 30.0, 40.0]
    assert m.percentile(values, 50) == 25.0
    assert m.percentile(values, 95) == pytest.approx(38.5)
    assert m.percentile([7.0], 95) == 7.0
    assert m.percentile([], 50) is None
    with pytest.raises(ValueError):
        m.percentile(values, 101)


# -- refusal -------------------------------------------------------------------------------------------------


def test_refusal_scores():
    # (should refuse, refused): TP, TP, FN, FP, TN, TN
    outcomes = [(True, True), (True, True), (True, False), (False, True), (False, False), (False, False)]
    s = m.refusal_scores(outcomes)
    assert s["refusal_precision"] == pytest.approx(2 / 3)
    assert s["refusal_recall"] == pytest.approx(2 / 3)
    assert s["refusal_accuracy"] == pytest.approx(4 / 6)
    assert s["false_refusal_rate"] == pytest.approx(1 / 3)


def test_refusal_scores_of_a_pipeline_that_never_refuses():
    s = m.refusal_scores([(True, False), (False, False), (False, False)])
    assert s["refusal_precision"] is None  # nothing refused: undefined, not 0 or 1
    assert s["refusal_recall"] == 0.0
    assert s["refusal_accuracy"] == pytest.approx(2 / 3)
    assert s["false_refusal_rate"] == 0.0


# -- per-item records and aggregation ------------------------------------------------------------------------


def _records():
    right = ("003.txt", "(一)到2025年,学前三年毛入园率达到95%。")
    wrong = ("003.txt", "义务教育巩固率达到99%。")
    return [
        # answered, right clause first, retrieved at rank 1, all keywords.
        m.score_item(ITEM, [right], "到2025年毛入园率达到95%。[1]", False, [right], 10.0),
        # answered with a wrong first citation and an unsupported figure; evidence retrieved at rank 2.
        m.score_item(ITEM | {"id": "t1b"}, [wrong, right], "巩固率达到98%。[1]", False, [wrong, right], 20.0),
        # multi_doc refused: scores 0 on citations and keywords, stays out of the figure rate.
        m.score_item(MULTI, [], "文件中没有找到……一票否决", True, [], 30.0),
        # unanswerable, correctly refused; then one wrongly answered.
        m.score_item(UNANSWERABLE, [], "无法作答", True, [], 40.0),
        m.score_item(UNANSWERABLE | {"id": "t4"}, [], "是500元[1]", False, [("002.txt", "500元")], 50.0),
    ]


def test_score_item_records():
    recs = _records()
    assert recs[0] | {} == {
        "id": "t1",
        "type": "number",
        "persona": "staff",
        "answerable": True,
        "refused": False,
        "latency_ms": 10.0,
        "rank": 1,
        "citation_at1": True,
        "citation_at3": True,
        "cited_doc_recall": 1.0,
        "keyword_recall": 1.0,
        "unsupported": [],
    }
    assert (recs[1]["rank"], recs[1]["citation_at1"], recs[1]["citation_at3"]) == (2, False, True)
    assert recs[1]["unsupported"] == ["98"] and recs[1]["keyword_recall"] == 0.0
    assert recs[2]["keyword_recall"] == 0.0 and recs[2]["rank"] is None
    assert "rank" not in recs[3]  # unanswerable items carry only what refusal metrics need


def test_summarise_exact_values():
    s = m.summarise(_records())
    assert (s["n"], s["n_answerable"], s["n_unanswerable"]) == (5, 3, 2)
    assert s["hit@1"] == pytest.approx(1 / 3)
    assert s["hit@3"] == pytest.approx(2 / 3)
    assert s["mrr"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert s["citation_accuracy"] == pytest.approx(1 / 3)
    assert s["citation_hit@3"] == pytest.approx(2 / 3)
    assert s["cited_doc_recall"] == pytest.approx(2 / 3)
    assert s["keyword_recall"] == pytest.approx(1 / 3)
    assert s["refusal_precision"] == 0.5  # refused: t2 (answerable) and t3 (unanswerable)
    assert s["refusal_recall"] == 0.5
    assert s["refusal_accuracy"] == pytest.approx(3 / 5)
    assert s["false_refusal_rate"] == pytest.approx(1 / 3)
    assert s["unsupported_figure_rate"] == 0.5  # of the two answered answerable items
    assert s["latency_p50_ms"] == 30.0
    assert s["latency_p95_ms"] == pytest.approx(48.0)


def test_breakdown_groups_in_the_given_order():
    by_type = m.breakdown(_records(), "type", m.TYPES)
    assert list(by_type) == ["number", "multi_doc", "unanswerable"]
    assert by_type["number"]["citation_accuracy"] == 0.5
    assert by_type["multi_doc"]["false_refusal_rate"] == 1.0
    assert by_type["unanswerable"]["hit@1"] is None
    assert by_type["unanswerable"]["refusal_recall"] == 0.5
    by_persona = m.breakdown(_records(), "persona", m.PERSONAS)
    assert list(by_persona) == ["teacher", "parent", "staff"]
    assert by_persona["staff"]["n"] == 2


def test_gate_failures_with_minimums_and_maximums():
    summary = {"citation_accuracy": 0.8, "refusal_accuracy": 0.5, "keyword_recall": None, "false_refusal_rate": 0.1}
    # A bare number is a minimum (the old format); the bound itself passes.
    assert m.gate_failures(summary, {"citation_accuracy": 0.8, "refusal_accuracy": 0.6}) == [
        ("refusal_accuracy", 0.5, "min", 0.6)
    ]
    assert m.gate_failures(summary, {"false_refusal_rate": {"max": 0.1}}) == []
    assert m.gate_failures(summary, {"false_refusal_rate": {"max": 0.08}}) == [("false_refusal_rate", 0.1, "max", 0.08)]
    assert m.gate_failures(summary, {"citation_accuracy": {"min": 0.5, "max": 0.7}}) == [
        ("citation_accuracy", 0.8, "max", 0.7)
    ]
    assert m.gate_failures(summary, {"keyword_recall": {"max": 1.0}}) == [("keyword_recall", None, "max", 1.0)]
    assert m.gate_failures(summary, {}) == []


@pytest.mark.parametrize("bad", [[0.9], {"x": "0.9"}, {"x": {"at_least": 0.9}}, {"x": {}}, {"x": True}])
def test_malformed_thresholds_are_refused(bad):
    with pytest.raises(ValueError):
        m.parse_thresholds(bad)


def test_threshold_comments_are_ignored():
    assert m.parse_thresholds({"_comment": "why", "hit@3": 0.9}) == {"hit@3": {"min": 0.9}}


# -- paraphrase groups ---------------------------------------------------------------------------------------


def _member(group, answerable, refused, cited=True):
    rec = {"group": group, "answerable": answerable, "refused": refused}
    return rec | ({"citation_at3": cited and not refused} if answerable else {})


def test_group_agreement_counts_groups_whose_members_all_decide_alike():
    records = [
        _member("a", True, False),
        _member("a", True, False),  # agree, all right
        _member("b", True, False),
        _member("b", True, True),
        _member("b", True, False),  # split decision
        _member("c", False, True),
        _member("c", False, True),  # agree, all right (refused unanswerable)
        _member("d", True, False),
        _member("d", True, False, cited=False),  # agree, one cites wrongly
        _member("e", True, False),  # a group of one is no test of agreement
        {"group": None, "answerable": True, "refused": True},  # not in a group
    ]
    g = m.group_agreement(records)
    assert g["groups"] == 4
    assert g["agreement"] == 0.75
    assert g["answer_agreement"] == 0.5
    assert g["by_group"]["b"] == {"n": 3, "refused": 1, "agree": False, "all_right": False}
    assert g["by_group"]["d"]["agree"] and not g["by_group"]["d"]["all_right"]
    assert m.group_agreement([{"group": None, "answerable": True, "refused": False}])["agreement"] is None
