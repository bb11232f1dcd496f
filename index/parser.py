"""Parse a read file into a `Document`: clutter removed, facts read, clause tree built from its own numbering.

Steps, each a small function: cut the teaser tail of a web page; rejoin a page-chunked scrape; drop clutter lines
(metadata lines such as 抄送/印发 and a signature above its date become facts); fold table captions into their
tables; rebuild flattened tables; take header lines and the attachment list as facts; split the body at numbering
markers (at line starts, and inside running text when the sequence expects that number next); nest clauses by
style rank and by the heading levels the file's own styles give; emit `Clause`s, with an article's later
paragraphs as its 款 and every table row as one clause carrying its column names.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace

from index.clutter import FACT_RULES, TAIL_MARKERS, classify
from index.facts import DOC_NUMBER, DOC_TYPE, TITLE_TAIL, FactCollector, is_date_line, is_org_name, org_parts
from index.models import Block, Clause, Document, Fact
from index.numbering import STYLES, Marker, find_inline_markers, int_to_cn, match_line_marker
from index.readers import ReadResult
from index.tables import find_flat_tables
from index.text import detect_script

_PAGE_MARKER = re.compile(r"^(\d{1,3})、")
_SENTENCE_END = re.compile(r"[。！？!?；;”」』)）]$")
_SENTENCE = re.compile(r"[。；;！？!?]")
_HEADING_END = re.compile(r"[。；;：:！？!?]|一一|——")
# Punctuation a heading line ("一、总体要求", "(一)总体目标。") has at most at its end; a lead-in ending in a colon
# ("学校应当履行下列职责：") is text of its own.
_NOT_HEADING = re.compile(r"[。；;！？!?：:]")
_HEADING_STOP = re.compile(r"[。；;！？!?]+$")
_UNITS = re.compile(r"[（(]\s*(?:牵头单位|责任单位)\s*[:：][^()（）]*[)）]\s*$")
# "附件：1.XX表" / "附件2：XX名单" / "附件：" followed by numbered lines: the attachment list, a document fact.
_ATTACHMENTS = re.compile(r"^附\s*件\s*(?P<num>\d{0,2})\s*[:：]\s*(?P<rest>.*)$")
_FLUSH_AFTER = tuple("、.．)）:：")
HEADING_MAX = 40
# A numbered line that ends with a full stop and is at least this long is a sentence, not a title ("（一）总体目标。").
SENTENCE_MIN = 20
ITEM_STYLES = ("num", "paren_num", "circled")
# An enumeration of short items printed one per line, each but the last ending in ；(or ，、), is one statement:
# "四、企业复工审批材料 1. 企业复工申请表；… 6. 企业复工方案。" answers "要交哪些材料" whole, not one item at a time.
LIST_ITEM_MAX = 40
_ITEM_GOES_ON = re.compile(r"[；;，,、]$")
_SENTENCE_INSIDE = re.compile(r"[。！？!?]")
_LIST_STYLES = ("num", "paren_num")  # how the items of an attachment list are numbered


@dataclass
class _Seg:
    """One body block with the markers found in it: a line-start marker and inline candidates after it."""

    marker: Marker | None
    text: str
    block: Block
    base: int  # offset of `text` inside the block's text (a repeated title may be cut off the front)
    inline: list[Marker]
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
    level: int | None = None  # heading level from the file's styles, when the clause's line had one

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


def _open_with_headline(body: list[Block], title: str, title_start: int) -> None:
    """A headline states the news ("黑龙江省财政拨付1.57亿元补助防控一线人员"): it stays the title and also opens the
    lead it sums up, so it can be found and cited without a clause of its own. Not when the page repeats it already."""
    first = body[0] if body else None
    if not is_headline(title) or first is None or first.kind != "para" or match_line_marker(first.text):
        return
    if not any(b.kind == "para" and b.text.startswith(title) for b in body[:3]):
        body[0] = _prefixed(first, title, title_start)


def _prefixed(block: Block, prefix: str, prefix_start: int) -> Block:
    """`block` with `prefix` and a space before its text; source offsets still map into both pieces."""
    # Readers know every block's offset or none; with one unknown, the joined block claims none either.
    known = prefix_start >= 0 and block.start >= 0
    out = replace(block, text=f"{prefix} {block.text}", start=prefix_start if known else block.start)
    if known:
        shift = len(prefix) + 1
        pieces = getattr(block, "_offsets", None) or ((0, block.start),)
        object.__setattr__(out, "_offsets", ((0, prefix_start), *((at + shift, src) for at, src in pieces)))
    return out


def _fold_captions(blocks: list[Block]) -> list[Block]:
    """Readers keep a table's caption line as a paragraph too; it belongs to the table's rows, not to the text.
    A numbered line ("二、主要指标") that happens to precede a table stays a clause."""
    out: list[Block] = []
    for b in blocks:
        if (
            b.kind == "table"
            and b.caption
            and out
            and out[-1].kind == "para"
            and out[-1].text.strip() == b.caption.strip()
            and match_line_marker(out[-1].text) is None
        ):
            out.pop()
        out.append(b)
    return out


def is_headline(title: str) -> bool:
    """A title that is a news headline, not a document's name: it names no document type (通知, 办法, 方案 …) once
    its trailing （第8号）/(2023—2025年) is read past, and it does not open with 关于 as formal titles do."""
    core = TITLE_TAIL.sub("", title.strip())
    return (
        len(core) >= 4
        and not core.startswith(("关于", "關於"))
        and not DOC_TYPE.search(core[-4:])
        and not is_org_name(core)
    )


def _is_title_heading(block: Block) -> bool:
    """A styled heading before the first clause that names a document type is the title, not a section."""
    text = block.text.strip()
    return len(text) <= 80 and not _SENTENCE.search(text) and bool(DOC_TYPE.search(text))


class Parser:
    """Turn a `ReadResult` into a `Document` with its clause tree."""

    def __call__(self, source: str, read: ReadResult) -> Document:
        removed: list[str] = [f"[reader] {r}" for r in read.removed]
        blocks = _cut_tail(list(read.blocks), removed)
        blocks = _join_pages(blocks, removed)
        facts = FactCollector()
        kept, fresh = self._drop_clutter(blocks, facts, removed)
        kept = find_flat_tables(_fold_captions(kept))
        body = self._take_facts(kept, facts, removed, fresh)
        title = facts.facts.title.value if facts.facts.title else ""
        root = _Tree().build(_segments(body, title))
        _fold_lists(root)
        clauses = _emit(root)
        for c in clauses[:3]:
            facts.scan_body(c.text)
        for c in clauses:
            # The date in force and the period of validity usually close the document: scan until both are found.
            if facts.facts.effective_date is not None and facts.facts.validity is not None:
                break
            facts.scan_body(c.text)
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

    # -- clutter and facts -------------------------------------------------------------------------------------

    def _drop_clutter(
        self, blocks: list[Block], facts: FactCollector, removed: list[str]
    ) -> tuple[list[Block], set[int]]:
        """Blocks without clutter lines, and the ids of blocks that directly follow removed metadata."""
        kept: list[Block] = []
        fresh: set[int] = set()
        after_facts = False
        for b in blocks:
            rule = classify(b.text) if b.kind == "para" else None
            if rule is None:
                if after_facts:
                    # A signature or 抄送 line stood here: what follows starts afresh (an annex, not more of a list).
                    fresh.add(id(b))
                    after_facts = False
                kept.append(b)
                continue
            if rule in FACT_RULES:
                if rule == "print-line":
                    facts.print_line(b.text)
                elif rule == "addressee-line":
                    facts.facts.addressees = Fact(re.sub(r"^[^:：]+[:：]\s*", "", b.text.strip()), b.text.strip())
                removed.append(f"[fact:{FACT_RULES[rule]}] {b.text}")
                after_facts = True
                continue
            if rule in ("dated-source", "upload-header"):
                facts.date_line(b.text)
                if is_date_line(b.text):
                    # A date alone on its line closes a signature: the issuing bodies right above it are facts.
                    self._signature(kept, facts, removed)
                    rule = "fact:日期"
                    after_facts = True
            if rule == "publish-info":
                facts.publish_info(b.text)
            elif rule == "source-line":
                facts.source_line(b.text)
            removed.append(f"[{rule}] {b.text}")
        return kept, fresh

    @staticmethod
    def _signature(kept: list[Block], facts: FactCollector, removed: list[str]) -> None:
        names: list[Block] = []
        while kept and kept[-1].kind == "para" and is_org_name(kept[-1].text.strip()):
            if match_line_marker(kept[-1].text) is not None:
                break
            names.insert(0, kept.pop())
        for b in names:
            for name in org_parts(b.text):
                facts.issuer(name, b.text.strip())
            removed.append(f"[fact:落款] {b.text}")

    def _take_facts(
        self, blocks: list[Block], facts: FactCollector, removed: list[str], fresh: set[int]
    ) -> list[Block]:
        """Header lines before the first clause, the attachment list and the signature after the last clause are
        facts, not clauses."""
        first_marker = self._first_clause(blocks)
        body: list[Block] = []
        title_block = -2  # index of the header line that set the title, so a wrapped title can be continued
        title_first = -1  # index of its first line
        i = 0
        while i < len(blocks):
            b = blocks[i]
            text = b.text.strip()
            if b.kind != "para":
                body.append(b)
                i += 1
                continue
            if facts.doc_number(text):
                removed.append(f"[fact:文号] {text}")
                i += 1
                continue
            taken = self._attachments(blocks, i, facts, removed, fresh)
            if taken:
                i += taken
                continue
            if i < first_marker:
                short = len(text) <= 80 and not _SENTENCE.search(text)
                if text.endswith((":", "：")) and short and ("各" in text or is_org_name(text[:-1])):
                    facts.facts.addressees = Fact(text, text)
                    removed.append(f"[fact:主送] {text}")
                    i += 1
                    continue
                if short and not text.endswith((":", "：")):
                    if is_date_line(text):
                        facts.date_line(text)
                        removed.append(f"[fact:日期] {text}")
                    else:
                        before = facts.facts.title
                        label = facts.title_line(text, follows_title=title_block == i - 1)
                        if facts.facts.title is not before:
                            title_first = i if before is None else title_first
                            title_block = i
                        removed.append(f"[fact:{label}] {text}")
                    i += 1
                    continue
            body.append(b)
            i += 1
        if facts.facts.title and title_first >= 0:
            _open_with_headline(body, facts.facts.title.value, blocks[title_first].start)
        # Signature block: trailing lines that are issuing bodies or a date.
        tail: list[Block] = []
        while body and body[-1].kind == "para":
            text = body[-1].text.strip()
            if not (is_date_line(text) or (is_org_name(text) and match_line_marker(text) is None)):
                break
            tail.insert(0, body.pop())
        for b in tail:
            text = b.text.strip()
            if is_date_line(text):
                facts.date_line(text)
            else:
                for name in org_parts(text):
                    facts.issuer(name, text)
            removed.append(f"[fact:落款] {text}")
        return body

    @staticmethod
    def _first_clause(blocks: list[Block]) -> int:
        """Where the header ends: the first table, numbered line or styled heading. A styled line may still be
        header: the title (the first styled line, naming a document type) or a centred 文号. A document with no
        numbering at all has its header end at its first sentence, so its short lines are not all taken as titles."""
        seen_styled = False
        first_sentence = None
        for i, b in enumerate(blocks):
            if b.kind != "para" or match_line_marker(b.text):
                return i
            text = b.text.strip()
            if first_sentence is None and (len(text) > 80 or _SENTENCE.search(text)):
                first_sentence = i
            if b.level is None:
                continue
            is_number = bool(DOC_NUMBER.fullmatch(text))
            if not is_number and (seen_styled or not _is_title_heading(b)):
                return i
            seen_styled = seen_styled or not is_number
        return len(blocks) if first_sentence is None else first_sentence

    @staticmethod
    def _attachments(blocks: list[Block], i: int, facts: FactCollector, removed: list[str], fresh: set[int]) -> int:
        """An attachment list starting at block i: one fact per attachment; returns how many blocks it took."""
        text = blocks[i].text.strip()
        m = _ATTACHMENTS.match(text)
        if not m:
            return 0
        rest = m.group("rest").strip()

        def numbered(k: int) -> Marker | None:
            """The list number ("1." / "（1）") a short line starts with."""
            if k >= len(blocks) or blocks[k].kind != "para":
                return None
            line = blocks[k].text.strip()
            marker = match_line_marker(line)
            if len(line) > 80 or _SENTENCE.search(line) or marker is None or marker.style not in _LIST_STYLES:
                return None
            return marker

        if not rest and not numbered(i + 1):
            return 0  # "附件：" alone, then the annex itself: a clause (附件), not a list
        items: list[list[str]] = []  # [name, where]

        def add(line: str, where: str) -> None:
            # "1.XX表 2.YY表" on one line is two attachments.
            cuts = [m.start for m in find_inline_markers(line) if m.style in _LIST_STYLES and m.start > 0]
            for a, z in zip([0, *cuts], [*cuts, len(line)]):
                part = line[a:z].strip()
                number = match_line_marker(part)
                listed = number is not None and number.style in _LIST_STYLES
                items.append([part[number.end :].strip() if listed else part, where])

        if rest:
            add(rest, text)
        removed.append(f"[fact:附件] {text}")
        k = i + 1
        while k < len(blocks) and blocks[k].kind == "para" and id(blocks[k]) not in fresh:
            line = blocks[k].text.strip()
            if len(line) > 80 or _SENTENCE.search(line) or is_date_line(line) or is_org_name(line):
                break
            again = _ATTACHMENTS.match(line)
            number = numbered(k)
            if again and again.group("rest"):
                if again.group("num") and int(again.group("num")) != len(items) + 1:
                    break  # "附件1：…" again after the list: the annexes themselves begin
                add(again.group("rest"), line)
            elif number and number.number == len(items) + 1:
                add(line, line)
            elif items and match_line_marker(line) is None:
                # A long attachment name wrapped onto the next line.
                items[-1][0] += line
                items[-1][1] += "\n" + line
            else:
                break
            removed.append(f"[fact:附件] {line}")
            k += 1
        if k < len(blocks) and blocks[k].kind == "table" and len(items) == 1:
            # "附件2：XX汇总表" right above its table heads the annex itself: a clause, not a list.
            del removed[len(removed) - (k - i) :]
            return 0
        for name, where in items:
            facts.attachment(name, where)
        return k - i


# -- segmentation and tree ---------------------------------------------------------------------------------------


def _segments(blocks: list[Block], title: str) -> list[_Seg | Block]:
    segs: list[_Seg | Block] = []
    for b in blocks:
        if b.kind != "para":
            segs.append(b)
            continue
        text = b.text
        # A scrape repeats the title at the start of its first page. A news page's repeated headline is kept: its
        # subtitle goes on from it ("原标题：重庆省际包车全面恢复正常运转 … 客座率控制在50%以内").
        repeat = bool(title) and text.startswith(title) and len(text) > len(title) + 20
        base = len(title) if repeat and not is_headline(title) else 0
        marker = match_line_marker(text[base:])
        inline = [
            Marker(m.style, m.number, m.raw, m.start + base, m.end + base)
            for m in find_inline_markers(text[base:])
            if not marker or m.start >= marker.end
        ]
        segs.append(_Seg(marker, text[base:], b, base, inline, b.level))
    return segs


class _Tree:
    """Builds the clause tree from segments: a stack of open clauses, popped by style rank and heading level."""

    def __init__(self) -> None:
        self.root = _Node(None, "", "", "root", 0, None)
        self.stack: list[_Node] = [self.root]
        self.last_number: dict[str, int] = {}
        self.preamble: _Node | None = None

    def build(self, segments: list[_Seg | Block]) -> _Node:
        for seg in segments:
            if isinstance(seg, Block):
                self.container().tables.append(seg)
                continue
            for k, (marker, piece, a, _end) in enumerate(self._pieces(seg)):
                lead = len(piece) - len(piece.lstrip())
                text = piece.strip()
                if not text:
                    continue
                start = _src_offset(seg.block, seg.base + a + lead)
                end = _src_offset(seg.block, seg.base + a + lead + len(text))
                level = seg.level if k == 0 else None
                if marker is not None:
                    self.open_clause(marker, text, start, end, level)
                elif level is not None and len(text) <= HEADING_MAX and not _SENTENCE.search(text):
                    self.open_heading(text, start, end, level)
                else:
                    self.add_paragraph(text, start, end)
        return self.root

    def _pieces(self, seg: _Seg) -> list[tuple[Marker | None, str, int, int]]:
        """Split a block at the inline markers the sequence expects at that point, one by one."""
        pieces: list[tuple[Marker | None, str, int, int]] = []
        text = seg.text
        cursor = seg.marker.end if seg.marker else 0
        current = seg.marker
        piece_start = 0
        for m in seg.inline:
            local = m.start - seg.base
            if local < cursor:
                continue
            if m.number not in self._expected_after(pieces, current, m.style):
                continue
            pieces.append((current, text[piece_start:local], piece_start, local))
            current = Marker(m.style, m.number, m.raw, local, m.end - seg.base)
            piece_start, cursor = local, m.end - seg.base
        pieces.append((current, text[piece_start:], piece_start, len(text)))
        return pieces

    def container(self) -> _Node:
        """Where a table stands: the innermost open clause that is not a list item."""
        for node in reversed(self.stack):
            if node.style not in ITEM_STYLES:
                return node
        return self.root

    def expected(self, style: str) -> set[int]:
        run_on = {self.last_number.get(style, 0) + 1} if style == "num" else set()
        for node in reversed(self.stack):
            if node.style == style:
                return {node.number + 1} | run_on
        return {1} | (run_on if self.last_number.get(style) else set())

    def _expected_after(self, pieces, current: Marker | None, style: str) -> set[int]:
        """Numbers acceptable for an inline marker, given the markers already opened earlier in the same block."""
        opened = [p[0] for p in pieces if p[0] is not None] + ([current] if current else [])
        same = [m for m in opened if m.style == style]
        if same:
            return {same[-1].number + 1}
        if opened and STYLES[opened[-1].style].rank < STYLES[style].rank:
            return {1} | (self.expected(style) if style == "num" else set())
        return self.expected(style)

    def open_clause(self, marker: Marker, text: str, start: int, end: int, level: int | None) -> None:
        stack = self.stack
        style = STYLES[marker.style]
        if any(n.style == marker.style for n in stack[1:]):
            # A sibling: close everything down to and including the open clause of the same style.
            while stack[-1].style != marker.style:
                stack.pop()
            stack.pop()
        else:
            while len(stack) > 1 and (
                stack[-1].style == "box"
                or (stack[-1].style in STYLES and STYLES[stack[-1].style].rank > style.rank)
                # A styled line closes unnumbered headings of its own level or deeper.
                or (stack[-1].style == "heading" and level is not None and (stack[-1].level or 0) >= level)
            ):
                stack.pop()
        if marker.style == "annex":
            del stack[1:]
        parent = stack[-1]
        heading = _heading(text[len(marker.raw) :].lstrip(":：\u3000 "))
        node = _Node(marker, marker.label, heading, marker.style, marker.number, parent)
        node.kind = "box" if marker.style == "box" else "clause"
        node.level = level
        node.paragraphs.append((text, start, end))
        parent.children.append(node)
        stack.append(node)
        self.last_number[marker.style] = marker.number

    def open_heading(self, text: str, start: int, end: int, level: int) -> None:
        """An unnumbered heading (Word heading style, <h3>, bold line) nests only under higher-level headings."""
        stack = self.stack
        while len(stack) > 1 and not (stack[-1].level is not None and stack[-1].level < level):
            stack.pop()
        node = _Node(None, text, text, "heading", 0, stack[-1], level=level)
        node.paragraphs.append((text, start, end))
        stack[-1].children.append(node)
        stack.append(node)

    def add_paragraph(self, text: str, start: int, end: int) -> None:
        stack = self.stack
        if len(stack) == 1:
            if self.preamble is None:
                self.preamble = _Node(None, "导语", "", "preamble", 0, self.root, kind="preamble")
                self.root.children.append(self.preamble)
            self.preamble.paragraphs.append((text, start, end))
            return
        article = next((n for n in reversed(stack) if n.style == "tiao"), None)
        if article is not None and stack[-1] is not article and stack[-1].style in ("paren_cn", *ITEM_STYLES):
            # After an article's items, an unnumbered paragraph is the article's next 款, not part of the last 项.
            while stack[-1] is not article:
                stack.pop()
        node = stack[-1]
        if len(node.paragraphs) == 1 and node.marker and node.paragraphs[0][0] == node.marker.raw:
            # The number stood alone on its line ("第一条" / "（一）"): the text below is the clause's own text.
            first = node.paragraphs[0]
            # "（一）" / "1." / "一、" end in punctuation and run into their text; "第一条", "附件2" take a space.
            flush = node.marker.raw.endswith(_FLUSH_AFTER) or node.style == "circled"
            joined = node.marker.raw + ("" if flush else "\u3000") + text
            node.paragraphs[0] = (joined, first[1], end)
            node.heading = _heading(text)
            return
        node.paragraphs.append((text, start, end))


# -- emit ----------------------------------------------------------------------------------------------------------


def _heading_first(node: _Node) -> bool:
    """Whether the clause's first paragraph is a heading over what follows rather than text of its own."""
    if node.style == "heading":
        return bool(node.children or node.tables or len(node.paragraphs) > 1)
    if node.marker is None or not node.paragraphs:
        return False
    if node.style == "tiao" or (STYLES[node.style].attach and node.parent and node.parent.style == "tiao"):
        return False  # an article and its 项 are provisions, never bare titles over what follows
    line = node.paragraphs[0][0][len(node.marker.raw) :].strip().lstrip(":：\u3000 ")
    rest = _HEADING_STOP.sub("", line)
    if not node.children and len(rest) >= SENTENCE_MIN and _HEADING_STOP.search(line):
        # "三、如有疑问，可拨打咨询电话12345。" followed by loose paragraphs (特此公告, a signature) ends like a sentence
        # and is as long as one: a provision, not a title over them. A heading-only clause is never chunked, so its
        # text would be lost to search and citation. Numbered children still make it a heading.
        return False
    under = bool(node.children or node.tables or len(node.paragraphs) > 1)
    return under and len(rest) <= HEADING_MAX and not _NOT_HEADING.search(rest)


