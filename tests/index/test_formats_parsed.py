"""Binary and web formats written for issue 9 (tests/fixtures/unseen.py), parsed through `parse_file`: Word heading
styles and tables, Word automatic numbering, merged table cells, a two-page PDF regulation and a government web
page. Clause paths, table rows, facts and removed furniture are checked exactly. The eval subset in evals/unseen/
is checked here too: its documents are the generators' bytes and every gold evidence is in its clause."""

from __future__ import annotations

import io
import zipfile

import pytest

from evals.unseen import verify_gold
from tests.fixtures import documents, unseen
from tests.fixtures.parsing import clause, fact, parse

FONT = documents.cjk_font()
needs_font = pytest.mark.skipif(
    FONT is None, reason=f"no CJK font to generate Chinese PDFs: apt-get install {documents.CJK_FONT_PACKAGE}"
)


def rows(doc) -> dict[str, dict[str, str]]:
    return {c.path: c.columns for c in doc.clauses if c.kind == "table_row"}


def assert_absent(doc, pieces) -> None:
    for c in doc.clauses:
        for piece in pieces:
            assert piece not in c.text and piece not in c.heading, (c.path, piece)


def no_facts(**given) -> dict:
    base = {
        "title": None,
        "issuers": [],
        "doc_number": None,
        "date": None,
        "effective_date": None,
        "region": None,
        "attachments": [],
        "addressees": None,
        "validity": None,
    }
    return base | given


# ---------------------------------------------------------------------------------------------------------------
# u3: Word heading styles, typed numbers, a Word table
# ---------------------------------------------------------------------------------------------------------------


def test_docx_heading_styles_and_table(tmp_path):
    doc = parse(tmp_path, "u3.docx", unseen.docx_plan_headings())
    assert doc.fmt == "docx"
    assert [(c.path, c.kind) for c in doc.clauses] == [
        ("导语", "preamble"),
        ("一、", "clause"),
        ("二、", "heading"),
        ("二、(一)", "heading"),
        ("二、(一) 1.", "clause"),
        ("二、(一) 2.", "clause"),
        ("二、(二)", "heading"),
        ("二、(二) 1.", "clause"),
        ("二、(二) 2.", "clause"),
        ("二、(二) 表1 第1行", "table_row"),
        ("二、(二) 表1 第2行", "table_row"),
        # An unnumbered Heading 1 is a heading in the tree; its paragraphs are numbered under it.
        ("保障措施", "heading"),
        ("保障措施 第1段", "paragraph"),
        ("保障措施 第2段", "paragraph"),
        # After the signature: the annex the list named first, headed "附件1：…", with its table.
        ("附件1", "heading"),
        ("附件1 表1 第1行", "table_row"),
        ("附件1 表1 第2行", "table_row"),
    ]
    assert rows(doc) == {
        "二、(二) 表1 第1行": {
            "指标": "生均教学及辅助用房面积（平方米）",
            "2023年": "4.5",
            "2024年": "4.8",
            "2025年": "5.0",
            "责任单位": "区教育局",
        },
        "二、(二) 表1 第2行": {
            "指标": "县级以上骨干教师（人）",
            "2023年": "60",
            "2024年": "80",
            "2025年": "100",
            "责任单位": "区教育局、区人力社保局",
        },
        "附件1 表1 第1行": {
            "学校": "青山区第三小学",
            "建设内容": "新建",
            "新增学位（个）": "1350",
            "竣工时间": "2024年8月",
        },
        "附件1 表1 第2行": {
            "学校": "青山区实验中学",
            "建设内容": "改扩建",
            "新增学位（个）": "900",
            "竣工时间": "2025年8月",
        },
    }
    assert clause(doc, "附件1").heading == "青山区义务教育学校建设项目表"
    row = clause(doc, "二、(二) 表1 第2行")
    assert row.text == "指标:县级以上骨干教师（人）；2023年:60；2024年:80；2025年:100；责任单位:区教育局、区人力社保局"
    assert row.heading == "表1\u3000主要指标｜县级以上骨干教师（人）"
    assert row.parent == "二、(二)"
    assert clause(doc, "保障措施 第1段").text == "区财政每年安排专项资金不少于3000万元，用于改善学校办学条件。"
    assert clause(doc, "保障措施 第1段").parent == "保障措施"
    assert doc.facts.as_dict() == no_facts(
        title=fact("青山区义务教育优质均衡发展三年行动方案"),
        issuers=[fact("青山区教育局")],
        date=fact("2023-03-10", "2023年3月10日"),
        region=fact("青山区", "青山区教育局"),
        # One attachment list, two attachments: facts, not clauses of 保障措施.
        attachments=[
            fact("青山区义务教育学校建设项目表", "附件：1.青山区义务教育学校建设项目表"),
            fact("青山区教师培训计划表", "2.青山区教师培训计划表"),
        ],
    )
    # The caption line is the table's, not a paragraph; the signature and the list are not text.
    assert_absent(doc, ["表1\u3000主要指标\n", "2023年3月10日", "青山区教育局", "培训计划表", "附件："])
    assert all(c.text != "表1\u3000主要指标" for c in doc.clauses)


