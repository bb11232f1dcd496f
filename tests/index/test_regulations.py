"""Plain-text documents written for issue 9 (tests/fixtures/unseen.py), parsed through `parse_file`: a GBK/CRLF
regulation, a Big5 notice and a UTF-8-with-BOM Markdown 细则. Every clause path, every fact and the removed
metadata are checked exactly; the same regulation in other encodings and line ends parses the same."""

from __future__ import annotations

import pytest

from index.builder import parse_file
from index.readers import UnreadableDocument
from tests.fixtures import unseen
from tests.fixtures.parsing import clause, fact, parse


def assert_absent(doc, pieces) -> None:
    """Removed lines (metadata, signature, clutter) appear in no clause text or heading."""
    for c in doc.clauses:
        for piece in pieces:
            assert piece not in c.text and piece not in c.heading, (c.path, piece)


# ---------------------------------------------------------------------------------------------------------------
# u1: 管理办法, GBK + CRLF
# ---------------------------------------------------------------------------------------------------------------

U1_PATHS = [
    ("第一章", "heading"),
    ("第一章 第一条", "clause"),
    ("第一章 第二条", "clause"),
    ("第一章 第二条第二款", "paragraph"),
    ("第二章", "heading"),
    ("第二章 第三条", "clause"),
    ("第二章 第三条第二款", "paragraph"),
    ("第二章 第四条", "clause"),
    ("第二章 第四条(一)", "clause"),
    ("第二章 第四条(二)", "clause"),
    ("第二章 第四条(三)", "clause"),
    ("第二章 第四条第二款", "paragraph"),
    ("第三章", "heading"),
    ("第三章 第五条", "clause"),
    ("第三章 第五条(一)", "clause"),
    ("第三章 第五条(二)", "clause"),
    ("第三章 第五条(三)", "clause"),
    ("第三章 第六条", "clause"),
    ("第四章", "heading"),
    ("第四章 第七条", "clause"),
    ("第四章 第八条", "clause"),
]

U1_FACTS = {
    "title": fact("青山区中小学教师绩效工资管理办法"),
    "issuers": [fact("临江市青山区教育局"), fact("临江市青山区财政局")],
    "doc_number": fact("青教发〔2023〕15号"),
    "date": fact("2023-12-05", "2023年12月5日"),
    "effective_date": fact("2024-01-01", "第八条\u3000本办法自2024年1月1日起施行。"),
    "region": fact("临江市青山区", "临江市青山区教育局"),
    "attachments": [
        fact("青山区中小学教师绩效考核评分表", "附件：1.青山区中小学教师绩效考核评分表"),
        fact("青山区奖励性绩效工资分配明细表", "2.青山区奖励性绩效工资分配明细表"),
    ],
    "addressees": None,
    "validity": None,
}


@pytest.fixture(scope="module")
def u1(tmp_path_factory):
    return parse(tmp_path_factory.mktemp("u1"), "u1.txt", unseen.regulation_gbk_crlf())


def test_regulation_gbk_crlf_clause_tree(u1):
    assert (u1.fmt, u1.encoding, u1.script) == ("txt", "gbk", "simplified")
    assert [(c.path, c.kind) for c in u1.clauses] == U1_PATHS
    # 款 keep their own text; the article keeps only its first paragraph.
    assert clause(u1, "第一章 第二条").text == "第二条\u3000本办法适用于青山区教育局所属公办中小学校在编在岗教职工。"
    assert clause(u1, "第一章 第二条第二款").text == "民办中小学校可参照本办法执行。"
    assert clause(u1, "第一章 第二条第二款").parent == "第一章 第二条"
    # The paragraph after an article's items is the article's 第二款, not part of item (三).
    assert clause(u1, "第二章 第四条(三)").text == "（三）承担超课时工作量的教师。"
    assert clause(u1, "第二章 第四条第二款").text == "班主任津贴每人每月不低于500元，在奖励性绩效工资中单列。"
    # The same (一) under two articles has two paths.
    assert clause(u1, "第二章 第四条(一)").text == "（一）担任班主任的教师；"
    assert clause(u1, "第三章 第五条(一)").text == "（一）师德师风，占20%；"
    assert clause(u1, "第三章 第五条(一)").parent == "第三章 第五条"
    assert clause(u1, "第四章 第八条").text == "第八条\u3000本办法自2024年1月1日起施行。"


