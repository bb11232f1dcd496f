"""The extractive generator: the answering sentence first, off-topic sentences left out, table rows read out with
their units, and what it writes passes the citation guard."""

from __future__ import annotations

import pytest

from assistant.evidence import Support
from assistant.generator import ExtractiveGenerator, whole_statement
from assistant.guard import CitationGuard
from assistant.models import Hit
from assistant.question import Question
from assistant.rows import format_row, split_unit
from index.models import Chunk


def support(text: str, ranked: list[tuple[float, str]], path: str = "一、 1.", source: str = "a.txt", **kw) -> Support:
    """A clause of a document judged to support the question, with its sentences ranked as the judge ranks them."""
    chunk = Chunk(
        id=f"{source}#{path}",
        source=source,
        title=kw.pop("title", "测试文件"),
        path=path,
        heading=kw.pop("heading", ""),
        text=text,
        start=0,
        end=len(text),
        script="simplified",
        kind=kw.pop("kind", "clause"),
        region="",
        context=kw.pop("context", ""),
    )
    return Support(hit=Hit(chunk=chunk, score=1.0), coverage=1.0, sentences=ranked)


def question(text: str, terms: list[str], figure: str | None = None, years: list[str] | None = None) -> Question:
    return Question(
        text=text,
        simplified=text,
        script="simplified",
        terms=terms,
        figure=figure,
        years=years or [],
    )


def test_the_answering_sentence_comes_first_not_document_order():
    context = "班主任的负担要纳入学校考核。"
    answer = "切实减轻班主任非教学负担,不得安排班主任参加与教育教学无关的活动。"
    s = support(context + answer, [(10.0, answer), (7.0, context)])
    q = question("怎么减轻班主任负担?", ["班主任", "减轻", "负担"])
    draft = ExtractiveGenerator().generate(q, [s])
    assert draft.text == f"{answer}[1]{context}[1]"
    assert draft.cited == {1: s}
    assert draft.used == {1: [answer, context]}


def test_a_sentence_on_another_topic_of_the_same_clause_is_left_out():
    answer = "切实减轻班主任非教学负担。"
    other = "学校食堂要落实校领导陪餐制度,保障班主任用餐。"
    s = support(answer + other, [(10.0, answer), (6.5, other)])
    q = question("怎么减轻班主任负担?", ["班主任", "减轻", "负担"])
    assert ExtractiveGenerator().generate(q, [s]).text == f"{answer}[1]"


def test_a_weaker_sentence_of_another_clause_sharing_only_common_terms_is_left_out():
    lead = "分层分类开展五年周期不少于360学时的教师全员培训。"
    other = "建立社区教育教师库,加大教师培训力度。"
    first = support(lead, [(13.0, lead)])
    second = support(other, [(10.0, other)], path="二、 3.")
    q = question("老师五年要参加多少学时培训?", ["教师", "五年", "培训"])
    # Its clause is still pointed to ("另见"), but none of its sentences is said.
    assert ExtractiveGenerator().generate(q, [first, second]).text == f"{lead}[1]另见[2]"


def test_a_sentence_of_another_clause_that_answers_as_well_is_kept_after_the_lead():
    lead = "开齐开足体育课程,保证学生每天1小时体育活动。"
    other = "落实健康教育要求,确保健康教育教材、课时、师资、考核“四落实”。"
    first = support(lead, [(3.77, lead)])
    second = support(other, [(3.82, other)], path="二、 5.")
    q = question("健康教育课要保证哪几样落实到位?", ["健康", "保证", "落实"])
    draft = ExtractiveGenerator().generate(q, [first, second])
    assert draft.text == f"{lead}[1]{other}[2]"


def test_a_figure_for_someone_else_does_not_extend_the_answer():
    answer = "按照每班每月900元标准发放班主任津贴。"
    other = "特殊教育学校教职工每人每月增加津贴800元。"
    s = support(answer + other, [(12.0, answer), (8.0, other)])
    q = question("班主任每月津贴多少钱?", ["班主任", "津贴"], figure="money")
    assert ExtractiveGenerator().generate(q, [s]).text == f"{answer}[1]"


def test_a_second_figure_that_answers_nothing_more_of_the_question_is_left_out():
    answer = "按照生均每年300元标准,核增绩效工资总量,用于教育教学考核奖励;"
    other = "按照每班每月900元标准,增加绩效工资总量,用于班主任绩效考核奖励;"
    s = support(answer + other, [(15.0, answer), (10.0, other)])
    q = question("按生均多少钱核增绩效工资用于考核奖励?", ["生均", "核增", "绩效工资", "考核", "奖励"], figure="money")
    assert ExtractiveGenerator().generate(q, [s]).text == f"{answer}[1]"


