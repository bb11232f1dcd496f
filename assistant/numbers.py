"""Figures read as figures: the amounts, percentages, dates, counts and ranges of a text, with value and unit.

One reader shared by the citation guard, the evidence judge and the eval metrics, so that "三百元", "300元" and
"３００元" are one figure everywhere, and an answer's "5元" is never excused by a clause's "2025" or "15元": figures
are compared whole, by value and unit, never as substrings.

Text is read after OpenCC simplification and full-width → half-width. A Chinese numeral is a figure only where it
measures something (followed by a unit, inside 百分之…, or a compound like 两万); in ordinary words (一些, 统一,
一是, 十分, 万一, 一次性) and in clause ordinals (第三条, （一）, 一、, 1.) it is not.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index.numbering import normalize_width
from index.text import to_simplified

Date = tuple[int | None, int | None, int | None]


@dataclass(frozen=True)
class Quantity:
    """One figure, in base units: 3万元 → value 30000, unit 元; 千分之五 → 0.5, unit %.

    kind is one of money, percent, points, duration, count, fraction, number (no unit), year, date, range. A year
    or date carries `date` = (year, month, day) with unknown parts None; a range carries `low`/`high` and the unit
    of its ends; `text` is the figure as read (simplified, half-width).
    """

    value: float | None
    unit: str
    kind: str
    text: str
    low: float | None = None
    high: float | None = None
    date: Date | None = None

    @property
    def number(self) -> str:
        """The figure as plain digits, for reports: 30000, 95.5, 3-5, 2025, 2025年9月1日."""
        if self.kind == "date" and self.date is not None:
            return "".join(f"{v}{u}" for v, u in zip(self.date, "年月日") if v is not None)
        if self.kind == "range":
            return f"{_fmt(self.low)}-{_fmt(self.high)}"
        return _fmt(self.value)


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else f"{value:.10g}"


# -- units ---------------------------------------------------------------------------------------------------

# Written unit → (unit compared, kind, factor to the compared unit). 部/本/把 are no units here: 一部分, 一本正经 and
# 一把手 are ordinary words.
_UNITS: dict[str, tuple[str, str, float]] = {
    **{
        w: ("元", "money", f)
        for w, f in (("亿元", 1e8), ("千万元", 1e7), ("百万元", 1e6), ("万元", 1e4), ("千元", 1e3))
    },
    "元": ("元", "money", 1),
    "%": ("%", "percent", 1),
    "‰": ("%", "percent", 0.1),
    "个百分点": ("个百分点", "percent", 1),
    "分": ("分", "points", 1),
    "学分": ("学分", "points", 1),
    "月": ("月", "date", 1),
    **{w: (w, "duration", 1) for w in "年 学年 学期 个月 周 天 日 工作日 小时 学时 课时 分钟".split()},
    **{w: (w[1:], "duration", 1) for w in "个学期 个工作日 个小时".split()},
    "周岁": ("岁", "count", 1),
    **{
        w: (w, "count", 1)
        for w in "岁 年级 平方米 公里 部门 个 所 名 人次 人 项 门 次 场 家 批 类 件 条 款 册 套 间 台 辆 节 班 张 篇 位 户 座 种"
        " 级 期 届 倍 份 米 亩 层 轮 处 餐 号".split()
    },
}
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
# A unit followed by these is the start of an ordinary word: 一次性.
_WORD_AFTER_UNIT = {"次": "性"}

# -- numerals ------------------------------------------------------------------------------------------------

_CN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {
    "〇": 0,
    "两": 2,
    **{c: i + 1 for i, c in enumerate("壹贰叁肆伍陆柒捌玖")},
}
_CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_RUN = f"[{''.join(_CN_DIGIT)}{''.join(_CN_SMALL)}万亿]+(?:点[零〇一二三四五六七八九]+)?"
_MULTIPLIER = {"百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_NUM = rf"(?:\d+(?:\.\d+)?[百千万亿]*|{_CN_RUN})"


class _Invalid(Exception):
    """A run of numeral characters that is no well-formed numeral (一三 in 统一三年); read on from its next one."""


def _cn_value(text: str) -> float | None:
    """A well-formed Chinese numeral → its value (一千二百 → 1200, 两万五 → 25000, 十五点五 → 15.5), else None.

    Strict, because a run of numeral characters is often not a number: 十四五, 一一对应, 万一, 千万.
    """
    whole, _, frac = text.partition("点")
    if not whole or (whole[0] not in _CN_DIGIT and whole[0] not in "十拾"):
        return None
    total, section = 0, 0
    digit: int | None = None
    last_small, last_big, prev_unit, zero_gap = 10**4, 10**9, 0, False
    for ch in whole:
        if ch in ("零", "〇") and len(whole) > 1:
            if digit is not None:
                return None
            zero_gap = True
        elif ch in _CN_DIGIT:
            if digit is not None:
                return None  # two digits in a row: 一一, 十四五
            digit = _CN_DIGIT[ch]
        elif ch in _CN_SMALL:
            unit = _CN_SMALL[ch]
            if unit >= last_small or (digit is None and unit != 10):
                return None
            section += (1 if digit is None else digit) * unit
            digit, last_small, prev_unit, zero_gap = None, unit, unit, False
        else:
            big = _CN_BIG[ch]
            if big >= last_big or (digit is None and section == 0):
                return None
            total += (section + (digit or 0)) * big
            section, digit, last_small, last_big, prev_unit, zero_gap = 0, None, 10**4, big, big, False
    if digit is not None:
        # 一千二 is 1200 and 两万五 is 25000: a trailing digit counts in the unit below the last one.
        section += digit * prev_unit // 10 if prev_unit and not zero_gap else digit
    value = float(total + section)
    if frac:
        value += float("0." + "".join(str(_CN_DIGIT[c]) for c in frac))
    return value


def _value(text: str) -> float:
    """Arabic (with 万/亿 multipliers: 1.5万 → 15000) or Chinese numeral → value; _Invalid if not well formed."""
    if not text[0].isdigit():
        value = _cn_value(text)
        if value is None:
            raise _Invalid
        return value
    digits = text.rstrip("百千万亿")
    value = float(digits)
    for ch in text[len(digits) :]:
        value *= _MULTIPLIER[ch]
    return value


# -- the reader ----------------------------------------------------------------------------------------------

_CITATION = re.compile(r"\[\d+\]")
_TRANSLATE = str.maketrans(
    {"％": "%", "～": "~", "〜": "~", "－": "-", "–": "-", "—": "-", "―": "-", "／": "/", "\u3000": " "}
)
# Spaces inside a figure's phrase ("3 所", "2025 年") go; a line break stays, so "另见[2]\n2. …" does not become "另见2".
_SPACE = re.compile(r"(?<=[\u4e00-\u9fff\d])[ \t\u3000]+(?=[\u4e00-\u9fff%‰])|(?<=[\u4e00-\u9fff])[ \t\u3000]+(?=\d)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")

_CN_YEAR = "[零〇一二三四五六七八九]{4}"
_CN_MONTH = "十[一二]?|[一二三四五六七八九]"
_CN_DAY = "[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"
# Every figure starts with one of these; the lookahead spares the engine trying each alternative everywhere.
_FIRST = f"(?=[0-9{''.join(_CN_DIGIT)}{''.join(_CN_SMALL)}万亿])"
_DATE = re.compile(
    rf"{_FIRST}(?:(?<![\d.])(?P<y>\d{{4}}|{_CN_YEAR})年(?!级)(?:(?P<m>\d{{1,2}}|{_CN_MONTH})月(?:(?P<d>\d{{1,2}}|{_CN_DAY})[日号])?)?"
    r"|(?<![\d.])(?P<iy>\d{4})(?P<sep>[-/.])(?P<im>\d{1,2})(?P=sep)(?P<id>\d{1,2})(?![\d.])"
    rf"|(?<![\d.])(?P<mm>\d{{1,2}}|{_CN_MONTH})月(?P<md>\d{{1,2}}|{_CN_DAY})[日号])"
)
_FIGURE = re.compile(
    rf"{_FIRST}(?:(?P<base>[百千万])分之(?P<pnum>{_NUM})"
    rf"|(?P<den>{_NUM})分之(?P<fnum>{_NUM})"
    rf"|(?P<num>{_NUM})(?:[余多](?={_UNIT_ALT}))?(?P<unit>{_UNIT_ALT})?)"
)
_RANGE = re.compile(r"-|~|至|到")
# A Chinese numeral right after these is an ordinal, part of a word or no exact number: 第一, 统一, 同一年,
# 唯一, 万一, 数十所, 几百人.
_CN_WORD_BEFORE = tuple("第统同唯逐单万数几")
_CODE_BEFORE = re.compile(r"[A-Za-z]-?$")
_LIST_BEFORE = "。；;：:！？!?\n "
_PLACEHOLDER = "\x00"
_YEAR = re.compile(r"(19|20)\d\d|2100")  # a bare 2025 is a year, not 2025 of something


# (start, end, figure, scale) of each figure read
_Found = tuple[int, int, Quantity, float]


def normalize(text: str) -> str:
    """The form figures are read in: simplified, half-width, no citation markers or thousands separators."""
    text = normalize_width(to_simplified(text)).translate(_TRANSLATE)
    text = _SPACE.sub("", _CITATION.sub(" ", text))
    return _THOUSANDS.sub("", text)


def _date_part(text: str | None) -> int | None:
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    if len(text) == 4 and "十" not in text:
        return int("".join(str(_CN_DIGIT[c]) for c in text))  # 二〇二五
    value = _cn_value(text)
    return None if value is None else int(value)


def _dates(text: str) -> list[_Found]:
    found = []
    for m in _DATE.finditer(text):
        y = _date_part(m["y"] or m["iy"])
        mo = _date_part(m["m"] or m["im"] or m["mm"])
        d = _date_part(m["d"] or m["id"] or m["md"])
        if (y is not None and not 1900 <= y <= 2100) or (mo is not None and not 1 <= mo <= 12):
            continue
        if d is not None and not 1 <= d <= 31:
            continue
        if mo is None and y is not None:
            q = Quantity(float(y), "年", "year", m[0], date=(y, None, None))
        else:
            q = Quantity(None, "", "date", m[0], date=(y, mo, d))
        found.append((m.start(), m.end(), q, 1.0))
    return found


def _is_list_marker(text: str, start: int, end: int) -> bool:
    """(一) (1) 一、 1、 1. at a clause start: numbering, not a figure."""
    before = text[start - 1] if start else ""
    after = text[end : end + 2]
    if before == "(" and after[:1] == ")":
        return True
    if after[:1] == "、" and not after[1:2].isdigit():
        return True
    return (not before or before in _LIST_BEFORE) and after[:1] in (".", ")") and not after[1:2].isdigit()


def _scale(raw: str, written: str) -> float:
    """What a figure's trailing 万/千 and unit multiply its number by: 5万元 → 10000, 5‰ → 0.1."""
    trail = raw[len(raw.rstrip("百千万亿")) :]
    factor = _UNITS[written][2] if written else 1.0
    return factor * math.prod(_MULTIPLIER[c] for c in trail)