def test_regulation_gbk_crlf_facts_and_metadata(u1):
    assert u1.facts.as_dict() == U1_FACTS
    assert u1.title == "青山区中小学教师绩效工资管理办法"
    assert u1.region == "临江市青山区"
    assert_absent(
        u1,
        [
            "附件",
            "绩效考核评分表",
            "分配明细表",
            "临江市青山区财政局",
            "2023年12月5日",
            "抄送",
            "区政协办公室",
            "印发",
            "青教发",
            "文件",
            "\r",
        ],
    )
    assert "[fact:抄送] 抄送：区委办公室，区人大常委会办公室，区政府办公室，区政协办公室。" in u1.clutter
    assert "[fact:印发] 青山区教育局办公室\u3000\u30002023年12月6日印发" in u1.clutter
    assert "[fact:发文机关] 临江市青山区教育局\u3000临江市青山区财政局文件" in u1.clutter


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [
        ("gbk", "\n"),
        ("gb18030", "\r\n"),
        ("utf-8", "\n"),
        ("utf-8", "\r\n"),
        ("utf-8-sig", "\n"),
        ("utf-8-sig", "\r\n"),
    ],
)
def test_regulation_in_every_supported_text_encoding(tmp_path, u1, encoding, newline):
    doc = parse(tmp_path, "u1.txt", unseen.regulation_gbk_crlf(encoding, newline))
    assert doc.encoding == {"gb18030": "gbk"}.get(encoding, encoding)
    assert [(c.path, c.kind, c.text) for c in doc.clauses] == [(c.path, c.kind, c.text) for c in u1.clauses]
    assert doc.facts.as_dict() == U1_FACTS


def test_text_that_is_no_supported_encoding_is_a_clear_error(tmp_path):
    path = tmp_path / "乱码.txt"
    # UTF-16 without a BOM (NUL bytes): neither UTF-8 nor GBK nor Big5.
    path.write_bytes("第一条　学校应当加强管理。".encode("utf-16-le"))
    with pytest.raises(UnreadableDocument) as err:
        parse_file(path)
    assert str(err.value) == "乱码.txt: binary data (NUL bytes), not a text document"
    path = tmp_path / "latin.txt"
    path.write_bytes(bytes(range(0x80, 0x100)) * 4)
    with pytest.raises(UnreadableDocument) as err:
        parse_file(path)
    assert str(err.value).startswith("latin.txt: not UTF-8, GBK/GB18030 or Big5 text")


# ---------------------------------------------------------------------------------------------------------------
# u2: traditional notice, Big5
# ---------------------------------------------------------------------------------------------------------------


def test_big5_notice(tmp_path):
    doc = parse(tmp_path, "u2.txt", unseen.notice_big5())
    assert (doc.encoding, doc.script) == ("big5", "traditional")
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
        ("三、", "heading"),
        ("三、 第1段", "paragraph"),
        ("三、 第2段", "paragraph"),
    ]
    assert (
        clause(doc, "一、").text
        == "一、提高思想認識\n各學校要充分認識暑期安全工作的重要性，切實把學生生命安全放在首位。"
    )
    assert clause(doc, "二、(二) 2.").text == "2.未滿12周歲的兒童不得騎自行車上路。"
    assert clause(doc, "三、 第2段").text == "聯繫人：王老師，電話：0839-1234567。"
    assert doc.facts.as_dict() == {
        "title": fact("關於做好2024年中小學暑期安全工作的通知", unseen.U2_LINES[0]),
        "issuers": [fact("青川縣教育局")],
        "doc_number": None,
        "date": fact("2024-06-28", "2024年6月28日"),
        "effective_date": None,
        "region": fact("青川縣", "青川縣教育局"),
        "attachments": [],
        "addressees": fact("各鄉鎮中心學校，縣直各學校："),
        "validity": None,
    }
    assert_absent(doc, ["各鄉鎮中心學校", "青川縣教育局關於", "2024年6月28日"])
    assert not clause(doc, "三、 第2段").text.endswith("青川縣教育局")


# ---------------------------------------------------------------------------------------------------------------
# u8: Markdown 细则, UTF-8 with BOM
# ---------------------------------------------------------------------------------------------------------------


