"""The Gradio web app: a chat tab (streamed answers, clickable citations, a sources panel) and a documents tab
(indexed documents as clause trees; staff upload, delete and feedback export).

The server-side objects the callbacks share with the HTTP API (`SharedAssistant`, `Library`) live in
`assistant/library.py`.
"""

from __future__ import annotations

import hmac
import html
import logging
import re
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType

import gradio as gr

from assistant.api import split_for_stream
from assistant.feedback import FeedbackStore
from assistant.library import Library, SharedAssistant
from assistant.models import Answer, Citation

log = logging.getLogger(__name__)

STREAM_DELAY_S = 0.015  # a visible typing effect; the whole answer is ready when streaming starts
ALL_DOCUMENTS = "__all__"
NOT_STATED = "文件未明确规定"

EXAMPLES = (
    ("教师", ("班主任每月能多拿多少钱?", "教师绩效工资怎么分配?", "乡村教师有哪些待遇保障?")),
    ("家长", ("小学入学有什么规定?", "课后服务怎么收费?", "校外培训机构怎么管理?")),
    (
        "工作人员",
        (
            "荣昌区2025年公办在园幼儿占比目标是多少?",
            "聊城市特殊教育学校教职工每月增加多少绩效工资?",
            "玉泉区怎样推进教育评价改革?",
        ),
    ),
)


@dataclass
class AppContext:
    """Everything the callbacks need, built once by app.py and passed in."""

    shared: SharedAssistant
    library: Library
    feedback: FeedbackStore
    staff_password: str | None = None
    export_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="policy-feedback-")))


# ---------------------------------------------------------------------------------------------------------------
# Rendering (pure functions: strings in, HTML/Markdown out)
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Turn:
    """One question of a conversation, as asked and as answered."""

    question: str
    condensed: str
    answer: Answer | None = None
    error: str = ""


def anchor(turn: int, n: int) -> str:
    return f"src-{turn}-{n}"


def link_markers(text: str, turn: int, known: set[int]) -> str:
    """Turn the answer's [n] markers into links to the sources panel entries."""
    escaped = html.escape(text, quote=False)

    def repl(m: re.Match) -> str:
        n = int(m.group(1))
        if n not in known:
            return m.group(0)
        return f'<a class="cite" href="#{anchor(turn, n)}" data-target="{anchor(turn, n)}">[{n}]</a>'

    return re.sub(r"\[(\d{1,2})\]", repl, escaped)


