"""The rule-based condenser: exact standalone rewrites of elliptical follow-ups, and what it leaves alone."""

from __future__ import annotations

import pytest

from assistant.conversation import Condenser

REGIONS = ("重庆市荣昌区", "荣昌区", "荣昌", "玉泉区", "聊城市", "北京市")
ANSWER = "（答案）"


@pytest.fixture
def condenser() -> Condenser:
    return Condenser(REGIONS)


@pytest.mark.parametrize(
    ("previous", "follow_up", "expected"),
    [
        # school stage for school stage
        ("小学入学有什么规定?", "那幼儿园呢?", "幼儿园入学有什么规定?"),
        ("小学入学有什么规定?", "那么初中呢？", "初中入学有什么规定?"),
        ("小学入学有什么规定?", "高中呢", "高中入学有什么规定?"),
        ("中小学课后服务怎么收费?", "那幼儿园呢?", "幼儿园课后服务怎么收费?"),
        # persona for persona
        ("班主任每月能多拿多少钱?", "那校长呢?", "校长每月能多拿多少钱?"),
        ("教师绩效工资怎么分配?", "如果是班主任呢?", "班主任绩效工资怎么分配?"),
        # year for year, region for region
        ("荣昌区2025年公办在园幼儿占比目标是多少?", "那2024年呢?", "荣昌区2024年公办在园幼儿占比目标是多少?"),
        ("荣昌区2025年公办在园幼儿占比目标是多少?", "那2024年的呢?", "荣昌区2024年公办在园幼儿占比目标是多少?"),
        ("荣昌区2025年公办在园幼儿占比目标是多少?", "玉泉区呢?", "玉泉区2025年公办在园幼儿占比目标是多少?"),
        # a year or region the previous question lacked narrows it
        ("教师绩效工资怎么分配?", "那荣昌区呢?", "荣昌区教师绩效工资怎么分配?"),
        ("教师绩效工资怎么分配?", "那2024年呢?", "2024年教师绩效工资怎么分配?"),
        ("教师绩效工资怎么分配?", "那星河区呢?", "星河区教师绩效工资怎么分配?"),  # unknown place, known by its suffix
        # no counterpart of the same kind: appended
        ("小学入学有什么规定?", "还有户籍要求呢?", "小学入学有什么规定，户籍要求呢?"),
        ("小学入学有什么规定?", "那教师呢", "小学入学有什么规定，教师呢?"),
        ("班主任每月能多拿多少钱?", "如果是寄宿制学校呢?", "班主任每月能多拿多少钱，寄宿制学校呢?"),
        # the longest noun wins: 幼儿园教师 is a persona, not the stage 幼儿园
        ("小学入学有什么规定?", "那幼儿园教师呢?", "小学入学有什么规定，幼儿园教师呢?"),
        # traditional script stays traditional
        ("小學入學有什麼規定？", "那幼兒園呢？", "幼兒園入學有什麼規定？"),
    ],
)
def test_follow_up_is_rewritten(condenser, previous, follow_up, expected):
    assert condenser.condense([(previous, ANSWER)], follow_up) == expected


@pytest.mark.parametrize(
    "question",
    [
        "教师绩效工资怎么分配?",  # a full question
        "那初中入学要什么材料?",  # opens with 那 but asks its own question
        "还有什么规定?",
        "那么这些措施什么时候实施呢?",
    ],
)
def test_full_questions_are_left_alone(condenser, question):
    assert condenser.condense([("小学入学有什么规定?", ANSWER)], question) == question


def test_without_history_a_follow_up_stays_as_asked(condenser):
    assert condenser.condense([], "那幼儿园呢?") == "那幼儿园呢?"


def test_a_chain_of_follow_ups_replays_raw_history(condenser):
    history = [("小学入学有什么规定?", ANSWER), ("那幼儿园呢?", ANSWER)]
    assert condenser.condense(history, "那初中呢?") == "初中入学有什么规定?"


def test_condensed_history_gives_the_same_result(condenser):
    history = [("小学入学有什么规定?", ANSWER), ("幼儿园入学有什么规定?", ANSWER)]
    assert condenser.condense(history, "那初中呢?") == "初中入学有什么规定?"


def test_only_the_latest_question_is_the_base(condenser):
    history = [("小学入学有什么规定?", ANSWER), ("班主任每月能多拿多少钱?", ANSWER)]
    assert condenser.condense(history, "那校长呢?") == "校长每月能多拿多少钱?"


def test_blank_turns_in_history_are_skipped(condenser):
    history = [("小学入学有什么规定?", ANSWER), ("  ", "")]
    assert condenser.condense(history, "那幼儿园呢?") == "幼儿园入学有什么规定?"


def test_topic_extraction(condenser):
    assert condenser.topic("那幼儿园呢?") == "幼儿园"
    assert condenser.topic("那么，2024年的呢？") == "2024年"
    assert condenser.topic("教师绩效工资怎么分配?") is None
    assert condenser.topic("那这个文件里面关于所有学校办学条件的规定呢") is None  # too long to be elliptical


@pytest.mark.parametrize(
    "follow_up",
    [
        "那" * 20_000,  # every 那 a connective: once re-converted the whole rest per connective (86 s)
        "那" * 19_990 + "幼儿园呢?",
        "，" * 20_000 + "x",  # punctuation runs a `$`-anchored pattern would backtrack over
        "的" * 20_000 + "x呢",
    ],
)
def test_condensing_a_huge_follow_up_is_linear_and_returns_within_bound(condenser, follow_up):
    import time

    long_earlier = "?" * 1_991 + "小学入学有什么规定"  # as long as an earlier question can be
    started = time.perf_counter()
    condenser.condense([("小学入学有什么规定?", ANSWER), (long_earlier, ANSWER)], follow_up)
    assert time.perf_counter() - started < 2.0  # generous: ~0.2 s on a loaded 2-core machine


def test_a_follow_up_behind_many_connectives_still_finds_its_topic(condenser):
    assert condenser.condense([("小学入学有什么规定?", ANSWER)], "那" * 500 + "幼儿园呢?") == "幼儿园入学有什么规定?"


def test_only_the_last_twenty_turns_are_replayed(condenser):
    within = [("小学入学有什么规定?", ANSWER)] + [("那初中呢?", ANSWER)] * 19
    assert condenser.condense(within, "那幼儿园呢?") == "幼儿园入学有什么规定?"
    beyond = [("小学入学有什么规定?", ANSWER)] + [("那初中呢?", ANSWER)] * 20
    assert condenser.condense(beyond, "那幼儿园呢?") == "那幼儿园呢?"  # the full question is 21 turns back


def test_an_earlier_turn_too_long_to_be_a_question_ends_the_context_without_being_read(condenser):
    import time

    history = [("小学入学有什么规定?", ANSWER), ("，" * 1_000_000, ANSWER)]
    started = time.perf_counter()
    assert condenser.condense(history, "那幼儿园呢?") == "那幼儿园呢?"
    assert time.perf_counter() - started < 0.5  # generous: nothing of the megabyte is read
