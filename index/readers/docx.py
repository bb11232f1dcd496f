"""Word (.docx) reader: body paragraphs and tables in document order, heading levels, rendered auto-numbering.

Word keeps list numbers out of the text: "第一条" or "（一）" typed by Word's numbering lives in numbering.xml.
The reader renders those numbers and puts them in front of the text, so the clause parser sees what a reader of
the printed document sees. Tables keep their grid: merged cells are expanded so every row has every column.

`layout`, `caption_from` and `finish_table` are shared with the PDF and HTML readers, so text, offsets,
captions and table headers come out the same way for every format.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from index.models import Block
from index.readers import ReadResult, UnreadableDocument

if TYPE_CHECKING:
    from index.limits import Limits

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

CAPTION_MAX = 60
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
# Numbers ending in a bracket or list punctuation are typed flush against the text ("（一）学校…", "1.学校…");
# others ("第一条") are followed by a full-width space as in typed regulations.
_FLUSH_AFTER = tuple("、.．)）:：,，]】〕")


# ---------------------------------------------------------------------------------------------------------------
# Shared by all readers
# ---------------------------------------------------------------------------------------------------------------


def table_text(rows: tuple[tuple[str, ...], ...]) -> str:
    return "\n".join(" | ".join(row) for row in rows)


def layout(blocks: list[Block]) -> tuple[list[Block], str]:
    """Join block texts with newlines into the document text and set each block's offsets into it.

    A table's text is its rows, one per line, cells joined by " | ", so `text[start:end] == block.text` for
    every block.
    """
    out: list[Block] = []
    parts: list[str] = []
    pos = 0
    for block in blocks:
        text = table_text(block.rows) if block.kind == "table" else block.text
        out.append(replace(block, text=text, start=pos, end=pos + len(text)))
        parts.append(text)
        pos += len(text) + 1
    return out, "\n".join(parts)


def finish_table(
    grid: list[list[str]],
    origin: dict[tuple[int, int], tuple[int, int]],
    caption: str,
    header_rows: int | None = None,
) -> Block | None:
    """A table block from an expanded grid; `origin` maps each position to where its merged cell starts.

    A merged cell has already been repeated over every position it covers. A first row that is one cell across
    the whole table is a title, used as the caption when there is none. Without a known header (`header_rows`
    None) the first row is the header, or the first two when a header cell spans columns (年度目标 over the year
    columns) or rows.
    """
    width = max((len(row) for row in grid), default=0)
    if not width or not any(v for row in grid for v in row):
        return None
    grid = [row + [""] * (width - len(row)) for row in grid]

    def source(r: int, c: int) -> tuple[int, int]:
        return origin.get((r, c), (r, c))

    if len(grid) > 1 and width > 1 and all(source(0, c) == (0, 0) for c in range(width)):
        caption = caption or grid[0][0]
        grid = grid[1:]
        origin = {(r - 1, c): (sr - 1, sc) for (r, c), (sr, sc) in origin.items() if r > 0}
        header_rows = header_rows - 1 if header_rows else None
    if not header_rows:
        header_rows = 1
        if len(grid) > 2:
            across = any(source(0, c) != (0, c) for c in range(width))
            down = any(source(1, c)[0] == 0 for c in range(width))
            header_rows = 2 if across or down else 1
    rows = tuple(tuple(row) for row in grid)
    return Block(kind="table", rows=rows, header_rows=min(header_rows, len(rows)), caption=caption)


def caption_from(previous: Block | None) -> str:
    """A short label line right before a table ("表1　主要指标") is its caption; a sentence is not."""
    if previous is None or previous.kind != "para":
        return ""
    text = previous.text.strip()
    if not text or len(text) > CAPTION_MAX or text.endswith("。"):
        return ""
    return text


# ---------------------------------------------------------------------------------------------------------------
# Number formats
# ---------------------------------------------------------------------------------------------------------------

_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_CN_UNITS = ((1000, "千"), (100, "百"), (10, "十"))
_CN_LEGAL_UNITS = ((1000, "仟"), (100, "佰"), (10, "拾"))


def chinese_count(n: int, legal: bool = False) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 105 → 一百零五, 1010 → 一千零一十 (up to 9999)."""
    # Counting writes a skipped place as 零 (一百零一); only digit-by-digit formats use 〇.
    digits = _CN_LEGAL if legal else "零" + _CN_DIGITS[1:]
    units = _CN_LEGAL_UNITS if legal else _CN_UNITS
    if n <= 0 or n > 9999:
        return str(n)
    if n < 10:
        return digits[n]
    if 10 <= n < 20 and not legal:
        return "十" + (digits[n - 10] if n > 10 else "")
    out = ""
    rest = n
    zero = False
    for value, unit in units:
        d, rest = divmod(rest, value)
        if d:
            if zero:
                out += digits[0]
                zero = False
            out += digits[d] + unit
        elif out:
            zero = True
    if rest:
        out += (digits[0] if zero else "") + digits[rest]
    return out