def test_markdown_rules_with_bom(tmp_path):
    doc = parse(tmp_path, "u8.md", unseen.md_rules_bom())
    assert (doc.fmt, doc.encoding) == ("md", "utf-8-sig")
    assert [(c.path, c.kind) for c in doc.clauses] == [
        ("导语", "preamble"),
        ("一、", "heading"),
        ("一、(一)", "clause"),
        ("一、(二)", "clause"),
        ("二、", "heading"),
        ("二、(一)", "clause"),
        ("二、(二)", "clause"),
        ("三、", "clause"),
    ]
    # Each list of short items, (1)/1）/①, is one clause with the line that introduces it. 1） is read as the same
    # style as (1): otherwise its lines would be loose paragraphs (第2段) and 2） would not follow 1）.
    assert clause(doc, "一、(一)").text == (
        "（一）课后服务以学生自主作业、阅读和文体活动为主。\n(1)周一至周五每天下午放学后开展，时长不少于2小时；\n"
        "(2)初中学校可在晚上开展自习服务，结束时间不晚于20:30。"
    )
    # Markdown emphasis removed.
    assert (
        clause(doc, "二、(一)").text
        == "（一）课后服务费按照成本补偿原则收取：\n1）小学每生每学期不超过400元；\n2）初中每生每学期不超过500元。"
    )
    assert (
        clause(doc, "二、(二)").text == "（二）下列学生免交课后服务费：\n①家庭经济困难学生；\n②残疾学生；\n③烈士子女。"
    )
    assert clause(doc, "三、").text == "三、附则\n本细则自印发之日起施行，由青山区教育局负责解释。"
    assert doc.facts.as_dict() == {
        "title": fact("青山区中小学课后服务实施细则"),
        "issuers": [fact("青山区教育局")],
        "doc_number": None,
        "date": fact("2024-02-26", "2024年2月26日"),
        # No date in the sentence: the phrase itself is the date in force.
        "effective_date": fact("自印发之日起施行", "本细则自印发之日起施行，由青山区教育局负责解释。"),
        "region": fact("青山区", "青山区教育局"),
        "attachments": [],
        "addressees": None,
        "validity": None,
    }
    assert_absent(doc, ["#", "**", "\ufeff", "2024年2月26日", "实施细则"])
    assert not clause(doc, "三、").text.endswith("青山区教育局")


# ---------------------------------------------------------------------------------------------------------------
# Mechanisms on small texts: each case is one rule of the parser, not one document
# ---------------------------------------------------------------------------------------------------------------

MECHANISMS = {
    "number alone on its line, 节 under 章, width-insensitive article numbers": (
        "第一章　总则\n第一节　一般规定\n第一条\n为了加强校车安全管理，制定本办法。\n第２条　本办法自印发之日起施行。\n",
        [
            ("第一章", "第一章\u3000总则"),
            ("第一章 第一节", "第一节\u3000一般规定"),
            ("第一章 第一节 第一条", "第一条\u3000为了加强校车安全管理，制定本办法。"),
            ("第一章 第一节 第二条", "第２条\u3000本办法自印发之日起施行。"),
        ],
    ),
    "items inline after an article's colon, then its second paragraph": (
        "第三条　学校应当：（一）建立制度；（二）配备人员。\n学校违反前款规定的，由教育行政部门责令改正。\n",
        [
            ("第三条", "第三条\u3000学校应当："),
            ("第三条(一)", "（一）建立制度；"),
            ("第三条(二)", "（二）配备人员。"),
            ("第三条第二款", "学校违反前款规定的，由教育行政部门责令改正。"),
        ],
    ),
    "a document without numbering keeps its short lines after the first sentence": (
        "关于做好寒假安全工作的提醒\n各位家长：\n寒假将至，请注意以下事项。\n注意交通安全\n注意防火防电\n",
        [
            ("导语", ""),
            ("导语 第1段", "寒假将至，请注意以下事项。"),
            ("导语 第2段", "注意交通安全"),
            ("导语 第3段", "注意防火防电"),
        ],
    ),
    "an annex heading after the attachment list is a clause": (
        "一、招生计划\n各校按计划招生。\n附件：1.招生计划表\n2.学区划分表\n青山区教育局\n2024年3月1日\n"
        "附件2\n青山区学区划分表\n东街小学学区为东街社区。\n",
        [
            ("一、", "一、招生计划\n各校按计划招生。"),
            ("附件2", "附件2\u3000青山区学区划分表\n东街小学学区为东街社区。"),
        ],
    ),
    "a numbered sentence followed by loose paragraphs is a provision, not a title over them": (
        "一、招生计划\n各校按计划招生。\n二、如对招生有疑问，可拨打区教育局咨询电话12345。\n联系人：王老师\n特此通知。\n",
        [
            ("一、", "一、招生计划\n各校按计划招生。"),
            ("二、", "二、如对招生有疑问，可拨打区教育局咨询电话12345。"),
            ("二、 第2段", "联系人：王老师"),
            ("二、 第3段", "特此通知。"),
        ],
    ),
    "a short numbered line ending in a full stop is still a title over its paragraphs": (
        "一、总体目标。\n全区入学率达到100%。\n各校按计划招生。\n",
        [("一、", "一、总体目标。"), ("一、 第1段", "全区入学率达到100%。"), ("一、 第2段", "各校按计划招生。")],
    ),
    "a news headline states the news, so it also opens the lead it sums up": (
        "黑龙江省财政拨付1.57亿元补助防控一线人员\n省财政厅12日拨付首批资金1.57亿元，用于一线医务人员的工作补助。\n"
        "截至12日，全省各级财政累计拨付疫情防控资金32.76亿元。\n",
        [
            ("导语", ""),
            (
                "导语 第1段",
                "黑龙江省财政拨付1.57亿元补助防控一线人员 省财政厅12日拨付首批资金1.57亿元，用于一线医务人员的工作补助。",
            ),
            ("导语 第2段", "截至12日，全省各级财政累计拨付疫情防控资金32.76亿元。"),
        ],
    ),
    "a news page that repeats its headline keeps the repeat, with the subtitle it runs into": (
        "重庆省际包车全面恢复正常运转\n原标题：\n重庆省际包车全面恢复正常运转 客座率控制在50%以内 重庆日报讯 2月16日，"
        "来自市交通局消息称，我市共发送省际包车3台次。\n",
        [
            ("导语", ""),
            ("导语 第1段", "原标题："),
            (
                "导语 第2段",
                "重庆省际包车全面恢复正常运转 客座率控制在50%以内 重庆日报讯 2月16日，来自市交通局消息称，我市共发送省际包车3台次。",
            ),
        ],
    ),
    "a title wrapped before its type and number is one title, not a headline over the lead": (
        "四川省应对新型冠状病毒肺炎\n疫情应急指挥部公告 （第6号）\n为加强疫情防控工作，现将有关事项公告如下：\n"
        "一、返岗人员须主动申报健康状况。\n",
        [("导语", "为加强疫情防控工作，现将有关事项公告如下："), ("一、", "一、返岗人员须主动申报健康状况。")],
    ),
    "a list of short items is one clause with the line that introduces it": (
        "一、报名材料\n1. 户口簿；\n2. 房产证明；\n3. 儿童预防接种证。\n二、报名时间\n6月1日至6月5日。\n",
        [
            ("一、", "一、报名材料\n1. 户口簿；\n2. 房产证明；\n3. 儿童预防接种证。"),
            ("二、", "二、报名时间\n6月1日至6月5日。"),
        ],
    ),
    "numbered items that are sentences of their own stay clauses of their own": (
        "一、工作要求\n1. 各校要在6月前完成学位摸底。\n2. 各校要公示招生计划；\n3. 各校要公布咨询电话。\n",
        [
            ("一、", "一、工作要求"),
            ("一、 1.", "1. 各校要在6月前完成学位摸底。"),
            ("一、 2.", "2. 各校要公示招生计划；"),
            ("一、 3.", "3. 各校要公布咨询电话。"),
        ],
    ),
    "a document's name is its title only, also with a number after its type": (
        "四川省应对新型冠状病毒肺炎疫情应急指挥部公告（第6号）\n为加强疫情防控工作，现将有关事项公告如下：\n"
        "一、返岗人员须主动申报健康状况。\n",
        [("导语", "为加强疫情防控工作，现将有关事项公告如下："), ("一、", "一、返岗人员须主动申报健康状况。")],
    ),
}


