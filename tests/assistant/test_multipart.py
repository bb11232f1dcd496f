"""A paragraph of several questions: split into its questions, answered part by part with citations renumbered."""

from __future__ import annotations

import pytest

from assistant.conversation import Condenser
from assistant.models import Answer, Citation
from assistant.multipart import MAX_PARTS, TooManyQuestions, combine, has_subject, split_questions


@pytest.mark.parametrize(
    ("text", "questions"),
    [
        # question marks
        ("班主任每月补助多少？绩效工资怎么分配？", ["班主任每月补助多少？", "绩效工资怎么分配？"]),
        ("班主任每月补助多少?绩效工资怎么分配?", ["班主任每月补助多少?", "绩效工资怎么分配?"]),
        # numbered lists, on lines or inline
        ("1. 班主任每月补助多少？\n2. 绩效工资怎么分配？", ["班主任每月补助多少？", "绩效工资怎么分配？"]),
        ("（1）班主任每月补助多少（2）绩效工资怎么分配", ["班主任每月补助多少", "绩效工资怎么分配"]),
        ("① 班主任补助多少 ② 教师培训每年多少学时", ["班主任补助多少", "教师培训每年多少学时"]),
        ("一、班主任补助多少？二、绩效工资怎么分配？", ["班主任补助多少？", "绩效工资怎么分配？"]),
        # 一是…二是, with the announcement before it dropped
        ("我想问两个问题：一是班主任补助多少，二是绩效工资怎么分配。", ["班主任补助多少", "绩效工资怎么分配。"]),
        ("第一，班主任补助多少；第二，绩效工资怎么分配", ["班主任补助多少", "绩效工资怎么分配"]),
        # 另外 opens a new question after a comma, and is left out of it
        ("班主任补助多少，另外绩效工资怎么分配？", ["班主任补助多少", "绩效工资怎么分配？"]),
        # statements end at a full stop; questions without a question mark still ask
        ("班主任补助多少。绩效工资怎么分配。", ["班主任补助多少。", "绩效工资怎么分配。"]),
        # a statement before a list is context of the question after it
        (
            "我是荣昌的老师。\n1、班主任补助多少？\n2、绩效工资怎么分配？",
            ["我是荣昌的老师。班主任补助多少？", "绩效工资怎么分配？"],
        ),
        # an elliptical follow-up with a topic of its own is made standalone from the question before it
        ("小学入学有什么规定？幼儿园呢？", ["小学入学有什么规定？", "幼儿园入学有什么规定？"]),
    ],
)
def test_a_paragraph_is_split_into_its_questions(text, questions):
    assert split_questions(text) == questions


@pytest.mark.parametrize(
    "text",
    [
        "孩子明年上小学，入学要准备啥材料",  # commas do not split
        "当班主任一个月有补助吗？能多拿多少钱",  # the follow-up has no subject of its own: asked whole
        "荣昌区教育领域数字化改革2025年的年度目标是什么?责任单位有哪些?",
        "绩效工资怎么定？怎么分配？",
        "请问课后服务怎么收费？以及收费标准是多少？",
        "荣昌区2025年学前三年毛入园率目标是多少？",
        "补助1.5万元是按什么标准？",  # 1.5 is no list marker
        "学校还有没有名额？",  # this 还有 opens nothing
        "课后服务每课时补助多少钱？谢谢！",  # thanks is no question
        "孩子明年上小学。入学要准备啥材料？",  # a statement is context, not a question
        "  龙泉驿区对不服从工作安排的教师怎么处理?  ",
    ],
)
def test_a_single_question_comes_back_whole(text):
    assert split_questions(text) == [text.strip()]


def test_a_question_naming_no_place_is_asked_about_the_place_named_before():
    condenser = Condenser(["玉泉区", "聊城市"])
    text = "玉泉区要建几所智慧学校示范校?示范校里智慧课堂实验班比例是多少?"
    assert split_questions(text, condenser=condenser) == [
        "玉泉区要建几所智慧学校示范校?",
        "玉泉区示范校里智慧课堂实验班比例是多少?",
    ]
    # Without the indexed place names nothing is carried over.
    assert split_questions(text) == ["玉泉区要建几所智慧学校示范校?", "示范校里智慧课堂实验班比例是多少?"]