def _roman(n: int) -> str:
    out = ""
    for value, sym in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out += sym
            n -= value
    return out


def _letters(n: int) -> str:
    # Word repeats the letter past z: 27 → aa, 28 → bb.
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"


def format_number(n: int, fmt: str) -> str:
    """Render one counter value in a Word numFmt; unknown formats fall back to decimal."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting"):
        return chinese_count(n)
    if fmt == "chineseLegalSimplified":
        return chinese_count(n, legal=True)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_CN_DIGITS[int(d)] for d in str(n))
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "decimalEnclosedParen":
        return chr(0x2474 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return chr(0x2488 + n - 1) if 1 <= n <= 20 else f"{n}."
    if fmt == "decimalFullWidth":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10] if n >= 1 else str(n)
    if fmt == "ideographZodiac":
        return _DIZHI[(n - 1) % 12] if n >= 1 else str(n)
    if fmt == "none":
        return ""
    return str(n)


# ---------------------------------------------------------------------------------------------------------------
# Numbering definitions
# ---------------------------------------------------------------------------------------------------------------


def _val(el, tag: str) -> str | None:
    child = el.find(W + tag) if el is not None else None
    return child.get(W + "val") if child is not None else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = ""
    start: int = 1
    restart: int | None = None  # lvlRestart: None restarts after any shallower level, 0 never
    legal: bool = False
    style: str = ""  # pStyle: the paragraph style this level is attached to


@dataclass
class _Numbering:
    """numbering.xml resolved per numId, with running counters as Word keeps them while laying out."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    @classmethod
    def load(cls, document) -> _Numbering:
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return cls()
        styles = document.styles.element
        abstracts = {a.get(W + "abstractNumId"): a for a in root.findall(W + "abstractNum")}
        nums = {n.get(W + "numId"): n for n in root.findall(W + "num")}

        def abstract_for(num, hops: int = 0):
            abstract = abstracts.get(_val(num, "abstractNumId"))
            link = _val(abstract, "numStyleLink") if abstract is not None else None
            if link and hops < 3:
                # A numbering style: its definition lives on the num the style points to.
                for style in styles.findall(W + "style"):
                    if style.get(W + "styleId") == link:
                        num_pr = style.find(f"{W}pPr/{W}numPr")
                        target = nums.get(_val(num_pr, "numId"))
                        if target is not None:
                            return abstract_for(target, hops + 1)
            return abstract

        out = cls()
        for num_id, num in nums.items():
            levels: dict[int, _Level] = {}
            abstract = abstract_for(num)
            for lvl in abstract.findall(W + "lvl") if abstract is not None else ():
                levels[_int(lvl.get(W + "ilvl"), 0)] = cls._level(lvl, _Level())
            for override in num.findall(W + "lvlOverride"):
                ilvl = _int(override.get(W + "ilvl"), 0)
                level = levels.setdefault(ilvl, _Level())
                lvl = override.find(W + "lvl")
                if lvl is not None:
                    level = levels[ilvl] = cls._level(lvl, level)
                start = _val(override, "startOverride")
                if start is not None:
                    level.start = _int(start, level.start)
            out.levels[num_id] = levels
        return out

    @staticmethod
    def _level(lvl, base: _Level) -> _Level:
        restart = _val(lvl, "lvlRestart")
        legal = lvl.find(W + "isLgl")
        return _Level(
            fmt=_val(lvl, "numFmt") or base.fmt,
            text=_val(lvl, "lvlText") if lvl.find(W + "lvlText") is not None else base.text,
            start=_int(_val(lvl, "start"), base.start),
            restart=_int(restart, 0) if restart is not None else base.restart,
            legal=(legal is not None and legal.get(W + "val") not in ("0", "false")) or base.legal,
            style=_val(lvl, "pStyle") or base.style,
        )

    def level_for_style(self, num_id: str, style_id: str | None) -> int:
        """A style's numPr often names only the list; the level is the one whose pStyle is that style."""
        for ilvl, level in sorted(self.levels.get(num_id, {}).items()):
            if style_id and level.style == style_id:
                return ilvl
        return 0

    def next(self, num_id: str, ilvl: int) -> str:
        """Advance the counter of (numId, ilvl) and render that level's text; "" for bullets and unknown lists."""
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        level = levels[ilvl]
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else level.start
        for deeper in [d for d in counters if d > ilvl]:
            restart = levels.get(deeper, _Level()).restart
            # lvlRestart N (1-based) restarts only when a level at or above N advances.
            if restart is None or (restart != 0 and ilvl < restart):
                del counters[deeper]
        if level.fmt == "bullet":
            return ""

        def render(match: re.Match) -> str:
            i = int(match.group(1)) - 1
            source = levels.get(i, _Level())
            value = counters.get(i, source.start)
            fmt = "decimal" if level.legal and i < ilvl else source.fmt
            return format_number(value, fmt)

        return re.sub(r"%([1-9])", render, level.text).strip()


