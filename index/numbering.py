"""Clause numbering: one table of marker patterns, and numeral parsing.

Each row of `MARKERS` is one numbering style. `rank` orders styles the way Chinese official documents nest them
(编 > 章 > 节 > 一、 > 第N条 > (一) > 1. > (1) > ①); a style first seen below a lower-ranked one is nested by the
document itself, so rank only decides when a higher-ranked style returns. `inline` says whether the style may
also be recognised inside running text (a scrape that lost its line breaks), where it is accepted only when it is
the number the sequence expects next.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CN_DIGITS = "〇零一二三四五六七八九"
CN_NUM = f"[{CN_DIGITS}十百两]+"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def cn_to_int(text: str) -> int:
    """Chinese or arabic numeral → int: 一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105, "12" → 12.

    Strict, because a marker is only a marker when its number is well formed: two digits in a row ("一一" in
    "一一对应", "十四五") are not a clause number, so they raise ValueError like any non-numeral.
    """
    text = text.strip()
    if text.isdigit():
        return int(text)
    values = {c: i for i, c in enumerate("零一二三四五六七八九")}
    values.update({"〇": 0, "两": 2})
    total, current, previous_digit = 0, 0, False
    for ch in text:
        if ch in values:
            if previous_digit and current:
                raise ValueError(f"not a numeral: {text!r}")
            current = values[ch]
            previous_digit = True
        elif ch == "十":
            total += (current or 1) * 10
            current, previous_digit = 0, False
        elif ch == "百":
            total += (current or 1) * 100
            current, previous_digit = 0, False
        else:
            raise ValueError(f"not a numeral: {text!r}")
    return total + current


def int_to_cn(n: int) -> str:
    """int → Chinese numeral as used in clause numbers: 1 → 一, 10 → 十, 12 → 十二, 21 → 二十一."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    hundreds, rest = divmod(n, 100)
    tail = "" if rest == 0 else ("零" + digits[rest] if rest < 10 else int_to_cn(rest))
    return digits[hundreds] + "百" + tail


def normalize_width(text: str) -> str:
    """Full-width digits, letters, parentheses and dots → half-width, so （１） and (1) are the same marker."""
    return "".join(
        unicodedata.normalize("NFKC", ch) if ch in "０１２３４５６７８９（）．：，" or "Ａ" <= ch <= "ｚ" else ch
        for ch in text
    )