def test_a_follow_up_naming_a_new_subject_is_asked_on_its_own():
    text = "荣昌区2025年学前三年毛入园率目标是多少？2024年公办在园幼儿占比呢？"
    assert split_questions(text, condenser=Condenser(["荣昌区"])) == [
        "荣昌区2025年学前三年毛入园率目标是多少？",
        "荣昌区2024年公办在园幼儿占比呢？",
    ]


def test_a_follow_up_pointing_back_stays_with_its_question():
    text = "荣昌区2023年要新增多少名心理健康教育专家?这项任务由哪个单位牵头?"
    assert split_questions(text) == [text]


def test_context_before_a_list_loses_its_announcement():
    text = "我是聊城的老师，想问：1. 班主任每月能多拿多少钱？2. 绩效工资怎么分配？"
    assert split_questions(text) == ["我是聊城的老师，班主任每月能多拿多少钱？", "绩效工资怎么分配？"]


def test_a_paragraph_of_more_questions_than_answered_at_once_is_refused_before_any_is_answered():
    # 400 follow-ups in 1,600 characters pass the length check; each would cost a retrieval.
    with pytest.raises(TooManyQuestions, match=str(MAX_PARTS)):
        split_questions("小学入学有什么规定？" + "那初中呢？" * 400)


def test_as_many_questions_as_answered_at_once_are_split():
    text = "".join(
        f"{stage}入学有什么规定？"
        for stage in ("幼儿园", "小学", "初中", "高中", "中职", "高职", "大学", "特殊教育学校")
    )
    assert len(split_questions(text)) == MAX_PARTS


def test_nothing_to_split():
    assert split_questions("   ") == []


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("能多拿多少钱", False),
        ("标准是多少", False),
        ("由哪个部门负责", False),
        ("需要准备什么材料", False),
        ("绩效工资怎么分配", True),
        ("对老师有什么要求", True),
    ],
)
def test_a_follow_up_without_its_own_subject_is_recognised(part, expected):
    assert has_subject(part) is expected


# -- combine ------------------------------------------------------------------------------------------------------

A1 = Citation(
    1,
    "a.txt",
    "甲文件",
    "二、 7.",
    "班主任津贴每班每月900元。学校每学期开展考核。",
    0.9,
    ("班主任津贴每班每月900元。",),
)
A2 = Citation(2, "a.txt", "甲文件", "二、 8.", "绩效工资向一线教师倾斜。", 0.8, ("绩效工资向一线教师倾斜。",))
B1 = Citation(1, "b.txt", "乙文件", "三、", "绩效工资由学校自主分配。", 0.7, ("绩效工资由学校自主分配。",))
B2 = Citation(2, "a.txt", "甲文件", "二、 7.", A1.text, 0.95, ("学校每学期开展考核。",))
NEAR = Citation(1, "c.txt", "丙文件", "四、", "加强教师队伍建设。", 0.4)


def answered(text: str, citations: list[Citation], latency: float = 10.0) -> Answer:
    return Answer("q", text, False, citations, reason="supported", latency_ms=latency)


def refused(reason: str = "no_money") -> Answer:
    text = "文件提到了相关内容，但没有写明具体金额，无法据此作答。最接近的条款：《丙文件》四、。"
    return Answer("q", text, True, [], [NEAR], reason=reason, latency_ms=5.0)


