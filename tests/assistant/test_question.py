"""What a question is about: its key terms, read from jieba's whole words."""

from __future__ import annotations

import pytest

from assistant.lexicon import Lexicon
from assistant.question import analyse


@pytest.fixture(scope="module")
def lexicon():
    return Lexicon()


@pytest.mark.parametrize(
    ("question", "asked", "about"),
    [
        ("中小学在哪儿布点,由谁来负责?", {"哪儿", "由谁来"}, {"中小学", "布点", "负责"}),
        ("对领导班子的奖惩有何规定?", {"有何"}, {"领导班子", "奖惩"}),
        ("孩子几岁可以上幼儿园?", {"几岁"}, {"孩子", "幼儿园"}),
        ("什么样的企业可以申请补助?", {"什么样"}, {"企业", "申请", "补助"}),
    ],
)
def test_a_question_word_is_asked_not_a_term(lexicon, question, asked, about):
    terms = set(analyse(question, lexicon).terms)
    assert not terms & asked
    assert about <= terms


def test_words_that_only_look_like_question_words_stay_terms(lexicon):
    # 任何 and 几乎 hold 何 and 几 without asking anything.
    terms = analyse("任何学校几乎都要开设课后服务吗?", lexicon).terms
    assert {"任何", "几乎", "课后服务"} <= set(terms)