def test_a_second_figure_for_another_part_of_the_question_is_kept():
    first = "课后服务经费按照生均每年80元标准落实。"
    second = "每课时补助不低于50元。"
    s = support(first + second, [(9.0, first), (7.0, second)])
    q = question("课后服务经费生均多少,每课时补助多少?", ["课后服务", "经费", "课时", "补助"], figure="money")
    assert ExtractiveGenerator().generate(q, [s]).text == f"{first}[1]{second}[1]"


def test_a_second_clause_repeating_the_same_figures_is_left_out():
    lead = "建设安全大数据平台,实现安全巡检点不少于2000个,月巡检次数不低于5000次。"
    again = "深度应用安全大数据平台,实现安全巡检点不少于2000个,月巡检次数不低于5000次。"
    q = question("安全平台要实现多少个巡检点?", ["安全", "平台", "巡检"], figure="count")
    draft = ExtractiveGenerator().generate(q, [support(lead, [(20.9, lead)]), support(again, [(20.9, again)], "二、")])
    assert draft.text == f"{lead}[1]"


@pytest.mark.parametrize(
    ("sentence", "asked", "terms"),
    [
        # Another role: 900元 for 班主任 says nothing of 校长.
        ("按照每班每月900元标准发放班主任津贴。", "校长每月津贴多少钱?", ["校长", "津贴"]),
        # Another kind of school: a fee for 幼儿园 is no answer for 小学.
        ("幼儿园保教费每月收取900元。", "小学保教费每月收多少?", ["小学", "保教费"]),
    ],
)
def test_a_figure_question_with_no_sentence_about_its_subject_gets_no_answer(sentence, asked, terms):
    s = support(sentence, [(9.0, sentence)])
    draft = ExtractiveGenerator().generate(question(asked, terms, figure="money"), [s])
    assert (draft.text, draft.cited) == ("", {})


def test_a_sentence_naming_no_kind_of_school_answers_for_every_kind():
    # Said of every student, so of 小学 too: naming no level gives no reason to refuse one.
    sentence = "广泛开展校园艺术活动,帮助每位学生学会1—2项艺术技能。"
    q = question("孩子上小学要学会几样艺术本事?", ["小学", "学会", "艺术"], figure="number")
    assert ExtractiveGenerator().generate(q, [support(sentence, [(9.0, sentence)])]).text == f"{sentence}[1]"


def test_the_figure_sentence_leads_when_the_best_sentence_holds_none():
    plain = "完善班主任津贴制度,提高班主任待遇。"
    figure = "班主任津贴按每月900元发放。"
    s = support(plain + figure, [(10.0, plain), (8.0, figure)])
    q = question("班主任津贴每月多少钱?", ["班主任", "津贴", "待遇"], figure="money")
    assert ExtractiveGenerator().generate(q, [s]).text == f"{figure}[1]"


def test_the_sentence_naming_the_year_asked_leads():
    prose = "到2025年,建设区级劳动教育示范学校15所。"
    row = "项目:保障劳动教育；年度工作目标(2023年):创办10所区级劳动教育示范校。；年度工作目标(2024年):创办5所区级劳动教育示范学校。"
    first = support(prose, [(19.0, prose)])
    second = support(row, [(12.0, row)], path="附件 表1 第7行", kind="table_row")
    q = question("2023年计划创办多少所区级劳动教育示范校?", ["创办", "区级", "劳动教育", "示范校"], "count", ["2023"])
    draft = ExtractiveGenerator().generate(q, [first, second])
    assert draft.text == "保障劳动教育：年度工作目标(2023年)：创办10所区级劳动教育示范校。[1]"
    assert draft.cited == {1: second}
    assert draft.used == {1: ["项目:保障劳动教育", "年度工作目标(2023年):创办10所区级劳动教育示范校。"]}


def test_a_department_split_at_its_semicolon_is_read_whole():
    text = "打造一校一品党建品牌。(牵头单位:区委教育工委;责任单位:区委组织部)"
    fragment = "(牵头单位:区委教育工委;"
    assert whole_statement(fragment, text) == "(牵头单位:区委教育工委;责任单位:区委组织部)"
    assert whole_statement("责任单位:区委组织部)", text) == "(牵头单位:区委教育工委;责任单位:区委组织部)"
    s = support(text, [(9.0, fragment), (3.0, "打造一校一品党建品牌。")])
    q = question("党建品牌由哪个单位牵头?", ["党建", "品牌", "牵头单位"], figure="department")
    assert ExtractiveGenerator().generate(q, [s]).text == "(牵头单位:区委教育工委;责任单位:区委组织部)。[1]"


