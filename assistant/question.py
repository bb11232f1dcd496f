"""What a question asks for: its key terms and nouns, the kind of figure it wants, the year it names, its script.

The evidence judge uses this to decide whether a clause really holds the answer (cosine similarity cannot: e5
scores answerable and unanswerable questions alike)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.lexicon import GENERIC_WORDS, SINGLE_CHAR_TERMS, Lexicon
from index.text import to_simplified

MONEY_NOUN = r"(钱|元|津贴|补贴|补助|经费|资金|工资|奖金|收费|学费|保教费|费用|奖励|互助金|拨款)"
# The measure words (量词) a count is asked in ("一周上几节", "要建几所"): the answer counts in the same one (5所, 3节),
# in 个, which counts anything, or, for people, in any of 名/人/位.
COUNT_UNIT = r"(所|名|人|位|项|门|次|场|节|篇|份|间|辆|台|张|批|类|家|届|期|轮|种|条|套|座|件|处|户|班)"
COUNT_ASKED = re.compile(rf"(?:几|多少){COUNT_UNIT}")
FIGURE_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "department",
        re.compile(
            r"哪个部门|哪些部门|什么部门|谁牵头|牵头单位|责任单位|由谁|谁负责|哪个单位|哪些单位|牵头部门|负责部门"
            # "谁出钱", "归谁管", "找谁", "哪一级财政": the same question as 由谁, asked as people ask it.
            r"|谁来|谁出|谁管|归谁|找谁|谁拍板|谁审批|谁批|谁定|哪一?级"
        ),
    ),
    ("percent", re.compile(r"比例|百分之|占比|百分比|多少%|覆盖率|入园率|入学率|巩固率|就业率|落户率|增长多少")),
    # How long (多久, 多长时间) is answered by a length of time, not by a date or a rate (每年); "多久…一次" asks
    # how often, which 每年 does answer, and stays with the dates below.
    # 多少天 and 多少小时 ask it as 几天 and 几小时 do.
    (
        "duration",
        re.compile(
            r"多久(?![^，,。？?]{0,6}一次)|多长时间|几天|几个月|几周(?!岁)|几小时"
            r"|多少(?:天|个?月|周(?!岁)|小时|分钟|学时|课时|个?工作日)"
        ),
    ),
    # A day is asked for as 几号/哪天/什么日期 as often as a year is; all are answered by a date.
    (
        "year",
        re.compile(
            r"哪一年|哪年|什么时候|何时|几年|多少年|多久|期限|截止|时间表|任期|几号|几月|哪一?天|几时|(什么|哪个|具体)日期"
        ),
    ),
    (
        "money",
        re.compile(rf"多少钱|多少元|几元|几块|金额|{MONEY_NOUN}.{{0,8}}(多少|几|标准)|(多少|几).{{0,6}}{MONEY_NOUN}"),
    ),
    ("points", re.compile(r"多少分|几分|加分")),
    (
        "count",
        re.compile(rf"多少个(?!月|工作日)|(?<!哪)几个(?!方面|月)|多少万人|几回|(?:几|多少){COUNT_UNIT}"),
    ),
    ("number", re.compile(r"多少|(?<!哪)几")),
)

# A news item's dateline ("新华社北京2月5日电", "四川新闻网成都9月10日讯") dates the report; it is no figure of the
# policy it reports, so a figure check reads the sentence without it.
DATELINE = re.compile(r"^[^，,。；]{0,24}?\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:电|讯|電|訊)")


def without_dateline(sentence: str) -> str:
    return DATELINE.sub("", sentence, count=1)


FINANCE_AGENT = r"财政"  # the public purse: 市级财政, 同级财政, 财政补贴, 财政资金
AGENT_VERB = r"(?:负责|承担|牵头|组织|统筹|实施|审批|审核|确定|核定|拨付|提供|安排|设立|管理|认定)"
# The agent of 由…: 由于 and 由此 give a cause.
AGENT = r"由(?![于此])[\u4e00-\u9fff、]{2,15}?"
FIGURE_EVIDENCE: dict[str, re.Pattern[str]] = {
    "points": re.compile(r"\d+(\.\d+)?\s*分(?![钟类级配层期])"),
    "money": re.compile(r"\d[\d.,]*\s*(万|千|百)?元"),
    "percent": re.compile(
        r"\d[\d.]*\s*%|百分之|\d[\d.]*\s*成|率\s*[:：]?\s*[>≥]?\d|\(%\)[^；]*；\s*\d{4}年[^:：]*[:：]\s*[>≥]?\d"
    ),
    "count": re.compile(
        # Not 小时 or 学时: a length of time (duration) counts no members, schools or people.
        r"\d[\d.]*\s*(所|个(?!月|工作日)|名|人|项|门|次|场|万人|家|批|类)|[一二三四五六七八九十两]\s*(所|个(?!月)|名|项|门|次|场)"
    ),
    "year": re.compile(
        r"\d{4}\s*年|\d+\s*(年|个月|天|日|周)|[一二三四五六七八九十]\s*(年|个月)|每(年|学年|学期|月|季度|届|周)"
    ),
    # A length of time: not a year (2024年), a day of the month (5日) or an age (3周岁).
    "duration": re.compile(
        r"(?<![\d.])(?!(?:19|20)\d{2}\s*年)\d+(\.\d+)?\s*(年|个月|天|周(?!岁)|小时|分钟|学时|课时|个?工作日|日内)"
        r"|[一二三四五六七八九十两半]\s*(年|个月|天|周(?!岁)|小时|学期)"
    ),
    # Who acts is stated by a body's name, by the public purse (市级财政, 财政补贴: who pays), or by the agent of
    # 由…负责/承担 ("由学校负责", "由举办者承担"); 由于 and 由此 give a cause, not an agent.
    "department": re.compile(
        r"(牵头单位|责任单位|[\u4e00-\u9fff]{1,8}(局|委|部|办|厅|委员会|工委|管委会|政府|党委|部门))"
        rf"|{FINANCE_AGENT}|{AGENT}{AGENT_VERB}"
    ),
    "number": re.compile(r"\d|[一二三四五六七八九十两]\s*(所|个|名|项|次|年)"),
}

# 分别 and 都有 are not here: they distribute over the question's own items ("牵头单位和责任单位分别是谁",
# "要准备的材料都有哪些"), which one clause answers.
CROSS_DOC = re.compile(
    r"哪些文件|哪几个文件|几个文件|各文件|哪些地方|哪些地区|各地|比较|对比|不同地区|哪份文件|哪个文件"
)
YEAR = re.compile(r"(20\d{2})\s*年")

# Question words that say nothing about where the answer is (assistant/resources/generic_words.tsv); the single
# characters that are terms on their own (SINGLE_CHAR_TERMS) come from single_char_terms.tsv.
GENERIC = set(GENERIC_WORDS)
# A word built on a question word (哪儿, 由谁来, 有何, 什么样, 几岁, 啥时候) is what is asked, not what the question is
# about: no clause writes it, so as a term it only dilutes the share of the question a clause covers. The closed
# class of Chinese interrogatives, not a list of words from questions. 何 asks only in its compounds (何立峰 is a
# name, 任何 asks nothing), and 几乎 and 几何 ask nothing either.
INTERROGATIVE = re.compile(r"哪|啥|谁|咋|怎|什么|多少|多久|[有为如]何|何(?:时|地|处|种|人|以|在)|几(?!乎|何)")


@dataclass
class Question:
    text: str
    simplified: str
    script: str
    terms: list[str]
    figure: str | None
    years: list[str]
    cross_doc: bool = False
    unit: str | None = None  # the measure word a count is asked in (几节 → 节); None for 几个 and other figures
    nouns: set[str] = field(default_factory=set)

    def without(self, names: list[str], lexicon: Lexicon) -> None:
        """Drop region names from the key terms: they choose the document, the clause need not repeat them."""
        if not names:
            return
        text = self.simplified
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, " ")
        self.terms = _terms(text, lexicon)


def detect_question_script(text: str) -> str:
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not cjk:
        return "simplified"
    simple = to_simplified("".join(cjk))
    changed = sum(a != b for a, b in zip(cjk, simple))
    return "traditional" if changed >= max(1, len(cjk) * 0.05) else "simplified"


# A figure is asked for only with a quantity question word; "超过规定比例后怎么处理" asks for a procedure.
QUANTITY_QUESTION = re.compile(
    r"多少|几|多大|多高|多长|多久|何时|哪一?年|哪一?天|日期|什么时候|百分之|占比|比例是|比例为|比重|标准是|金额"
)


# 几 counts rather than asks after 好/十/这/那/前/头/没/过 and before 十/百/千/万: "带班好几年了", "十几个人", "几十年",
# "这几年", "过几天" say how many, as 数 does in 数十年.
INDEFINITE_JI = re.compile(r"(?<=[好十这那前头没过])几|几(?=[十百千万])")


def analyse(text: str, lexicon: Lexicon) -> Question:
    simplified = to_simplified(text)
    # "哪几项工程" asks which ones, as 哪些 does, not how many.
    asked = INDEFINITE_JI.sub("数", simplified.replace("哪几", "哪些"))
    figure = next((name for name, pat in FIGURE_KINDS if pat.search(asked)), None)
    if figure not in (None, "department") and not QUANTITY_QUESTION.search(asked):
        figure = None
    counted = COUNT_ASKED.search(asked) if figure == "count" else None
    terms = _terms(simplified, lexicon)
    return Question(
        text=text,
        simplified=simplified,
        script=detect_question_script(text),
        terms=terms,
        figure=figure,
        years=YEAR.findall(simplified),
        unit=counted.group(1) if counted else None,
        cross_doc=bool(CROSS_DOC.search(simplified)),
        nouns=lexicon.nouns(simplified),
    )


def _terms(simplified: str, lexicon: Lexicon) -> list[str]:
    # Whole words (not search-mode fragments): "一辈子" is one unknown word, not three.
    return [
        t
        for t in lexicon.words(simplified)
        if t not in GENERIC
        and not INTERROGATIVE.search(t)
        and not YEAR.fullmatch(t + "年")
        and (len(t) > 1 or t in SINGLE_CHAR_TERMS)
    ]