@pytest.mark.parametrize("name", list(MECHANISMS))
def test_parser_mechanism(tmp_path, name):
    text, expected = MECHANISMS[name]
    doc = parse(tmp_path, "m.txt", text.encode("utf-8"))
    assert [(c.path, c.text) for c in doc.clauses] == expected


def test_header_and_footer_metadata_of_an_official_document(tmp_path):
    text = (
        "东川县人民政府办公室文件\n东府办发〔2022〕3号\n东川县中小学校\n校车安全管理办法\n各乡镇人民政府，县直各部门：\n"
        "第一条　本办法自2022年4月1日起施行。\n（此件公开发布）\n东川县人民政府办公室\n二〇二二年三月五日\n"
        "抄送：县委办。\n东川县人民政府办公室　2022年3月6日印发\n"
    )
    doc = parse(tmp_path, "d.txt", text.encode("utf-8"))
    assert [(c.path, c.text) for c in doc.clauses] == [("第一条", "第一条\u3000本办法自2022年4月1日起施行。")]
    assert doc.facts.as_dict() == {
        "title": fact("东川县中小学校校车安全管理办法", "东川县中小学校\n校车安全管理办法"),  # wrapped title
        "issuers": [fact("东川县人民政府办公室")],
        "doc_number": fact("东府办发〔2022〕3号"),
        "date": fact("2022-03-05", "二〇二二年三月五日"),  # the signature date, not the 印发 date
        "effective_date": fact("2022-04-01", "第一条\u3000本办法自2022年4月1日起施行。"),
        "region": fact("东川县", "东川县人民政府办公室"),
        "attachments": [],
        "addressees": fact("各乡镇人民政府，县直各部门："),
        "validity": None,
    }
    assert [line.split("]")[0] + "]" for line in doc.clutter] == [
        "[fact:公开属性]",
        "[fact:落款]",
        "[fact:日期]",
        "[fact:抄送]",
        "[fact:印发]",
        "[fact:发文机关]",
        "[fact:文号]",
        "[fact:标题]",
        "[fact:标题]",
        "[fact:主送]",
    ]