# ---------------------------------------------------------------------------------------------------------------
# u4: Word automatic numbering
# ---------------------------------------------------------------------------------------------------------------


def test_docx_automatic_numbering_articles_and_items(tmp_path):
    data = unseen.docx_auto_numbered()
    body_xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert "第三条" not in body_xml and "（一）" not in body_xml  # the numbers exist only as Word numbering
    doc = parse(tmp_path, "u4.docx", data)
    assert [(c.path, c.kind) for c in doc.clauses] == [
        ("第一章", "heading"),
        ("第一章 第一条", "clause"),
        ("第一章 第二条", "clause"),
        ("第二章", "heading"),
        ("第二章 第三条", "clause"),
        ("第二章 第三条(一)", "clause"),
        ("第二章 第三条(二)", "clause"),
        ("第二章 第三条(三)", "clause"),
        ("第二章 第四条", "clause"),
        ("第二章 第四条第二款", "paragraph"),
        ("第二章 第五条", "clause"),
        ("第二章 第五条(一)", "clause"),  # Word restarts （一） under each article
        ("第二章 第五条(二)", "clause"),
        ("第三章", "heading"),
        ("第三章 第六条", "clause"),  # article numbers run on across chapters
    ]
    assert clause(doc, "第二章 第三条(二)").text == "（二）落实校长陪餐制度，每餐至少有1名学校负责人陪餐；"
    assert clause(doc, "第二章 第四条").text == (
        "第四条\u3000学校食堂应当实行非营利性经营，伙食费收支结余不得超过伙食费总收入的3%。"
    )
    assert clause(doc, "第二章 第四条第二款").text == "伙食费结余超过规定比例的，学校应当在下一学期调低伙食费收费标准。"
    assert clause(doc, "第二章 第五条(一)").text == "（一）从业人员每年至少进行一次健康检查；"
    assert doc.facts.as_dict() == no_facts(
        title=fact("青山区中小学校食堂管理办法"),
        issuers=[fact("青山区教育局")],
        date=fact("2024-02-01", "2024年2月1日"),
        effective_date=fact("2024-03-01", "第六条\u3000本办法自2024年3月1日起施行。"),
        region=fact("青山区", "青山区教育局"),
    )
    assert_absent(doc, ["2024年2月1日", "青山区教育局"])


# ---------------------------------------------------------------------------------------------------------------
# u5: merged table cells
# ---------------------------------------------------------------------------------------------------------------


def test_docx_merged_cells_table(tmp_path):
    doc = parse(tmp_path, "u5.docx", unseen.docx_merged_table())
    assert [(c.path, c.kind) for c in doc.clauses] == [
        ("导语", "preamble"),
        ("一、", "clause"),
        ("一、 表1 第1行", "table_row"),
        ("一、 表1 第2行", "table_row"),
        ("一、 表1 第3行", "table_row"),
        ("二、", "heading"),
        ("二、(一)", "clause"),
        ("二、(二)", "clause"),
    ]
    assert rows(doc) == {
        "一、 表1 第1行": {
            "序号": "1",
            "任务": "新建改扩建公办幼儿园（所）",
            "年度目标(2023年)": "2",
            "年度目标(2024年)": "3",
            "年度目标(2025年)": "3",
            "牵头单位": "区教育局",
            "责任单位": "区发展改革委、区财政局",
        },
        "一、 表1 第2行": {
            "序号": "2",
            "任务": "新增公办学位（个）",
            "年度目标(2023年)": "540",
            "年度目标(2024年)": "810",
            "年度目标(2025年)": "810",
            "牵头单位": "区教育局",  # the vertically merged cell, repeated
            "责任单位": "各街道办事处",
        },
        "一、 表1 第3行": {
            "序号": "3",
            "任务": "生均公用经费标准（元/年）",
            "年度目标(2023年)": "600",
            "年度目标(2024年)": "650",
            "年度目标(2025年)": "700",
            "牵头单位": "区财政局",
            "责任单位": "区教育局",
        },
    }
    second = clause(doc, "一、 表1 第2行")
    assert second.heading == "表1\u3000重点任务年度目标｜新增公办学位（个）"
    assert (second.lead_units, second.responsible_units) == (["区教育局"], ["各街道办事处"])
    assert clause(doc, "一、").text == "一、重点任务\n各项重点任务及年度目标见下表。"
    assert doc.facts.as_dict() == no_facts(
        title=fact("青山区学前教育发展提升行动计划（2023—2025年）"),
        issuers=[fact("青山区教育局")],
        date=fact("2023-04-20", "2023年4月20日"),
        region=fact("青山区", "青山区教育局"),
    )
    assert_absent(doc, ["表1\u3000重点任务年度目标\n", "2023年4月20日", "青山区教育局"])


# ---------------------------------------------------------------------------------------------------------------
# u6: two-page PDF regulation
# ---------------------------------------------------------------------------------------------------------------