# ---------------------------------------------------------------------------------------------------------------
# Styles
# ---------------------------------------------------------------------------------------------------------------


class _Styles:
    def __init__(self, document) -> None:
        self.by_id = {s.get(W + "styleId"): s for s in document.styles.element.findall(W + "style")}
        self.default_para = next(
            (
                s.get(W + "styleId")
                for s in self.by_id.values()
                if s.get(W + "type") == "paragraph" and s.get(W + "default") in ("1", "true")
            ),
            None,
        )

    def chain(self, style_id: str | None):
        """The style and its base styles, nearest first."""
        seen = set()
        style_id = style_id or self.default_para
        while style_id and style_id not in seen and style_id in self.by_id:
            seen.add(style_id)
            style = self.by_id[style_id]
            yield style
            style_id = _val(style, "basedOn")

    def heading_level(self, style_id: str | None, p_pr) -> int | None:
        outline = _val(p_pr, "outlineLvl")
        if outline is not None and _int(outline, 9) < 9:
            return _int(outline, 0) + 1
        for style in self.chain(style_id):
            name = _val(style, "name") or ""
            m = _HEADING_STYLE.match(name.strip()) or _HEADING_STYLE.match(style.get(W + "styleId") or "")
            if m:
                return int(m.group(1))
            outline = _val(style.find(W + "pPr"), "outlineLvl")
            if outline is not None and _int(outline, 9) < 9:
                return _int(outline, 0) + 1
        return None

    def num_pr(self, style_id: str | None, p_pr, numbering: _Numbering) -> tuple[str, int] | None:
        """(numId, ilvl) from the paragraph, else from its style chain; numId 0 switches numbering off."""
        own = p_pr.find(W + "numPr") if p_pr is not None else None
        num_id = _val(own, "numId")
        ilvl = _val(own, "ilvl")
        linked_style = None
        for style in self.chain(style_id):
            if num_id is not None and ilvl is not None:
                break
            num_pr = style.find(f"{W}pPr/{W}numPr")
            if num_pr is None:
                continue
            if num_id is None:
                num_id = _val(num_pr, "numId")
                linked_style = style.get(W + "styleId")
            ilvl = ilvl if ilvl is not None else _val(num_pr, "ilvl")
        if num_id is None or num_id == "0":
            return None
        if ilvl is None:
            return num_id, numbering.level_for_style(num_id, linked_style)
        return num_id, _int(ilvl, 0)


# ---------------------------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------------------------

# Text boxes, drawings and alternate-content fallbacks are not part of the paragraph's reading text, and the
# fallback copy of a text box would duplicate it.
_SKIP_INSIDE = {W + "drawing", W + "pict", W + "object", _MC + "AlternateContent", W + "del", W + "moveFrom"}


def _is_hidden(run) -> bool:
    vanish = run.find(f"{W}rPr/{W}vanish")
    return vanish is not None and vanish.get(W + "val") not in ("0", "false")


def paragraph_lines(p) -> list[str]:
    """The paragraph's text split at manual line breaks (Chinese documents often use them as paragraph ends)."""
    lines = [""]

    def walk(el) -> None:
        for child in el:
            tag = child.tag
            if tag in _SKIP_INSIDE or tag == W + "pPr":
                continue
            if tag == W + "r":
                if _is_hidden(child):
                    continue
                for part in child:
                    ptag = part.tag
                    if ptag == W + "t":
                        lines[-1] += part.text or ""
                    elif ptag == W + "tab":
                        lines[-1] += "\t"
                    elif ptag == W + "noBreakHyphen":
                        lines[-1] += "-"
                    elif ptag == W + "cr" or (ptag == W + "br" and part.get(W + "type") in (None, "textWrapping")):
                        lines.append("")
                    elif ptag in _SKIP_INSIDE:
                        continue
            else:
                walk(child)

    walk(p)
    return [line.strip() for line in lines if line.strip()]


def _cell_text(tc) -> str:
    parts: list[str] = []
    for el in tc.iter(W + "p"):
        if any(a.tag in _SKIP_INSIDE for a in el.iterancestors()):
            continue
        parts.extend(paragraph_lines(el))
    return "".join(parts)