def test_a_clauses_lead_unit_line_answers_who_is_responsible_for_what_the_clause_says():
    # The 牵头单位 line shares no word with the question and names no 学生; the clause it closes is about 学生资助.
    body = "推动家庭经济困难学生资助全覆盖。"
    units = "(牵头单位:区教委;责任单位:区财政局、区民政局)"
    q = question("家庭困难学生的资助归哪些部门管?", ["家庭", "困难", "学生", "资助"], figure="department")
    # Ranked as the judge ranks a department question's sentences (test_evidence: the lead-unit line first).
    s = support(body + units, [(24.0, units), (8.0, body)], heading="完善特殊群体教育保障")
    # It is read with its clause's heading, which says what the units are responsible for.
    assert ExtractiveGenerator().generate(q, [s]).text == f"完善特殊群体教育保障{units}。[1]"


def test_a_rows_sequence_number_is_no_figure():
    from assistant.rows import TABLE_VALUE

    assert not TABLE_VALUE.search("序号:16；项目:优化学校规划布局；年度工作目标(2025年):完成玉带路小学建设。")
    assert TABLE_VALUE.search("序号:3；指标:学前三年毛入园率(%)；2025年:≥95")
    # Asked how many, a row that numbers itself but counts nothing does not lead; the sentence with the count does.
    row = support(
        "序号:16；项目:优化学校规划布局；年度工作目标(2025年):完成玉带路小学建设。",
        [(9.0, "序号:16；项目:优化学校规划布局；年度工作目标(2025年):完成玉带路小学建设。")],
        path="附件 表1 第16行",
        kind="table_row",
    )
    body = "推动城乡中小学建设,新(改)建小学5所。"
    clause = support(body, [(6.0, body)], path="三、(四) 1.")
    q = question("到2025年要新建几所小学?", ["新建", "小学"], figure="count", years=["2025"])
    assert ExtractiveGenerator().generate(q, [row, clause]).text.startswith(body)


def test_the_clause_heading_line_is_no_further_sentence():
    heading = "7.提高教师待遇。"
    body = "依法保障教师平均工资收入水平不低于当地公务员平均工资收入水平。"
    s = support(heading + body, [(8.3, body), (5.8, heading)], heading="提高教师待遇")
    q = question("老师工资和公务员比怎么样?", ["教师", "工资", "公务员"])
    assert ExtractiveGenerator().generate(q, [s]).text == f"{body}[1]"


def test_the_answer_length_is_capped():
    lead = "切实减轻班主任非教学负担,不得安排班主任参加与教育教学无关的活动。"
    more = "班主任的负担要纳入学校考核。"
    s = support(lead + more, [(10.0, lead), (7.0, more)])
    q = question("怎么减轻班主任负担?", ["班主任", "减轻", "负担"])
    assert ExtractiveGenerator(max_chars=len(lead) + 5).generate(q, [s]).text == f"{lead}[1]"


# -- table rows -------------------------------------------------------------------------------------------------

INDICATOR_ROW = "分类:学前教育；指标:学前三年毛入园率(%)；2023年:94.20；2024年:94.50；2025年:95.00"


def test_an_indicator_row_reads_label_year_and_value_with_the_unit_of_its_label():
    q = question("2025年学前三年毛入园率目标是多少?", ["学前", "毛入园率"], "percent", ["2025"])
    text, used = format_row(q, INDICATOR_ROW)
    assert text == "学前教育·学前三年毛入园率：2025年：95.00（%）"
    assert used == ["分类:学前教育", "指标:学前三年毛入园率(%)", "2025年:95.00"]


def test_a_unit_column_gives_the_unit():
    row = "指标:学前三年毛入园率；单位:%；2020年:92.5；2025年目标:95"
    q = question("2025年学前三年毛入园率目标是多少?", ["学前", "毛入园率"], "percent", ["2025"])
    assert format_row(q, row)[0] == "学前三年毛入园率：2025年目标：95（%）"


