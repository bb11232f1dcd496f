"""Document facts read by index/facts.py, on small texts written for these tests: the date in force and the period
of validity only from sentences about the document itself, the document's own 文号 and not a cited one, a
signature with its date on one line, issuing bodies before 关于 in a title, and a notice read end to end."""

from __future__ import annotations

import pytest

from index.facts import (
    find_effective,
    find_validity,
    is_date_line,
    own_doc_number,
    signers,
    split_issuers,
    title_issuers,
)
from index.models import Fact
from tests.fixtures.parsing import fact, parse


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("第九条　本办法自2024年3月1日起施行。", "2024-03-01"),
        ("五、本通告自2024年2月17日施行，停止时间另行通告。", "2024-02-17"),
        ("本通告自即日起施行。", "自即日起施行"),
        ("以上措施自发布之日起实施，由区教育局负责解释。", "自发布之日起实施"),
        ("四、其他 本意见自印发之日起执行。", "自印发之日起执行"),
        ("自印发之日起施行。", "自印发之日起施行"),
    ],
)
def test_effective_date_from_a_sentence_about_the_document(text, value):
    assert find_effective(text) == Fact(value, text)


@pytest.mark.parametrize(
    "text",
    [
        "本市自2024年2月1日起执行新的收费标准。",  # 本市 is a place, not the document
        "学校应于开学前完成备案，自2024年9月1日起执行。",  # a measure's date, after a lead clause
        "课后服务费自2024年秋季学期起执行。",
    ],
)
def test_no_effective_date_from_a_measure(text):
    assert find_effective(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("本办法自2024年3月1日起施行，有效期3年。", "有效期3年"),
        ("第十条 本办法有效期5年。", "有效期5年"),
        ("本方案试行期两年。", "试行期两年"),
        ("以上政策自印发之日起实施，另有规定的从其规定，其余有效期至2025年底。", "有效期至2025年底"),
        ("本通知自发布之日起暂执行至2025年6月30日止。", "暂执行至2025年6月30日止"),
        ("本意见自印发之日起执行，待专项工作结束后自行废止。", "待专项工作结束后自行废止"),
        ("本措施自印发之日起实施，有效期为专项行动期间（另有期限的除外）。", "有效期为专项行动期间"),
    ],
)
def test_validity_from_a_sentence_about_the_document(text, value):
    assert find_validity(text) == Fact(value, text)


@pytest.mark.parametrize(
    "text",
    [
        "学生资助证明有效期顺延至新学期开学。",
        "本通知自印发之日起施行，已核发的办学许可证有效期顺延三个月。",  # the licences' validity, not the notice's
        "本市教师资格证书有效期5年。",
    ],
)
def test_no_validity_from_something_else(text):
    assert find_validity(text) is None


def test_own_doc_number_stands_apart_and_a_cited_one_does_not_count():
    own = "甲市教育局关于做好学生资助工作的通知 甲教发〔2024〕6号 各区县教育局："
    assert own_doc_number(own) == Fact("甲教发〔2024〕6号", own)
    cited = "为落实《关于学生资助的意见》（乙教发〔2023〕9号）要求，现通知如下。"
    assert own_doc_number(cited) is None
    run_in = "按照乙教发〔2023〕9号文件要求，现通知如下。"
    assert own_doc_number(run_in) is None


def test_signature_with_its_date_on_one_line():
    assert is_date_line("甲市财政局 甲市教育局 2024年3月1日")
    assert signers("甲市财政局 甲市教育局 2024年3月1日") == ["甲市财政局", "甲市教育局"]
    # A body's name wrapped across a space is one body; a disclosure note after the date belongs to the line.
    assert signers("甲市应对突发事件 应急指挥部 2024年3月1日 （信息公开形式：主动公开）") == [
        "甲市应对突发事件应急指挥部"
    ]
    assert is_date_line("2024年3月1日") and signers("2024年3月1日") == []
    assert not is_date_line("截至2024年3月1日")
    assert not is_date_line("据统计，2024年3月1日")


def test_issuing_bodies_split_but_a_national_agencys_local_office_stays_one():
    assert split_issuers("中共临江市东城区委办公室临江市东城区人民政府办公室") == [
        "中共临江市东城区委办公室",
        "临江市东城区人民政府办公室",
    ]
    assert split_issuers("国家税务总局甲市税务局") == ["国家税务总局甲市税务局"]
    assert split_issuers("教育部 财政部") == ["教育部", "财政部"]


def test_issuers_before_guanyu_in_a_title_line():
    assert title_issuers("甲市市场监管委印发") == ["甲市市场监管委"]
    assert title_issuers("甲教发〔2024〕6号甲市人民政府办公厅") == ["甲市人民政府办公厅"]
    assert title_issuers("转发甲省教育厅") == []  # the forwarded document's issuer, not this one's
    assert title_issuers("详细内容请查阅：《") == []
    assert title_issuers("甲市乙区") == []  # a place, not a body


