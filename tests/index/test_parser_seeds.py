"""The parser on each seed document: clause paths checked by hand against the files, table rows, clutter, facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.builder import parse_file
from index.chunker import Chunker

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def docs():
    return {p.name[:3]: parse_file(p) for p in sorted(SEEDS.iterdir())}


def paths(doc, kind=None):
    return [c.path for c in doc.clauses if kind is None or c.kind == kind]


def clause(doc, path):
    return next(c for c in doc.clauses if c.path == path)


def test_traditional_news_page_000(docs):
    d = docs["000"]
    assert d.script == "traditional"
    assert d.title == "龍泉驛區出臺「五育並舉優教強區」十項制度"
    assert paths(d) == ["导语", "一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、", "十、"]
    assert clause(d, "七、").heading == "建立教育經費調整優化機制"
    assert "班主任工作津貼等動態調整機制" in clause(d, "七、").text
    # The related-news teasers, image credits and source line are gone; the last clause ends with its own text.
    assert clause(d, "十、").text.endswith("適時進行崗位調整和相關待遇調整。")
    body = "\n".join(c.text for c in d.clauses)
    for clutter in ("相關焦點", "供圖", "來源:四川新聞網", "騰訊網", "人民網成都8月24日電"):
        assert clutter not in body
    assert d.facts.region.value == "龍泉驛區"
    assert d.facts.date.value == "2020-12-19"


def test_page_chunked_scrape_001(docs):
    d = docs["001"]
    assert d.title == "关于进一步深化基础教育建设指导意见"
    expected = ["导语"]
    for section, items in (
        ("一、", (1, 2, 3)),
        ("二、", (4, 5, 6)),
        ("三、", (7, 8, 9, 10)),
        ("四、", (11, 12, 13, 14)),
    ):
        expected += [section] + [f"{section} {n}." for n in items]
    assert paths(d) == expected
    # Line-start "2、" "3、" … are page markers: no clause is numbered by them, and text joins across them.
    assert not any(p.endswith("、") and p[0].isdigit() for p in paths(d))
    assert "优化职称结构比例" in clause(d, "一、 1.").text
    assert "骨干教师不低于交流轮岗教师总数的20%" in clause(d, "一、 3.").text
    # "6,加强市内协同" (a comma, inline) is clause 6; "2.5%" and "57个总校" are not clauses.
    assert clause(d, "二、 6.").text.startswith("6,加强市内协同")
    assert "2.5%" in clause(d, "三、 7.").text
    assert "全市57个总校" in clause(d, "一、 1.").text
    assert clause(d, "导语").text.startswith("为深入贯彻落实中共中央国务院关于基础教育的三份重要文件")
    body = "\n".join(c.text for c in d.clauses)
    for clutter in ("上传人", "第1页 / 共9页", "点击查看更多", "备案号", "猜你喜欢", "由会员分享"):
        assert clutter not in body
    assert d.facts.region is None  # the scrape lost the city's name; nothing is guessed


def test_plan_fragment_002(docs):
    d = docs["002"]
    assert d.title == "玉泉区教育事业发展“十四五”规划"
    assert [c.path for c in d.clauses if c.kind == "paragraph"] == (
        [f"导语 第{i}段" for i in range(1, 4)]
        + [f"专栏8 第{i}段" for i in range(1, 5)]
        + [f"(十一) 第{i}段" for i in range(1, 7)]
        + [f"(十二) 第{i}段" for i in range(1, 8)]
        + [f"(十三) 第{i}段" for i in range(1, 4)]
    )
    assert clause(d, "专栏8").heading == "教育信息化建设工程"
    assert clause(d, "(十二) 第3段").heading == "深化招生考试制度改革"
    assert clause(d, "(十三) 第3段").text.endswith("切实抓好教育系统党")  # the fragment ends mid-sentence; kept
    body = "\n".join(c.text for c in d.clauses)
    for clutter in ("位置: 高中网", "点击:", "下一页", "猜你喜欢", "建水实验中学"):
        assert clutter not in body
    assert d.facts.region.value == "玉泉区"
    assert [f.value for f in d.facts.issuers] == ["玉泉区人民政府办公室"]


def test_plan_with_tables_003(docs):
    d = docs["003"]
    assert d.title == "重庆市荣昌区深入推进教育现代化实施方案(2023—2025年)"
    numbered = [p for p in paths(d) if "表" not in p and not p.startswith("导语")]
    assert numbered[:11] == [
        "一、",
        "二、",
        "二、(一)",
        "二、(二)",
        "二、(二) 1.",
        "二、(二) 2.",
        "二、(二) 3.",
        "二、(二) 4.",
        "三、",
        "三、(一)",
        "三、(一) 1.",
    ]
    assert [p for p in numbered if p.startswith("三、(四) ")] == [f"三、(四) {i}." for i in range(1, 9)]
    assert numbered[-5:] == ["四、", "四、(一)", "四、(二)", "四、(三)", "附件"]
    # Indicator table: 16 rows, each with its category and yearly targets.
    indicator = [c for c in d.clauses if c.path.startswith("二、(二) 表1 ")]
    assert len(indicator) == 16
    row = clause(d, "二、(二) 表1 第2行")
    assert row.columns == {
        "分类": "学前教育",
        "指标": "学前三年毛入园率(%)",
        "2023年": "94.20",
        "2024年": "94.50",
        "2025年": "95.00",
    }
    assert clause(d, "二、(二) 表1 第13行").columns["指标"] == "其中:研究生(万人)"
    assert clause(d, "二、(二) 表1 第13行").columns["分类"] == "高等教育"
    # Task table: 23 rows, with lead and responsible units.
    tasks = [c for c in d.clauses if c.path.startswith("附件 表1 ")]
    assert len(tasks) == 23
    row8 = clause(d, "附件 表1 第8行")
    assert row8.columns["项目"] == "强化安全健康教育"
    assert row8.columns["年度工作目标(2024年)"].startswith("新增心理健康教育专家10名")
    assert row8.lead_units == ["区教委"]
    assert row8.responsible_units[:2] == ["区财政局", "区卫生健康委"]
    assert clause(d, "附件 表1 第23行").columns["责任单位"] == "区司法局"  # the page footer is not a cell
    assert clause(d, "三、(一) 1.").lead_units == ["区委教育工委"]
    assert clause(d, "三、(一) 1.").responsible_units == ["区委组织部"]
    f = d.facts
    assert f.doc_number.value == "荣委办发〔2023〕7号"
    assert f.date.value == "2023-02-17"
    assert [i.value for i in f.issuers] == ["中共重庆市荣昌区委办公室", "重庆市荣昌区人民政府办公室"]
    assert f.region.value == "重庆市荣昌区"
    assert len(f.attachments) == 1 and f.attachments[0].value.endswith("重点任务分解表")
    body = "\n".join(c.text for c in d.clauses)
    for clutter in ("龙智造工业快报", "收藏此文章", "扫一扫", "联系删除", "热门政策", "(此页无正文)", "荣委办发"):
        assert clutter not in body


def test_opinion_004(docs):
    d = docs["004"]
    assert d.title == "关于新时代聊城教育高质量发展的意见"
    expected = ["导语"]
    for section, items in (
        ("一、", range(1, 6)),
        ("二、", range(6, 12)),
        ("三、", range(12, 19)),
        ("四、", range(19, 25)),
    ):
        expected += [section] + [f"{section} {n}." for n in items]
    assert paths(d) == expected
    assert [i.value for i in d.facts.issuers] == ["中共聊城市委", "聊城市人民政府"]
    assert d.facts.date.value == "2023-08-28"
    assert d.facts.region.value == "聊城市"
    assert d.facts.addressees.value.startswith("各县(市、区)党委和人民政府")
    assert clause(d, "四、 24.").text.endswith("全面营造推进教育高质量发展的良好生态。")  # signature not appended
    body = "\n".join(c.text for c in d.clauses)
    for clutter in ("字号", "大 中 小", "扫码使用手机浏览本页内容", "2023年8月28日"):
        assert clutter not in body


def test_chunks_carry_path_offsets_and_hash(docs):
    chunks = Chunker(480)(docs["004"])
    assert len(chunks) == 25  # 导语 + 24 items; the four section headings travel as context
    seven = next(c for c in chunks if c.path == "二、 7.")
    assert seven.context == "二、坚持教师为本,打造高素质专业化师资队伍"
    source = (SEEDS / "004_92acf9ef76e663b9.txt").read_text(encoding="utf-8")
    assert source[seven.start : seven.start + 9] == "7.提高教师待遇。"
    assert len(seven.content_hash) == 16


def test_long_clause_split_at_sentence_ends(docs):
    long = clause(docs["003"], "三、(五) 1.")
    parts = [c for c in Chunker(200)(docs["003"]) if c.path == "三、(五) 1."]
    assert len(parts) > 1
    assert "".join(p.text for p in parts) == long.text
    assert all(p.text.endswith(("。", ")", "；")) for p in parts[:-1])
