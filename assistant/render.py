"""What the web UI shows, as pure functions: a conversation's chat messages, its sources panel, a document's clause
tree, and the conversation as JSON for the browser's storage.

Every string that comes from a user or a document goes through `text_html` before it reaches the page. The chat
renders Markdown, so escaping HTML alone would still let a document's `[x](javascript:…)` become a link; the
Markdown punctuation is therefore written as character references too, which Markdown never reads as syntax and
the browser shows as the characters themselves.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from assistant.models import Answer, Citation

ALL_DOCUMENTS = "__all__"
NOT_STATED = "文件未明确规定"
MAX_RESTORED_TURNS = 30  # a conversation read back from the browser is cut to its last turns
# HTML's five plus every character Markdown (and the chat's LaTeX) reads as syntax.
_ESCAPES = {ord(c): f"&#{ord(c)};" for c in "&<>\"'\\`*_[](){}~|$#!+-=:"}
MARKER = re.compile(r"\[(\d{1,2})\]")


def text_html(text: str) -> str:
    """Untrusted text as inert HTML and Markdown: shown exactly as typed, never a tag, link or formatting."""
    return str(text).translate(_ESCAPES)


@dataclass
class Turn:
    """One question of a conversation, as asked and as answered; `notice` is shown above the answer."""

    question: str
    condensed: str
    answer: Answer | None = None
    error: str = ""
    notice: str = ""


@dataclass
class Conversation:
    """The chat of one browser tab: its turns, an id that keys its feedback rows, and the turn last voted on."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    turns: list[Turn] = field(default_factory=list)
    voted: int | None = None

    def history(self) -> list[tuple[str, str]]:
        return [(t.question, t.answer.text if t.answer else "") for t in self.turns]

    def feedback_key(self, turn_no: int) -> str:
        return f"{self.id}:{turn_no}"


def anchor(turn: int, n: int) -> str:
    return f"src-{turn}-{n}"


def link_markers(text: str, turn: int, known: set[int]) -> str:
    """The answer's text made inert, with each [n] marker of a cited clause a link to its sources-panel entry."""
    out, pos = [], 0
    for m in MARKER.finditer(text):
        n = int(m.group(1))
        if n not in known:
            continue
        out.append(text_html(text[pos : m.start()]))
        out.append(f'<a class="cite" href="#{anchor(turn, n)}" data-target="{anchor(turn, n)}">[{n}]</a>')
        pos = m.end()
    out.append(text_html(text[pos:]))
    return "".join(out)


