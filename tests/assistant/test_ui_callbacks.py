"""The web UI's callbacks without a browser: input refused before any work, 新对话 stopping an answer in flight,
a question typed meanwhile left in the box, votes and comments, and the delete confirmation reset."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr
import pytest

from assistant.feedback import FeedbackStore
from assistant.library import LibraryResult
from assistant.models import Answer, Citation
from assistant.render import Conversation
from assistant.staff import LoginGuard
from assistant.ui import NO_CONTEXT, AppContext, ChatCallbacks, DocumentCallbacks

CITE = Citation(1, "a.txt", "星河区办法", "一、", "研学旅行每学年不少于2次。", 0.9)


class FakeShared:
    """Condenses by appending the last question, answers every question with one cited sentence."""

    def __init__(self) -> None:
        self.condensed: list[str] = []
        self.asked: list[str] = []

    def condense(self, history, question):
        self.condensed.append(question)
        return f"{history[-1][0]}→{question}" if history else question

    def ask(self, question, sources=None):
        self.asked.append(question)
        return Answer(question, "研学旅行每学年不少于2次。[1]", False, citations=[CITE])

    def records(self):
        return []


class FakeLibrary:
    def __init__(self) -> None:
        self.uploaded: list[tuple[str, bytes]] = []

    def upload(self, name, data, progress=None):
        self.uploaded.append((name, data))
        return LibraryResult(False, "测试：不接受")

    def delete(self, source):
        return LibraryResult(True, f"{source} 已移除", source)


@pytest.fixture
def ctx(tmp_path):
    return AppContext(
        shared=FakeShared(),
        library=FakeLibrary(),
        feedback=FeedbackStore(tmp_path / "feedback.sqlite3"),
        login=LoginGuard("pw", max_failures=3, backoff_s=1, lockout_s=60),
        stream_delay_s=0,
        max_file_bytes=1024,
        max_question_chars=50,
    )


def _answer(chat: ChatCallbacks, question: str, conv: Conversation, session: str = "s") -> Conversation:
    *_, last = chat.respond(question, conv, None, False, session)
    return last[1]


def test_an_over_long_question_is_refused_before_condensing_and_left_in_the_box(ctx):
    chat = ChatCallbacks(ctx)
    with pytest.warns(UserWarning, match="问题过长（51 字），上限 50 字"):
        updates = list(chat.respond("长" * 51, Conversation(), None, False, "s"))
    assert ctx.shared.condensed == [] and ctx.shared.asked == []
    assert all(u is not None and isinstance(u, dict) and u.get("__type__") == "update" for u in updates[0])
    assert updates[0][3] == gr.skip()  # the box keeps the text


def test_a_follow_up_with_no_conversation_says_the_context_is_missing(ctx):
    chat = ChatCallbacks(ctx)
    conv = _answer(chat, "那幼儿园呢?", Conversation())
    assert conv.turns[0].notice == NO_CONTEXT
    conv = _answer(chat, "那小学呢?", conv)
    assert conv.turns[1].notice == ""
    assert ctx.shared.asked == ["那幼儿园呢?", "那幼儿园呢?→那小学呢?"]


def test_new_conversation_stops_the_answer_in_flight(ctx):
    chat = ChatCallbacks(ctx)
    running = chat.respond("研学几次?", Conversation(), None, False, "s")
    first = next(running)
    assert first[1].turns[0].question == "研学几次?"
    cleared = chat.clear("s")
    assert cleared[1].turns == []
    assert list(running) == []  # nothing more from the old answer: not its text, not its conversation


def test_new_conversation_in_another_tab_does_not_stop_this_answer(ctx):
    chat = ChatCallbacks(ctx)
    running = chat.respond("研学几次?", Conversation(), None, False, "s")
    next(running)
    chat.clear("other")
    assert list(running)[-1][1].turns[0].answer is not None


def test_only_the_first_update_empties_the_question_box(ctx):
    updates = list(ChatCallbacks(ctx).respond("研学几次?", Conversation(), None, False, "s"))
    assert len(updates) > 2
    assert updates[0][3] == ""
    assert all(u[3] == gr.skip() for u in updates[1:])  # a question typed meanwhile stays


def test_the_finished_conversation_is_stored_for_the_browser(ctx):
    updates = list(ChatCallbacks(ctx).respond("研学几次?", Conversation(), None, False, "s"))
    stored = updates[-1][4]
    assert [t["q"] for t in stored["turns"]] == ["研学几次?"]
    assert all(u[4] == gr.skip() for u in updates[:-1])


def _like(index: int, liked):
    return SimpleNamespace(index=[index, 0], liked=liked)


def test_changing_a_vote_stores_one_row_and_a_later_comment_is_saved(ctx):
    chat = ChatCallbacks(ctx)
    conv = _answer(chat, "研学几次?", Conversation())
    status, box, conv = chat.like(conv, "", _like(1, True))
    assert "有帮助" in status
    status, box, conv = chat.like(conv, "", _like(1, False))
    assert "没帮助" in status
    status, box = chat.save_comment(conv, "引用准确")
    assert "已保存" in status and box == ""
    assert [(r.question, r.rating, r.comment) for r in ctx.feedback.all()] == [("研学几次?", -1, "引用准确")]


def test_a_comment_before_any_vote_is_kept_for_the_vote(ctx):
    chat = ChatCallbacks(ctx)
    conv = _answer(chat, "研学几次?", Conversation())
    status, box = chat.save_comment(conv, "还行")
    assert box == "还行" and ctx.feedback.count() == 0
    chat.like(conv, box, _like(1, True))
    assert [(r.rating, r.comment) for r in ctx.feedback.all()] == [(1, "还行")]


def test_the_delete_confirmation_is_cleared_after_a_deletion(ctx):
    docs = DocumentCallbacks(ctx)
    status, confirm, *_ = docs.delete("a.txt", True, True, None)
    assert "已删除" in status and confirm is False
    status, confirm, *_ = docs.delete("a.txt", False, True, None)
    assert "确认删除" in status and confirm == gr.skip()


def test_the_upload_status_shows_a_file_name_as_text_and_gradios_copy_is_removed(ctx, tmp_path):
    path = tmp_path / "[x](javascript:alert(1)).txt"
    path.write_bytes("内容".encode())
    status, *_ = DocumentCallbacks(ctx).upload(str(path), True)
    assert "javascript:" not in status and "](" not in status
    assert ctx.library.uploaded == [(path.name, "内容".encode())]
    assert not path.exists()


def test_staff_login_refuses_after_a_failure_then_accepts(ctx):
    docs = DocumentCallbacks(ctx)
    ok, *_, message, _, _ = docs.login("wrong", "10.0.0.1")
    assert ok is False and "密码不正确" in message
    ok, *_, message, _, _ = docs.login("pw", "10.0.0.1")
    assert ok is False and "过于频繁" in message
    ok, *_ = docs.login("pw", "10.0.0.2")
    assert ok is True


def test_the_export_is_a_single_use_link_for_staff_only(ctx):
    docs = DocumentCallbacks(ctx)
    link, status = docs.export_feedback(False)
    assert link["visible"] is False and "仅工作人员" in status
    link, status = docs.export_feedback(True)
    token = link["value"].split("token=")[1].split('"')[0]
    assert ctx.exports.redeem(token) and not ctx.exports.redeem(token)


def test_the_mounted_app_limits_gradio_uploads_and_serves_the_export_only_by_link(ctx):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from assistant.ui import build_ui, mount

    app = mount(FastAPI(), build_ui(ctx).queue(), ctx)
    with TestClient(app) as client:
        assert client.post("/gradio_api/upload", files={"files": ("big.txt", b"x" * 1025)}).status_code == 413
        assert client.post("/gradio_api/upload", files={"files": ("small.txt", b"x" * 1024)}).status_code == 200
        assert client.get("/staff/feedback.jsonl").status_code == 403
        link = DocumentCallbacks(ctx).export_feedback(True)[0]["value"].split('"')[1]
        assert client.get("/" + link).status_code == 200
        assert client.get("/" + link).status_code == 403