@dataclass(frozen=True)
class MarkerStyle:
    """One numbering style: how it looks at a line start, inline, and how it is written in a clause path."""

    name: str
    rank: int
    line: re.Pattern[str]
    inline: re.Pattern[str] | None
    canonical: str  # format with {n} (arabic) or {cn} (Chinese numeral)
    attach: bool = False  # joins its parent's path without a space (项 under an article)


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# The single table of numbering rules. Groups: "num" is the number; the match ends where the clause text starts.
MARKERS: tuple[MarkerStyle, ...] = (
    # "附件" / "附件2" alone, or "附件2：名单" heading the annex it names (an attachment *list* is taken as a fact
    # before segmentation, so only annex headings reach this row).
    MarkerStyle("annex", 0, _p(r"^附\s*件\s*(?P<num>\d{0,2})\s*(?=$|[:：])"), None, "附件{n}"),
    MarkerStyle("bian", 1, _p(rf"^第\s*(?P<num>{CN_NUM}|\d+)\s*编[\s\u3000]*"), None, "第{cn}编"),
    MarkerStyle("zhang", 2, _p(rf"^第\s*(?P<num>{CN_NUM}|\d+)\s*章[\s\u3000]*"), None, "第{cn}章"),
    MarkerStyle("jie", 3, _p(rf"^第\s*(?P<num>{CN_NUM}|\d+)\s*节[\s\u3000]*"), None, "第{cn}节"),
    MarkerStyle(
        "cn",
        4,
        _p(rf"^(?P<num>{CN_NUM})\s*[、.．](?![\d{CN_DIGITS}])\s*"),
        _p(rf"(?<=[。；;！？!?”」])\s*(?P<num>{CN_NUM})\s*、\s*"),
        "{cn}、",
    ),
    MarkerStyle(
        "tiao",
        5,
        _p(rf"^第\s*(?P<num>{CN_NUM}|\d+)\s*条[\s\u3000]*"),
        _p(rf"(?<=[。；;])\s*第(?P<num>{CN_NUM})条[\s\u3000]*"),
        "第{cn}条",
    ),
    MarkerStyle(
        "paren_cn",
        6,
        _p(rf"^[(（]\s*(?P<num>{CN_NUM})\s*[)）]\s*"),
        _p(rf"(?<=[。；;：:！？])\s*[(（](?P<num>{CN_NUM})[)）]\s*"),
        "({cn})",
        attach=True,
    ),
    MarkerStyle(
        "num",
        7,
        _p(r"^(?P<num>\d{1,2})\s*[.．、](?![\d.．])\s*"),
        # Inline arabic numbers follow any character (a heading may run straight into them) but must be followed
        # by Chinese text; the sequence check in the segmenter keeps "2.5%" and "57个" out.
        _p(r"(?<![\d.．%％A-Za-z])(?P<num>\d{1,2})\s?[.．,，](?![\d])\s*(?=[\u4e00-\u9fff“「])"),
        "{n}.",
    ),
    MarkerStyle(
        "paren_num",
        8,
        _p(r"^(?:[(（]\s*(?P<num>\d{1,2})\s*[)）]|(?P<num2>\d{1,2})\s*[)）])\s*"),
        _p(r"(?<=[。；;：:])\s*[(（](?P<num>\d{1,2})[)）]\s*"),
        "({n})",
    ),
    MarkerStyle(
        "circled", 9, _p(f"^(?P<num>[{_CIRCLED}])\\s*"), _p(f"(?<=[。；;：:])\\s*(?P<num>[{_CIRCLED}])"), "{c}"
    ),
    MarkerStyle("box", 4, _p(rf"^专\s*栏\s*(?P<num>\d{{1,2}}|{CN_NUM})\s*[:：]?\s*"), None, "专栏{raw}"),
)

STYLES = {m.name: m for m in MARKERS}


@dataclass(frozen=True)
class Marker:
    """A numbering marker found in text."""

    style: str
    number: int
    raw: str
    start: int  # offset of the marker in the searched text
    end: int  # offset where the clause text starts

    @property
    def label(self) -> str:
        """The canonical path component: （一） → (一), 1 . → 1., 第5条 → 第五条."""
        style = STYLES[self.style]
        if self.style == "circled":
            return self.raw
        if self.style == "box":
            return f"专栏{self.number}"
        if self.style == "annex":
            return "附件" + (str(self.number) if self.number else "")
        return style.canonical.format(n=self.number, cn=int_to_cn(self.number))


def _number(style: str, match: re.Match[str]) -> int:
    raw = match.groupdict().get("num") or match.groupdict().get("num2") or ""
    if style == "circled":
        return _CIRCLED.index(raw) + 1
    if style == "annex":
        return int(raw) if raw else 0
    return cn_to_int(normalize_width(raw))


def match_line_marker(text: str) -> Marker | None:
    """The numbering marker at the start of a line, if any (first matching row of the table wins)."""
    probe = normalize_width(text)
    for style in MARKERS:
        m = style.line.match(probe)
        if m:
            try:
                number = _number(style.name, m)
            except ValueError:
                continue
            return Marker(style.name, number, text[: m.end()].strip(), 0, m.end())
    return None


def find_inline_markers(text: str) -> list[Marker]:
    """Candidate markers inside running text, in order; the caller accepts only those the sequence expects."""
    probe = normalize_width(text)
    found: list[Marker] = []
    for style in MARKERS:
        if style.inline is None:
            continue
        for m in style.inline.finditer(probe):
            try:
                number = _number(style.name, m)
            except ValueError:
                continue
            found.append(Marker(style.name, number, text[m.start() : m.end()].strip(), m.start(), m.end()))
    found.sort(key=lambda mk: mk.start)
    return found