def _fold_lists(node: _Node) -> None:
    """Fold a clause's numbered items into its own text when they are a list of short items (see LIST_ITEM_MAX).

    An article's 项 stay apart: a regulation is cited to the 项 (第九条(三)). So do items that are provisions of
    their own: longer than a list item, a full sentence before their end, or with items or tables under them.
    """
    for child in node.children:
        _fold_lists(child)
    items = node.children
    if node.style in ("root", "tiao") or not node.paragraphs or node.tables or len(items) < 2:
        return
    if any(c.style not in ITEM_STYLES or c.children or c.tables or not c.paragraphs for c in items):
        return
    firsts = [c.paragraphs[0][0].strip() for c in items]
    if any(len(t) > LIST_ITEM_MAX or _SENTENCE_INSIDE.search(t[:-1]) for t in firsts):
        return
    if not all(_ITEM_GOES_ON.search(t) for t in firsts[:-1]):
        return
    paras = [p for c in items for p in c.paragraphs]
    # Joined to the line that introduces the list ("下列学生免交课后服务费：", "四、企业复工审批材料"): one clause,
    # cited whole, rather than a heading over paragraphs cited one by one.
    text, start, _ = node.paragraphs[-1]
    node.paragraphs[-1] = ("\n".join([text, *(p[0] for p in paras)]), start, paras[-1][2])
    node.children = []


