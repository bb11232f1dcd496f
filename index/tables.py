"""Flattened tables: text scrapes lose table borders and leave one cell per line. Find such runs of cells and
turn them back into table blocks, so every row is kept whole with its column names.

Two row shapes occur in policy documents and are recognised by their header:
* a 序号 column: each row starts with the next integer (task tables: 项目 / 任务 / yearly goals / 牵头单位 / 责任单位);
* year columns (2023年 2024年 …): each row ends with one numeric value per year (indicator tables); cells before
  the label are a category that carries over to the rows below until a new one appears.
"""

from __future__ import annotations

import re

from index.models import Block
from index.numbering import match_line_marker

_YEAR = re.compile(r"^\d{4}\s*年?$")
_NUMERIC = re.compile(r"^[<>≥≤＞＜]?\s*\d+(\.\d+)?\s*%?$")
_SENTENCE = re.compile(r"[。；;！？]")
# Header fragments that a line break split off the cell before them ("牵头" / "单位").
_HEADER_SUFFIX = {"单位", "部门", "时间", "时限", "名称", "内容", "标准"}
_SPANNING = re.compile(r"年度|目标|计划|进度|指标值|安排")


def _is_cell(text: str, limit: int = 12) -> bool:
    return len(text) <= limit and not _SENTENCE.search(text) and match_line_marker(text) is None


def _merge_header(cells: list[str]) -> list[str]:
    merged: list[str] = []
    for cell in cells:
        if merged and cell in _HEADER_SUFFIX and len(merged[-1]) <= 3 and not merged[-1].endswith(cell):
            merged[-1] += cell
        else:
            merged.append(cell)
    years = [c for c in merged if _YEAR.match(c)]
    names = [c for c in merged if not _YEAR.match(c)]
    if years and merged[-len(years) :] == years:
        # Year sub-columns printed after the whole header belong under a spanning cell such as 年度工作目标.
        span = next((i for i, c in enumerate(names) if _SPANNING.search(c) and not c.startswith("序号")), None)
        if span is not None:
            return names[:span] + [f"{names[span]}({y})" for y in years] + names[span + 1 :]
    return merged


def _caption(blocks: list[Block], start: int) -> tuple[str, int]:
    """Up to two short title lines right before the header form the caption."""
    parts: list[str] = []
    i = start
    while i > 0 and len(parts) < 2:
        prev = blocks[i - 1]
        if prev.kind != "para" or len(prev.text) > 60 or _SENTENCE.search(prev.text) or match_line_marker(prev.text):
            break
        parts.insert(0, prev.text)
        i -= 1
    return "".join(parts), i


def _table_block(caption: str, header: list[str], rows: list[list[str]], first: Block, last: Block) -> Block:
    return Block(
        kind="table",
        caption=caption,
        rows=(tuple(header), *(tuple(r) for r in rows)),
        header_rows=1,
        start=first.start,
        end=last.end,
    )


def _sequence_table(blocks: list[Block], i: int) -> tuple[list[str], list[list[str]], int] | None:
    j = i
    header: list[str] = []
    while j < len(blocks) and blocks[j].text != "1":
        if not _is_cell(blocks[j].text):
            return None
        header.append(blocks[j].text)
        j += 1
    columns = _merge_header(header)
    if j >= len(blocks) or len(columns) < 3:
        return None
    rows: list[list[str]] = []
    expected = 1
    current: list[str] | None = None
    while j < len(blocks):
        b = blocks[j]
        if b.kind != "para":
            break
        if b.text == str(expected) and (current is None or len(current) >= len(columns) - 2):
            current = [b.text]
            rows.append(current)
            expected += 1
        elif (
            current is not None
            and (marker := match_line_marker(b.text)) is not None
            and marker.style
            in (
                "cn",
                "zhang",
                "bian",
                "annex",
            )
        ):
            break
        elif current is not None:
            current.append(b.text)
        j += 1
    fixed: list[list[str]] = []
    for row in rows:
        if len(row) > len(columns):
            row = row[: len(columns) - 1] + ["、".join(row[len(columns) - 1 :])]
        fixed.append(row + [""] * (len(columns) - len(row)))
    return columns, fixed, j


def _indicator_table(blocks: list[Block], i: int) -> tuple[list[str], list[list[str]], int] | None:
    j = i
    header: list[str] = []
    while j < len(blocks) and _is_cell(blocks[j].text) and not _NUMERIC.match(blocks[j].text):
        header.append(blocks[j].text)
        j += 1
        if len(header) >= 3 and _YEAR.match(header[-1]) and not _YEAR.match(blocks[j].text if j < len(blocks) else ""):
            break
    values = len(header) - max((k for k, c in enumerate(header) if not _YEAR.match(c)), default=-1) - 1
    labels = header[: len(header) - values]
    if values < 2 or not labels:
        return None
    columns = labels + header[len(labels) :]
    rows: list[list[str]] = []
    pending: list[str] = []
    category = ""
    while j < len(blocks):
        text = blocks[j].text
        if blocks[j].kind != "para":
            break
        nums = [b.text for b in blocks[j : j + values]]
        if pending and len(nums) == values and all(_NUMERIC.match(n) for n in nums):
            label = pending[-1]
            if len(pending) > 1:
                category = "".join(pending[:-1])
            row = ([category] if len(labels) > 1 else []) + [label] + nums
            rows.append(row)
            pending = []
            j += values
            continue
        if not _is_cell(text, 30) or len(pending) > 4:
            break
        pending.append(text)
        j += 1
    if len(rows) < 2:
        return None
    return columns, rows, j - len(pending)


def find_flat_tables(blocks: list[Block]) -> list[Block]:
    """Replace runs of one-cell-per-line blocks that form a table by a single table block."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        window = [x.text for x in blocks[i : i + 14] if x.kind == "para"]
        looks_like_header = (
            b.kind == "para"
            and all(_is_cell(t, 10) for t in window[:3])
            and len(window) >= 3
            and (b.text == "序号" or sum(bool(_YEAR.match(t)) for t in window) >= 2)
        )
        if looks_like_header:
            found = _sequence_table(blocks, i) if b.text == "序号" else _indicator_table(blocks, i)
            if found:
                columns, rows, end = found
                caption, cap_start = _caption(blocks, i)
                if i > cap_start:
                    del out[len(out) - (i - cap_start) :]
                out.append(_table_block(caption, columns, rows, blocks[cap_start], blocks[end - 1]))
                i = end
                continue
        out.append(b)
        i += 1
    return out
