"""Format readers on documents generated in code (tests/fixtures/documents.py), each result checked exactly."""

from __future__ import annotations

import pytest

from index.readers import ReadResult, UnreadableDocument, read_bytes
from index.readers import pdf as pdf_reader
from index.readers.docx import chinese_count, format_number
from tests.fixtures import documents as docs

FONT = docs.cjk_font()
needs_font = pytest.mark.skipif(
    FONT is None,
    reason=f"no CJK font to generate Chinese PDFs: apt-get install {docs.CJK_FONT_PACKAGE}",
)


def assert_offsets(result: ReadResult) -> None:
    """Every block's text is exactly where its offsets say, in a text that is the blocks joined by newlines."""
    assert result.text == "\n".join(b.text for b in result.blocks)
    for block in result.blocks:
        assert result.text[block.start : block.end] == block.text


def paras(result: ReadResult) -> list[str]:
    return [b.text for b in result.blocks if b.kind == "para"]


# ---------------------------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------------------------


def test_chinese_counting_numbers():
    values = [1, 9, 10, 11, 19, 20, 21, 99, 100, 101, 110, 1010, 2024]
    assert [chinese_count(n) for n in values] == [
        "一",
        "九",
        "十",
        "十一",
        "十九",
        "二十",
        "二十一",
        "九十九",
        "一百",
        "一百零一",
        "一百一十",
        "一千零一十",
        "二千零二十四",
    ]
    assert chinese_count(12, legal=True) == "壹拾贰"


def test_number_formats():
    assert [format_number(n, "decimalEnclosedCircle") for n in (1, 10, 20, 21)] == ["①", "⑩", "⑳", "21"]
    assert format_number(10, "ideographDigital") == "一〇"
    assert format_number(28, "lowerLetter") == "bb"
    assert format_number(4, "upperRoman") == "IV"
    assert format_number(3, "ideographTraditional") == "丙"
    assert format_number(7, "decimalFullWidth") == "７"
    assert format_number(5, "decimal") == "5"


def test_docx_heading_styles_and_typed_numbering():
    result = read_bytes("管理办法.docx", docs.docx_typed_numbering())
    assert result.fmt == "docx"
    assert [(b.text, b.level, b.number) for b in result.blocks] == [
        ("XX市中小学校管理办法", None, ""),
        ("第一章\u3000总则", 1, ""),
        ("第一条\u3000为了规范中小学校管理，根据有关法律法规，制定本办法。", None, ""),
        ("第二条\u3000本办法适用于本市行政区域内的公办中小学校。", None, ""),
        ("第二章\u3000学校管理", 1, ""),
        ("一、教学管理", 2, ""),
        ("（一）学校应当开齐开足国家规定课程。", None, ""),
        ("1. 严格执行课程计划。", None, ""),
        ("（二）学校应当建立作业管理制度。", None, ""),
    ]
    assert_offsets(result)


def test_docx_automatic_numbering_is_rendered_into_the_text():
    result = read_bytes("安全规定.docx", docs.docx_auto_numbering())
    assert [(b.number, b.text) for b in result.blocks] == [
        ("一、", "一、总体要求"),
        ("第一条", "第一条\u3000为了加强学校安全管理，制定本规定。"),
        ("第二条", "第二条\u3000学校应当履行下列职责："),
        ("（一）", "（一）建立安全管理制度；"),
        ("（二）", "（二）开展安全教育；"),
        ("①", "①每学期至少组织一次应急演练"),
        ("②", "②演练结束后进行评估"),
        ("（三）", "（三）定期排查安全隐患。"),
        ("第三条", "第三条\u3000教育行政部门负责监督检查。"),
        ("（一）", "（一）学校发生安全事故的，应当及时报告。"),  # a new article restarts its items
        ("二、", "二、保障措施"),
        ("1.", "1.加强组织领导。"),  # level found through the list level's pStyle
        ("第二十条", "第二十条\u3000本规定自发布之日起施行。"),  # startOverride 20 on a second num
        ("第二十一条", "第二十一条\u3000本规定由市教育局负责解释。"),
    ]
    assert_offsets(result)


