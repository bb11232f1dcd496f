"""The two rule tables, one case per row: numbering styles (`index.numbering.MARKERS`) and clutter line rules
(`index.clutter.LINE_RULES`), plus the look-alikes that must not match."""

from __future__ import annotations

import pytest

from index.clutter import FACT_RULES, LINE_RULES, classify
from index.numbering import MARKERS, STYLES, cn_to_int, find_inline_markers, match_line_marker, normalize_width

# ---------------------------------------------------------------------------------------------------------------
# MARKERS
# ---------------------------------------------------------------------------------------------------------------

# Per style: line-start examples as (line, number, canonical label, where the clause text starts).
LINE_CASES = {
    "annex": [
        ("附件", 0, "附件", ""),
        ("附件2", 2, "附件2", ""),
        ("附件３：", 3, "附件3", "："),
        ("附件1：建设项目表", 1, "附件1", "：建设项目表"),
    ],
    "bian": [("第一编　总则", 1, "第一编", "总则"), ("第2编 学校", 2, "第二编", "学校")],
    "zhang": [
        ("第一章　总则", 1, "第一章", "总则"),
        ("第十二章附则", 12, "第十二章", "附则"),
        ("第3章 考核", 3, "第三章", "考核"),
    ],
    "jie": [("第二节　教师", 2, "第二节", "教师"), ("第１节 学生", 1, "第一节", "学生")],
    "cn": [("一、总体要求", 1, "一、", "总体要求"), ("十一．组织保障", 11, "十一、", "组织保障")],
    "tiao": [
        ("第五条　学校应当…", 5, "第五条", "学校应当…"),
        ("第二十一条本办法自发布之日起施行。", 21, "第二十一条", "本办法自发布之日起施行。"),
        ("第5条 学校应当…", 5, "第五条", "学校应当…"),
        ("第１０条　学校应当…", 10, "第十条", "学校应当…"),
    ],
    "paren_cn": [
        ("（三）担任班主任的教师；", 3, "(三)", "担任班主任的教师；"),
        ("(十一)提升治理水平", 11, "(十一)", "提升治理水平"),
    ],
    "num": [
        ("1.严格执行课程计划。", 1, "1.", "严格执行课程计划。"),
        ("１２．加强领导", 12, "12.", "加强领导"),
        ("3、落实责任", 3, "3.", "落实责任"),
    ],
    "paren_num": [
        ("(1)周一至周五开展；", 1, "(1)", "周一至周五开展；"),
        ("（２）初中学校", 2, "(2)", "初中学校"),
        ("1）小学每生每学期", 1, "(1)", "小学每生每学期"),
        ("3)初中", 3, "(3)", "初中"),
    ],
    "circled": [("①家庭经济困难学生；", 1, "①", "家庭经济困难学生；"), ("⑫烈士子女", 12, "⑫", "烈士子女")],
    "box": [
        ("专栏8:教育信息化建设工程", 8, "专栏8", "教育信息化建设工程"),
        ("专栏３　重点工程", 3, "专栏3", "重点工程"),
    ],
}

# Per style with an inline pattern: running text, and the (label, number) the inline search must find in it.
INLINE_CASES = {
    "cn": ("全面落实各项任务。二、加强保障", ("二、", 2)),
    "tiao": ("制定本办法。第二条本办法适用于全市。", ("第二条", 2)),
    "paren_cn": ("履行下列职责：（一）建立制度；（二）开展教育。", ("(一)", 1)),
    "num": ("强化保障1.加强领导", ("1.", 1)),
    "paren_num": ("收费标准如下：(1)小学400元；", ("(1)", 1)),
    "circled": ("免交对象：①残疾学生；", ("①", 1)),
}


def test_every_marker_row_has_a_case():
    assert sorted(LINE_CASES) == sorted(STYLES)
    assert sorted(INLINE_CASES) == sorted(m.name for m in MARKERS if m.inline is not None)


@pytest.mark.parametrize("style", MARKERS, ids=lambda m: m.name)
def test_marker_row_at_line_start(style):
    for line, number, label, rest in LINE_CASES[style.name]:
        marker = match_line_marker(line)
        assert marker is not None, line
        assert (marker.style, marker.number, marker.label) == (style.name, number, label), line
        assert line[marker.end :] == rest, line


@pytest.mark.parametrize("style", [m for m in MARKERS if m.inline is not None], ids=lambda m: m.name)
def test_marker_row_inside_running_text(style):
    text, (label, number) = INLINE_CASES[style.name]
    found = [(m.label, m.number) for m in find_inline_markers(text) if m.style == style.name]
    assert found[0] == (label, number)