def test_a_value_column_header_gives_the_unit():
    row = "指标:学前三年毛入园率；2020年(%):92.5；2025年目标(%):95"
    q = question("2025年学前三年毛入园率目标是多少?", ["学前", "毛入园率"], "percent", ["2025"])
    assert format_row(q, row)[0] == "学前三年毛入园率：2025年目标：95（%）"


def test_every_year_is_given_when_the_question_names_none():
    row = "分类:义务教育；指标:在校学生数(万人)；2023年:6.37；2025年:6.90"
    q = question("义务教育在校学生数预期是多少?", ["义务教育", "在校学生数"], "count")
    assert format_row(q, row)[0] == "义务教育·在校学生数：2023年：6.37（万人）；2025年：6.90（万人）"


def test_a_task_row_asked_for_its_departments_gives_them():
    row = "序号:8；项目:强化安全健康教育；重点任务:加大心理健康人才队伍建设。；牵头单位:区教委；责任单位:区财政局、区卫生健康委"
    q = question("强化安全健康教育的牵头单位是哪个?", ["安全", "健康教育", "牵头单位"], "department")
    text, used = format_row(q, row)
    assert text == "强化安全健康教育：牵头单位：区教委；责任单位：区财政局、区卫生健康委"
    assert used == ["项目:强化安全健康教育", "牵头单位:区教委", "责任单位:区财政局、区卫生健康委"]


def test_a_task_row_gives_the_cell_that_says_what_is_asked():
    row = (
        "序号:18；项目:推进高等教育多元融合发展；重点任务:加快建设城市管理职业学院。；"
        "年度工作目标(2023年):启动建设职业学院荣昌校区。；年度工作目标(2025年):职业学院荣昌校区开始招生。"
    )
    q = question("职业学院荣昌校区哪一年开始招生?", ["职业", "学院", "校区", "开始", "招生"], "year")
    assert format_row(q, row)[0] == "推进高等教育多元融合发展：年度工作目标(2025年)：职业学院荣昌校区开始招生"


def test_a_bracketed_year_is_no_unit():
    assert split_unit("年度工作目标(2023年)") == ("年度工作目标(2023年)", "")
    assert split_unit("在园幼儿数(万人)") == ("在园幼儿数", "万人")
    assert split_unit("2025年目标（%）") == ("2025年目标", "%")


def test_a_table_answer_passes_the_citation_guard():
    supports = [
        support(INDICATOR_ROW, [(9.0, INDICATOR_ROW)], "二、(二) 表1 第2行", kind="table_row"),
        support(
            "分类:义务教育；指标:在校学生数(万人)；2023年:6.37；2025年:6.90",
            [(7.0, "分类:义务教育；指标:在校学生数(万人)；2023年:6.37；2025年:6.90")],
            "二、(二) 表1 第4行",
            kind="table_row",
        ),
    ]
    q = question("2025年学前三年毛入园率目标是多少?", ["学前", "毛入园率"], "percent", ["2025"])
    draft = ExtractiveGenerator().generate(q, supports)
    assert draft.text == "学前教育·学前三年毛入园率：2025年：95.00（%）。[1]"
    checked = CitationGuard()(draft.text, {n: s.hit.chunk.text for n, s in draft.cited.items()})
    assert (checked.text, checked.dropped) == (draft.text, [])
    # The used cells are quoted from the clause, so the sources panel can highlight them.
    assert all(cell in INDICATOR_ROW for cell in draft.used[1])


def test_a_traditional_question_reads_the_row_in_traditional_script():
    q = question("2025年學前三年毛入園率目標是多少?", ["学前", "毛入园率"], "percent", ["2025"])
    q.script = "traditional"
    s = support(INDICATOR_ROW, [(9.0, INDICATOR_ROW)], kind="table_row")
    assert ExtractiveGenerator().generate(q, [s]).text == "學前教育·學前三年毛入園率：2025年：95.00（%）。[1]"


def test_a_unit_of_ten_thousand_stays_beside_the_figure_and_passes_the_guard():
    # Fused, "0.10万人" would read as 1000人, which the row's "0.10" does not state; beside it, it is the row's figure.
    row = "分类:高等教育；指标:其中:研究生(万人)；2023年:0.075；2024年:0.075；2025年:0.10"
    q = question("2025年在学研究生规模预期是多少万人?", ["研究生", "规模"], "count", ["2025"])
    draft = ExtractiveGenerator().generate(q, [support(row, [(9.0, row)], kind="table_row")])
    assert draft.text == "高等教育·其中:研究生：2025年：0.10（万人）。[1]"
    assert CitationGuard()(draft.text, {1: row}).text == draft.text