def test_docx_table_with_merged_cells():
    result = read_bytes("指标.docx", docs.docx_merged_table())
    assert [b.kind for b in result.blocks] == ["para", "para", "table", "para"]
    table = result.blocks[2]
    assert table.rows == (
        ("指标", "年度目标", "年度目标", "年度目标", "牵头单位"),
        ("指标", "2023年", "2024年", "2025年", "牵头单位"),
        ("学前教育毛入园率（%）", "92", "93", "95", "区教委"),
        ("义务教育巩固率（%）", "96", "97", "98", "区教委"),
        ("高中阶段毛入学率（%）", "93", "94", "96", "区发展改革委"),
    )
    assert table.header_rows == 2
    assert table.caption == "表1\u3000主要发展指标"
    assert table.text == (
        "指标 | 年度目标 | 年度目标 | 年度目标 | 牵头单位\n"
        "指标 | 2023年 | 2024年 | 2025年 | 牵头单位\n"
        "学前教育毛入园率（%） | 92 | 93 | 95 | 区教委\n"
        "义务教育巩固率（%） | 96 | 97 | 98 | 区教委\n"
        "高中阶段毛入学率（%） | 93 | 94 | 96 | 区发展改革委"
    )
    assert paras(result) == ["二、主要指标", "表1\u3000主要发展指标", "各项指标按年度分解落实。"]
    assert_offsets(result)


def test_docx_that_is_not_a_word_file():
    with pytest.raises(UnreadableDocument) as err:
        read_bytes("坏文件.docx", b"this is not a zip archive")
    assert str(err.value).startswith("坏文件.docx: not a readable Word .docx file")


# ---------------------------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------------------------


@needs_font
def test_pdf_headers_footers_page_numbers_removed_and_paragraphs_rejoined():
    result = read_bytes("招生通知.pdf", docs.pdf_two_pages(FONT))
    assert result.fmt == "pdf"
    assert paras(result) == [
        "关于做好2024年义务教育招生入学工作的通知",
        "各中小学校：",
        "为做好2024年义务教育阶段招生入学工作，切实保障适龄儿童少年依法接受义务教育的权利，根据上级有关文件精神，"
        "结合我区实际，现就有关事项通知如下。",
        "一、招生原则",
        # runs from the foot of page 1 onto page 2
        "坚持免试就近入学原则，各学校不得以任何形式的考试、测试、面试选拔学生，不得将各类竞赛证书、"
        "学科类培训证书作为招生依据，不得以高额物质奖励、虚假宣传等不正当手段招揽生源，确保招生工作公平公正、"
        "阳光透明，切实维护良好的教育生态和招生秩序。",
        "二、工作安排",
        "（一）信息采集。各学校于4月1日至4月30日完成适龄儿童信息采集工作。",
        "（二）审核认定。教育局会同相关部门对入学材料进行审核。",
        "表1\u3000各学段招生计划",
        "各学校要严格执行招生计划。",
    ]
    assert paras(result)[1:8] == list(docs.PDF_PARAGRAPHS)
    assert result.removed == (docs.PDF_HEADER, docs.PDF_FOOTER, "- 1 -", "- 2 -")
    for furniture in (docs.PDF_HEADER, docs.PDF_FOOTER, "- 1 -", "- 2 -"):
        assert furniture not in result.text
    assert [b.page for b in result.blocks] == [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]
    assert_offsets(result)


@needs_font
def test_pdf_table_is_one_block_and_not_also_paragraphs():
    result = read_bytes("招生通知.pdf", docs.pdf_two_pages(FONT))
    tables = [b for b in result.blocks if b.kind == "table"]
    assert len(tables) == 1
    assert tables[0].rows == docs.PDF_TABLE
    assert tables[0].header_rows == 2
    assert tables[0].caption == "表1\u3000各学段招生计划"
    for para in paras(result):
        assert "1350" not in para and "980" not in para and "2023年" not in para


