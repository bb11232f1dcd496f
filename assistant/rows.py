"""Table rows read as answers: "分类:学前教育；指标:学前三年毛入园率(%)；2025年:95.00" asked about 2025 reads
"学前教育·学前三年毛入园率：2025年：95.00（%）", every value verbatim, its unit from the header."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.lexicon import SYNONYMS
from assistant.question import Question
from index.text import to_simplified

# Columns that say what a row is about, most specific first; the first one present labels the row.
LABEL_COLUMNS = ("指标", "项目", "名称", "内容", "任务", "重点任务", "工作任务", "学段")
CATEGORY_COLUMNS = ("分类", "类别", "领域")
UNIT_COLUMNS = ("单位", "计量单位")
SKIP_COLUMNS = ("序号",)
# A unit in brackets at the end of a header or label: 学前三年毛入园率(%)、在园幼儿数(万人)、2025年目标（%）.
# Digits are excluded so that 年度工作目标(2023年) keeps its year.
HEADER_UNIT = re.compile(
    r"[(（]\s*([%％‰]|[万千百亿]?(?:元|人次|人|所|个|名|平方米|亩|学时|小时|年|岁|次|项|班|册|台|间))\s*[)）]$"
)
NUMERIC_VALUE = re.compile(r"^[<>≥≤＜＞]?\s*\d+(?:\.\d+)?$")
# A table row "列名:值" whose value is a number: the figure an indicator question asks for.
TABLE_VALUE = re.compile(r"(?<!序号)(?<!编号)[:：]\s*[>≥<≤]?\d")


@dataclass(frozen=True)
class Cell:
    """One "列名:值" cell of a table row as stored (`raw` is its text in the clause, for highlighting)."""

    name: str
    value: str
    raw: str


def row_cells(row: str) -> list[Cell]:
    """The cells of a table row "列名:值；列名:值". A piece with no "列名:" continues the cell before it (a "；"
    inside a cell value)."""
    cells: list[Cell] = []
    for piece in row.split("；"):
        if not piece:
            continue
        name, sep, value = piece.partition(":")
        if (not sep or len(name) > 20) and cells:
            last = cells[-1]
            cells[-1] = Cell(last.name, f"{last.value}；{piece}", f"{last.raw}；{piece}")
        elif sep:
            cells.append(Cell(name.strip(), value.strip(), piece))
    return cells


def split_unit(text: str) -> tuple[str, str]:
    """A bracketed unit off the end: 学前三年毛入园率(%) → (学前三年毛入园率, %); no unit → (text, "")."""
    m = HEADER_UNIT.search(text)
    if not m:
        return text, ""
    return text[: m.start()].rstrip(), m.group(1).replace("％", "%")


def _with_unit(value: str, unit: str) -> str:
    # The unit goes in brackets beside the figure, never fused to it: the guard reads "2.05万人" as 20500人, which
    # the row's "2.05" does not state, while "2.05（万人）" is the row's own figure with its header's unit.
    if not unit or not NUMERIC_VALUE.match(value):
        return value
    return f"{value}（{unit}）"


def covers(term: str, text: str) -> bool:
    """Whether simplified `text` says `term`: itself, a synonym, or both halves of a long compound (as the judge
    counts coverage)."""
    if term in text or any(s in text for s in SYNONYMS.get(term, ())):
        return True
    return len(term) >= 4 and term[:2] in text and term[2:] in text


def wanted_columns(q: Question, cells: list[Cell], shown: set[int]) -> list[Cell]:
    """The value columns that answer: those the question names (a year it asks about, 牵头/责任单位 for a department
    question, a column name it uses such as 重点任务), else those whose values say most of the question's terms
    ("哪一年开始招生" → the one year whose goal is 开始招生). Empty: no column stands out."""
    named = []
    for c in cells:
        name = split_unit(c.name)[0]
        at = q.simplified.find(name) if len(name) >= 3 and not re.search(r"\d", name) else -1
        if (
            any(y in name for y in q.years)
            or (q.figure == "department" and ("牵头" in name or "责任" in name))
            # "重点任务分解表" names the table, not its 重点任务 column.
            or (at >= 0 and not q.simplified.startswith(("分解", "表"), at + len(name)))
        ):
            named.append(c)
    if named:
        return named
    values = [c for c in cells if id(c) not in shown and c.name not in SKIP_COLUMNS]
    counts = [sum(covers(t, to_simplified(c.value)) for t in q.terms) for c in values]
    best = max(counts, default=0)
    if best == 0 or counts.count(best) == len(values):
        return []
    return [c for c, n in zip(values, counts) if n == best]


def format_row(q: Question, row: str) -> tuple[str, list[str]]:
    """A table row read as an answer, and the raw cells it used (for highlighting the citation).

    "分类:学前教育；指标:学前三年毛入园率(%)；2024年:94.50；2025年:95.00", asked about 2025, reads
    "学前教育·学前三年毛入园率：2025年：95.00（%）". Label and values are copied verbatim; the unit comes from a
    单位 column, the value column's header or the label, and is written in brackets after each number. With no
    column named by the question, every value column is given.
    """
    cells = row_cells(row)
    if not cells:
        return row, [row]
    label = next((c for col in LABEL_COLUMNS for c in cells if c.name == col and c.value), None)
    if label is None:
        label = next((c for c in cells if c.name not in SKIP_COLUMNS and not NUMERIC_VALUE.match(c.value)), None)
    category = next((c for c in cells if c.name in CATEGORY_COLUMNS and c.value and c is not label), None)
    unit_cell = next((c for c in cells if c.name in UNIT_COLUMNS and c.value), None)
    label_text, label_unit = split_unit(label.value) if label else ("", "")
    row_unit = unit_cell.value if unit_cell else label_unit
    context = {id(c) for c in (label, category, unit_cell) if c is not None}
    values = wanted_columns(q, cells, context) or [c for c in cells if c.name not in SKIP_COLUMNS]
    values = [c for c in values if id(c) not in context]
    parts = []
    for c in values:
        name, header_unit = split_unit(c.name)
        parts.append(f"{name}：{_with_unit(c.value.rstrip('。；;'), header_unit or row_unit)}")
    head = "·".join(x for x in ((category.value if category else ""), label_text) if x)
    if not parts:
        return (head or row), [c.raw for c in cells]
    shown = context | {id(c) for c in values}
    return (f"{head}：" if head else "") + "；".join(parts), [c.raw for c in cells if id(c) in shown]