def _bare_cn_ok(raw: str, after: str) -> bool:
    """A Chinese numeral with no unit counts as a compound (两万, 十二) or as the low end of a range (三至五年);
    二十大 and 十九大 name party congresses."""
    if after[:1] == "大":
        return False
    if len(raw) >= 2 and any(c in "十拾百佰千仟万亿点" for c in raw):
        return True
    return after[:1] in ("-", "~", "至", "到") and (
        after[1:2].isdigit() or after[1:2] in _CN_DIGIT or after[1:2] == "十"
    )


def _figure(text: str, m: re.Match[str]) -> tuple[Quantity, float] | None:
    """The figure a match reads and its scale, or None when it is not a figure; raises _Invalid on a bad numeral."""
    start, end = m.start(), m.end()
    if m["base"]:
        if m["pnum"] == "百":
            return Quantity(100.0, "%", "percent", m[0]), 1  # 百分之百
        value = _value(m["pnum"])
        scale = {"百": 1, "千": 0.1, "万": 0.01}[m["base"]]
        return Quantity(value * scale, "%", "percent", m[0]), scale
    if m["den"]:
        den, num = _value(m["den"]), _value(m["fnum"])
        if not den:
            raise _Invalid
        return Quantity(num / den, "", "fraction", m[0]), 1
    raw, written = m["num"], m["unit"] or ""
    value = _value(raw)
    before, after = (text[start - 1] if start else ""), text[end : end + 2]
    if before == "第" or _is_list_marker(text, start, start + len(raw)):
        return None
    if written and after[:1] == _WORD_AFTER_UNIT.get(written):
        return None
    if not raw[0].isdigit():
        if text.endswith(_CN_WORD_BEFORE, 0, start):
            return None
        if not written and not _bare_cn_ok(raw, after):
            return None  # 一是, 一些, 一体化: ordinary words
        if raw == "十" and written == "分":
            return None  # 十分 = very
    elif _CODE_BEFORE.search(text, max(0, start - 2), start) or (
        not written and after[:1].isascii() and after[:1].isalpha()
    ):
        return None  # 5G, H5, G20: names, not figures
    scale = _scale(raw, written)
    if not written:
        if _YEAR.fullmatch(raw):
            return Quantity(value, "年", "year", m[0], date=(int(value), None, None)), 1
        return Quantity(value, "", "number", m[0]), scale
    unit, kind, factor = _UNITS[written]
    if unit == "学年" and _YEAR.fullmatch(raw):
        return Quantity(value, "年", "year", m[0], date=(int(value), None, None)), 1
    if unit == "月":
        if value == int(value) and 1 <= value <= 12:
            return Quantity(None, "", "date", m[0], date=(None, int(value), None)), 1
        kind = "duration"
    return Quantity(value * factor, unit, kind, m[0]), scale