def highlight(text: str, sentences: tuple[str, ...] | list[str]) -> str:
    """Escaped clause text with each used sentence wrapped in <mark>."""
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
        out.append(html.escape(text[pos:a]))
        out.append(f"<mark>{html.escape(text[a:b])}</mark>")
        pos = b
    out.append(html.escape(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def render_message(turn: Turn, index: int, show_condensed: bool, text: str | None = None) -> str:
    """The assistant's chat message for one turn; `text` is the part streamed so far (None: all of it)."""
    lines = []
    if show_condensed and turn.condensed and turn.condensed != turn.question:
        lines.append(f'<div class="condensed">改写后的问题：{html.escape(turn.condensed)}</div>')
    if turn.error:
        lines.append(f'<div class="refused">无法回答：{html.escape(turn.error)}</div>')
        return "\n\n".join(lines)
    answer = turn.answer
    if answer is None:
        lines.append('<span class="pending">正在检索相关条款…</span>')
        return "\n\n".join(lines)
    body = answer.text if text is None else text
    if answer.refused:
        lines.append(f'<span class="badge-refused">{NOT_STATED}</span>')
        lines.append(html.escape(body, quote=False))
    else:
        lines.append(link_markers(body, index, {c.n for c in answer.citations}))
    return "\n\n".join(lines)


def render_messages(turns: list[Turn], show_condensed: bool) -> list[dict]:
    messages = []
    for i, turn in enumerate(turns):
        messages.append({"role": "user", "content": turn.question})
        messages.append({"role": "assistant", "content": render_message(turn, i, show_condensed)})
    return messages


def render_citation(c: Citation, turn: int, kind: str = "cite") -> str:
    label = f"[{c.n}]" if kind == "cite" else f"相近{c.n}"
    return (
        f'<div class="src src-{kind}" id="{anchor(turn, c.n) if kind == "cite" else ""}">'
        f'<div class="src-head"><span class="src-n">{label}</span>'
        f'<span class="src-title">《{html.escape(c.title)}》</span></div>'
        f'<div class="src-path">条款 <b>{html.escape(c.clause)}</b> · {html.escape(c.source)}</div>'
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
        q = html.escape(turns[i].condensed or turns[i].question)
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
    meta = " · ".join(f"{k}：{html.escape(v)}" for k, v in facts if v)
    rows = []
    for c in doc.clauses:
        depth = max(0, c.depth)
        path = f'<div class="node-path">{html.escape(c.path)}</div>'
        indent = f'style="margin-left:{depth * 1.2}em"'
        if c.kind == "heading":
            title = f'<div class="node-title">{html.escape(c.heading or c.text)}</div>'
            rows.append(f'<div class="node node-heading" {indent}>{path}{title}</div>')
            continue
        heading = f'<div class="node-title">{html.escape(c.heading)}</div>' if _own_heading(c) else ""
        text = html.escape(c.text).replace("\n", "<br>")
        rows.append(f'<div class="node" {indent}>{path}<div>{heading}<div class="node-text">{text}</div></div></div>')
    return (
        f'<div class="doc-tree"><div class="doc-head"><h3>{html.escape(doc.title)}</h3>'
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
# Callbacks
# ---------------------------------------------------------------------------------------------------------------


class ChatCallbacks:
    """Chat tab: ask (streamed), follow-ups, new conversation, feedback."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def respond(self, question: str, turns: list[Turn], choice: str | None, show_condensed: bool):
        question = (question or "").strip()
        if not question:
            yield render_messages(turns, show_condensed), turns, render_sources(turns), ""
            return
        history = [(t.question, t.answer.text if t.answer else "") for t in turns]
        turn = Turn(question, self.ctx.shared.condense(history, question))
        turns = [*turns, turn]
        index = len(turns) - 1
        yield render_messages(turns, show_condensed), turns, render_sources(turns[:-1]), ""
        try:
            sources = sources_for(choice, self.ctx.shared.records())
            turn.answer = self.ctx.shared.ask(turn.condensed, sources)
            turn.answer.condensed = turn.condensed
        except ValueError as exc:  # the assistant's own input checks (over-long question …)
            turn.error = str(exc)
        except Exception:
            log.exception("answering %r failed", turn.condensed)
            turn.error = "内部错误，暂时无法回答，请稍后再试。"
        if turn.error:
            yield render_messages(turns, show_condensed), turns, render_sources(turns), ""
            return
        panel = render_sources(turns)
        # The marker tells a watcher (and the browser tests) that the answer is still streaming.
        streaming_panel = '<div class="answering" hidden></div>' + panel
        messages = render_messages(turns, show_condensed)
        shown = ""
        for piece in split_for_stream(turn.answer.text):
            shown += piece
            messages[-1] = {"role": "assistant", "content": render_message(turn, index, show_condensed, shown)}
            yield messages, turns, streaming_panel, ""
            time.sleep(STREAM_DELAY_S)
        yield render_messages(turns, show_condensed), turns, panel, ""

    def rerender(self, turns: list[Turn], show_condensed: bool):
        return render_messages(turns, show_condensed)

    def clear(self):
        return [], [], render_sources([]), "", ""

    def like(self, turns: list[Turn], comment: str, data) -> tuple[str, str]:
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn_no = int(index) // 2
        if not 0 <= turn_no < len(turns) or turns[turn_no].answer is None:
            return "这条消息不能评价。", comment
        if data.liked is True:
            rating = 1
        elif data.liked is False:
            rating = -1
        else:
            return "已取消评价。", comment
        turn = turns[turn_no]
        citations = [c.as_dict() for c in (turn.answer.citations or turn.answer.nearest)]
        self.ctx.feedback.add(turn.question, turn.answer.text, citations, rating, comment, turn.condensed)
        return f"已记录反馈（{'有帮助' if rating > 0 else '没帮助'}），谢谢！", ""


class DocumentCallbacks:
    """Documents tab: the table, the clause tree, staff login, upload, delete and feedback export."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def refresh(self, selected: str | None = None):
        """New values for every component that lists the documents (both tabs); `selected` stays open."""
        records = self.ctx.shared.records()
        sources = [r.source for r in records]
        docs = [(f"{r.title}（{r.source}）", r.source) for r in records]
        keep = selected if selected in sources else None
        return (
            document_rows(records),
            gr.update(choices=docs, value=keep),
            gr.update(choices=docs, value=None),
            gr.update(choices=filter_choices(records)),
        )

    def unchanged(self) -> tuple:
        return gr.skip(), gr.skip(), gr.skip(), gr.skip()

    def open_document(self, source: str | None) -> str:
        return render_tree(self.ctx.shared.document(source) if source else None)

    def select_row(self, evt) -> str | None:
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        records = self.ctx.shared.records()
        return records[row].source if 0 <= row < len(records) else None

    def login(self, password: str):
        expected = self.ctx.staff_password or ""
        ok = bool(expected) and hmac.compare_digest((password or "").encode(), expected.encode())
        message = "已登录为工作人员。" if ok else "密码不正确。"
        hidden = gr.update(visible=not ok, value="")
        return ok, gr.update(visible=ok), message, hidden, gr.update(visible=not ok)

    def upload(self, file_path: str | None, staff: bool, progress=None):
        """(status, cleared file input, *listing): the input is cleared so the next file can be chosen."""
        if not staff:
            return "仅工作人员可以上传文件，请先登录。", None, *self.unchanged()
        if not file_path:
            return "请先选择一个文件。", None, *self.unchanged()
        path = Path(file_path)
        report = (lambda fraction, desc: progress(fraction, desc=desc)) if progress is not None else None
        result = self.ctx.library.upload(path.name, path.read_bytes(), report)
        if result.ok:
            return f"**上传成功**（{path.name}）：{result.message}", None, *self.refresh(result.source)
        status = f"**上传被拒绝**（{path.name}）：{result.message}\n\n索引和文件夹均未改动。"
        return status, None, *self.unchanged()

    def delete(self, source: str | None, confirmed: bool, staff: bool, shown: str | None):
        if not staff:
            return "仅工作人员可以删除文件，请先登录。", *self.unchanged()
        if not confirmed:
            return "请先勾选“确认删除”。", *self.unchanged()
        result = self.ctx.library.delete(source or "")
        if not result.ok:
            return f"**删除失败**：{result.message}", *self.unchanged()
        return f"**已删除**：{result.message}", *self.refresh(shown)

    def export_feedback(self, staff: bool):
        if not staff:
            return gr.update(visible=False), "仅工作人员可以导出反馈。"
        path = self.ctx.export_dir / f"feedback-{datetime.now():%Y%m%d-%H%M%S}.jsonl"
        n = self.ctx.feedback.export_jsonl(path)
        return gr.update(value=str(path), visible=True), f"已导出 {n} 条反馈，点击下载。"


# ---------------------------------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------------------------------

CSS = """
.gradio-container { max-width: 1500px !important; padding-top: 6px !important; }
#app-title h1 { font-size: 1.3rem; margin: 0; display: inline; }
#app-title p { display: inline; margin-left: 0.8rem; color: var(--body-text-color-subdued); font-size: 0.9rem; }
#sources-title h4 { margin: 0.2rem 0 0; }
#sources-panel { padding-right: 4px; }
#sources-panel details.turn { margin-bottom: 0.5rem; }
#sources-panel summary { cursor: pointer; font-weight: 600; padding: 0.25rem 0; color: var(--body-text-color-subdued); }
.src { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.5rem 0.75rem;
       margin: 0.4rem 0; background: var(--background-fill-secondary); scroll-margin-top: 12px; }
.src.flash { outline: 2px solid var(--color-accent); }
.src-head { font-weight: 600; }
.src-n { color: var(--color-accent); margin-right: 0.3rem; }
.src-near .src-n { color: #9a3412; }
.src-path { font-size: 0.85rem; color: var(--body-text-color-subdued); margin: 0.1rem 0 0.3rem; }
.src-text { line-height: 1.7; font-size: 0.93rem; }
.src-text mark { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
.notice { background: #fff7ed; border: 1px solid #fdba74; border-radius: 8px; padding: 0.5rem 0.75rem;
          font-weight: 600; color: #9a3412; }
.refused { color: #9a3412; }
.badge-refused { display: inline-block; background: #fff7ed; color: #9a3412; border: 1px solid #fdba74;
                 border-radius: 999px; padding: 0 0.6rem; font-weight: 600; font-size: 0.9rem; }
.condensed { font-size: 0.85rem; color: var(--body-text-color-subdued); border-left: 3px solid #93c5fd;
             padding-left: 0.5rem; }
a.cite { text-decoration: none; font-weight: 600; color: var(--color-accent); padding: 0 1px; cursor: pointer; }
.sources-empty { color: var(--body-text-color-subdued); padding: 1rem 0.2rem; }
#chat-controls { align-items: center; }
#examples { gap: 8px; }
.example-col { gap: 4px !important; }
.example-col p { margin: 0 !important; font-size: 0.85rem; }
.example-col button { justify-content: flex-start; text-align: left; white-space: normal; font-weight: normal; }
#feedback-status p { margin: 0; font-size: 0.85rem; color: var(--body-text-color-subdued); }
.doc-head { border-bottom: 1px solid var(--border-color-primary); padding-bottom: 0.4rem; margin-bottom: 0.4rem; }
.doc-tree h3 { margin: 0.2rem 0; }
.doc-meta { font-size: 0.85rem; color: var(--body-text-color-subdued); }
.node { display: grid; grid-template-columns: 7em 1fr; column-gap: 0.6rem; margin: 0.35rem 0; line-height: 1.6; }
.node-path { font-weight: 600; color: var(--color-accent); font-size: 0.88rem; padding-top: 0.1rem; }
.node-title { font-weight: 600; }
.node-heading { margin-top: 0.7rem; }
.node-text { font-size: 0.93rem; }
"""

# Citation links scroll the sources panel (opening a folded earlier answer) instead of navigating the page.
HEAD = """
<script>
document.addEventListener("click", function (event) {
  const link = event.target.closest && event.target.closest("a.cite");
  if (!link) return;
  const id = link.dataset.target || (link.getAttribute("href") || "").replace(/^#/, "");
  const entry = document.getElementById(id);
  if (!entry) return;
  event.preventDefault();
  event.stopPropagation();
  const folded = entry.closest("details");
  if (folded) folded.open = true;
  entry.scrollIntoView({behavior: "smooth", block: "nearest"});
  entry.classList.add("flash");
  setTimeout(function () { entry.classList.remove("flash"); }, 1600);
}, true);
</script>
"""

FONTS = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", "sans-serif")


def theme():
    # Named local fonts only: a Google font would make every page load reach out to the internet.
    return gr.themes.Soft(font=list(FONTS), font_mono=["Noto Sans Mono CJK SC", "monospace"])


@dataclass
class ChatTab:
    chatbot: object
    question: object
    ask: object
    scope: object
    show_condensed: object
    new_chat: object
    comment: object
    feedback_status: object
    examples: list
    sources: object


@dataclass
class DocumentsTab:
    table: object
    pick: object
    tree: object
    staff_box: object
    upload_file: object
    upload: object
    upload_status: object
    victim: object
    confirm: object
    delete: object
    export: object
    export_file: object
    password: object = None
    login: object = None
    login_status: object = None


def _chat_tab() -> ChatTab:
    with gr.Row(equal_height=False):
        with gr.Column(scale=7, min_width=420):
            chatbot = gr.Chatbot(
                height=330,
                elem_id="chatbot",
                show_label=False,
                sanitize_html=False,
                placeholder="在下面输入问题，或点一个示例问题。",
                buttons=["copy"],
            )
            with gr.Row(equal_height=True):
                question = gr.Textbox(
                    placeholder="输入问题，例如：班主任每月能多拿多少钱？",
                    show_label=False,
                    scale=6,
                    elem_id="question",
                    max_length=2000,
                )
                ask = gr.Button("提问", variant="primary", scale=1, min_width=80, elem_id="ask")
            with gr.Row(equal_height=True, elem_id="chat-controls"):
                scope = gr.Dropdown(
                    show_label=False,
                    info="检索范围",
                    choices=[("全部文件", ALL_DOCUMENTS)],
                    value=ALL_DOCUMENTS,
                    scale=3,
                    elem_id="scope",
                    container=False,
                )
                show_condensed = gr.Checkbox(
                    label="显示改写后的问题", scale=3, min_width=190, elem_id="show-condensed", container=False
                )
                new_chat = gr.Button("新对话", scale=1, min_width=80, size="sm", elem_id="new-chat")
            examples = []
            with gr.Row(elem_id="examples"):
                for persona, questions in EXAMPLES:
                    with gr.Column(min_width=150, elem_classes="example-col"):
                        gr.Markdown(f"**{persona}常问**")
                        examples += [gr.Button(q, size="sm") for q in questions]
            with gr.Row(equal_height=True):
                comment = gr.Textbox(
                    placeholder="对答案的意见（可选）：写好后点答案下方的赞/踩图标一并提交",
                    show_label=False,
                    scale=3,
                    elem_id="comment",
                    container=False,
                )
                feedback_status = gr.Markdown("", elem_id="feedback-status")
        with gr.Column(scale=5, min_width=360):
            gr.Markdown("#### 引用条款", elem_id="sources-title")
            sources = gr.HTML(render_sources([]), elem_id="sources-panel", max_height=640)
    return ChatTab(chatbot, question, ask, scope, show_condensed, new_chat, comment, feedback_status, examples, sources)


def _staff_login() -> tuple:
    with gr.Row(equal_height=True):
        password = gr.Textbox(
            type="password",
            placeholder="工作人员密码",
            show_label=False,
            scale=3,
            elem_id="staff-password",
            container=False,
        )
        login = gr.Button("登录", scale=1, min_width=70, size="sm", elem_id="staff-login")
    return password, login, gr.Markdown("", elem_id="login-status")


def _documents_tab(staff_enabled: bool) -> DocumentsTab:
    login_parts: tuple = (None, None, None)
    table = gr.Dataframe(
        headers=["标题", "地区", "日期", "条款数", "文件名"],
        interactive=False,
        elem_id="doc-table",
        max_height=250,
        column_widths=["46%", "12%", "12%", "8%", "22%"],
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=4, min_width=340):
            pick = gr.Dropdown(label="查看文件的条款树", choices=[], elem_id="doc-pick")
            with gr.Accordion("工作人员：上传、删除、导出反馈", open=True, elem_id="staff"):
                if staff_enabled:
                    login_parts = _staff_login()
                else:
                    gr.Markdown(
                        "文件管理未启用：没有设置环境变量 `POLICY_STAFF_PASSWORD`，本页只读（不能上传或删除）。",
                        elem_id="read-only",
                    )
                with gr.Column(visible=False) as staff_box:
                    upload_status = gr.Markdown("", elem_id="upload-status")
                    upload_file = gr.File(
                        label="上传新文件（.txt .md .docx .pdf .html）", elem_id="upload-file", height=120
                    )
                    upload = gr.Button("上传并索引", variant="primary", elem_id="upload")
                    with gr.Row(equal_height=True):
                        victim = gr.Dropdown(label="删除文件", choices=[], scale=3, elem_id="delete-pick")
                        confirm = gr.Checkbox(label="确认删除", scale=1, elem_id="delete-confirm")
                    delete = gr.Button("删除", variant="stop", elem_id="delete")
                    with gr.Row(equal_height=True):
                        export = gr.Button("导出反馈（JSONL）", elem_id="export-feedback")
                        export_file = gr.DownloadButton("下载反馈文件", visible=False, elem_id="feedback-file")
        with gr.Column(scale=8, min_width=420):
            tree = gr.HTML(render_tree(None), elem_id="doc-tree", max_height=400)
    return DocumentsTab(
        table,
        pick,
        tree,
        staff_box,
        upload_file,
        upload,
        upload_status,
        victim,
        confirm,
        delete,
        export,
        export_file,
        *login_parts,
    )


def build_ui(ctx: AppContext):
    """The Blocks app; the caller queues it and mounts it (see `mount`)."""
    chat, docs = ChatCallbacks(ctx), DocumentCallbacks(ctx)
    with gr.Blocks(title="教育政策问答助手", analytics_enabled=False) as demo:
        turns = gr.State([])
        staff = gr.State(False)
        gr.Markdown(
            "# 教育政策问答助手\n答案只依据已索引的政策文件，每句话都标注出处；文件没有写明的，会直接说明。",
            elem_id="app-title",
        )
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                c = _chat_tab()
            with gr.Tab("文件", id="documents"):
                d = _documents_tab(bool(ctx.staff_password))
        _wire_chat(chat, c, turns)
        _wire_documents(docs, d, c.scope, staff, demo)
    return demo


# The browser is the only client of these events; the documented HTTP API is /v1 (see assistant/api.py).
PRIVATE = MappingProxyType({"api_visibility": "private"})


def _wire_chat(chat: ChatCallbacks, c: ChatTab, turns) -> None:
    ask_io = dict(
        inputs=[c.question, turns, c.scope, c.show_condensed],
        outputs=[c.chatbot, turns, c.sources, c.question],
        show_progress_on=c.chatbot,
        **PRIVATE,
    )
    c.question.submit(chat.respond, **ask_io)
    c.ask.click(chat.respond, **ask_io)
    for button in c.examples:
        fill = button.click(lambda q: q, inputs=button, outputs=c.question, queue=False, **PRIVATE)
        fill.then(chat.respond, **ask_io)
    c.show_condensed.change(chat.rerender, inputs=[turns, c.show_condensed], outputs=c.chatbot, queue=False, **PRIVATE)
    clear_outputs = [c.chatbot, turns, c.sources, c.question, c.feedback_status]
    c.new_chat.click(chat.clear, outputs=clear_outputs, queue=False, **PRIVATE)

    def on_like(turn_list, text, data: gr.LikeData):
        return chat.like(turn_list, text, data)

    c.chatbot.like(on_like, inputs=[turns, c.comment], outputs=[c.feedback_status, c.comment], **PRIVATE)


def _wire_documents(docs: DocumentCallbacks, d: DocumentsTab, scope, staff, demo) -> None:
    listing = [d.table, d.pick, d.victim, scope]

    def on_select(evt: gr.SelectData):
        return docs.select_row(evt)

    def on_upload(file_path, is_staff, progress=gr.Progress()):
        return docs.upload(file_path, is_staff, progress)

    d.table.select(on_select, outputs=d.pick, **PRIVATE)
    d.pick.change(docs.open_document, inputs=d.pick, outputs=d.tree, **PRIVATE)
    demo.load(docs.refresh, outputs=listing, show_progress="hidden", **PRIVATE)
    if d.login is not None:
        login_outputs = [staff, d.staff_box, d.login_status, d.password, d.login]
        d.login.click(docs.login, inputs=d.password, outputs=login_outputs, **PRIVATE)
        d.password.submit(docs.login, inputs=d.password, outputs=login_outputs, **PRIVATE)
    d.upload.click(
        on_upload,
        inputs=[d.upload_file, staff],
        outputs=[d.upload_status, d.upload_file, *listing],
        show_progress_on=d.upload_status,
        **PRIVATE,
    )
    d.delete.click(
        docs.delete,
        inputs=[d.victim, d.confirm, staff, d.pick],
        outputs=[d.upload_status, *listing],
        show_progress_on=d.upload_status,
        **PRIVATE,
    )
    d.export.click(docs.export_feedback, inputs=staff, outputs=[d.export_file, d.upload_status], **PRIVATE)


def mount(app, demo, path: str = "/"):
    """Mount the queued Blocks onto the FastAPI app that already serves /v1."""
    return gr.mount_gradio_app(
        app, demo, path=path, theme=theme(), css=CSS, head=HEAD, ssr_mode=False, footer_links=["gradio", "settings"]
    )
