"""The citation guard drops statements whose figures or departments their cited clauses do not contain."""

from assistant.guard import CitationGuard

CLAUSE = (
    "按照生均每年80元标准落实义务教育学校课后服务经费,确保每课时不低于50元的补助。(牵头单位:区教委;责任单位:区财政局)"
)


def test_keeps_supported_statements():
    result = CitationGuard()("每课时补助不低于50元。[1]", {1: CLAUSE})
    assert result.text == "每课时补助不低于50元。[1]"
    assert result.dropped == []


def test_drops_a_figure_the_clause_does_not_hold():
    result = CitationGuard()("每课时补助不低于50元。[1]每月另发300元。[1]", {1: CLAUSE})
    assert result.text == "每课时补助不低于50元。[1]"
    assert result.dropped == ["每月另发300元。[1]"]


def test_drops_a_department_the_clause_does_not_name():
    result = CitationGuard()("由区人力社保局负责。[1]牵头单位是区教委。[1]", {1: CLAUSE})
    assert result.text == "牵头单位是区教委。[1]"


def test_drops_uncited_text_and_markers_to_nothing():
    result = CitationGuard()("每课时不低于50元。[2]另外还有奖励", {1: CLAUSE})
    assert result.text == ""
    assert result.dropped == ["另外还有奖励", "每课时不低于50元。[2]"]


def test_compares_across_scripts_and_widths():
    clause = "按照生均每年８０元標準落實課後服務經費。"
    assert CitationGuard()("按照生均每年80元标准落实。[1]", {1: clause}).text == "按照生均每年80元标准落实。[1]"


def test_table_cells_with_full_stops_stay_one_statement():
    row = "项目:增强美育熏陶；年度工作目标(2025年):创办艺术特色学校10所。"
    answer = "项目:增强美育熏陶；年度工作目标(2025年):创办艺术特色学校10所。[1]"
    assert CitationGuard()(answer, {1: row}).text == answer
