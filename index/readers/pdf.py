"""PDF reader: text-layer lines rejoined into paragraphs, running headers/footers and page numbers removed,
ruled tables as table blocks, and OCR for pages that are scans.

A PDF stores lines, not paragraphs: a paragraph is wrapped at the right margin mid-sentence and runs on across
page breaks. Lines are rejoined unless the next line visibly starts something new (a numbering marker, a first-line
indent after a finished sentence, a centred or right-aligned line) or the previous line visibly ended its paragraph
(it stops well short of the right margin). Geometry comes from pdfplumber; for files pdfminer cannot parse,
PDFium (pypdfium2, a pdfplumber dependency) gives the same character boxes without table detection, and pypdf
is the last resort, with text-only rules.

Scanned pages are read with RapidOCR (`rapidocr-onnxruntime`, whose PyPI wheel bundles its ONNX models, so it
runs offline). Without it a scan raises `UnreadableDocument` instead of becoming an empty document.
"""

from __future__ import annotations

import functools
import io
import re
import statistics
from dataclasses import dataclass, field, replace

from index.models import Block
from index.readers import ReadResult, UnreadableDocument
from index.readers.docx import caption_from, finish_table, layout

# A line starting with one of these begins a new paragraph whatever the geometry says.
MARKER = re.compile(
    r"^\s*(?:"
    r"第[一二三四五六七八九十百千零〇两\d]+[编章节条款部分]"
    r"|[一二三四五六七八九十百]+[、．.]"
    r"|[（(][一二三四五六七八九十百\d]+[)）]"
    r"|\d{1,3}(?:[.．](?!\d)|、)"
    r"|[①-⑳⑴-⒇⒈-⒛]"
    r"|附件\s*\d*\s*[：:]?"
    r"|附表|专栏\s*\d+"
    r"|(?:附?表|图)\s*\d+(?:[\s\u3000：:]|$)"  # a table or figure caption line
    r")"
)
PAGE_NUMBER = re.compile(
    r"^(?:"
    r"[-—–－_~·•\s]*\d{1,4}[-—–－_~·•\s]*"
    r"|第\s*\d+\s*页(?:\s*[,，/、]?\s*共\s*\d+\s*页)?"
    r"|共\s*\d+\s*页\s*[,，/、]?\s*第\s*\d+\s*页"
    r"|\d+\s*/\s*\d+"
    r"|[Pp]age\s*\d+(?:\s*(?:of|/)\s*\d+)?"
    r")$"
)
_SENTENCE_END = tuple("。！？；：!?;:")
_CONTINUES = tuple("，、,（(《“‘—-")
_RENDER_DPI = 200
_SCAN_MAX_CHARS = 20
_OCR_MIN_SCORE = 0.5


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"


def join_lines(a: str, b: str) -> str:
    """Join a wrapped line to the next: Chinese wraps need no space, Latin words do."""
    if not a or not b:
        return a + b
    if _is_cjk(a[-1]) or _is_cjk(b[0]) or a.endswith("-"):
        return a + b
    return a + " " + b


@dataclass
class _Line:
    text: str
    page: int
    x0: float | None = None
    x1: float | None = None
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0


@dataclass
class _Table:
    page: int
    top: float
    block: Block


@dataclass
class _Page:
    number: int
    width: float = 0.0
    height: float = 0.0
    lines: list[_Line] = field(default_factory=list)
    tables: list[_Table] = field(default_factory=list)
    has_image: bool = False

    def is_scan(self) -> bool:
        """No text layer, or only a stray stamp of text (a scanner app's mark, a page number) over an image."""
        chars = sum(len(ln.text) for ln in self.lines) + sum(
            len(v) for t in self.tables for r in t.block.rows for v in r
        )
        return chars == 0 or (self.has_image and chars < _SCAN_MAX_CHARS)


# ---------------------------------------------------------------------------------------------------------------
# pdfplumber: lines and tables with geometry
# ---------------------------------------------------------------------------------------------------------------


