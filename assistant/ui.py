"""The Gradio web app: a chat tab (streamed answers, clickable citations, a sources panel) and a documents tab
(indexed documents as clause trees; staff upload, delete and feedback export).

What the page shows is rendered in assistant/render.py (every user and document string escaped there), the
components are laid out in assistant/ui_layout.py and styled in assistant/ui_style.py; this file holds the
callbacks and wires them. The server-side objects the callbacks share with the HTTP API (`SharedAssistant`,
`Library`) live in assistant/library.py; the staff login guard and the export links in assistant/staff.py.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

import gradio as gr

from assistant.api import split_for_stream
from assistant.conversation import MAX_QUESTION_CHARS, Condenser
from assistant.feedback import FeedbackStore
from assistant.library import Library, SharedAssistant
from assistant.render import (
    Conversation,
    Turn,
    conversation_from_json,
    conversation_to_json,
    document_rows,
    filter_choices,
    render_message,
    render_messages,
    render_sources,
    render_tree,
    sources_for,
    text_html,
)
from assistant.staff import ExportTokens, LoginGuard, add_export_route, export_link
from assistant.ui_layout import ChatTab, DocumentsTab, chat_tab, documents_tab
from assistant.ui_style import CSS, HEAD, theme

log = logging.getLogger(__name__)

NO_CONTEXT = "这像是一个追问，但本对话没有上文（新对话，或对话记录已清除），下面按独立问题回答；请把问题问完整。"
STORAGE_KEY = "policy-assistant-conversation"
MAX_SESSIONS = 10_000  # sessions whose 新对话 count is remembered (it only has to outlive an answer in flight)


@dataclass
class AppContext:
    """Everything the callbacks need, built once by app.py and passed in."""

    shared: SharedAssistant
    library: Library
    feedback: FeedbackStore
    login: LoginGuard
    stream_delay_s: float
    max_file_bytes: int
    max_question_chars: int = MAX_QUESTION_CHARS
    exports: ExportTokens = field(default_factory=ExportTokens)


class ChatCallbacks:
    """Chat tab: ask (streamed), follow-ups, new conversation (which cancels an answer in flight), feedback."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.follow_ups = Condenser()  # only its test for an elliptical follow-up is used here
        # 新对话 bumps its session's count; an answer started under an older count stops without a word.
        self._cleared: dict[str, int] = {}
        self._lock = threading.Lock()

    def _clears(self, session: str) -> int:
        with self._lock:
            return self._cleared.get(session, 0)

    def respond(self, question: str, conv: Conversation, choice: str | None, show_condensed: bool, session: str = ""):
        """Yields (chat, conversation, sources panel, question box, stored conversation)."""
        keep = gr.skip()
        question = (question or "").strip()
        if not question:
            yield keep, keep, keep, keep, keep
            return
        if len(question) > self.ctx.max_question_chars:
            # Refused before condensing or retrieval; the text stays in the box so it can be shortened.
            gr.Warning(
                f"问题过长（{len(question)} 字），上限 {self.ctx.max_question_chars} 字：请删减后再提问。", duration=15
            )
            yield keep, keep, keep, keep, keep
            return
        started = self._clears(session)
        notice = NO_CONTEXT if not conv.turns and self.follow_ups.topic(question) is not None else ""
        turn = Turn(question, self.ctx.shared.condense(conv.history(), question), notice=notice)
        conv = replace(conv, turns=[*conv.turns, turn])
        turns, index = conv.turns, len(conv.turns) - 1
        # The box is emptied once, here; later updates leave it alone so a question typed meanwhile is kept.
        yield render_messages(turns, show_condensed), conv, render_sources(turns[:-1]), "", keep
        try:
            sources = sources_for(choice, self.ctx.shared.records())
            turn.answer = self.ctx.shared.ask(turn.condensed, sources)
            turn.answer.condensed = turn.condensed
        except ValueError as exc:  # the assistant's own input checks
            turn.error = str(exc)
        except Exception:
            log.exception("answering %r failed", turn.condensed)
            turn.error = "内部错误，暂时无法回答，请稍后再试。"
        if self._clears(session) != started:
            return
        panel = render_sources(turns)
        if not turn.error:
            # The marker tells a watcher (and the browser tests) that the answer is still streaming.
            streaming_panel = '<div class="answering" hidden></div>' + panel
            messages = render_messages(turns, show_condensed)
            shown = ""
            for piece in split_for_stream(turn.answer.text):
                shown += piece
                messages[-1] = {"role": "assistant", "content": render_message(turn, index, show_condensed, shown)}
                if self._clears(session) != started:
                    return
                yield messages, keep, streaming_panel, keep, keep
                time.sleep(self.ctx.stream_delay_s)
        if self._clears(session) != started:
            return
        yield render_messages(turns, show_condensed), conv, panel, keep, conversation_to_json(conv)

    def clear(self, session: str = ""):
        """(chat, conversation, sources, question box, feedback status, stored conversation) of a new conversation."""
        with self._lock:
            self._cleared[session] = self._cleared.pop(session, 0) + 1
            while len(self._cleared) > MAX_SESSIONS:
                self._cleared.pop(next(iter(self._cleared)))
        conv = Conversation()
        return [], conv, render_sources([]), "", "", conversation_to_json(conv)

    def restore(self, stored, show_condensed: bool):
        """(chat, conversation, sources) from the conversation kept in the browser, after a page (re)load."""
        conv = conversation_from_json(stored)
        return render_messages(conv.turns, show_condensed), conv, render_sources(conv.turns)

    def rerender(self, conv: Conversation, show_condensed: bool):
        return render_messages(conv.turns, show_condensed)

    def like(self, conv: Conversation, comment: str, data) -> tuple:
        """(status, comment box, conversation): one row per answer; a new vote replaces the old one."""
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn_no = int(index) // 2
        if not 0 <= turn_no < len(conv.turns) or conv.turns[turn_no].answer is None:
            return "这条消息不能评价。", comment, conv
        rating = 1 if data.liked is True else -1 if data.liked is False else 0
        turn = conv.turns[turn_no]
        citations = [c.as_dict() for c in (turn.answer.citations or turn.answer.nearest)]
        key = conv.feedback_key(turn_no)
        self.ctx.feedback.vote(key, turn.question, turn.answer.text, citations, rating, comment, turn.condensed)
        conv = replace(conv, voted=turn_no if rating else None)
        if not rating:
            return "已取消评价。", comment, conv
        return f"已记录反馈（{'有帮助' if rating > 0 else '没帮助'}），谢谢！", "", conv

    def save_comment(self, conv: Conversation, comment: str) -> tuple:
        """(status, comment box): a comment written after voting goes to the answer last voted on."""
        if not (comment or "").strip():
            return gr.skip(), gr.skip()
        if conv.voted is None or not self.ctx.feedback.comment(conv.feedback_key(conv.voted), comment):
            return "请点答案下方的赞或踩，意见会随评价一并提交。", comment
        return f"已保存对第 {conv.voted + 1} 问答案的意见，谢谢！", ""


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

    def login(self, password: str, client: str):
        """(staff, staff box, status, password box, login button); `client` is the caller's address."""
        result = self.ctx.login(client, password)
        if not result.ok:
            log.warning("staff login refused for %s: %s", client, result.message)
        hidden = gr.update(visible=not result.ok, value="")
        return result.ok, gr.update(visible=result.ok), result.message, hidden, gr.update(visible=not result.ok)

    def upload(self, file_path: str | None, staff: bool, progress=None):
        """(status, cleared file input, *listing): the input is cleared so the next file can be chosen."""
        if not staff:
            return "仅工作人员可以上传文件，请先登录。", None, *self.unchanged()
        if not file_path:
            return "请先选择一个文件。", None, *self.unchanged()
        path = Path(file_path)
        name = text_html(path.name)
        try:
            data = path.read_bytes()
        finally:
            path.unlink(missing_ok=True)  # Gradio's copy of the upload is not kept once it has been read
        report = (lambda fraction, desc: progress(fraction, desc=desc)) if progress is not None else None
        result = self.ctx.library.upload(path.name, data, report)
        if result.ok:
            return f"**上传成功**（{name}）：{text_html(result.message)}", None, *self.refresh(result.source)
        status = f"**上传被拒绝**（{name}）：{text_html(result.message)}\n\n索引和文件夹均未改动。"
        return status, None, *self.unchanged()

    def delete(self, source: str | None, confirmed: bool, staff: bool, shown: str | None):
        """(status, confirmation box, *listing): the confirmation is cleared after every deletion attempt."""
        if not staff:
            return "仅工作人员可以删除文件，请先登录。", gr.skip(), *self.unchanged()
        if not confirmed:
            return "请先勾选“确认删除”。", gr.skip(), *self.unchanged()
        result = self.ctx.library.delete(source or "")
        if not result.ok:
            return f"**删除失败**：{text_html(result.message)}", False, *self.unchanged()
        return f"**已删除**：{text_html(result.message)}", False, *self.refresh(shown)

    def export_feedback(self, staff: bool):
        """(link, status): a single-use link that streams the rows; nothing is written to disk."""
        if not staff:
            return gr.update(visible=False, value=""), "仅工作人员可以导出反馈。"
        href = export_link(self.ctx.exports.issue())
        link = f'<a href="{href}" download class="feedback-download">下载反馈文件（JSONL）</a>'
        status = (
            f"已生成 {self.ctx.feedback.count()} 条反馈的下载链接：{self.ctx.exports.ttl_s:.0f} 秒内有效，只能用一次。"
        )
        return gr.update(visible=True, value=link), status