@needs_font
def test_pdf_regulation_across_pages(tmp_path):
    import pdfplumber

    data = unseen.pdf_regulation(FONT)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = [page.extract_text() for page in pdf.pages]
    # The article is really broken by the page: its opening on page 1, its end on page 2.
    assert len(pages) == 2 and "第四条" in pages[0] and "同时报县级教育行政部门备案" in pages[1]
    doc = parse(tmp_path, "u6.pdf", data)
    assert doc.fmt == "pdf"
    assert [(c.path, c.kind) for c in doc.clauses] == [
        ("第一条", "clause"),
        ("第二条", "clause"),
        ("第三条", "clause"),
        ("第三条(一)", "clause"),
        ("第三条(二)", "clause"),
        ("第三条(三)", "clause"),
        ("第四条", "clause"),
        ("第四条第二款", "paragraph"),
        ("第五条", "clause"),
        ("第六条", "clause"),
    ]
    assert clause(doc, "第四条").text == unseen.U6_PARAGRAPHS[6]
    assert clause(doc, "第四条第二款").text == unseen.U6_PARAGRAPHS[7]
    assert clause(doc, "第四条第二款").parent == "第四条"
    assert [clause(doc, p).text for p in ("第三条(一)", "第三条(二)", "第三条(三)")] == list(unseen.U6_PARAGRAPHS[3:6])
    assert doc.facts.as_dict() == no_facts(
        title=fact(unseen.U6_TITLE),
        issuers=[fact("临江市教育局")],
        date=fact("2024-07-15", "2024年7月15日"),
        effective_date=fact("2024-09-01", unseen.U6_PARAGRAPHS[9]),
        region=fact("临江市", "临江市教育局"),
    )
    assert doc.clutter[:4] == [f"[reader] {x}" for x in (unseen.U6_HEADER, unseen.U6_FOOTER, "- 1 -", "- 2 -")]
    assert_absent(doc, [unseen.U6_HEADER, "印发", "- 1 -", "- 2 -", "2024年7月15日", "临江市教育局"])


# ---------------------------------------------------------------------------------------------------------------
# u7: government web page
# ---------------------------------------------------------------------------------------------------------------


def test_html_page_styled_headings_and_furniture(tmp_path):
    doc = parse(tmp_path, "u7.html", unseen.html_notice())
    assert doc.fmt == "html"
    assert [(c.path, c.kind) for c in doc.clauses] == [
        ("导语", "preamble"),
        ("一、", "clause"),
        ("二、", "heading"),  # a <p><strong> line
        ("二、(一)", "clause"),  # a bold <div>
        ("二、(二)", "clause"),
        ("三、", "clause"),
        ("联系方式", "clause"),  # an unnumbered centred bold <p>: a heading with its paragraph
    ]
    assert clause(doc, "二、(一)").heading == "集中培训"
    assert clause(doc, "二、(一)").text == (
        "（一）集中培训\n7月15日至7月19日在青山区教师发展中心举办，每名教师参加集中培训不少于30学时。"
    )
    assert clause(doc, "联系方式").text == "联系方式\n联系人：李老师，联系电话：028-87654321。"
    assert doc.title == unseen.U7_TITLE  # without the site name from <title>
    assert doc.facts.as_dict() == no_facts(
        title=fact(unseen.U7_TITLE),
        issuers=[fact("青山区教育局")],
        doc_number=fact("青教办〔2024〕8号"),
        date=fact("2024-06-20", "2024年6月20日"),
        region=fact("青山区", "青山区教育局"),
        addressees=fact("各中小学校："),
    )
    assert_absent(doc, [*unseen.U7_FURNITURE, "发布日期", "主办单位", "2024年6月20日", "青教办"])


# ---------------------------------------------------------------------------------------------------------------
# The eval subset
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(unseen.DOCUMENTS))
def test_eval_documents_are_the_generated_ones(name):
    if name.endswith(".pdf") and FONT is None:
        pytest.skip(f"no CJK font: apt-get install {documents.CJK_FONT_PACKAGE}")
    path = verify_gold.DOCS / name
    assert path.is_file(), "run: .venv/bin/python -m evals.unseen.make_docs"
    assert path.read_bytes() == unseen.DOCUMENTS[name]()


def test_unseen_gold_evidence_is_in_its_parsed_clause():
    items = verify_gold.load()
    assert verify_gold.problems(items) == []
    answerable = [g for g in items if g["type"] != "unanswerable"]
    assert len(items) >= 16 and sum(g["type"] == "unanswerable" for g in items) >= 2
    per_doc = {name: sum(g["doc"] == name for g in answerable) for name in unseen.DOCUMENTS}
    assert min(per_doc.values()) >= 2
    assert sum(" 表" in g["clause_path"] for g in answerable) >= 2  # table rows
    assert sum("款" in g["clause_path"] or g["clause_path"].endswith(")") for g in answerable) >= 2  # 款 or 项
    assert any(g["doc"].startswith("u4_") and "条" in g["clause_path"] for g in answerable)  # auto-numbered article
