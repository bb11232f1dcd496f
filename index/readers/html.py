"""HTML reader: the policy text of a web page without the site around it.

Extraction libraries are good at finding where the article is and poor at keeping its structure (trafilatura
drops colspan/rowspan and inline styles; readability-lxml drops styles and keeps in-article widgets), so each is
used only as evidence of *where* the content is. The reader walks the original DOM itself, maps each library's
output back onto it, takes the deepest element that holds (nearly) all of the prose as the content container,
and turns that element into blocks: headings (<h1>–<h6>, and bold or centred short paragraphs), paragraphs, list
items and tables with merged cells expanded. Page widgets that live inside article containers on Chinese
government sites (字体 大中小, 打印本页, 关闭窗口, 浏览次数 …) are cut by pattern. Everything dropped is
returned in `ReadResult.removed`.
"""

from __future__ import annotations

import codecs
import re

import lxml.etree
import lxml.html

from index.models import Block
from index.readers import ReadResult, UnreadableDocument
from index.readers.docx import caption_from, finish_table, layout
from index.readers.encoding import DecodeError, decode

_SKIP = {
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "canvas",
    "input",
    "select",
    "textarea",
    "button",
    "option",
    "head",
    "title",
    "meta",
    "link",
    "map",
    "area",
    "audio",
    "video",
}
_BLOCK = {
    "html",
    "body",
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "nav",
    "aside",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "center",
    "form",
    "fieldset",
    "address",
    "figure",
    "figcaption",
    "hr",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
}
_HEADING_TAG = re.compile(r"^h([1-6])$")
# Tags whose whole-bold or centred text counts as a heading line.
_STYLED_HEADING_OWNERS = {"p", "div", "center", "td", "section"}
_STYLED_HEADING_MAX = 50
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)", re.IGNORECASE)
_CENTER_STYLE = re.compile(r"text-align\s*:\s*center", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_PROSE = re.compile(r"[，。；]")
_COVERAGE = 0.9
_METADATA = re.compile(r"[:：]\s*\d")  # "时间：2024-05-06" is a page's metadata line, not a heading
_CJK = r"\u3400-\u9fff\u3000-\u303f\uff00-\uffef"

# Widgets of Chinese government article pages, cut out of short lines inside the content container.
_WIDGETS = (
    re.compile(
        r"[【\[]?\s*字[体号]\s*[:：]?\s*[【\[]?\s*大\s*[】\]]?\s*[【\[]?\s*中\s*[】\]]?\s*[【\[]?\s*小\s*[】\]]?\s*[】\]]?"
    ),
    re.compile(r"(?:浏览|点击|阅读|访问)(?:次数|量|数)?\s*[:：]\s*\d*\s*次?"),
    re.compile(r"[【\[]\s*(?:打印|关闭|返回|分享|收藏|纠错|我要纠错)[^【】\[\]]{0,4}[】\]]"),
    re.compile(r"打印本页|打印此页|打印本文|关闭窗口|关闭本页|返回顶部|我要纠错|加入收藏|收藏本页"),
    re.compile(r"分享到\s*[:：]?.*$"),
)
_WIDGET_LINE_MAX = 80
_FURNITURE_LINE = re.compile(
    r"^(?:(?:上一篇|下一篇|上一条|下一条)\s*[:：].*"
    r"|扫一扫在手机(?:上)?打开(?:当前页|本页)?"
    r"|相关(?:链接|文章|新闻|阅读|文件)\s*[:：]?"
    r"|打印|关闭|返回)$"
)
_LEFTOVER = re.compile(r"^[\s|｜/、，,·•【】\[\]()（）]*$")

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "gb_2312-80", "euc-cn", "hz-gb-2312"}

_TITLE_SEP = re.compile(r"\s*(?:_+|\||｜|\s[-–—－]+\s)\s*")
_SITE_SUFFIX = re.compile(r"^(.{4,}?)[-－]([^-－]{2,30}(?:网|网站|门户|政府|局|委员会|委|厅|部|中心|平台))$")
_DOC_WORDS = re.compile(
    r"通知|办法|意见|方案|规定|决定|条例|规划|细则|公告|通告|批复|函|报告|纲要|计划|制度|标准|要点|指南|规则|措施|决议"
)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------------------------


def _declared_charset(data: bytes) -> str | None:
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii").lower() if m else None