@pytest.mark.parametrize(
    ("full", "half"),
    [
        ("（一）", "(一)"),
        ("（１）", "(1)"),
        ("１．", "1."),
        ("第５条", "第5条"),
        ("第１２章", "第十二章"),
        ("１）", "1)"),
    ],
)
def test_full_and_half_width_forms_are_the_same_number(full, half):
    a, b = match_line_marker(full + "学校"), match_line_marker(half + "学校")
    assert (a.style, a.number, a.label) == (b.style, b.number, b.label)
    assert normalize_width("（１２）．") == "(12)."


@pytest.mark.parametrize(
    "text", ["2.5%的学校", "57个总校", "2023年全面完成", "一一对应", "一一、落实", "十四五、规划", "附件下载：名单"]
)
def test_look_alikes_are_not_line_markers(text):
    assert match_line_marker(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "教师比例提高2.5%以上，全市57个总校。",
        "到2023年全面完成。",
        "逐项一一对应。一一、落实到人。",
        "按1:2比例配备。",
    ],
)
def test_look_alikes_are_not_inline_markers(text):
    assert find_inline_markers(text) == []


def test_chinese_numerals_are_strict():
    assert [cn_to_int(t) for t in ("一", "十", "十二", "二十", "一百零五", "两", "12")] == [1, 10, 12, 20, 105, 2, 12]
    for bad in ("一一", "十四五", "二〇二三", "第"):
        with pytest.raises(ValueError):
            cn_to_int(bad)


# ---------------------------------------------------------------------------------------------------------------
# LINE_RULES
# ---------------------------------------------------------------------------------------------------------------

# One example per row, in table order.
CLUTTER_CASES = [
    ("breadcrumb", "当前位置：首页 > 政务公开 > 通知公告"),
    ("breadcrumb", "首页 > 教育局 > 通知公告"),
    ("pager", "上一页 1 2 3 下一页"),
    ("pager", "[1] [2] [3] [4]"),
    ("font-size", "字号：大 中 小"),
    ("font-size", "大 中 小"),
    ("share", "分享到：微信 微博"),
    ("site-link", "查看原文"),
    ("copyright", "版权所有：临江市青山区人民政府"),
    ("copyright", "本文来源于网络，如有侵权请联系删除"),
    ("image-credit", "张三 摄"),
    ("source-line", "来源：临江日报"),
    ("print-line", "青山区教育局办公室　　2023年12月6日印发"),
    ("dated-source", "二〇二三年十二月五日"),
    ("dated-source", "2023/8/9 19:06:20 点击:"),
    ("upload-header", "上传人：张三 上传时间：2023-01-01"),
    ("page-marker", "关于印发教育现代化实施方案的通知_第2页"),
    ("page-marker", "第1页 / 共9页"),
    ("page-marker", "- 3 -"),
    ("shared-by", "由会员分享，可在线阅读，更多相关文档请在文库网上搜索"),
    ("blank-page", "（此页无正文）"),
    ("publish-info", "发文单位:荣昌区教育委员会 发布地区:重庆市 发布日期:2023-03-22"),
    ("publish-info", "时间：2024-05-06"),
    ("tags", "通知 文化教育"),
    ("cc-line", "抄送：区委办公室，区人大常委会办公室，区政府办公室。"),
    ("addressee-line", "主送：各中小学校"),
    ("disclosure", "（此件公开发布）"),
]


def test_every_clutter_row_has_a_case():
    assert [name for name, _ in CLUTTER_CASES] == [rule.name for rule in LINE_RULES]
    assert set(FACT_RULES) <= {rule.name for rule in LINE_RULES}


@pytest.mark.parametrize(
    ("index", "name", "line"), [(i, n, line) for i, (n, line) in enumerate(CLUTTER_CASES)], ids=lambda v: str(v)
)
def test_clutter_row(index, name, line):
    rule = LINE_RULES[index]
    assert rule.name == name
    assert len(line) <= rule.max_len and rule.pattern.search(line)
    assert classify(line) == name


@pytest.mark.parametrize(
    "line",
    [
        "第一章　总　则",  # spaced like tags, but a chapter heading
        "第十章 附 则",
        "学校应当于2023年12月5日前完成自查。",
        "各学校要加强组织领导。",
        "（一）担任班主任的教师；",
        "青山区教育局",
        "2023年12月5日起，各学校要按月报送印发情况。",
        # Furniture words inside policy sentences: a rule keyed on the bare word would drop the provision.
        "家长可扫码登记孩子的入学信息，学校统一审核。",
        "课后服务费可通过微信扫码缴纳。",
        "（三）《民办学校办学许可证和经营许可证管理办法》",
        "2、在校学生的学籍材料由学校统一报送，家长无需上传人事档案材料",
        "各校收费标准详见下一页附表，由区教育局统一公布。",
        "组织开展校园安全教育视频拍摄",
        "2024年3月1日起施行",
    ],
)
def test_policy_lines_are_not_clutter(line):
    assert classify(line) is None
