"""Whole-word matching: a question's term counts only where the text has it as a word, never as a sub-word."""

from __future__ import annotations

import pytest

from assistant.lexicon import Lexicon
from assistant.matching import ABBREVIATION_CREDIT, PARTS_CREDIT, SYNONYM_CREDIT, TermMatcher


@pytest.fixture(scope="module")
def matcher():
    return TermMatcher(Lexicon())


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("入学", "坚持党的领导融入学校治理全过程。"),  # 融入|学校: 入学 straddles two words
        ("一", "所有费用一律由学校承担。"),
        ("学费", "小学费用由财政保障。"),  # 小学|费用
    ],
)
def test_a_term_inside_other_words_is_not_covered(matcher, term, text):
    assert matcher.score(term, matcher.segment(text)) == 0.0


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("入学", "适龄儿童免试就近入学。"),
        ("课后服务", "学校开展课后服务。"),
        ("班主任", "用于班主任绩效考核奖励。"),
        ("班主任", "用於班主任績效考核獎勵。"),  # the text's script does not matter
    ],
)
def test_a_whole_word_is_covered(matcher, term, text):
    assert matcher.score(term, matcher.segment(text)) == 1.0


def test_a_synonym_covers_with_less_credit(matcher):
    assert matcher.score("老师", matcher.segment("加强教师队伍建设。")) == SYNONYM_CREDIT


def test_a_compound_is_covered_by_its_halves_with_less_credit(matcher):
    assert matcher.score("校车补贴", matcher.segment("为农村学生提供校车,并给予补贴。")) == PARTS_CREDIT


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("安检", "救助机构应做好求助人员安全检查工作。"),
        ("医保", "按规定参加医疗保险。"),
        ("义教", "巩固义务教育成果。"),
    ],
)
def test_an_abbreviation_is_covered_by_the_words_it_shortens(matcher, term, text):
    assert matcher.score(term, matcher.segment(text)) == ABBREVIATION_CREDIT


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("安检", "加强安全教育和日常检查。"),  # 安全 and 检查 are not adjacent
        ("学费", "小学费用由财政保障。"),  # 学 begins no word
    ],
)
def test_an_abbreviation_needs_adjacent_words_that_begin_with_its_characters(matcher, term, text):
    assert matcher.score(term, matcher.segment(text)) == 0.0


@pytest.mark.parametrize("term", ["一个月", "每个月", "一个班"])
def test_a_spoken_rate_is_covered_by_the_written_one(matcher, term):
    text = "按照非寄宿制学校每班每月900元标准增加绩效工资总量。"
    assert matcher.score(term, matcher.segment(text)) == SYNONYM_CREDIT


def test_a_month_name_is_not_a_rate(matcher):
    assert matcher.score("一月", matcher.segment("按照每月900元标准发放。")) == 0.0


def test_segmentations_are_cached(matcher):
    text = "按照每班每月900元标准增加绩效工资总量。"
    assert matcher.segment(text) is matcher.segment(text)