NOTICE = """甲市财政局关于做好学生资助资金管理工作的通知
为落实《关于学生资助的意见》（乙财教〔2023〕9号）要求，进一步规范资金管理，现通知如下。
一、资金拨付
各区县应于每学期开学后30日内拨付资助资金。
二、其他
本通知自印发之日起施行，有效期至2026年12月31日。
甲市财政局 甲市教育局 2024年3月1日
"""


def test_notice_read_end_to_end(tmp_path):
    doc = parse(tmp_path, "notice.txt", NOTICE.encode())
    f = doc.facts
    assert f.doc_number is None  # the only 文号 in the text is the cited document's
    assert [i.value for i in f.issuers] == ["甲市财政局", "甲市教育局"]
    assert f.issuers[1].where == "甲市财政局 甲市教育局 2024年3月1日"
    assert f.date == Fact("2024-03-01", "甲市财政局 甲市教育局 2024年3月1日")
    assert f.effective_date == Fact("自印发之日起施行", "本通知自印发之日起施行，有效期至2026年12月31日。")
    assert f.validity == Fact("有效期至2026年12月31日", "本通知自印发之日起施行，有效期至2026年12月31日。")
    assert "[fact:落款] 甲市财政局 甲市教育局 2024年3月1日" in doc.clutter
    assert all("2024年3月1日" not in c.text for c in doc.clauses)


def test_title_with_its_own_number_in_brackets(tmp_path):
    text = (
        "甲市发展改革委印发《关于支持小微企业的若干措施》的通知（甲发改〔2024〕11号）\n一、减免租金。\n二、延期缴费。\n"
    )
    doc = parse(tmp_path, "t.txt", text.encode())
    line = text.splitlines()[0]
    assert doc.facts.as_dict()["title"] == fact("关于支持小微企业的若干措施", line)
    assert doc.facts.doc_number == Fact("甲发改〔2024〕11号", line)
    assert [i.value for i in doc.facts.issuers] == ["甲市发展改革委"]


NEWS = (
    "凝聚各方力量支持企业复工复产\n2月27日，省委统战部召开部务会，就全省统一战线助力企业复工复产进行再部署。\n{line}\n"
)


@pytest.mark.parametrize(
    ("line", "region"),
    [
        ("来源：江西日报", Fact("江西省", "来源：江西日报")),  # the report says only 全省: its outlet names it
        ("来源：重庆荣昌网", Fact("荣昌区", "来源：重庆荣昌网")),  # the most specific place, its parents with it
        ("来源：新华社", None),  # a national outlet names no region
        ("作者：江西", None),  # an author's line is no outlet
    ],
)
def test_a_news_items_region_falls_back_to_its_outlet(tmp_path, line, region):
    doc = parse(tmp_path, "news.txt", NEWS.format(line=line).encode())
    assert doc.facts.region == region
    assert all(line not in c.text for c in doc.clauses)


def test_a_region_from_the_issuer_is_not_replaced_by_the_outlet(tmp_path):
    text = "荣昌区教育委员会关于做好复课工作的通知\n各学校：\n一、做好开学准备。\n来源：江西日报\n"
    doc = parse(tmp_path, "n.txt", text.encode())
    assert doc.facts.region == Fact("荣昌区", "荣昌区教育委员会关于做好复课工作的通知")


def test_a_signature_name_broken_by_a_space_is_one_issuer(tmp_path):
    # A PDF line break inside the body's name left a space: not two bodies, and not text of the last clause.
    name = "泰州市海陵区应对新型冠状病毒感染 肺炎疫情工作领导小组"
    doc = parse(tmp_path, "s.txt", f"关于企业复工的通告\n一、企业复工须申报。\n{name}\n2020年2月9日\n".encode())
    assert [i.value for i in doc.facts.issuers] == ["泰州市海陵区应对新型冠状病毒感染肺炎疫情工作领导小组"]
    assert [c.text for c in doc.clauses] == ["一、企业复工须申报。"]


@pytest.mark.parametrize(("line", "names"), [("甲市财政局 甲市教育局", ["甲市财政局", "甲市教育局"])])
def test_bodies_separated_by_a_space_stay_apart(line, names):
    assert split_issuers(line) == names


def test_a_title_wrapped_before_its_type_and_number_is_joined(tmp_path):
    text = "四川省应对新型冠状病毒肺炎\n疫情应急指挥部公告 （第6号）\n现将有关事项公告如下：\n一、返岗人员须申报。\n"
    doc = parse(tmp_path, "t.txt", text.encode())
    assert doc.facts.title == Fact(
        "四川省应对新型冠状病毒肺炎疫情应急指挥部公告 （第6号）",
        "四川省应对新型冠状病毒肺炎\n疫情应急指挥部公告 （第6号）",
    )