def _chars_to_lines(chars: list[dict], page: int) -> list[_Line]:
    chars = sorted(chars, key=lambda c: (round(c["top"]), c["x0"]))
    rows: list[list[dict]] = []
    for ch in chars:
        mid = (ch["top"] + ch["bottom"]) / 2
        if rows and rows[-1][0]["top"] - 1 <= mid <= rows[-1][0]["bottom"] + 1:
            rows[-1].append(ch)
        else:
            rows.append([ch])
    lines: list[_Line] = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        visible = [c for c in row if c["text"].strip()]
        if not visible:
            continue
        size = statistics.median(c["size"] for c in visible)
        text = ""
        prev = None
        for ch in row:
            if prev is not None:
                gap = ch["x0"] - prev["x1"]
                cjk = _is_cjk(prev["text"][-1:] or " ") or _is_cjk(ch["text"][:1] or " ")
                # Letter-spaced Chinese must not gain spaces; Latin words and wide column gaps do.
                if gap > (2.0 if cjk else 0.25) * size and not text.endswith((" ", "\u3000")):
                    text += " "
            text += ch["text"]
            prev = ch
        text = re.sub(r"[ \t\xa0]+", " ", text).strip()
        if text:
            lines.append(
                _Line(
                    text=text,
                    page=page,
                    x0=visible[0]["x0"],
                    x1=visible[-1]["x1"],
                    top=min(c["top"] for c in visible),
                    bottom=max(c["bottom"] for c in visible),
                    size=size,
                )
            )
    return lines


def _cell(value: str | None) -> str:
    if not value:
        return ""
    out = ""
    for part in value.split("\n"):
        out = join_lines(out, part.strip())
    return out


def _table_block(table) -> Block | None:
    """Merged cells expanded: pdfplumber leaves None where a merged cell covers a grid position, and the cell
    whose box contains that position's centre is the one that covers it."""
    data = table.extract()
    real: list[tuple[tuple[float, float, float, float], int, int]] = []
    for r, row in enumerate(table.rows):
        for c, bbox in enumerate(row.cells):
            if bbox is not None:
                real.append((bbox, r, c))
    # A column's centre from its narrowest cell, a row's from its lowest-reaching one: merged cells are wider.
    col_x: list[float | None] = []
    for column in table.columns:
        boxes = [b for b in column.cells if b is not None]
        col_x.append((boxes[0][0] + min(b[2] for b in boxes)) / 2 if boxes else None)
    grid: list[list[str]] = []
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(table.rows):
        boxes = [b for b in row.cells if b is not None]
        mid_y = (boxes[0][1] + min(b[3] for b in boxes)) / 2 if boxes else None
        values: list[str] = []
        for c, bbox in enumerate(row.cells):
            src = (r, c)
            x = col_x[c] if c < len(col_x) else None
            if bbox is None and mid_y is not None and x is not None:
                src = next(
                    ((rr, cc) for (x0, top, x1, bottom), rr, cc in real if x0 <= x <= x1 and top <= mid_y <= bottom),
                    src,
                )
            origin[(r, c)] = src
            values.append(_cell(data[src[0]][src[1]]))
        grid.append(values)
    return finish_table(grid, origin, caption="")


def _inside(obj: dict, bbox: tuple[float, float, float, float]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def _read_pages_plumber(data: bytes) -> list[_Page]:
    import pdfplumber

    pages: list[_Page] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            out = _Page(number=number, width=float(page.width), height=float(page.height), has_image=bool(page.images))
            page = page.dedupe_chars()
            table_boxes = []
            for table in page.find_tables():
                block = _table_block(table)
                # A single box around text (专栏, a framed note) is not a table of data.
                if block is None or len(block.rows) < 2 or len(block.rows[0]) < 2:
                    continue
                table_boxes.append(table.bbox)
                out.tables.append(_Table(page=number, top=table.bbox[1], block=block))
            chars = [
                c for c in page.chars if c.get("upright", True) and not any(_inside(c, box) for box in table_boxes)
            ]
            out.lines = _chars_to_lines(chars, number)
            pages.append(out)
    return pages


def _read_pages_pdfium(data: bytes) -> list[_Page]:
    """Character boxes from PDFium (Chrome's parser), for files pdfminer cannot parse; no table detection."""
    import pypdfium2

    pages: list[_Page] = []
    pdf = pypdfium2.PdfDocument(data)
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            width, height = page.get_size()
            textpage = page.get_textpage()
            chars: list[dict] = []
            seen: set[tuple[str, int, int]] = set()
            for i in range(textpage.count_chars()):
                text = textpage.get_text_range(i, 1)
                if not text or text in "\r\n":  # PDFium's generated line ends
                    continue
                left, bottom, right, top = textpage.get_charbox(i, loose=True)
                key = (text, round(left), round(top))
                if key in seen:  # the same glyph printed twice to fake bold
                    continue
                seen.add(key)
                size = pypdfium2.raw.FPDFText_GetFontSize(textpage.raw, i) or (top - bottom)
                chars.append(
                    {
                        "text": text,
                        "x0": left,
                        "x1": right,
                        "top": height - top,
                        "bottom": height - bottom,
                        "size": size,
                    }
                )
            pages.append(_Page(number=index + 1, width=width, height=height, lines=_chars_to_lines(chars, index + 1)))
    finally:
        pdf.close()
    return pages


def _read_pages_pypdf(data: bytes) -> list[_Page]:
    import logging

    from pypdf import PdfReader

    # A broken file is reported once, as UnreadableDocument; pypdf's own warnings would only repeat it.
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    pages: list[_Page] = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages, start=1):
        out = _Page(number=number)
        for i, text in enumerate((page.extract_text() or "").splitlines()):
            text = re.sub(r"[ \t\xa0]+", " ", text).strip()
            if text:
                out.lines.append(_Line(text=text, page=number, top=float(i)))
        pages.append(out)
    return pages