def test_combine_answers_part_by_part_and_renumbers_markers():
    first = answered("班主任津贴每班每月900元。[1]绩效工资向一线教师倾斜。[2]", [A1, A2])
    second = answered("绩效工资由学校自主分配。[1]学校每学期开展考核。[2]", [B1, B2])
    out = combine([("班主任每月补助多少？", first), ("绩效工资怎么分配？", second)], question="原文")
    assert out.text == (
        "1. 班主任每月补助多少：班主任津贴每班每月900元。[1]绩效工资向一线教师倾斜。[2]\n"
        "2. 绩效工资怎么分配：绩效工资由学校自主分配。[3]学校每学期开展考核。[1]"
    )
    # The clause both parts cite keeps one number, with the sentences both used and the better score.
    assert [(c.n, c.source, c.clause) for c in out.citations] == [
        (1, "a.txt", "二、 7."),
        (2, "a.txt", "二、 8."),
        (3, "b.txt", "三、"),
    ]
    assert out.citations[0].sentences == ("班主任津贴每班每月900元。", "学校每学期开展考核。")
    assert out.citations[0].score == 0.95
    assert (out.question, out.refused, out.reason, out.latency_ms, out.nearest) == (
        "原文",
        False,
        "supported",
        20.0,
        [],
    )


def test_a_refused_part_says_the_documents_do_not_state_it():
    first = answered("班主任津贴每班每月900元。[1]", [A1])
    out = combine([("班主任每月补助多少？", first), ("校长每月补助多少？", refused())])
    assert out.text == (
        "1. 班主任每月补助多少：班主任津贴每班每月900元。[1]\n"
        "2. 校长每月补助多少：文件未明确规定。文件提到了相关内容，但没有写明具体金额，无法据此作答。"
        "最接近的条款：《丙文件》四、。"
    )
    assert [c.n for c in out.citations] == [1]
    assert out.nearest == [NEAR]
    assert (out.refused, out.reason) == (False, "partly_supported")


def test_every_part_refused_is_a_refusal():
    out = combine([("校长补助多少？", refused("no_money")), ("园长补助多少？", refused("no_money"))])
    assert out.refused
    assert out.reason == "no_money"
    assert out.citations == []
    assert out.nearest == [NEAR]  # the same clause named once
    assert out.text == (
        "1. 校长补助多少：文件未明确规定。文件提到了相关内容，但没有写明具体金额，无法据此作答。最接近的条款：《丙文件》四、。\n"
        "2. 园长补助多少：见第1问的回答。"
    )


def test_a_part_answered_by_the_same_sentences_refers_to_the_earlier_one():
    same = "班主任津贴每班每月900元。[1]"
    out = combine([("补助多少？", answered(same, [A1])), ("每班多少？", answered(same, [A1]))])
    assert out.text == "1. 补助多少：班主任津贴每班每月900元。[1]\n2. 每班多少：见第1问的回答。"
    assert [c.n for c in out.citations] == [1]


def test_a_traditional_refusal_says_so_in_traditional_script():
    part = Answer(
        "q", "文件沒有寫明負責的部門，無法據此作答。", True, [], [], reason="no_department", script="traditional"
    )
    out = combine([("誰負責？", part), ("班主任補助多少？", answered("班主任津贴每班每月900元。[1]", [A1]))])
    assert out.text.splitlines()[0] == "1. 誰負責：文件未明確規定。文件沒有寫明負責的部門，無法據此作答。"


def test_a_marker_without_a_citation_of_its_part_is_dropped():
    out = combine([("甲？", answered("甲。[1]乙。[3]", [A1])), ("乙？", answered("丙。[1]", [B1]))])
    assert out.text == "1. 甲：甲。[1]乙。\n2. 乙：丙。[2]"


def test_one_part_comes_back_as_it_is():
    only = answered("班主任津贴每班每月900元。[1]", [A1])
    assert combine([("班主任每月补助多少？", only)]) is only


def test_no_parts_is_an_error():
    with pytest.raises(ValueError):
        combine([])


def test_a_part_that_states_a_figure_itself_is_not_echoed():
    # Echoing "2025年…" would put a figure in the answer that no cited clause states; the part is numbered only.
    first = answered("班主任津贴每班每月900元。[1]", [A1])
    second = answered("绩效工资由学校自主分配。[1]", [B1])
    out = combine([("2025年班主任补助多少？", first), ("绩效工资怎么分配？", second)], question="原文")
    assert out.text == "1. 班主任津贴每班每月900元。[1]\n2. 绩效工资怎么分配：绩效工资由学校自主分配。[2]"
    from assistant.numbers import unsupported

    assert unsupported(out.text, [c.text for c in out.citations]) == []
