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


def test_a_figure_inside_a_larger_number_is_not_support():
    clause = "自2025年起,每生每年补助15元。"
    result = CitationGuard()("每生补助5元。[1]每生每年补助15元。[1]", {1: clause})
    assert result.text == "每生每年补助15元。[1]"
    assert result.dropped == ["每生补助5元。[1]"]


def test_figures_compare_by_value_across_numeral_forms():
    clause = "每月另发三百元,期限十二个月,比例不低于百分之五。"
    answer = "每月另发300元。[1]期限12个月。[1]比例不低于5%。[1]"
    assert CitationGuard()(answer, {1: clause}).text == answer
    result = CitationGuard()("期限十三个月。[1]", {1: clause})
    assert result.dropped == ["期限十三个月。[1]"]


def test_ranges_and_dates_must_match_whole():
    clause = "学制3至5年,自2025年9月1日起施行。"
    assert CitationGuard()("学制3-5年。[1]", {1: clause}).text == "学制3-5年。[1]"
    assert CitationGuard()("学制3-6年。[1]", {1: clause}).text == ""
    assert CitationGuard()("2025年9月1日起施行。[1]", {1: clause}).text == "2025年9月1日起施行。[1]"
    assert CitationGuard()("2025年10月1日起施行。[1]", {1: clause}).text == ""


def test_numerals_in_ordinary_words_need_no_support():
    answer = "一是统一实行一体化管理,一律免费。[1]"
    assert CitationGuard()(answer, {1: "实行一体化管理,免费。"}).text == answer


def test_a_figure_may_come_from_any_clause_the_statement_cites():
    result = CitationGuard()("新建幼儿园30所,经费2亿元。[1][2]", {1: "新建幼儿园30所", 2: "投入经费两亿元"})
    assert result.text == "新建幼儿园30所,经费2亿元。[1][2]"
    assert CitationGuard()("经费2亿元。[1]", {1: "新建幼儿园30所", 2: "投入经费两亿元"}).text == ""
