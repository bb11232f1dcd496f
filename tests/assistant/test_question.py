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
        ("为何要推行课后服务?何时开始报名?", {"为何", "何时"}, {"课后服务", "报名"}),
        ("孩子几岁可以上幼儿园?", {"几岁"}, {"孩子", "幼儿园"}),
        ("什么样的企业可以申请补助?", {"什么样"}, {"企业", "申请", "补助"}),
    ],
)
def test_a_question_word_is_asked_not_a_term(lexicon, question, asked, about):
    terms = set(analyse(question, lexicon).terms)
    assert not terms & asked
    assert about <= terms


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ("任何学校几乎都要开设课后服务吗?", {"任何", "几乎", "课后服务"}),  # 何 and 几 asking nothing
        ("何立峰在调研时强调了什么?", {"何立峰", "调研"}),  # a surname: a name no document has must stay a term
        ("初中几何课每周上几节?", {"初中", "几何"}),
    ],
)
def test_words_that_only_look_like_question_words_stay_terms(lexicon, question, kept):
    assert kept <= set(analyse(question, lexicon).terms)


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        # 几 after 好/十/这/前 or before 十 counts ("several"), as 数 does; the question asks for no figure.
        ("我带班好几年了,班主任补贴以后会不会往上涨?", None),
        ("教了十几年书能评高级吗?", None),
        ("这几年学校的课后服务有啥变化?", None),
        ("前几天说的补贴是多少钱?", "money"),  # the question word is 多少, not the 几 before it
        ("几十所学校里要新建多少所?", "count"),
        # 几 that asks still asks.
        ("几年能建好?", "year"),
        ("教师每年培训几天?", "duration"),
    ],
)
def test_a_ji_that_counts_asks_for_no_figure(lexicon, question, figure):
    assert analyse(question, lexicon).figure == figure


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("体育课一周上几节?", "节"),
        ("荣昌要新建几所幼儿园?", "所"),
        ("今年招多少名老师?", "名"),
        ("要建多少个学校?", None),  # 个 counts anything
        ("每天保证多少小时体育活动?", None),  # a length of time, not a count
    ],
)
def test_a_count_knows_the_measure_word_it_is_asked_in(lexicon, question, unit):
    assert analyse(question, lexicon).unit == unit


def test_every_measure_word_a_count_is_asked_in_is_one_the_documents_are_read_in():
    # The judge answers 几辆 only from a figure `assistant.numbers` reads in 辆: a word missing there could never be
    # answered.
    from assistant.numbers import quantities
    from assistant.question import COUNT_UNIT

    for word in COUNT_UNIT.strip("()").split("|"):
        assert [(x.kind, x.unit) for x in quantities(f"配备5{word}")] == [("count", word)], word
