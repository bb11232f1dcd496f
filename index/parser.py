"""Parse a read file into a `Document`: clutter removed, facts read, clause tree built from its own numbering.

Steps, each a small function: cut the teaser tail of a web page; rejoin a page-chunked scrape; drop clutter lines;
rebuild flattened tables; take header/signature lines as facts; split the body at numbering markers (at line starts,
and inside running text when the sequence expects that number next); nest clauses by style; emit `Clause`s.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from index.clutter import TAIL_MARKERS, classify
from index.facts import DATE_CN, DOC_NUMBER, FactCollector, iso_date
from index.models import Block, Clause, Document
from index.numbering import STYLES, Marker, find_inline_markers, match_line_marker
from index.readers import ReadResult
from index.tables import find_flat_tables
from index.text import detect_script

_PAGE_MARKER = re.compile(r"^(\d{1,3})、")
_SENTENCE_END = re.compile(r"[。！？!?；;”」』)）]$")
_HEADING_END = re.compile(r"[。；;：:！？!?]|一一|——")
_UNITS = re.compile(r"[（(]\s*(?:牵头单位|责任单位)\s*[:：][^()（）]*[)）]\s*$")
ITEM_STYLES = ("num", "paren_num", "circled")


@dataclass
class _Seg:
    """A run of body text that starts with a marker (or continues the current clause when marker is None)."""

    marker: Marker | None
    text: str
    start: int
    end: int
    new_block: bool
    level: int | None = None


@dataclass
class _Node:
    marker: Marker | None
    label: str
    heading: str
    style: str
    number: int
    parent: _Node | None
    paragraphs: list[tuple[str, int, int]] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)
    tables: list[Block] = field(default_factory=list)
    kind: str = "clause"

    @property
    def path(self) -> str:
        if self.parent is None or self.parent.style == "root":
            return self.label
        style = STYLES.get(self.style)
        # "三、(二) 2.": a label ending in 、 already separates; 项 and 款 attach to their article ("第九条(三)").
        attach = (style and style.attach and self.parent.style == "tiao") or self.style == "kuan"
        glue = "" if attach or (self.parent.label.endswith("、") and self.label.startswith("(")) else " "
        return f"{self.parent.path}{glue}{self.label}"


def _cut_tail(blocks: list[Block], removed: list[str]) -> list[Block]:
    for i, b in enumerate(blocks):
        if b.kind == "para" and TAIL_MARKERS.match(b.text) and i >= 3:
            removed.extend(f"[related] {x.text}" for x in blocks[i:] if x.kind == "para")
            return blocks[:i]
    return blocks


def _join_pages(blocks: list[Block], removed: list[str]) -> list[Block]:
    """A scrape that prints each page as one line starting 'N、' carries page numbers, not clause numbers:
    recognised by consecutive numbers from 1 whose pages break mid-sentence, the pages are joined back."""
    idx = [i for i, b in enumerate(blocks) if b.kind == "para" and _PAGE_MARKER.match(b.text)]
    numbers = [int(_PAGE_MARKER.match(blocks[i].text).group(1)) for i in idx]
    if len(idx) < 3 or numbers != list(range(1, len(idx) + 1)) or idx != list(range(idx[0], idx[0] + len(idx))):
        return blocks
    pages = [blocks[i] for i in idx]
    broken = sum(not _SENTENCE_END.search(p.text) for p in pages[:-1])
    if broken < (len(pages) - 1) / 2 or sum(len(p.text) for p in pages) / len(pages) < 150:
        return blocks
    text, starts = "", []
    for p in pages:
        cut = _PAGE_MARKER.match(p.text).end()
        removed.append(f"[page-marker] {p.text[:cut]}")
        starts.append((len(text), p.start + cut))
        text += p.text[cut:]
    joined = Block(text=text, start=pages[0].start, end=pages[-1].end)
    object.__setattr__(joined, "_offsets", tuple(starts))
    return blocks[: idx[0]] + [joined] + blocks[idx[-1] + 1 :]


def _src_offset(block: Block, pos: int) -> int:
    """Map a position inside a (possibly page-joined) block to an offset in the source text."""
    pieces = getattr(block, "_offsets", None)
    if not pieces:
        return block.start + pos if block.start >= 0 else -1
    base = pieces[0]
    for piece in pieces:
        if piece[0] <= pos:
            base = piece
    return base[1] + (pos - base[0])


class Parser:
    """Turn a `ReadResult` into a `Document` with its clause tree."""

    def __call__(self, source: str, read: ReadResult) -> Document:
        removed: list[str] = [f"[reader] {r}" for r in read.removed]
        blocks = _cut_tail(list(read.blocks), removed)
        blocks = _join_pages(blocks, removed)
        kept: list[Block] = []
        facts = FactCollector()
        for b in blocks:
            if b.kind != "para":
                kept.append(b)
                continue
            rule = classify(b.text)
            if rule is None:
                kept.append(b)
                continue
            if rule in ("dated-source", "upload-header"):
                facts.date_line(b.text)
                if DATE_CN.fullmatch(b.text.strip()):
                    rule = "fact:日期"
            if rule == "publish-info":
                facts.publish_info(b.text)
            removed.append(f"[{rule}] {b.text}")
        kept = find_flat_tables(kept)
        body = self._take_facts(kept, facts, removed)
        root = self._build_tree(body, facts)
        clauses = self._emit(root)
        for c in clauses[:3]:
            facts.scan_body(c.text)
        for c in clauses:
            facts.scan_body(c.text) if facts.facts.effective_date is None else None
        doc_facts = facts.finish()
        full = "\n".join(c.text for c in clauses)
        return Document(
            source=source,
            title=doc_facts.title.value if doc_facts.title else source,
            script=detect_script(full),
            facts=doc_facts,
            clauses=clauses,
            clutter=removed,
            sha256=hashlib.sha256(read.text.encode()).hexdigest(),
            fmt=read.fmt,
            encoding=read.encoding,
        )

    # -- facts -------------------------------------------------------------------------------------------------

    def _take_facts(self, blocks: list[Block], facts: FactCollector, removed: list[str]) -> list[Block]:
        """Header lines before the first clause and the signature block after the last are facts, not clauses."""
        first_marker = next(
            (i for i, b in enumerate(blocks) if b.kind != "para" or match_line_marker(b.text) or b.level), len(blocks)
        )
        body: list[Block] = []
        in_attachments = False
        for i, b in enumerate(blocks):
            text = b.text
            if b.kind != "para":
                body.append(b)
                in_attachments = False
                continue
            if facts.doc_number(text):
                removed.append(f"[fact:文号] {text}")
                continue
            if re.match(r"^附\s*件\s*[:：]\s*\S", text):
                facts.facts.attachments.append(_fact(text))
                removed.append(f"[fact:附件] {text}")
                in_attachments = True
                continue
            if in_attachments and len(text) <= 60 and not re.search(r"[。；]", text) and not match_line_marker(text):
                facts.facts.attachments[-1] = _fact(facts.facts.attachments[-1].value + text)
                removed.append(f"[fact:附件] {text}")
                continue
            in_attachments = False
            short = len(text) <= 80 and not re.search(r"[。；;！？]", text)
            if i < first_marker and short and text.endswith((":", "：")) and text.startswith("各"):
                facts.facts.addressees = _fact(text)
                removed.append(f"[fact:主送] {text}")
                continue
            if i < first_marker and text.startswith("各") and text.endswith((":", "：")):
                facts.facts.addressees = _fact(text)
                removed.append(f"[fact:主送] {text}")
                continue
            if i < first_marker and short and not text.endswith((":", "：")):
                if DATE_CN.fullmatch(text.strip()):
                    facts.date_line(text)
                    removed.append(f"[fact:日期] {text}")
                else:
                    facts.title_line(text)
                    removed.append(f"[fact:标题] {text}")
                continue
            body.append(b)
        # Signature block: trailing short lines that are issuing bodies or a date.
        while body and body[-1].kind == "para":
            text = body[-1].text.strip()
            is_date = bool(DATE_CN.fullmatch(text))
            is_org = len(text) <= 30 and not re.search(r"[。；;,，:：]", text) and match_line_marker(text) is None
            if not (is_date or is_org):
                break
            if is_date:
                facts.date_line(text)
            else:
                facts.issuer(text, text)
            removed.append(f"[fact:落款] {text}")
            body.pop()
        return body

    # -- segmentation and tree ---------------------------------------------------------------------------------

    def _segments(self, blocks: list[Block], title: str) -> list[_Seg | Block]:
        segs: list[_Seg | Block] = []
        for b in blocks:
            if b.kind != "para":
                segs.append(b)
                continue
            text = b.text
            if title and text.startswith(title) and len(text) > len(title) + 20:
                # A scrape repeats the title at the start of its first page.
                text_start = len(title)
            else:
                text_start = 0
            marker = match_line_marker(text[text_start:])
            inline = [
                Marker(m.style, m.number, m.raw, m.start + text_start, m.end + text_start)
                for m in find_inline_markers(text[text_start:])
            ]
            segs.append(
                _Seg(marker, text, _src_offset(b, text_start), _src_offset(b, len(text)), True, b.level)
                if marker
                else _Seg(None, text, _src_offset(b, text_start), _src_offset(b, len(text)), True, b.level)
            )
            seg = segs[-1]
            seg.text = text[text_start:]
            seg._block = b  # type: ignore[attr-defined]
            seg._base = text_start  # type: ignore[attr-defined]
            seg._inline = [m for m in inline if not marker or m.start >= text_start + marker.end]  # type: ignore[attr-defined]
        return segs

    def _build_tree(self, blocks: list[Block], facts: FactCollector) -> _Node:
        root = _Node(None, "", "", "root", 0, None)
        stack: list[_Node] = [root]
        last_number: dict[str, int] = {}
        title = facts.facts.title.value if facts.facts.title else ""
        preamble: _Node | None = None

        def container() -> _Node:
            for node in reversed(stack):
                if node.style not in ITEM_STYLES:
                    return node
            return root

        def expected(style: str) -> set[int]:
            for node in reversed(stack):
                if node.style == style:
                    return {node.number + 1} | ({last_number.get(style, 0) + 1} if style == "num" else set())
            return {1} | ({last_number.get(style, 0) + 1} if style == "num" and last_number.get(style) else set())

        def open_clause(marker: Marker, text: str, start: int, end: int) -> _Node:
            style = STYLES[marker.style]
            # Pop to a sibling of the same style, or above any lower-ranked style it outranks.
            if any(n.style == marker.style for n in stack):
                while stack[-1].style != marker.style:
                    stack.pop()
                stack.pop()
            else:
                while len(stack) > 1 and (
                    stack[-1].style == "box"
                    or (stack[-1].style in STYLES and STYLES[stack[-1].style].rank > style.rank)
                    or stack[-1].style == "heading"
                    and style.rank <= 4
                ):
                    stack.pop()
            if marker.style == "annex":
                del stack[1:]
            parent = stack[-1]
            heading = _heading(text)
            node = _Node(marker, marker.label, heading, marker.style, marker.number, parent)
            node.kind = "box" if marker.style == "box" else "clause"
            node.paragraphs.append((marker.raw + text, start, end))
            parent.children.append(node)
            stack.append(node)
            last_number[marker.style] = marker.number
            return node

        for seg in self._segments(blocks, title):
            if isinstance(seg, Block):
                container().tables.append(seg)
                continue
            pieces: list[tuple[Marker | None, str, int, int]] = []
            text, block, base = seg.text, seg._block, seg._base  # type: ignore[attr-defined]
            cursor = seg.marker.end if seg.marker else 0
            current_marker = seg.marker
            piece_start = 0
            # Accept inline markers one by one against the sequence the tree expects at that point.
            for m in seg._inline:  # type: ignore[attr-defined]
                local = m.start - base
                if local < cursor:
                    continue
                if m.number not in _expected_after(expected, pieces, current_marker, m.style, stack):
                    continue
                pieces.append((current_marker, text[piece_start:local], piece_start, local))
                current_marker = Marker(m.style, m.number, m.raw, local, m.end - base)
                piece_start, cursor = local, m.end - base
            pieces.append((current_marker, text[piece_start:], piece_start, len(text)))
            for k, (marker, piece, a, z) in enumerate(pieces):
                start, end = _src_offset(block, base + a), _src_offset(block, base + z)
                if marker is not None:
                    body = piece[len(piece) - len(piece.lstrip()) :]
                    body = re.sub(r"^\s*" + re.escape(marker.raw) + r"\s*", "", piece, count=1) if k or True else body
                    open_clause(marker, body, start, end)
                    continue
                if not piece.strip():
                    continue
                if seg.level is not None and len(piece) <= 40 and k == 0:
                    while len(stack) > 1 and stack[-1].style in ("heading", *ITEM_STYLES):
                        stack.pop()
                    node = _Node(None, piece.strip(), piece.strip(), "heading", 0, stack[-1])
                    node.paragraphs.append((piece.strip(), start, end))
                    stack[-1].children.append(node)
                    stack.append(node)
                    continue
                if len(stack) == 1:
                    if preamble is None:
                        preamble = _Node(None, "导语", "", "preamble", 0, root, kind="preamble")
                        root.children.append(preamble)
                    preamble.paragraphs.append((piece.strip(), start, end))
                else:
                    stack[-1].paragraphs.append((piece.strip(), start, end))
        return root

    # -- emit ----------------------------------------------------------------------------------------------------

    def _emit(self, root: _Node) -> list[Clause]:
        out: list[Clause] = []

        def emit(node: _Node, depth: int) -> None:
            if node.style != "root":
                own = node.paragraphs
                first_is_heading = bool(node.marker) and _bare(_strip_marker(node, own[0][0])) == _bare(node.heading)
                body = own[1:] if first_is_heading else own
                if node.style == "tiao" and len(own) >= 2:
                    # An article's later paragraphs are its 款, cited 第五条第二款.
                    out.append(_clause(node, [own[0]], depth))
                    for k, para in enumerate(own[1:], start=2):
                        child = _Node(None, f"第{_cn(k)}款", "", "kuan", k, node, [para], kind="paragraph")
                        out.append(_clause(child, [para], depth + 1))
                elif len(body) >= 2 and not node.children:
                    out.append(_clause(node, own[:1] if first_is_heading else [], depth, heading_only=True))
                    for k, para in enumerate(body, start=1):
                        child = _Node(None, f"第{k}段", _heading(para[0]), "para", k, node, [para], kind="paragraph")
                        out.append(_clause(child, [para], depth + 1))
                else:
                    out.append(_clause(node, own, depth, heading_only=first_is_heading and not body))
            for table_no, table in enumerate(node.tables, start=1):
                out.extend(_table_rows(node, table, table_no, depth + 1))
            for child in node.children:
                emit(child, depth + 1)

        emit(root, -1)
        # Tables precede children above; restore document order by source offset where known.
        return sorted(out, key=lambda c: c.start if c.start >= 0 else 0) if all(c.start >= 0 for c in out) else out


def _cn(n: int) -> str:
    from index.numbering import int_to_cn

    return int_to_cn(n)


def _fact(text: str):
    from index.models import Fact

    return Fact(text.strip(), text.strip())


def _expected_after(expected, pieces, current_marker, style, stack) -> set[int]:
    """Numbers acceptable for an inline marker, given the markers already opened earlier in the same block."""
    opened = [p[0] for p in pieces if p[0] is not None] + ([current_marker] if current_marker else [])
    same = [m for m in opened if m.style == style]
    if same:
        return {same[-1].number + 1}
    if opened and STYLES[opened[-1].style].rank < STYLES[style].rank:
        return {1} | (expected(style) if style == "num" else set())
    return expected(style)


def _bare(text: str) -> str:
    return re.sub(r"[。；;：:！？!?\s]+$", "", text.strip())


def _strip_marker(node: _Node, text: str) -> str:
    if node.marker and text.startswith(node.marker.raw):
        return text[len(node.marker.raw) :].strip()
    return text


def _heading(text: str) -> str:
    text = text.strip()
    m = _HEADING_END.search(text)
    if m and m.start() <= 40:
        return text[: m.start()].strip()
    if len(text) <= 40:
        return text
    return text[:24] + "…"


def _clause(node: _Node, paras: list[tuple[str, int, int]], depth: int, heading_only: bool = False) -> Clause:
    text = "\n".join(p[0] for p in paras)
    start = min((p[1] for p in paras if p[1] >= 0), default=node.paragraphs[0][1] if node.paragraphs else -1)
    end = max((p[2] for p in paras), default=node.paragraphs[-1][2] if node.paragraphs else -1)
    kind = "heading" if heading_only else node.kind
    lead, resp = _units(text)
    return Clause(
        path=node.path,
        marker=node.marker.label if node.marker else "",
        heading=node.heading,
        text=text,
        kind=kind,
        depth=depth,
        parent=node.parent.path if node.parent and node.parent.style != "root" else None,
        start=start,
        end=end,
        lead_units=lead,
        responsible_units=resp,
    )


def _units(text: str) -> tuple[list[str], list[str]]:
    """'(牵头单位:区教委;责任单位:区财政局、各镇街)' at a clause end → lead and responsible units."""
    m = _UNITS.search(text.strip())
    if not m:
        return [], []
    lead: list[str] = []
    resp: list[str] = []
    for key, value in re.findall(r"(牵头单位|责任单位)\s*[:：]\s*([^;；)）]+)", m.group(0)):
        units = [u.strip() for u in re.split(r"[、,，]", value) if u.strip()]
        (lead if key == "牵头单位" else resp).extend(units)
    return lead, resp


def _table_rows(node: _Node, table: Block, table_no: int, depth: int) -> list[Clause]:
    header_rows = max(1, table.header_rows)
    header = list(table.rows[0]) if table.rows else []
    for extra in table.rows[1:header_rows]:
        header = [h if h == e or not e else (f"{h}({e})" if h else e) for h, e in zip(header, extra)]
    base = f"{node.path} 表{table_no}".strip() if node.style != "root" else f"表{table_no}"
    out: list[Clause] = []
    for k, row in enumerate(table.rows[header_rows:], start=1):
        columns = {h or f"列{i + 1}": v for i, (h, v) in enumerate(zip(header, row))}
        text = "；".join(f"{h}:{v}" for h, v in columns.items() if v)
        lead = [u for h, v in columns.items() if "牵头" in h for u in re.split(r"[、,，]", v) if u]
        resp = [u for h, v in columns.items() if "责任" in h or "配合" in h for u in re.split(r"[、,，]", v) if u]
        label = next((v for h, v in columns.items() if h in ("项目", "指标", "名称", "内容")), "")
        out.append(
            Clause(
                path=f"{base} 第{k}行",
                marker=f"第{k}行",
                heading=(table.caption + "｜" if table.caption else "") + label,
                text=text,
                kind="table_row",
                depth=depth,
                parent=node.path or None,
                start=table.start,
                end=table.end,
                columns=columns,
                lead_units=lead,
                responsible_units=resp,
            )
        )
    return out


def iso(text: str) -> str | None:
    return iso_date(text)


__all__ = ["Parser", "DOC_NUMBER"]