def _ranges(text: str, found: list[_Found]) -> list[Quantity]:
    """Join "3" "-" "5年" into one range 3-5年; years and dates stay single (2025-2027年 is two years)."""
    out: list[_Found] = []
    for start, end, q, scale in found:
        if out:
            p_start, _, p, _ = out[-1]
            low = _range_low(text, out[-1], (start, end, q, scale))
            if low is not None and q.value is not None and low < q.value:
                joined = Quantity(None, q.unit, "range", text[p_start:end], low=low, high=q.value)
                out[-1] = (p_start, end, joined, scale)
                continue
        out.append((start, end, q, scale))
    return [q for _, _, q, _ in out]


def _range_low(text: str, prev: _Found, cur: _Found) -> float | None:
    """The low end when `prev` opens a range that `cur` closes, else None. 3-5万元: the 3 is in 万元 too."""
    _, p_end, p, _ = prev
    start, _, q, scale = cur
    if p.value is None or q.value is None or {p.kind, q.kind} & {"range", "year", "date"}:
        return None
    if p.unit not in ("", q.unit) or not _RANGE.fullmatch(text[p_end:start]):
        return None
    # 三至五万 is 30000-50000, but 三百至五百 is 300-500: scale the low end only when it is written smaller.
    return p.value * scale if not p.unit and p.value <= q.value / scale else p.value