def _emit(root: _Node) -> list[Clause]:
    out: list[Clause] = []

    def emit(node: _Node, depth: int) -> None:
        if node.style != "root":
            own = node.paragraphs
            head = _heading_first(node)
            body = own[1:] if head else own
            if node.style == "tiao" and len(own) >= 2:
                # An article's later paragraphs are its 款, cited 第五条第二款.
                out.append(_clause(node, [own[0]], depth))
                for k, para in enumerate(own[1:], start=2):
                    child = _Node(None, f"第{int_to_cn(k)}款", "", "kuan", k, node, [para], kind="paragraph")
                    out.append(_clause(child, [para], depth + 1))
            elif len(body) >= 2 and not node.children:
                if head or node.style == "preamble":
                    out.append(_clause(node, own[:1] if head else [], depth, heading_only=True))
                    numbered = list(enumerate(body, start=1))
                else:
                    # The numbered paragraph is the clause's own text and counts as its 第1段.
                    out.append(_clause(node, own[:1], depth))
                    numbered = list(enumerate(own[1:], start=2))
                for k, para in numbered:
                    child = _Node(None, f"第{k}段", _heading(para[0]), "para", k, node, [para], kind="paragraph")
                    out.append(_clause(child, [para], depth + 1))
            else:
                out.append(_clause(node, own, depth, heading_only=head and not body))
        for table_no, table in enumerate(node.tables, start=1):
            out.extend(_table_rows(node, table, table_no, depth + 1))
        for child in node.children:
            emit(child, depth + 1)

    emit(root, -1)
    # Tables precede children above; restore document order by source offset where known.
    return sorted(out, key=lambda c: c.start if c.start >= 0 else 0) if all(c.start >= 0 for c in out) else out