# ---------------------------------------------------------------------------------------------------------------
# OCR
# ---------------------------------------------------------------------------------------------------------------


@functools.cache
def ocr_engine():
    """RapidOCR with its bundled models, or None when it is not installed (or cannot start)."""
    try:
        from rapidocr_onnxruntime import RapidOCR

        return RapidOCR()
    except Exception:  # noqa: BLE001 - any failure to start OCR means "no OCR engine"
        return None


def _ocr_page(engine, data: bytes, index: int) -> _Page:
    import numpy as np
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        page = pdf[index]
        width, height = page.get_size()
        scale = _RENDER_DPI / 72
        image = page.render(scale=scale).to_pil().convert("RGB")
    finally:
        pdf.close()
    result, _ = engine(np.array(image))
    segments = []
    for box, text, score in result or ():
        if float(score) < _OCR_MIN_SCORE or not text.strip():
            continue
        xs = [p[0] / scale for p in box]
        ys = [p[1] / scale for p in box]
        segments.append(_Line(text.strip(), index + 1, min(xs), max(xs), min(ys), max(ys), max(ys) - min(ys)))
    # OCR finds text runs; runs side by side on one baseline make one line.
    segments.sort(key=lambda s: (s.top, s.x0))
    lines: list[_Line] = []
    for seg in segments:
        mid = (seg.top + seg.bottom) / 2
        line = lines[-1] if lines else None
        if line is not None and line.top <= mid <= line.bottom:
            left, right = (line, seg) if line.x0 <= seg.x0 else (seg, line)
            line.text = join_lines(left.text, right.text)
            line.x0, line.x1 = min(line.x0, seg.x0), max(line.x1, seg.x1)
            line.bottom = max(line.bottom, seg.bottom)
        else:
            lines.append(seg)
    return _Page(number=index + 1, width=width, height=height, lines=lines)


# ---------------------------------------------------------------------------------------------------------------
# Running headers, footers, page numbers
# ---------------------------------------------------------------------------------------------------------------

_ZONE_LINES = 3
_ZONE = 0.12


def _edge_lines(page: _Page) -> list[_Line]:
    """Up to three lines at the top and bottom of the page, within the page margins when geometry is known."""
    lines = page.lines
    top = lines[:_ZONE_LINES]
    bottom = lines[-_ZONE_LINES:]
    if page.height:
        top = [ln for ln in top if ln.top < page.height * _ZONE]
        bottom = [ln for ln in bottom if ln.bottom > page.height * (1 - _ZONE)]
    out: list[_Line] = []
    for line in top + bottom:
        if all(line is not other for other in out):
            out.append(line)
    return out


def _strip_furniture(pages: list[_Page]) -> list[str]:
    def key(text: str) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))

    body_sizes = [ln.size for p in pages for ln in p.lines if ln.size]
    body_size = statistics.median(body_sizes) if body_sizes else 0.0
    seen_on: dict[str, set[int]] = {}
    for page in pages:
        for line in _edge_lines(page):
            seen_on.setdefault(key(line.text), set()).add(page.number)
    removed: list[str] = []
    for page in pages:
        drop = set()
        for line in _edge_lines(page):
            repeated = len(seen_on.get(key(line.text), ())) >= 2
            # A title in a larger font that happens to match the running header stays.
            larger = body_size and line.size > body_size * 1.1
            if PAGE_NUMBER.match(line.text) or (repeated and not larger):
                drop.add(id(line))
                removed.append(line.text)
        page.lines = [ln for ln in page.lines if id(ln) not in drop]
    return list(dict.fromkeys(removed))


# ---------------------------------------------------------------------------------------------------------------
# Paragraphs
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class _Frame:
    """Where a page's text lines usually start and end."""

    left: float
    right: float


