"""Questions about a document itself answered from its facts (assistant/docfacts.py), on small documents written
for these tests: which fact a question asks for (and content questions that are not such questions), each fact
answered with the line it came from cited, a missing fact refused with its reason, traditional-script questions,
and a document named by its title."""

from __future__ import annotations

from collections import namedtuple

import pytest

from assistant.docfacts import MISSING, DocFactAnswerer, documents_named, fact_asked, title_match
from index.models import document_from_json, document_to_json
from index.text import to_simplified
from tests.fixtures.parsing import parse

REGULATION = """青山区教育局文件
青教发〔2024〕3号
青山区中小学课后服务管理办法
第一条　为规范课后服务，制定本办法。
第二条　课后服务每天不少于2小时。
第三条　本办法自2024年3月1日起施行，有效期3年。
青山区教育局
2024年2月1日
"""

# In force from its issue date in one article, the period of validity in a later one; no 文号.
RULES = """青山区中小学食堂管理细则
第一条　学校食堂应当取得食品经营许可证。
第二条　本细则自印发之日起施行。
第三条　本细则有效期至2026年12月31日。
2024年4月8日
"""

WEB_NOTICE = """关于开展教师培训工作的通知
发布日期：2024-05-06
一、培训对象
全区中小学教师。
二、培训时间
2024年7月。
"""


@pytest.fixture
def docs(tmp_path):
    parsed = {
        "reg.txt": parse(tmp_path, "reg.txt", REGULATION.encode()),
        "rules.txt": parse(tmp_path, "rules.txt", RULES.encode()),
        "web.txt": parse(tmp_path, "web.txt", WEB_NOTICE.encode()),
    }
    return parsed


@pytest.fixture
def answer(docs):
    return DocFactAnswerer(docs.get)


# -- which fact a question asks for --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("这个文件的文号是多少？", "doc_number"),
        ("青教发几号文？", "doc_number"),
        ("这个通知的编号是多少", "doc_number"),
        ("这份通知是哪个部门发的？", "issuers"),
        ("该办法是谁发布的", "issuers"),
        ("发文机关是哪个", "issuers"),
        ("《青山区中小学课后服务管理办法》由哪些部门印发", "issuers"),
        ("这个文件是哪个单位的文件", "issuers"),
        ("这个通知什么时候发的？", "date"),
        ("本办法什么时候印发的", "date"),
        ("落款日期是哪天", "date"),
        ("通知是哪天出的", "date"),
        ("这份通知的日期是哪天", "date"),
        ("这个方案哪年出台的", "date"),
        ("这个办法从什么时候开始执行？", "effective_date"),
        ("施行日期是什么时候", "effective_date"),
        ("细则什么时候开始施行", "effective_date"),
        ("办法哪天生效", "effective_date"),
        ("本细则自何时起实施？", "effective_date"),
        ("这个政策管多久？", "validity"),
        ("本办法有效期几年", "validity"),
        ("这个方案有效几年", "validity"),
        ("这个政策执行到什么时候？", "validity"),
        ("这份通知还有效吗", "validity"),
        ("该方案什么时候到期", "validity"),
    ],
)
def test_fact_questions(question, kind):
    assert fact_asked(question) == kind


@pytest.mark.parametrize(
    "question",
    [
        "什么时候报名",
        "什么时候开学",
        "哪个部门负责课后服务",
        "补贴什么时候发放",
        "录取通知书什么时候发",
        "健康证明有效期多久",
        "证书有效期是几年",
        "哪个部门发放补助",
        "课后服务实施时间是几点",
        "招生计划是哪个部门制定的",
        "学校什么时候发布成绩",
        "绩效工资什么时候开始发",
        "文件规定班主任津贴是多少",
        "通知要求什么时候报到",
        "课后服务什么时候开始实施",
        "服务中心什么时候开始对外办公",
        "这个方案规定哪个部门牵头",
        "幼儿园什么时候开始招生",
        "收费标准由哪个部门制定",
        "学生的学籍编号怎么查",
        "办法规定的补贴标准是多少",
        "新学期从什么时候开始",
        "本办法所称教师是指哪些人",
        "教师资格证过期了怎么办",
        "这个方案规定哪个部门发布招生信息",
        "这个通知要求什么时候发布招生计划",
        "这个通知要求什么时候开始执行新标准",
        "这个通知规定许可证有效期延长多久",
        "这个通知规定学生编号怎么填",
        "这份通知规定的报名日期是哪天",
        "办法规定考核结果什么时候公布",
        "这个计划到2025年要建多少所幼儿园",
    ],
)
def test_content_questions_are_not_fact_questions(question):
    assert fact_asked(question) is None