@needs_font
@pytest.mark.parametrize("stamp", ["", "扫描全能王"])
def test_pdf_without_text_layer_and_without_ocr_is_a_clear_error(monkeypatch, stamp):
    monkeypatch.setattr(pdf_reader, "ocr_engine", lambda: None)
    with pytest.raises(UnreadableDocument) as err:
        read_bytes("扫描件.pdf", docs.pdf_scanned(FONT, stamp))
    assert str(err.value) == "扫描件.pdf: PDF has no text layer (a scan) and no OCR engine is installed"


@needs_font
@pytest.mark.parametrize("stamp", ["", "扫描全能王"])
def test_pdf_without_text_layer_is_read_by_ocr_offline(stamp):
    if pdf_reader.ocr_engine() is None:
        pytest.skip("no OCR engine: pip install rapidocr-onnxruntime (models ship in the wheel)")
    # The autouse network guard in conftest.py fails any connection, so this also proves OCR needs no download.
    result = read_bytes("扫描件.pdf", docs.pdf_scanned(FONT, stamp))
    # The rendered page shows the stamp too, so OCR reads it like any other line of the page.
    assert paras(result) == [*docs.SCAN_LINES, *([stamp] if stamp else [])]
    assert {b.page for b in result.blocks} == {1}
    assert_offsets(result)


@needs_font
def test_pdf_fallback_parser_keeps_the_paragraph_rules(monkeypatch):
    """A file pdfminer cannot parse is read through PDFium's character boxes: same paragraphs, no table grid."""

    def pdfminer_fails(data):
        raise ValueError("pdfminer cannot parse this file")

    monkeypatch.setattr(pdf_reader, "_read_pages_plumber", pdfminer_fails)
    result = read_bytes("招生通知.pdf", docs.pdf_two_pages(FONT))
    assert paras(result)[:9] == [
        "关于做好2024年义务教育招生入学工作的通知",
        *docs.PDF_PARAGRAPHS,
        "表1\u3000各学段招生计划",
    ]
    assert paras(result)[9:] == [
        "招生计划（人）",
        "学段",
        "2023年 2024年",
        "小学 1200 1350",
        "初中 980 1010",
        "各学校要严格执行招生计划。",
    ]
    assert result.removed == (docs.PDF_HEADER, docs.PDF_FOOTER, "- 1 -", "- 2 -")
    assert_offsets(result)


def test_pdf_that_is_not_a_pdf():
    with pytest.raises(UnreadableDocument) as err:
        read_bytes("坏文件.pdf", b"%PDF-1.4 garbage without objects")
    assert str(err.value).startswith("坏文件.pdf:")


# ---------------------------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------------------------

GOV_PAGE_BLOCKS = [
    ("关于做好2024年义务教育招生入学工作的通知", 1),
    ("各镇人民政府、街道办事处，区级各部门，各中小学校：", None),
    ("为做好2024年义务教育招生入学工作，根据《中华人民共和国义务教育法》等法律法规，现就有关事项通知如下。", None),
    ("一、基本原则", 2),
    ("（一）坚持免试就近入学。各学校不得以任何形式的考试、测试选拔学生。", None),
    ("（二）坚持公平公正。招生政策、招生计划、招生结果一律向社会公开。", None),
    ("二、工作安排", 2),
    ("1.信息采集：4月1日至4月30日。", None),
    ("2.审核认定：5月1日至5月20日。", None),
    ("三、招生计划", 3),
    ("各学段招生计划见下表。", None),
    (
        "学段 | 招生计划（人） | 招生计划（人）\n学段 | 2023年 | 2024年\n小学 | 1200 | 1350\n"
        "初中 | 980 | 1010\n初中（民办） | 300 | 1010",
        None,
    ),
    ("四、保障措施", 2),
    ("各学校要加强组织领导，确保招生工作平稳有序。", None),
    ("XX区教育局", None),
    ("2024年3月15日", None),
]


