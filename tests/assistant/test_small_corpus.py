"""The whole chain on a small inline corpus with the deterministic hash embedder: exact clauses cited, refusals."""

from __future__ import annotations

import pytest

from assistant.pipeline import build_assistant

A = """甲市教育局关于课后服务的通知
一、课后服务
1.课后服务经费。按照生均每年80元标准落实课后服务经费,确保每课时不低于50元的补助。
2.服务时间。课后服务结束时间原则上不早于当地正常下班时间。
二、教师待遇
3.班主任津贴。按照每班每月900元标准增加绩效工资总量,用于班主任绩效考核奖励。
甲市教育局
2024年3月1日
"""

B = """乙縣教育局關於幼兒園招生的通知
一、招生對象
年滿3周歲的適齡兒童可報名入園。
二、收費
公辦幼兒園保教費按照物價部門核定標準收取。
"""


@pytest.fixture
def assistant(tiny_index):
    settings, _store, report, embedder = tiny_index({"a.txt": A, "b.txt": B})
    assert report.added == ["a.txt", "b.txt"]
    return build_assistant(settings, embedder=embedder)


def test_answer_cites_the_clause_with_the_figure(assistant):
    answer = assistant.ask("课后服务每课时补助多少钱?")
    assert not answer.refused
    assert answer.citations[0].source == "a.txt"
    assert answer.citations[0].clause == "一、 1."
    assert "50元" in answer.text and "[1]" in answer.text


def test_traditional_question_finds_simplified_clause_and_answers_in_traditional(assistant):
    answer = assistant.ask("班主任每月津貼標準是多少?")
    assert not answer.refused
    assert answer.citations[0].clause == "二、 3."
    assert "900元" in answer.text
    assert "標準" in answer.text  # answered in the script of the question


def test_simplified_question_finds_traditional_clause(assistant):
    answer = assistant.ask("幼儿园招生要求孩子满几周岁?")
    assert not answer.refused
    assert answer.citations[0].source == "b.txt"
    assert answer.citations[0].clause == "一、"
    assert "3周岁" in answer.text


def test_refuses_when_the_amount_is_not_stated(assistant):
    answer = assistant.ask("公办幼儿园保教费每月多少钱?")
    assert answer.refused
    assert answer.citations == []
    assert answer.nearest[0].clause == "二、"
    assert "金额" in answer.text


def test_refuses_a_topic_no_document_mentions(assistant):
    answer = assistant.ask("校车补贴标准是多少?")
    assert answer.refused


def test_refuses_a_region_no_document_covers(assistant):
    answer = assistant.ask("海淀区课后服务每课时补助多少钱?")
    assert answer.refused
    assert answer.reason == "unknown_region"
    assert "海淀区" in answer.text


def test_bad_input_is_a_clear_error(assistant):
    with pytest.raises(ValueError, match="问题为空"):
        assistant.ask("   ")
    with pytest.raises(ValueError, match="问题过长"):
        assistant.ask("问" * 20000)


def test_a_citation_shows_the_whole_of_a_long_clause(tiny_index):
    sentence = "学校应当按照规定开展课后服务工作并做好安全管理。"
    long_clause = "一、课后服务\n" + sentence * 30 + "每课时补助不低于50元。"
    settings, store, _, embedder = tiny_index({"long.txt": "甲区关于课后服务的通知\n" + long_clause + "\n"})
    assert len([c for c in store.chunks() if c.path == "一、"]) > 1  # split at sentence ends
    answer = build_assistant(settings, embedder=embedder).ask("课后服务每课时补助不低于多少钱?")
    assert answer.citations[0].clause == "一、"
    assert answer.citations[0].text == long_clause