def _frames(pages: list[_Page]) -> dict[int, _Frame]:
    """Margins per page, from all pages of the same width (one layout), robust to short and indented lines."""
    by_width: dict[int, list[_Line]] = {}
    for page in pages:
        by_width.setdefault(round(page.width), []).extend(ln for ln in page.lines if ln.x0 is not None)
    frames: dict[int, _Frame] = {}
    for page in pages:
        lines = by_width.get(round(page.width), [])
        if not lines:
            continue
        lefts = sorted(ln.x0 for ln in lines)
        rights = sorted(ln.x1 for ln in lines)
        frames[page.number] = _Frame(left=lefts[len(lefts) // 10], right=rights[(len(rights) * 3) // 4])
    return frames


def _new_paragraph(prev: _Line, line: _Line, frames: dict[int, _Frame]) -> bool:
    if MARKER.match(line.text):
        return True
    ends_sentence = prev.text.endswith(_SENTENCE_END)
    pf, lf = frames.get(prev.page), frames.get(line.page)
    if pf is None or lf is None or prev.x0 is None or line.x0 is None:
        return ends_sentence  # no geometry: a finished sentence at a line end is taken as a paragraph end
    if prev.size and line.size and abs(prev.size - line.size) > 0.15 * max(prev.size, line.size):
        return True
    size = prev.size or 10.0

    def offset(ln: _Line, frame: _Frame) -> bool:  # centred or right-aligned: title, signature, date
        return ln.x0 > frame.left + 3 * size

    def centred(ln: _Line, frame: _Frame) -> bool:
        return offset(ln, frame) and abs((ln.x0 - frame.left) - (frame.right - ln.x1)) < 2 * size

    if offset(prev, pf) or offset(line, lf):
        # Only a centred title wrapped onto a second centred line continues.
        return not (centred(prev, pf) and centred(line, lf))
    short = prev.x1 < pf.right - 2 * size
    indented = line.x0 > lf.left + size
    if indented and (ends_sentence or short):
        return True
    return short and (ends_sentence or not prev.text.endswith(_CONTINUES))


def _blocks(pages: list[_Page], frames: dict[int, _Frame]) -> list[Block]:
    items: list[tuple[int, float, object]] = []
    for page in pages:
        items += [(page.number, ln.top, ln) for ln in page.lines]
        items += [(page.number, t.top, t) for t in page.tables]
    items.sort(key=lambda it: (it[0], it[1]))

    blocks: list[Block] = []
    para: list[_Line] = []

    def flush() -> None:
        if para:
            text = ""
            for ln in para:
                text = join_lines(text, ln.text)
            blocks.append(Block(text=text, page=para[0].page))
            para.clear()

    for _, _, item in items:
        if isinstance(item, _Table):
            flush()
            caption = item.block.caption or caption_from(blocks[-1] if blocks else None)
            blocks.append(replace(item.block, caption=caption, page=item.page))
            continue
        if para and _new_paragraph(para[-1], item, frames):
            flush()
        para.append(item)
    flush()
    return blocks


# ---------------------------------------------------------------------------------------------------------------
# Reader
# ---------------------------------------------------------------------------------------------------------------


def read_pdf(name: str, data: bytes) -> ReadResult:
    errors: list[str] = []
    for reader in (_read_pages_plumber, _read_pages_pdfium, _read_pages_pypdf):
        try:
            pages = reader(data)
            break
        except Exception as exc:  # noqa: BLE001 - PDF parsers raise many exception types on damaged files
            errors.append(f"{type(exc).__name__}: {exc}")
    else:
        raise UnreadableDocument(f"{name}: not a readable PDF ({'; '.join(errors)})")

    textless = [i for i, page in enumerate(pages) if page.is_scan()]
    if textless:
        engine = ocr_engine()
        if engine is not None:
            for i in textless:
                pages[i] = _ocr_page(engine, data, i)
        elif len(textless) == len(pages):
            raise UnreadableDocument(f"{name}: PDF has no text layer (a scan) and no OCR engine is installed")

    removed = _strip_furniture(pages)
    blocks = _blocks(pages, _frames(pages))
    if not blocks:
        if textless and len(textless) == len(pages):
            raise UnreadableDocument(f"{name}: PDF has no text layer (a scan) and OCR found no text in it")
        raise UnreadableDocument(f"{name}: no text in the PDF")
    blocks, text = layout(blocks)
    return ReadResult(blocks=blocks, text=text, fmt="pdf", removed=tuple(removed))