def test_traditional_questions_after_conversion():
    assert fact_asked(to_simplified("這份通知是哪個部門發的？")) == "issuers"
    assert fact_asked(to_simplified("這個辦法從什麼時候開始施行")) == "effective_date"
    assert fact_asked(to_simplified("什麼時候報名")) is None


# -- answers ---------------------------------------------------------------------------------------------------------


def only_citation(a):
    assert not a.refused and a.reason == "doc_fact" and len(a.citations) == 1
    c = a.citations[0]
    return (c.n, c.source, c.title, c.clause, c.text)


def test_doc_number_cites_its_line(answer):
    a = answer("这个文件的文号是多少？", ["reg.txt"])
    assert a.text == "《青山区中小学课后服务管理办法》的文号是青教发〔2024〕3号[1]。"
    assert only_citation(a) == (1, "reg.txt", "青山区中小学课后服务管理办法", "文件信息·文号", "青教发〔2024〕3号")


def test_issuers_cite_the_signature(answer):
    a = answer("这份通知是哪个部门发的？", ["reg.txt"])
    assert a.text == "《青山区中小学课后服务管理办法》由青山区教育局印发[1]。"
    assert only_citation(a)[3:] == ("落款", "青山区教育局")


def test_date_cites_the_signature_date(answer):
    a = answer("本办法什么时候印发的", ["reg.txt"])
    assert a.text == "《青山区中小学课后服务管理办法》的成文日期是2024年2月1日[1]。"
    assert only_citation(a)[3:] == ("落款", "2024年2月1日")


def test_effective_date_cites_the_article(answer):
    a = answer("这个办法从什么时候开始执行？", ["reg.txt"])
    assert a.text == "《青山区中小学课后服务管理办法》自2024年3月1日起施行[1]。"
    assert only_citation(a)[3:] == ("第三条", "第三条\u3000本办法自2024年3月1日起施行，有效期3年。")


def test_validity_cites_the_article(answer):
    a = answer("本办法有效期几年", ["reg.txt"])
    assert a.text == "《青山区中小学课后服务管理办法》有效期3年[1]。"
    assert only_citation(a)[3:] == ("第三条", "第三条\u3000本办法自2024年3月1日起施行，有效期3年。")


def test_validity_in_an_article_after_the_date_in_force(answer):
    a = answer("这个细则管多久？", ["rules.txt"])
    assert a.text == "《青山区中小学食堂管理细则》有效期至2026年12月31日[1]。"
    assert only_citation(a)[3:] == ("第三条", "第三条\u3000本细则有效期至2026年12月31日。")


def test_validity_after_a_store_round_trip(docs):
    # A stored record that does not carry the field loads without it; the clauses still state it.
    stored = document_from_json(document_to_json(docs["reg.txt"]))
    stored.facts.validity = None
    a = DocFactAnswerer({"reg.txt": stored}.get)("本办法有效期几年", ["reg.txt"])
    assert a.text == "《青山区中小学课后服务管理办法》有效期3年[1]。"
    assert only_citation(a)[3:] == ("第三条", "第三条\u3000本办法自2024年3月1日起施行，有效期3年。")


def test_web_page_date_is_a_publication_date(answer):
    a = answer("这个通知什么时候发布的", ["web.txt"])
    assert a.text == "《关于开展教师培训工作的通知》的发布日期是2024年5月6日[1]。"
    assert only_citation(a)[3:] == ("文件信息·发布日期", "发布日期：2024-05-06")