def _decode(name: str, data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    declared = _declared_charset(data)
    if declared:
        codec, label = ("gb18030", "gbk") if declared in _GB else (declared, declared)
        try:
            codecs.lookup(codec)
            return data.decode(codec), label
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: judge by the bytes
    try:
        return decode(data)
    except DecodeError as exc:
        raise UnreadableDocument(f"{name}: {exc}") from exc


# ---------------------------------------------------------------------------------------------------------------
# DOM walk
# ---------------------------------------------------------------------------------------------------------------


def _tag(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _style(el) -> str:
    return el.get("style") or ""


def _is_bold(el) -> bool:
    return _tag(el) in ("strong", "b") or bool(_BOLD_STYLE.search(_style(el)))


def _is_centred(el) -> bool:
    if _tag(el) == "center" or (el.get("align") or "").lower() == "center":
        return True
    if _CENTER_STYLE.search(_style(el)):
        return True
    parent = el.getparent()
    return parent is not None and _tag(parent) == "center"


def _is_hidden(el) -> bool:
    return el.get("hidden") is not None or bool(_HIDDEN_STYLE.search(_style(el)))


def clean_text(text: str) -> str:
    """Collapse HTML whitespace; a source line break between Chinese characters is not a space."""
    text = text.replace("\xa0", " ")
    text = re.sub(rf"(?<=[{_CJK}])[ \t\r\f]*\n\s*(?=[{_CJK}])", "", text)
    return re.sub(r"[ \t\r\n\f]+", " ", text).strip()


def _span(el, name: str) -> int:
    try:
        return max(1, min(100, int((el.get(name) or "1").strip() or 1)))
    except ValueError:
        return 1


def _own_rows(table) -> list:
    rows = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if _tag(c) == "tr")
    return rows


def _is_layout_table(table) -> bool:
    """Pages built from tables wrap the whole article in them; those are walked through, not kept as tables."""
    if (table.get("role") or "").lower() == "presentation":
        return True
    if any(_tag(el) == "table" for el in table.iterdescendants()):
        return True
    rows = _own_rows(table)
    return not rows or all(len([c for c in tr if _tag(c) in ("td", "th")]) <= 1 for tr in rows)


def _cell_text(cell) -> str:
    parts: list[str] = []

    def walk(el) -> None:
        if el.text:
            parts.append(el.text)
        for child in el:
            if _tag(child) not in _SKIP and not _is_hidden(child):
                before = len(parts)
                walk(child)
                # Paragraphs inside a cell are joined without a newline; Latin words still need a space.
                if _tag(child) in _BLOCK | {"br"} and len(parts) > before:
                    parts.append("\n")
            if child.tail:
                parts.append(child.tail)

    walk(cell)
    lines = [clean_text(line) for line in "".join(parts).split("\n")]
    out = ""
    for line in lines:
        if line:
            out += ("" if not out or re.match(rf"[{_CJK}]", line[0]) or re.search(rf"[{_CJK}]$", out) else " ") + line
    return out


def _fill_from_above(values: list[str], pending: dict, origin: dict, row: int) -> None:
    """Continue cells whose rowspan reaches into this row, at the columns they occupy."""
    while len(values) in pending:
        col = len(values)
        left, text, src = pending[col]
        values.append(text)
        origin[(row, col)] = src
        if left <= 1:
            del pending[col]
        else:
            pending[col] = (left - 1, text, src)


def table_block(table) -> Block | None:
    rows = _own_rows(table)
    grid: list[list[str]] = []
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    pending: dict[int, tuple[int, str, tuple[int, int]]] = {}  # column -> (rows left, text, origin)
    header_flags: list[bool] = []
    for r, tr in enumerate(rows):
        values: list[str] = []
        cells = [c for c in tr if _tag(c) in ("td", "th")]
        header_flags.append(_tag(tr.getparent()) == "thead" or (bool(cells) and all(_tag(c) == "th" for c in cells)))

        for cell in cells:
            _fill_from_above(values, pending, origin, r)
            text = _cell_text(cell)
            colspan, rowspan = _span(cell, "colspan"), _span(cell, "rowspan")
            start = len(values)
            for k in range(colspan):
                origin[(r, start + k)] = (r, start)
                values.append(text)
                if rowspan > 1:
                    pending[start + k] = (rowspan - 1, text, (r, start))
        _fill_from_above(values, pending, origin, r)
        grid.append(values)
    caption_el = next((c for c in table if _tag(c) == "caption"), None)
    caption = _cell_text(caption_el) if caption_el is not None else ""
    header_rows = 0
    while header_rows < len(header_flags) and header_flags[header_rows]:
        header_rows += 1
    return finish_table(grid, origin, caption, header_rows or None)


class _Walker:
    """Turns a DOM subtree into (block, owning element) pairs in document order."""

    def __init__(self) -> None:
        self.items: list[tuple[Block, object]] = []
        self.pieces: list[tuple[str, bool]] = []
        self.owner = None

    def run(self, el) -> list[tuple[Block, object]]:
        self._block(el)
        return self.items

    def _flush(self) -> None:
        text = clean_text("".join(t for t, _ in self.pieces))
        if text and self.owner is not None:
            visible = [bold for t, bold in self.pieces if t.strip()]
            bold = bool(visible) and all(visible)
            level = None
            m = _HEADING_TAG.match(_tag(self.owner))
            if m:
                level = int(m.group(1))
            elif (
                _tag(self.owner) in _STYLED_HEADING_OWNERS
                and len(text) <= _STYLED_HEADING_MAX
                and not _METADATA.search(text)
                and (bold or _is_centred(self.owner))
            ):
                level = 2
            self.items.append((Block(text=text, level=level), self.owner))
        self.pieces = []

    def _block(self, el) -> None:
        self._flush()
        saved, self.owner = self.owner, el
        self._content(el, _is_bold(el))
        self._flush()
        self.owner = saved

    def _content(self, el, bold: bool) -> None:
        if el.text:
            self.pieces.append((el.text, bold))
        for child in el:
            tag = _tag(child)
            if tag and tag not in _SKIP and not _is_hidden(child):
                if tag == "br":
                    self._flush()
                elif tag == "pre":
                    # Preformatted text keeps its own line breaks; each line is a paragraph.
                    self._flush()
                    for line in child.text_content().splitlines():
                        self.pieces.append((line, bold))
                        saved, self.owner = self.owner, child
                        self._flush()
                        self.owner = saved
                elif tag == "table" and not _is_layout_table(child):
                    self._flush()
                    block = table_block(child)
                    if block is not None:
                        self.items.append((block, child))
                elif tag in _BLOCK:
                    self._block(child)
                else:
                    self._content(child, bold or _is_bold(child))
            if child.tail:
                self.pieces.append((child.tail, bold))


def _block_key(block: Block) -> str:
    if block.kind == "table":
        return _norm("".join(v for row in block.rows for v in row))
    return _norm(block.text)


# ---------------------------------------------------------------------------------------------------------------
# Content container
# ---------------------------------------------------------------------------------------------------------------


def _trafilatura_lines(html: str) -> list[str]:
    try:
        import trafilatura
    except ImportError:
        return []
    try:
        xml = trafilatura.extract(
            html,
            output_format="xml",
            include_tables=True,
            include_comments=False,
            include_links=False,
            include_images=False,
            favor_precision=True,
            deduplicate=False,
        )
    except Exception:  # noqa: BLE001 - a library failure only means no evidence from it
        return []
    if not xml:
        return []
    try:
        root = lxml.etree.fromstring(xml.encode("utf-8"))
    except lxml.etree.XMLSyntaxError:
        return []
    main = root.find("main")
    if main is None:
        main = root
    return [_norm("".join(el.itertext())) for el in main.iter("p", "head", "item", "cell", "quote", "code")]


def _readability_lines(html: str) -> list[str]:
    try:
        from readability import Document
    except ImportError:
        return []
    try:
        summary = Document(html).summary(html_partial=True)
        tree = lxml.html.document_fromstring(summary)
    except Exception:  # noqa: BLE001 - readability raises Unparseable and lxml errors on odd pages
        return []
    return [_block_key(b) for b, _ in _Walker().run(tree)]


def _matches(block: Block, lines: set[str], joined: str) -> bool:
    key = _block_key(block)
    if not key:
        return False
    if block.kind == "table":
        cells = {_norm(v) for row in block.rows for v in row if len(_norm(v)) >= 2}
        return bool(cells) and sum(c in joined for c in cells) * 2 >= len(cells)
    # Short strings ("首页", "中") occur inside any article text; only a whole-line match counts for them.
    return key in lines or (len(key) >= 6 and key in joined)


def _content_node(matched: list[tuple[object, int]]) -> object | None:
    """The deepest element holding nearly all of the matched text.

    Weighted by text length, so a stray short match (a site name that is also the signature line) does not
    widen the node to the whole page.
    """
    total = sum(weight for _, weight in matched)
    if not total:
        return None
    weight_of: dict[int, int] = {}
    node_of: dict[int, object] = {}
    depth_of: dict[int, int] = {}
    for el, weight in matched:
        chain = [el, *el.iterancestors()]
        for depth, node in enumerate(reversed(chain)):
            weight_of[id(node)] = weight_of.get(id(node), 0) + weight
            node_of[id(node)] = node
            depth_of[id(node)] = depth
    heavy = [k for k, w in weight_of.items() if w >= _COVERAGE * total]
    return node_of[max(heavy, key=lambda k: depth_of[k])]


def _contains(outer, inner) -> bool:
    return inner is outer or any(a is outer for a in inner.iterancestors())


def _prose(items: list[tuple[Block, object]], container) -> int:
    return sum(
        len(_norm(b.text)) for b, el in items if b.kind == "para" and _PROSE.search(b.text) and _contains(container, el)
    )


def _container(items: list[tuple[Block, object]], html: str, body) -> object:
    candidates = []
    for lines in (_trafilatura_lines(html), _readability_lines(html)):
        if not lines:
            continue
        line_set, joined = set(lines), "".join(lines)
        matched = [(el, len(_block_key(b))) for b, el in items if _matches(b, line_set, joined)]
        node = _content_node(matched)
        if node is not None:
            candidates.append(node)
    if not candidates:
        return body
    prose = {id(c): _prose(items, c) for c in candidates}
    best = max(prose.values())
    # The deepest candidate that still holds (nearly) all the prose: a wider one only adds sidebars and menus.
    candidates.sort(key=lambda c: sum(1 for _ in c.iterancestors()), reverse=True)
    return next(c for c in candidates if prose[id(c)] >= 0.9 * best)


# ---------------------------------------------------------------------------------------------------------------
# Title
# ---------------------------------------------------------------------------------------------------------------


def _split_title(title: str, headings: set[str]) -> tuple[str, list[str]]:
    """The document title from <title>, without the site name; returns (title, removed parts)."""
    title = clean_text(title)
    parts = [p for p in _TITLE_SEP.split(title) if p.strip()]
    if len(parts) == 1:
        m = _SITE_SUFFIX.match(parts[0])
        if m:
            parts = [m.group(1), m.group(2)]
    if not parts:
        return "", []
    chosen = next((p for p in parts if _norm(p) in headings), max(parts, key=len))
    return chosen, [p for p in parts if p is not chosen]


# ---------------------------------------------------------------------------------------------------------------
# Reader
# ---------------------------------------------------------------------------------------------------------------


def _strip_widgets(text: str) -> tuple[str, list[str]]:
    if len(text) > _WIDGET_LINE_MAX:
        return text, []
    if _FURNITURE_LINE.match(text):
        return "", [text]
    cut: list[str] = []
    for pattern in _WIDGETS:
        for m in pattern.finditer(text):
            if m.group().strip():
                cut.append(m.group().strip())
        text = pattern.sub(" ", text)
    text = clean_text(text)
    if _LEFTOVER.match(text):
        return "", cut + ([text] if text else [])
    return text, cut


def read_html(name: str, data: bytes) -> ReadResult:
    html, encoding = _decode(name, data)
    html = _XML_DECL.sub("", html)
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise UnreadableDocument(f"{name}: not a readable HTML page ({exc})") from exc
    title_el = root.find(".//title")
    raw_title = title_el.text_content() if title_el is not None else ""
    body = root.find("body")
    if body is None:
        body = root

    items = _Walker().run(body)
    container = _container(items, html, body)

    blocks: list[Block] = []
    removed: list[str] = []
    first_inside = next((i for i, (_, el) in enumerate(items) if _contains(container, el)), len(items))
    # The article heading often sits just above the content node (outside it); it is the document title.
    outside_headings = [b.text for b, _ in items[:first_inside] if b.kind == "para" and b.level in (1, 2)]
    for block, el in items:
        if not _contains(container, el):
            removed.append(block.text if block.kind == "para" else "\n".join(" | ".join(r) for r in block.rows))
            continue
        if block.kind == "para":
            text, cut = _strip_widgets(block.text)
            removed += cut
            if not text:
                continue
            if text != block.text:
                block = Block(text=text, level=block.level)
        elif not block.caption:
            block = Block(
                kind="table",
                rows=block.rows,
                header_rows=block.header_rows,
                caption=caption_from(blocks[-1] if blocks else None),
            )
        blocks.append(block)

    headings = {_norm(b.text) for b in blocks if b.kind == "para"}
    title, site_parts = _split_title(raw_title, headings)
    removed += site_parts
    if outside_headings and title and _norm(title) not in headings:
        # Prefer the page's own heading when it is the <title> (perhaps truncated there) or vice versa.
        heading = outside_headings[-1]
        if _norm(title) in _norm(heading) or _norm(heading) in _norm(title):
            title = heading
    leading = {_norm(b.text) for b in blocks[:3] if b.kind == "para"}
    if title and _norm(title) not in leading and _DOC_WORDS.search(title):
        blocks.insert(0, Block(text=title, level=1))

    if not blocks:
        raise UnreadableDocument(f"{name}: no text in the HTML page")
    blocks, text = layout(blocks)
    removed = [r for r in dict.fromkeys(removed) if r and _norm(r) != _norm(title)]
    return ReadResult(blocks=blocks, text=text, fmt="html", encoding=encoding, removed=tuple(removed))
