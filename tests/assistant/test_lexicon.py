"""The lexicon as data: every resource row has a provenance, no entry written for a gold question is loaded, the
词林 thesaurus keeps only true synonym groups of modest size, and `Lexicon` unions it with the hand table."""

from __future__ import annotations

import csv

import pytest

import assistant.lexicon as lexicon
from assistant import question
from assistant.lexicon import (
    DOMAIN_WORDS,
    PROVENANCE,
    RESOURCES,
    STOP,
    SUBJECT_DIMENSIONS,
    SUBJECT_WORDS,
    SUBJECTS,
    SYNONYMS,
    THESAURUS_WEIGHT,
    Lexicon,
    read_table,
)
from assistant.thesaurus import MAX_GROUP, Thesaurus, ThesaurusStats, load_thesaurus, thesaurus

LOADED = {
    "domain_words.tsv": ("word", "provenance"),
    "stop_words.tsv": ("word", "provenance"),
    "generic_words.tsv": ("word", "provenance"),
    "single_char_terms.tsv": ("word", "provenance"),
    "subject_words.tsv": ("word", "dimension", "provenance"),
    "synonyms.tsv": ("word", "synonyms", "provenance"),
}


def raw_rows(name: str) -> list[list[str]]:
    with open(RESOURCES / name, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def removed_rows() -> list[dict[str, str]]:
    header, *rows = raw_rows("removed.tsv")
    return [dict(zip(header, r, strict=True)) for r in rows]


@pytest.mark.parametrize("name", sorted(LOADED))
def test_every_row_has_all_cells_and_a_general_or_domain_provenance(name):
    header, *rows = raw_rows(name)
    assert tuple(header) == LOADED[name]
    assert rows
    for row in rows:
        assert len(row) == len(header) and all(row), row
        assert PROVENANCE.match(row[-1]), row
    assert len(read_table(name, LOADED[name])) == len(rows)


def test_loaded_names_are_the_files_rows():
    assert [r[0] for r in raw_rows("domain_words.tsv")[1:]] == DOMAIN_WORDS
    assert {r[0] for r in raw_rows("stop_words.tsv")[1:]} == STOP
    assert {r[0] for r in raw_rows("subject_words.tsv")[1:]} == SUBJECT_WORDS
    assert {r[0]: tuple(r[1].split("|")) for r in raw_rows("synonyms.tsv")[1:]} == SYNONYMS
    assert {r[0] for r in raw_rows("generic_words.tsv")[1:]} == question.GENERIC
    assert set("党钱娃病奖课班税费分") == question.SINGLE_CHAR_TERMS


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("word\tprovenance\n打官司\tgold:g051\n", "provenance"),
        ("word\tprovenance\n老师\t\n", "non-empty"),
        ("word\tprovenance\n老师\n", "non-empty"),
        ("word\tsource\n老师\tgeneral:everyday-usage\n", "header"),
    ],
)
def test_a_malformed_or_gold_row_is_rejected(tmp_path, monkeypatch, content, message):
    (tmp_path / "x.tsv").write_text(content, encoding="utf-8")
    monkeypatch.setattr(lexicon, "RESOURCES", tmp_path)
    with pytest.raises(ValueError, match=message):
        read_table("x.tsv", ("word", "provenance"))


def test_a_subject_row_of_an_unknown_dimension_is_rejected(tmp_path, monkeypatch):
    (tmp_path / "x.tsv").write_text("word\tdimension\tprovenance\n校长\tperson\tdomain:x\n", encoding="utf-8")
    monkeypatch.setattr(lexicon, "RESOURCES", tmp_path)
    with pytest.raises(ValueError, match="dimension"):
        lexicon._subjects("x.tsv")
    assert set(SUBJECTS.values()) == set(SUBJECT_DIMENSIONS)