def test_in_force_on_issue_adds_the_issue_date(answer):
    a = answer("细则什么时候开始施行", ["rules.txt"])
    assert a.text == "《青山区中小学食堂管理细则》自印发之日起施行[1]，文件的成文日期是2024年4月8日[2]。"
    assert [(c.n, c.clause, c.text) for c in a.citations] == [
        (1, "第二条", "第二条\u3000本细则自印发之日起施行。"),
        (2, "文件信息·成文日期", "2024年4月8日"),
    ]


def test_missing_fact_is_refused_with_its_reason(answer):
    a = answer("这个细则的文号是多少？", ["rules.txt"])
    assert a.refused and a.reason == "no_doc_number" and a.citations == []
    assert MISSING[a.reason] == "文件没有写明文号"
    assert a.text == "《青山区中小学食堂管理细则》没有写明文号，无法据此作答。"
    assert [(c.clause, c.text) for c in a.nearest] == [("标题", "青山区中小学食堂管理细则")]


def test_missing_validity_shows_the_date_in_force(answer):
    a = answer("这个通知还有效吗", ["web.txt"])
    assert a.refused and a.reason == "no_validity"
    assert a.text == "《关于开展教师培训工作的通知》没有写明有效期，无法据此作答。"
    b = answer("这个办法管多久？", ["reg.txt"])
    assert not b.refused  # reg.txt states it
    c = answer("该通知有效期多久", ["web.txt", "reg.txt"])
    assert c.text == ("《关于开展教师培训工作的通知》没有写明有效期；《青山区中小学课后服务管理办法》有效期3年[1]。")
    assert not c.refused and c.citations[0].source == "reg.txt"


def test_most_relevant_document_first(answer):
    a = answer("这个文件的文号是多少？", ["reg.txt", "rules.txt"])
    assert a.citations[0].source == "reg.txt" and "没有写明" not in a.text


def test_traditional_question_gets_a_traditional_answer(answer):
    a = answer("這個辦法的文號是多少？", ["reg.txt"])
    assert a.text == "《青山區中小學課後服務管理辦法》的文號是青教發〔2024〕3號[1]。"
    assert a.script == "traditional"
    assert a.citations[0].text == "青教发〔2024〕3号"  # the cited line stays as the document wrote it


def test_content_question_or_no_document_is_left_to_the_pipeline(answer):
    assert answer("课后服务每天多长时间？", ["reg.txt"]) is None
    assert answer("这个文件的文号是多少？", ["missing.txt"]) is None
    assert answer("这个文件的文号是多少？", []) is None


# -- a document named by its title ---------------------------------------------------------------------------------

Record = namedtuple("Record", "source title")
RECORDS = [
    Record("reg.txt", "青山区中小学课后服务管理办法"),
    Record("rules.txt", "青山区中小学食堂管理细则"),
    Record("web.txt", "关于开展教师培训工作的通知"),
]


def test_title_match():
    assert title_match("《青山区中小学课后服务管理办法》的文号是什么", RECORDS) == ["reg.txt"]
    assert title_match("课后服务管理办法是谁发的", RECORDS) == ["reg.txt"]
    assert title_match("開展教師培訓工作的通知是哪個部門發的", RECORDS) == ["web.txt"]
    assert title_match("管理办法的文号是什么", RECORDS) == []  # too little of any title
    assert title_match("青山区中小学的文件有哪些", RECORDS) == []


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("按课后服务管理办法，每天服务到几点?", [("reg.txt", "课后服务管理办法")]),  # the title's end, with its type
        ("《青山区中小学课后服务管理办法》里收费怎么定", [("reg.txt", "中小学课后服务管理办法")]),
        ("开展教师培训工作的通知里，培训多少学时?", [("web.txt", "开展教师培训工作的通知")]),  # the wrapper read back
        ("开展教师培训工作要多少学时?", []),  # the topic of a 通知, not the document
        ("《青山区中小学课后服务管理》里收费怎么定", [("reg.txt", "")]),  # most of a title, quoted: its words stay
        ("中小学课后服务每天几点结束?", []),  # a run from inside a title names a topic
        ("食堂管理怎么收费?", []),
    ],
)
def test_documents_named_by_their_name_not_by_a_run_of_their_title(question, named):
    assert documents_named(question, RECORDS) == named