def build_ui(ctx: AppContext):
    """The Blocks app; the caller queues it and mounts it (see `mount`)."""
    chat, docs = ChatCallbacks(ctx), DocumentCallbacks(ctx)
    # Uploaded files Gradio keeps in its cache are removed hourly (the upload callback removes each one it reads).
    with gr.Blocks(title="教育政策问答助手", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        conv = gr.State(Conversation())
        stored = gr.BrowserState(None, storage_key=STORAGE_KEY)
        staff = gr.State(False)
        gr.Markdown(
            "# 教育政策问答助手\n答案只依据已索引的政策文件，每句话都标注出处；文件没有写明的，会直接说明。",
            elem_id="app-title",
        )
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                c = chat_tab()
            with gr.Tab("文件", id="documents"):
                d = documents_tab(ctx.login.enabled)
        _wire_chat(chat, c, conv, stored, demo)
        _wire_documents(docs, d, c.scope, staff, demo)
    return demo


# The browser is the only client of these events; the documented HTTP API is /v1 (see assistant/api.py).
PRIVATE = MappingProxyType({"api_visibility": "private"})


def _wire_chat(chat: ChatCallbacks, c: ChatTab, conv, stored, demo) -> None:
    def respond(question, conversation, choice, show_condensed, request: gr.Request):
        yield from chat.respond(question, conversation, choice, show_condensed, request.session_hash or "")

    def clear(request: gr.Request):
        return chat.clear(request.session_hash or "")

    def on_like(conversation, text, data: gr.LikeData):
        return chat.like(conversation, text, data)

    # "always_last": a question sent while an answer runs waits for it, then is asked, with the conversation so far.
    ask_io = dict(
        inputs=[c.question, conv, c.scope, c.show_condensed],
        outputs=[c.chatbot, conv, c.sources, c.question, stored],
        show_progress_on=c.chatbot,
        trigger_mode="always_last",
        **PRIVATE,
    )
    asking = [c.question.submit(respond, **ask_io), c.ask.click(respond, **ask_io)]
    for button in c.examples:
        fill = button.click(lambda q: q, inputs=button, outputs=c.question, queue=False, **PRIVATE)
        asking.append(fill.then(respond, **ask_io))
    c.show_condensed.change(chat.rerender, inputs=[conv, c.show_condensed], outputs=c.chatbot, queue=False, **PRIVATE)
    clear_outputs = [c.chatbot, conv, c.sources, c.question, c.feedback_status, stored]
    c.new_chat.click(clear, outputs=clear_outputs, cancels=asking, queue=False, **PRIVATE)
    restore_outputs = [c.chatbot, conv, c.sources]
    demo.load(chat.restore, inputs=[stored, c.show_condensed], outputs=restore_outputs, queue=False, **PRIVATE)
    c.chatbot.like(on_like, inputs=[conv, c.comment], outputs=[c.feedback_status, c.comment, conv], **PRIVATE)
    c.comment.submit(chat.save_comment, inputs=[conv, c.comment], outputs=[c.feedback_status, c.comment], **PRIVATE)


def _wire_documents(docs: DocumentCallbacks, d: DocumentsTab, scope, staff, demo) -> None:
    listing = [d.table, d.pick, d.victim, scope]

    def on_select(evt: gr.SelectData):
        return docs.select_row(evt)

    def on_upload(file_path, is_staff, progress=gr.Progress()):
        return docs.upload(file_path, is_staff, progress)

    def on_login(password, request: gr.Request):
        # Behind a reverse proxy uvicorn puts the address from X-Forwarded-For here (see README, "Behind TLS").
        client = request.client.host if request is not None and request.client else "unknown"
        return docs.login(password, client)

    d.table.select(on_select, outputs=d.pick, **PRIVATE)
    d.pick.change(docs.open_document, inputs=d.pick, outputs=d.tree, **PRIVATE)
    demo.load(docs.refresh, outputs=listing, show_progress="hidden", **PRIVATE)
    if d.login is not None:
        login_outputs = [staff, d.staff_box, d.login_status, d.password, d.login]
        login_io = dict(inputs=d.password, outputs=login_outputs, show_progress="hidden", **PRIVATE)
        d.login.click(on_login, **login_io)
        d.password.submit(on_login, **login_io)
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
        outputs=[d.upload_status, d.confirm, *listing],
        show_progress_on=d.upload_status,
        **PRIVATE,
    )
    d.export.click(docs.export_feedback, inputs=staff, outputs=[d.export_link, d.upload_status], **PRIVATE)


def mount(app, demo, ctx: AppContext, path: str = "/"):
    """Mount the queued Blocks onto the FastAPI app that already serves /v1, with the staff export route."""
    add_export_route(app, ctx.exports, ctx.feedback)
    return gr.mount_gradio_app(
        app,
        demo,
        path=path,
        theme=theme(),
        css=CSS,
        head=HEAD,
        ssr_mode=False,
        footer_links=["gradio", "settings"],
        max_file_size=ctx.max_file_bytes,
    )