@pytest.mark.parametrize(
    ("terms", "text", "met"),
    [
        (["班主任", "津贴"], "班主任津贴每月900元", True),
        (["校长", "津贴"], "班主任津贴每月900元", False),  # a role must be named
        (["校长", "津贴"], "津贴每月900元", False),  # even when the text names no role at all
        (["小学", "艺术"], "每位学生学会1—2项艺术技能", True),  # names no level: said of every level
        (["小学", "艺术"], "初中每位学生学会1项艺术技能", False),  # names another level
        (["小学", "艺术"], "小学每位学生学会2项艺术技能", True),
        (["小学", "艺术"], "幼儿园每位幼儿学会1项艺术技能", False),  # 幼儿园 is another level
        (["幼儿园", "艺术"], "每位学生学会1—2项艺术技能", False),  # 学生 and 学校 do not include 幼儿园
        (["公办学校", "小学"], "小学收费标准", True),  # the level named, the ownership left open
        (["公办学校", "小学"], "民办学校小学收费标准", False),
    ],
)
def test_a_kind_of_school_is_unmet_only_when_another_of_its_kind_is_named(terms, text, met):
    assert lexicon.subjects_met(terms, lambda t: t in text) is met


def test_removal_record_is_complete_and_none_of_it_is_loaded():
    rows = removed_rows()
    assert len(rows) == 49
    for row in rows:
        assert row["reason"], row
        assert row["table"] in ("synonyms", "generic_words"), row
        assert bool(row["removed"]) == (row["table"] == "synonyms"), row
        assert row["provenance"] == "noop" or row["provenance"].startswith("gold:"), row
        if row["table"] == "synonyms" and row["provenance"] != "noop":
            gone = set(row["removed"].split("|")) - {row["word"]}
            assert not gone & set(SYNONYMS.get(row["word"], ())), row
        if row["table"] == "generic_words":
            assert row["word"] not in question.GENERIC
    whole = {r["word"] for r in rows if r["table"] == "synonyms"} - set(SYNONYMS)
    assert len(whole) == 33 and len(SYNONYMS) == 102 - 33


def test_entries_written_for_one_gold_question_are_gone():
    for word in (
        "打官司",
        "官司",
        "拼音",
        "算术",
        "找上门",
        "一起吃饭",
        "退下来",
        "估算",
        "分学校",
        "几回",
        "出钱",
        "家长",
    ):
        assert word not in SYNONYMS, word
    assert SYNONYMS["奖金"] == ("奖励",)
    assert SYNONYMS["上课"] == ("课时",)
    assert "陪餐" not in SYNONYMS["伙食"]
    assert not {"会亮", "能领", "哪三大"} & question.GENERIC


def test_general_everyday_mappings_stay():
    assert SYNONYMS["老师"] == ("教师",)
    assert SYNONYMS["孩子"] == ("学生", "幼儿", "儿童")
    assert SYNONYMS["上学"] == ("入学", "就读", "就学")
    assert SYNONYMS["补课"] == ("校外培训", "有偿补课")
    assert SYNONYMS["托管"] == ("课后服务",)


def test_thesaurus_keeps_equal_groups_of_modest_size_without_single_characters():
    groups = [
        ("Aa01A01=", ["工资", "工钱", "薪", "薪资"]),
        ("Aa01A02#", ["补课", "备课", "听课"]),  # related, not equal
        ("Aa01A03@", ["独词"]),  # a single word
        ("Aa01A04=", [f"词{i:02d}" for i in range(MAX_GROUP + 1)]),  # too broad
        ("Aa01A05=", ["师", "生", "老师"]),  # one multi-character member left: nothing to pair it with
        ("Aa01A06=", ["收入", "工资"]),  # a second sense of 工资
    ]
    th = Thesaurus(groups)
    assert th.synonyms("工资") == {"工钱", "薪资", "收入"}
    assert th.synonyms("工钱") == {"工资", "薪资"}
    assert th.synonyms("工資") == {"工钱", "薪资", "收入"}  # traditional script is looked up simplified
    assert th.synonyms("补课") == frozenset() and th.synonyms("词00") == frozenset()
    assert th.synonyms("薪") == frozenset() and "老师" not in th
    assert th.stats == ThesaurusStats(synonym_groups=4, kept_groups=2, broad_groups=1, thin_groups=1, words=4)
    with pytest.raises(ValueError):
        Thesaurus(groups, max_group=1)