def highlight(text: str, sentences: tuple[str, ...] | list[str]) -> str:
    """Inert clause text with each used sentence wrapped in <mark>."""
    spans: list[tuple[int, int]] = []
    for s in sentences:
        s = s.strip()
        i = text.find(s) if s else -1
        if i >= 0:
            spans.append((i, i + len(s)))
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out, pos = [], 0
    for a, b in merged:
        out.append(text_html(text[pos:a]))
        out.append(f"<mark>{text_html(text[a:b])}</mark>")
        pos = b
    out.append(text_html(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def _one_line(text: str) -> str:
    # Inside an HTML block a blank line would end the block and hand the rest to Markdown.
    return text_html(" ".join(str(text).split()))


def render_message(turn: Turn, index: int, show_condensed: bool, text: str | None = None) -> str:
    """The assistant's chat message for one turn; `text` is the part streamed so far (None: all of it)."""
    lines = []
    if turn.notice:
        lines.append(f'<div class="turn-notice">{_one_line(turn.notice)}</div>')
    if show_condensed and turn.condensed and turn.condensed != turn.question:
        lines.append(f'<div class="condensed">改写后的问题：{_one_line(turn.condensed)}</div>')
    if turn.error:
        lines.append(f'<div class="refused">无法回答：{_one_line(turn.error)}</div>')
        return "\n\n".join(lines)
    answer = turn.answer
    if answer is None:
        lines.append('<span class="pending">正在检索相关条款…</span>')
        return "\n\n".join(lines)
    if getattr(answer, "notice", ""):
        # What the answer cannot say itself: the LLM failed (the extractive answer is shown instead), or the cited
        # documents write no year to confirm the one asked about.
        lines.append(f'<div class="turn-notice answer-notice">{_one_line(answer.notice)}</div>')
    body = answer.text if text is None else text
    if answer.refused:
        lines.append(f'<span class="badge-refused">{NOT_STATED}</span>')
        lines.append(text_html(body))
    else:
        lines.append(link_markers(body, index, {c.n for c in answer.citations}))
    return "\n\n".join(lines)


def render_messages(turns: list[Turn], show_condensed: bool) -> list[dict]:
    messages = []
    for i, turn in enumerate(turns):
        messages.append({"role": "user", "content": text_html(turn.question)})
        messages.append({"role": "assistant", "content": render_message(turn, i, show_condensed)})
    return messages


def render_citation(c: Citation, turn: int, kind: str = "cite") -> str:
    label = f"[{c.n}]" if kind == "cite" else f"相近{c.n}"
    return (
        f'<div class="src src-{kind}" id="{anchor(turn, c.n) if kind == "cite" else ""}">'
        f'<div class="src-head"><span class="src-n">{label}</span>'
        f'<span class="src-title">《{text_html(c.title)}》</span></div>'
        f'<div class="src-path">条款 <b>{text_html(c.clause)}</b> · {text_html(c.source)}</div>'
        f'<div class="src-text">{highlight(c.text, c.sentences)}</div></div>'
    )


def render_turn_sources(turn: Turn, index: int) -> str:
    answer = turn.answer
    if turn.error or answer is None:
        return ""
    if answer.refused:
        head = f'<div class="notice">{NOT_STATED}。以下是最接近的条款，仅供参考：</div>'
        items = "".join(render_citation(c, index, "near") for c in answer.nearest) or "<p>没有相近的条款。</p>"
        return head + items
    return "".join(render_citation(c, index) for c in answer.citations)


def render_sources(turns: list[Turn]) -> str:
    """The sources panel: the latest answer's clauses open, earlier answers folded below."""
    if not turns:
        return '<div class="sources-empty">提问后，答案引用的条款全文会显示在这里，用到的句子以高亮标出。</div>'
    parts = []
    last = len(turns) - 1
    for i in range(last, -1, -1):
        body = render_turn_sources(turns[i], i)
        if not body:
            continue
        q = text_html(turns[i].condensed or turns[i].question)
        opened = " open" if i == last else ""
        parts.append(f'<details class="turn"{opened}><summary>第 {i + 1} 问：{q}</summary>{body}</details>')
    return "".join(parts) or '<div class="sources-empty">这一问没有引用条款。</div>'


def render_tree(doc) -> str:
    """A parsed document as its clause tree: indented paths, headings and text."""
    if doc is None:
        return '<div class="sources-empty">在上表中选择一份文件，查看它的条款树。</div>'
    f = doc.facts
    facts = [
        ("文号", f.doc_number.value if f.doc_number else ""),
        ("日期", f.date.value if f.date else ""),
        ("地区", doc.region),
        ("发文机关", "、".join(i.value for i in f.issuers)),
        ("文件", doc.source),
    ]
    meta = " · ".join(f"{k}：{text_html(v)}" for k, v in facts if v)
    rows = []
    for c in doc.clauses:
        depth = max(0, c.depth)
        path = f'<div class="node-path">{text_html(c.path)}</div>'
        indent = f'style="margin-left:{depth * 1.2}em"'
        if c.kind == "heading":
            title = f'<div class="node-title">{text_html(c.heading or c.text)}</div>'
            rows.append(f'<div class="node node-heading" {indent}>{path}{title}</div>')
            continue
        heading = f'<div class="node-title">{text_html(c.heading)}</div>' if _own_heading(c) else ""
        text = text_html(c.text).replace("\n", "<br>")
        rows.append(f'<div class="node" {indent}>{path}<div>{heading}<div class="node-text">{text}</div></div></div>')
    return (
        f'<div class="doc-tree"><div class="doc-head"><h3>{text_html(doc.title)}</h3>'
        f'<div class="doc-meta">{meta}</div></div>'
        f"{''.join(rows)}</div>"
    )


def _own_heading(clause) -> bool:
    """A heading worth its own line: not merely the first words of the clause's text (导语 第1段 …)."""
    head = clause.heading.rstrip("…").strip()
    if not head:
        return False
    text = clause.text[len(clause.marker) :] if clause.text.startswith(clause.marker) else clause.text
    return not text.lstrip(" 、.．").startswith(head) and not clause.text.startswith(head)


def document_rows(records) -> list[list]:
    return [[r.title, r.region, r.date, r.clauses, r.source] for r in records]


def filter_choices(records) -> list[tuple[str, str]]:
    choices = [("全部文件", ALL_DOCUMENTS)]
    regions = sorted({r.region for r in records if r.region})
    choices += [(f"地区：{region}", f"region:{region}") for region in regions]
    choices += [(f"《{r.title}》", f"doc:{r.source}") for r in records]
    return choices


def sources_for(choice: str | None, records) -> list[str] | None:
    if not choice or choice == ALL_DOCUMENTS:
        return None
    kind, _, value = choice.partition(":")
    if kind == "region":
        return [r.source for r in records if r.region == value] or None
    if kind == "doc":
        return [value]
    return None


# ---------------------------------------------------------------------------------------------------------------
# The conversation in the browser's storage. The browser can change what it stores, so reading it back checks
# every field and drops what does not fit; everything read back is escaped again when it is shown.
# ---------------------------------------------------------------------------------------------------------------


def conversation_to_json(conv: Conversation) -> dict:
    return {"id": conv.id, "turns": [_turn_to_json(t) for t in conv.turns[-MAX_RESTORED_TURNS:]]}


def _turn_to_json(turn: Turn) -> dict:
    answer = turn.answer
    stored = None
    if answer is not None:
        stored = {
            "text": answer.text,
            "refused": answer.refused,
            "citations": [c.as_dict() for c in answer.citations],
            "nearest": [c.as_dict() for c in answer.nearest],
            "notice": answer.notice,
        }
    return {"q": turn.question, "c": turn.condensed, "e": turn.error, "n": turn.notice, "a": stored}


def conversation_from_json(data) -> Conversation:
    """The stored conversation, or a new empty one when nothing (or nothing valid) is stored."""
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
        return Conversation()
    conv_id = data.get("id")
    conv = Conversation(id=conv_id) if isinstance(conv_id, str) and re.fullmatch(r"[0-9a-f]{32}", conv_id) else None
    turns = []
    for item in data["turns"][-MAX_RESTORED_TURNS:]:
        turn = _turn_from_json(item)
        if turn is None:
            return Conversation()
        turns.append(turn)
    conv = conv or Conversation()
    conv.turns = turns
    return conv


def _turn_from_json(item) -> Turn | None:
    try:
        texts = [item[k] for k in ("q", "c", "e", "n")]
        if not all(isinstance(t, str) for t in texts):
            return None
        question, condensed, error, notice = texts
        turn = Turn(question, condensed, error=error, notice=notice)
        stored = item["a"]
        if stored is not None:
            turn.answer = Answer(
                question=turn.condensed,
                text=str(stored["text"]),
                refused=bool(stored["refused"]),
                citations=[_citation(c) for c in stored["citations"]],
                nearest=[_citation(c) for c in stored["nearest"]],
                condensed=turn.condensed,
                notice=str(stored.get("notice", "")),
            )
        return turn
    except (KeyError, TypeError, ValueError):
        return None


def _citation(c: dict) -> Citation:
    return Citation(
        n=int(c["n"]),
        source=str(c["source"]),
        title=str(c["title"]),
        clause=str(c["clause"]),
        text=str(c["text"]),
        score=float(c["score"]),
        sentences=tuple(str(s) for s in c.get("sentences", ())),
    )