def test_html_government_page_keeps_policy_and_drops_furniture():
    result = read_bytes("招生通知.html", docs.html_gov_page())
    assert result.fmt == "html"
    assert result.encoding == "utf-8"
    assert [(b.text, b.level) for b in result.blocks] == GOV_PAGE_BLOCKS
    for sentence in docs.HTML_POLICY:
        assert sentence in result.text
    for furniture in docs.HTML_FURNITURE:
        assert furniture not in result.text
    assert result.removed == (
        "XX区人民政府网站",
        "无障碍浏览 | 长者模式",
        "首页",
        "政务公开",
        "政务服务",
        "互动交流",
        "当前位置：首页 > 政务公开 > 政策文件",
        "发布时间：2024-03-15\u3000来源：XX区教育局\u3000【字体：大 中小】",
        "【打印本页】【关闭窗口】",
        "相关新闻",
        "XX区召开2024年教育工作会议2024-03-10",
        "XX区教育系统开展春季安全大检查2024-03-08",
        "主办：XX区人民政府办公室\u3000承办：XX区大数据中心",
        "版权所有：XX区人民政府\u3000蜀ICP备12345678号川公网安备 51010802000123号",
        "联系我们 | 网站地图",
        "网站标识码：5101080001",
    )
    assert_offsets(result)


def test_html_table_headers_and_spans():
    result = read_bytes("招生通知.html", docs.html_gov_page())
    (table,) = [b for b in result.blocks if b.kind == "table"]
    assert table.rows == (
        ("学段", "招生计划（人）", "招生计划（人）"),
        ("学段", "2023年", "2024年"),
        ("小学", "1200", "1350"),
        ("初中", "980", "1010"),
        ("初中（民办）", "300", "1010"),
    )
    assert table.header_rows == 2
    assert table.caption == ""  # the line before it is a sentence


@pytest.mark.parametrize(("charset", "declared"), [("gb2312", True), ("gbk", False)])
def test_html_gbk_pages(charset, declared):
    result = read_bytes("招生通知.htm", docs.html_gov_page(charset, declare=declared))
    assert result.encoding == "gbk"
    assert [(b.text, b.level) for b in result.blocks] == GOV_PAGE_BLOCKS


def test_html_table_layout_site():
    result = read_bytes("资助通知.htm", docs.html_table_layout_page())
    assert result.encoding == "gbk"
    assert [(b.text, b.level) for b in result.blocks] == [
        ("关于开展学生资助工作的通知", 2),
        ("时间：2024-05-06", None),
        *[(line, None) for line in docs.LAYOUT_POLICY],
    ]
    assert result.removed == (
        "XX教育局",
        "首页 机构概况 政策法规 通知公告",
        "通知公告",
        "关于召开家长会的通知",
        "关于假期安全的提醒",
        "点击数：123",
        "打印本页",
        "关闭窗口",
        "版权所有 XX教育局 ICP备05001234号 联系我们",
    )
    assert_offsets(result)


def test_html_without_text():
    with pytest.raises(UnreadableDocument) as err:
        read_bytes("空白.html", b"<html><head><title>XX</title></head><body><script>var a=1;</script></body></html>")
    assert str(err.value) == "空白.html: no text in the HTML page"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xef\xbb\xbf\xff\xfe bad", "bom.txt: starts with a UTF-8 byte-order mark but byte 3 is not UTF-8"),
        (
            b"\xff\xfe" + "第一条".encode("utf-16-le") + b"\x00",
            "bom.txt: starts with a UTF-16 byte-order mark but has an odd number of bytes",
        ),
        (
            b"\xff\xfe" + b"\x00\xd8\x41\x00",  # a lone high surrogate
            "bom.txt: starts with a UTF-16 byte-order mark but is not UTF-16 (illegal UTF-16 surrogate)",
        ),
    ],
)
def test_a_byte_order_mark_followed_by_bytes_that_break_it_is_unreadable(data, message):
    with pytest.raises(UnreadableDocument) as err:
        read_bytes("bom.txt", data)
    assert str(err.value) == message
