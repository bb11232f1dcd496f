"""Whole-word matching: a question's term counts only where the text has it as a word, never as a sub-word."""

from __future__ import annotations

import pytest

from assistant.lexicon import Lexicon
from assistant.matching import PARTS_CREDIT, SYNONYM_CREDIT, TermMatcher


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


def test_segmentations_are_cached(matcher):
    text = "按照每班每月900元标准增加绩效工资总量。"
    assert matcher.segment(text) is matcher.segment(text)
