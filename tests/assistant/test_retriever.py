"""Hybrid retrieval: the document a question is about lifts its clauses over a clause that shares only a detail."""

from __future__ import annotations

import pytest

from assistant.pipeline import build_assistant
from assistant.retriever import HybridRetriever

# Both notices have a 办理时间 clause; only the first is about 污水处理费, and says so in another clause.
SEWAGE = """关于有关事项的通知
一、对受疫情影响的中小微企业停征污水处理费,企业向水务部门申请。
二、办理时间:自即日起至疫情结束后一个月。
"""
LIBRARY = """关于有关事项的通知
一、图书馆恢复开放,读者须预约入馆。
二、办理时间:办理时间为每周一至周五上午,具体办理时间另行通知。
"""
QUESTION = "停征污水处理费的办理时间是什么时候?"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from tests.conftest import make_index

    settings, _store, report, embedder = make_index(
        tmp_path_factory.mktemp("retriever"), {"sewage.txt": SEWAGE, "library.txt": LIBRARY}
    )
    assert report.failed == []
    return settings, embedder


def _hybrid(assistant, document_weight: float) -> HybridRetriever:
    r = assistant.retriever
    return HybridRetriever(r.dense, r.bm25, r.candidates, r.rrf_k, r.fusion, r.weight, document_weight)


def test_the_document_about_the_question_scores_higher_as_a_whole(built):
    settings, embedder = built
    assistant = build_assistant(settings, embedder=embedder)
    scores = assistant.retriever.bm25.document_scores(QUESTION)
    assert scores["sewage.txt"] > scores.get("library.txt", 0.0)


def _detail_order(assistant, document_weight: float) -> list[str]:
    hits = _hybrid(assistant, document_weight).retrieve(QUESTION, 4)
    return [h.chunk.source for h in hits if "办理时间" in h.chunk.text]


def test_a_detail_clause_of_the_right_document_ranks_first(built):
    settings, embedder = built
    assistant = build_assistant(settings, embedder=embedder)
    # The library's clause says 办理时间 three times and wins on its own words; the document as a whole decides.
    assert _detail_order(assistant, 0.0) == ["library.txt", "sewage.txt"]
    assert _detail_order(assistant, settings.document_weight) == ["sewage.txt", "library.txt"]


def test_scores_stay_within_zero_and_one(built):
    settings, embedder = built
    assistant = build_assistant(settings, embedder=embedder)
    hits = _hybrid(assistant, 5.0).retrieve(QUESTION, 4)
    assert hits and all(0.0 <= h.score <= 1.0 for h in hits)


def test_a_negative_document_weight_is_refused(built):
    settings, embedder = built
    assistant = build_assistant(settings, embedder=embedder)
    with pytest.raises(ValueError, match="document_weight"):
        _hybrid(assistant, -0.1)


def test_a_question_reads_no_document_records_the_snapshot_already_holds(built, monkeypatch):
    # At 50k clauses every question re-reading every record would cost more than the query itself.
    settings, embedder = built
    assistant = build_assistant(settings, embedder=embedder)
    store = assistant.index.store

    def no_reads():
        raise AssertionError("the records were read again for a question")

    monkeypatch.setattr(store, "_live", no_reads)
    hits = assistant.retriever.dense.retrieve(QUESTION, 2)
    assert [h.chunk.source for h in hits] and all(h.chunk.source in assistant.index.revisions for h in hits)