def test_cilin_synonyms_of_everyday_words():
    th = thesaurus()
    assert th is thesaurus()  # built once per process
    assert th.synonyms("工资") == {"工钱", "工薪", "薪资"}
    assert th.synonyms("私立") == {"民办", "私营"}
    assert th.synonyms("打官司") == {"诉讼", "词讼", "辞讼"}
    assert {"出资", "掏钱"} <= th.synonyms("出钱")
    assert {"就餐", "用餐"} <= th.synonyms("吃饭")
    # 补课 is only in a '#' group (备课, 听课, 代课: related, not equal).
    assert th.synonyms("补课") == frozenset()
    # 老师/教师 share one group of 18 (with 先生, 园丁, 教职工): too broad. 孩子's 42-member group is skipped,
    # its 9-member group (子女, 儿女) kept, less its single characters (孩, 囡, 胎).
    assert th.synonyms("老师") == frozenset() and th.synonyms("教师") == frozenset()
    assert th.synonyms("孩子") == {"子女", "儿女", "男女", "骨血", "亲骨肉"}
    assert th.synonyms("拼音") == frozenset() and th.synonyms("找上门") == {"挑衅", "寻衅", "衅寻滋事"}


def test_thesaurus_load_time_is_measured(capsys):
    built = load_thesaurus()
    stats = built.stats
    with capsys.disabled():
        print(
            f"\n词林 thesaurus: {stats.words} words, {stats.kept_groups} groups kept, load {stats.load_seconds:.3f} s"
        )
    assert stats.load_seconds > 0
    assert stats.synonym_groups == 9988
    assert stats.kept_groups + stats.broad_groups + stats.thin_groups == stats.synonym_groups
    assert len(built) == stats.words == 28597


def test_lexicon_synonyms_union_table_and_thesaurus():
    assert Lexicon.synonyms("工资") == {"绩效工资", "收入", "待遇", "工钱", "工薪", "薪资"}
    assert Lexicon.synonyms("工資") == Lexicon.synonyms("工资")
    assert Lexicon.synonyms("老师") == {"教师"}  # table only: 词林's group is too broad
    assert Lexicon.synonyms("私立") == {"民办", "私营"}  # both agree on 民办
    assert Lexicon.synonyms("绩效工资") == frozenset()


def test_expansion_weighs_thesaurus_synonyms_below_table_synonyms():
    weights = Lexicon.expansion(["老师", "工资"])
    assert weights == {
        "老师": 1.0,
        "工资": 1.0,
        "教师": 0.5,
        "绩效工资": 0.5,
        "收入": 0.5,
        "待遇": 0.5,
        "工薪": THESAURUS_WEIGHT,
        "工钱": THESAURUS_WEIGHT,
        "薪资": THESAURUS_WEIGHT,
    }
    assert Lexicon.expand(["老师", "工资"]) == list(weights)
    # A word the question already has keeps its full weight even when it is also someone's synonym.
    assert Lexicon.expansion(["补贴", "津贴"]) == {"补贴": 1.0, "津贴": 1.0, "补助": 0.5}


def test_frequency_tells_dictionary_words_from_joins():
    lex = Lexicon()
    assert lex.frequency("绩效工资") == 20000  # a domain word
    assert lex.frequency("教师") > 0
    assert lex.frequency("会亮") == 0  # jieba's HMM join in "会亮「红牌」"


def test_an_auxiliary_jieba_glued_to_a_word_is_cut_off():
    lex = Lexicon()
    assert lex.words("违反师德会有什么处分") == ["违反", "师德", "处分"]
    assert "师德" in lex.tokens("违反师德会有什么处分")
    # Dictionary words that end in 会 or 能 are words, and a two-character join keeps its stem's one character.
    assert lex.words("社会机会") == ["社会", "机会"] and "功能" in lex.words("健康码的功能")
    assert "娃能" in lex.words("娃能上学吗")


@pytest.mark.parametrize(
    ("word", "name"), [("蔡奇", True), ("王新伟", True), ("对师德", False), ("娃能", False), ("区管校聘", False)]
)
def test_a_name_begins_with_a_surname_read_from_the_dictionarys_names(word, name):
    from assistant.lexicon import looks_like_name

    assert looks_like_name(word) is name
