"""Figures are read as numbers (value, unit, kind) and an answer's figures are checked whole against its sources."""

import pytest

from assistant.numbers import Quantity, quantities, supported, unsupported


def read(text: str) -> list[tuple[str, str, str]]:
    """(kind, number, unit) of each figure: compact to assert on."""
    return [(q.kind, q.number, q.unit) for q in quantities(text)]


def test_whole_numbers_not_substrings():
    assert [q.text for q in unsupported("每生补助5元", "自2025年起每生补助15元")] == ["5元"]
    assert unsupported("每生补助15元", "自2025年起每生补助15元") == []
    # A year is a year, not 2025 of something else.
    assert [q.text for q in unsupported("共有2025人", "2025年")] == ["2025人"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("三百元", [("money", "300", "元")]),
        ("两万", [("number", "20000", "")]),
        ("一千二百", [("number", "1200", "")]),
        ("一百零五", [("number", "105", "")]),
        ("两万五", [("number", "25000", "")]),
        ("十二个月", [("duration", "12", "个月")]),
        ("3万元", [("money", "30000", "元")]),
        ("1.5万", [("number", "15000", "")]),
        ("兩萬元", [("money", "20000", "元")]),
        ("３００元", [("money", "300", "元")]),
        ("1,200元", [("money", "1200", "元")]),
        ("1，200元", [("money", "1200", "元")]),
        ("3.5", [("number", "3.5", "")]),
    ],
)
def test_chinese_mixed_and_arabic_numerals(text, expected):
    assert read(text) == expected


def test_chinese_numerals_are_supported_by_arabic_ones_and_back():
    assert unsupported("每月另发300元", "每月发放三百元") == []
    assert unsupported("每月另发三百元", "每月发放300元") == []
    assert unsupported("共12个月", "期限十二个月") == []
    assert [q.number for q in unsupported("共13个月", "期限十二个月")] == ["13"]


def test_baifenzhi_and_qianfenzhi():
    assert read("百分之五") == [("percent", "5", "%")]
    assert read("百分之十五点五") == [("percent", "15.5", "%")]
    assert read("千分之五") == [("percent", "0.5", "%")]
    assert unsupported("比例为5%", "比例不低于百分之五") == []
    assert unsupported("比例为0.5%", "千分之五") == []


def test_percent_signs_and_percentage_points():
    assert read("5%和5％") == [("percent", "5", "%"), ("percent", "5", "%")]
    assert unsupported("达到95.5%", "达到95.5％以上") == []
    # 5 percentage points is not 5 percent, and 96% is not 95%.
    assert [q.text for q in unsupported("提高5%", "提高5个百分点")] == ["5%"]
    assert [q.number for q in unsupported("达到96%", "达到95%")] == ["96"]


def test_dates():
    full = ("date", "2025年9月1日", "")
    assert read("2025年9月1日") == [full]
    assert read("2025-09-01") == [full]
    assert read("二〇二五年九月一日") == [full]
    assert read("9月1日") == [("date", "9月1日", "")]
    assert read("2025年") == read("2025") == [("year", "2025", "年")]
    assert unsupported("2025年9月1日起施行", "自2025年9月1日起施行") == []
    assert unsupported("2025年起", "自2025年9月1日起施行") == []  # the year the clause names
    assert len(unsupported("2025年9月2日起", "自2025年9月1日起施行")) == 1
    assert len(unsupported("2025年9月1日起", "自2025年9月起施行")) == 1  # the clause names no day


def test_ranges():
    assert read("3-5年") == read("3至5年") == read("3年至5年") == read("三至五年") == [("range", "3-5", "年")]
    assert read("3～5") == [("range", "3-5", "")]
    assert read("百分之五到百分之十") == [("range", "5-10", "%")]
    assert read("3-5万元") == [("range", "30000-50000", "元")]
    assert read("三百至五百元") == [("range", "300-500", "元")]
    assert read("2025-2027年") == [("year", "2025", "年"), ("year", "2027", "年")]
    assert unsupported("学制3-5年", "学制3至5年") == []
    assert unsupported("比例5%至10%", "百分之五到百分之十") == []
    assert [q.number for q in unsupported("学制3-6年", "学制3至5年")] == ["3-6"]
    assert unsupported("学制3年", "学制3至5年") == []  # an end of the range


def test_money_units():
    assert unsupported("经费3万元", "经费30000元") == []
    assert unsupported("经费30000元", "经费三万元") == []
    assert read("1亿元") == [("money", "100000000", "元")]
    assert [q.text for q in unsupported("补助5元", "补助5万元")] == ["5元"]
    assert [q.text for q in unsupported("补助5所", "补助5元")] == ["5所"]  # both have a unit, and they differ


@pytest.mark.parametrize(
    "text",
    [
        "一些学校统一实行一体化管理，一律免费",
        "一是加强领导，二是完善机制",
        "第一，十分重要，万一出现问题要进一步处理",
        "第三条 （一）按照规定执行",
        "一、总体要求",
        "1.加强领导 (2)完善制度",
        "十四五时期",
        "贯彻党的二十大精神",
        "发放一次性补助",
        "同一所学校",
        "数十所学校",
        "推广5G网络",
    ],
)
def test_words_and_ordinals_are_not_figures(text):
    assert quantities(text) == []


def test_numerals_in_words_do_not_hide_the_figures_next_to_them():
    assert read("统一三年行动计划") == [("duration", "3", "年")]
    assert read("十分钟") == [("duration", "10", "分钟")]
    assert read("1至3年级") == [("range", "1-3", "年级")]


def test_citation_markers_are_not_figures():
    assert read("达到95%[1]，新建12所[12]") == [("percent", "95", "%"), ("count", "12", "所")]


def test_supported_needs_a_figure_of_the_same_value_and_unit():
    claim = Quantity(300.0, "元", "money", "300元")
    assert supported(claim, quantities("三百元"))
    assert not supported(claim, quantities("三百人"))
    assert not supported(claim, [])


def test_a_line_break_after_citation_markers_does_not_join_a_list_number_to_the_text():
    # A multi-part answer: "…另见[2][3]" ends one part, "2. …" starts the next; 2 is a list number, not a figure.
    assert unsupported("另见[2][3]\n2. 玉泉区示范校比例是多少", ["建设4所智慧学校示范校"]) == []