# ---------------------------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class _Cell:
    text: str
    span: int
    vmerge: str | None  # "restart", "continue" or None
    hmerge_continue: bool


def _children(el, tag: str):
    """Direct children with `tag`, looking through content controls and custom XML wrappers."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in (W + "sdt", W + "customXml"):
            content = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
            if content is not None:
                yield from _children(content, tag)


def _table_cells(tbl) -> list[list[_Cell]]:
    rows: list[list[_Cell]] = []
    for tr in _children(tbl, W + "tr"):
        before = _int(_val(tr.find(W + "trPr"), "gridBefore"), 0)
        cells = [_Cell("", 1, None, False) for _ in range(before)]
        for tc in _children(tr, W + "tc"):
            tc_pr = tc.find(W + "tcPr")
            vmerge_el = tc_pr.find(W + "vMerge") if tc_pr is not None else None
            vmerge = None
            if vmerge_el is not None:
                vmerge = "restart" if vmerge_el.get(W + "val") == "restart" else "continue"
            hmerge_el = tc_pr.find(W + "hMerge") if tc_pr is not None else None
            cells.append(
                _Cell(
                    text=_cell_text(tc),
                    span=max(1, _int(_val(tc_pr, "gridSpan"), 1)),
                    vmerge=vmerge,
                    hmerge_continue=hmerge_el is not None and hmerge_el.get(W + "val") != "restart",
                )
            )
        rows.append(cells)
    return rows


def table_block(tbl, caption: str) -> Block | None:
    cells = _table_cells(tbl)
    grid: list[list[str]] = []
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(cells):
        values: list[str] = []
        for cell in row:
            col = len(values)
            if cell.vmerge == "continue" and r > 0 and col < len(grid[r - 1]):
                text, source = grid[r - 1][col], origin[(r - 1, col)]
            elif cell.hmerge_continue and values:
                text, source = values[-1], origin[(r, col - 1)]
            else:
                text, source = cell.text, (r, col)
            for k in range(cell.span):
                origin[(r, col + k)] = source
                values.append(text)
        grid.append(values)
    return finish_table(grid, origin, caption)


# ---------------------------------------------------------------------------------------------------------------
# Reader
# ---------------------------------------------------------------------------------------------------------------


def _body_elements(container):
    """Paragraphs and tables in order, looking through content controls (w:sdt) that wrap body content."""
    for child in container:
        if child.tag in (W + "p", W + "tbl"):
            yield child
        elif child.tag in (W + "sdt", W + "customXml"):
            content = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
            if content is not None:
                yield from _body_elements(content)


def read_docx(name: str, data: bytes, limits: Limits | None = None) -> ReadResult:
    import docx
    import lxml.etree
    from docx.opc.exceptions import PackageNotFoundError

    try:
        if limits is not None:
            # python-docx loads every part whole: measure them first, so a zip bomb is refused, not inflated.
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                limits.check_zip(name, archive)
        document = docx.Document(io.BytesIO(data))
    except UnreadableDocument:
        raise
    except (
        PackageNotFoundError,
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        lxml.etree.LxmlError,
        KeyError,
        ValueError,
        EOFError,
        NotImplementedError,  # a compression method zipfile does not support
        RuntimeError,  # an encrypted part
    ) as exc:
        raise UnreadableDocument(f"{name}: not a readable Word .docx file ({type(exc).__name__}: {exc})") from exc

    styles = _Styles(document)
    numbering = _Numbering.load(document)
    blocks: list[Block] = []
    previous: Block | None = None  # the last paragraph block, if nothing but empty paragraphs came after it
    for el in _body_elements(document.element.body):
        if el.tag == W + "tbl":
            block = table_block(el, caption_from(previous))
            if block is not None:
                blocks.append(block)
            previous = None
            continue
        p_pr = el.find(W + "pPr")
        style_id = _val(p_pr, "pStyle")
        num = styles.num_pr(style_id, p_pr, numbering)
        # Word shows (and counts) a number even on an empty list paragraph; the counter must advance with it.
        number = numbering.next(*num) if num else ""
        lines = paragraph_lines(el)
        if not lines:
            continue
        level = styles.heading_level(style_id, p_pr)
        first = lines[0]
        if number:
            flush = number.endswith(_FLUSH_AFTER) or "\u2460" <= number[-1] <= "\u24ff"
            first = number + ("" if flush else "\u3000") + first
        for i, line in enumerate([first, *lines[1:]]):
            block = Block(text=line, level=level if i == 0 else None, number=number if i == 0 else "")
            blocks.append(block)
            previous = block

    if not blocks:
        raise UnreadableDocument(f"{name}: the Word document has no text")
    blocks, text = layout(blocks)
    return ReadResult(blocks=blocks, text=text, fmt="docx")