@functools.lru_cache(maxsize=4096)
def _read(text: str) -> tuple[Quantity, ...]:
    norm = normalize(text)
    found = _dates(norm)
    for start, end, *_ in found:
        norm = norm[:start] + _PLACEHOLDER * (end - start) + norm[end:]
    pos = 0
    while m := _FIGURE.search(norm, pos):
        try:
            figure = _figure(norm, m)
        except _Invalid:
            pos = m.start() + 1
            continue
        if figure is not None:
            found.append((m.start(), m.end(), *figure))
        pos = m.end()
    found.sort(key=lambda f: f[0])
    return tuple(_ranges(norm, found))


def quantities(text: str) -> list[Quantity]:
    """Every figure of a text, in order."""
    return list(_read(text)) if text else []


def _same_unit(a: Quantity, b: Quantity) -> bool:
    return not a.unit or not b.unit or a.unit == b.unit


def _close(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def supported(claim: Quantity, evidence: Iterable[Quantity]) -> bool:
    """Whether some evidence figure states the claim: same value and unit (where both have one), a date agreeing
    on every part the claim names, a range with the same ends; an end of a range also supports a single value."""
    for e in evidence:
        if claim.date is not None:
            if e.date is not None and all(c is None or c == v for c, v in zip(claim.date, e.date)):
                return True
        elif e.date is not None:
            continue
        elif claim.kind == "range":
            if e.kind == "range" and _close(claim.low, e.low) and _close(claim.high, e.high) and _same_unit(claim, e):
                return True
        elif e.kind == "range":
            if (_close(claim.value, e.low) or _close(claim.value, e.high)) and _same_unit(claim, e):
                return True
        elif _close(claim.value, e.value) and _same_unit(claim, e):
            return True
    return False


def unsupported(answer: str, sources: str | Sequence[str]) -> list[Quantity]:
    """The figures of an answer that no source text states, in order (whole figures, never substrings)."""
    texts = [sources] if isinstance(sources, str) else sources
    evidence = [q for t in texts for q in quantities(t)]
    return [q for q in quantities(answer) if not supported(q, evidence)]