def _heading(text: str) -> str:
    text = text.strip()
    m = _HEADING_END.search(text)
    if m and m.start() <= HEADING_MAX:
        return text[: m.start()].strip()
    if len(text) <= HEADING_MAX:
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


def _header(table: Block) -> list[str]:
    """Column names: header rows combined top-down ("年度目标" over "2023年" → "年度目标(2023年)"), made unique."""
    header_rows = max(1, table.header_rows)
    header = list(table.rows[0]) if table.rows else []
    for extra in table.rows[1:header_rows]:
        header = [h if h == e or not e else (f"{h}({e})" if h else e) for h, e in zip(header, extra)]
    names: list[str] = []
    for i, h in enumerate(header):
        name = h or f"列{i + 1}"
        # A merged header cell over two data columns would otherwise hide one of them in the row's dict.
        names.append(name if name not in names else f"{name}({names.count(name) + 1})")
    return names


def _table_rows(node: _Node, table: Block, table_no: int, depth: int) -> list[Clause]:
    header_rows = max(1, table.header_rows)
    header = _header(table)
    base = f"{node.path} 表{table_no}".strip() if node.style != "root" else f"表{table_no}"
    out: list[Clause] = []
    rows = [row for row in table.rows[header_rows:] if any(v.strip() for v in row)]
    for k, row in enumerate(rows, start=1):
        columns = {h: v for h, v in zip(header, row)}
        text = "；".join(f"{h}:{v}" for h, v in columns.items() if v)
        lead = [u for h, v in columns.items() if "牵头" in h for u in re.split(r"[、,，]", v) if u]
        resp = [u for h, v in columns.items() if "责任" in h or "配合" in h for u in re.split(r"[、,，]", v) if u]
        label = _row_label(columns)
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


_LABEL_COLUMNS = ("项目", "指标", "名称", "内容", "任务", "重点任务", "工作任务", "学段", "类别")
_NUMERIC_CELL = re.compile(r"^[\d.,，%％<>≥≤＜＞~～\-—\s]*$")


def _row_label(columns: dict[str, str]) -> str:
    """What a row is about, for its heading: a name-like column, else its first cell that is not a number."""
    named = next((v for h, v in columns.items() if h in _LABEL_COLUMNS and v), "")
    if named:
        return named
    return next((v for h, v in columns.items() if h != "序号" and v and not _NUMERIC_CELL.match(v)), "")
