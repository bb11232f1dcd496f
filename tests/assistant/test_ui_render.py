"""What the web UI renders: user and document text is inert (no HTML, no Markdown links), citation markers still
link to the sources panel, and a conversation read back from the browser is checked before it is used."""

from __future__ import annotations

import html
import re

from assistant.models import Answer, Citation
from assistant.render import (
    Conversation,
    Turn,
    conversation_from_json,
    conversation_to_json,
    render_message,
    render_messages,
    render_sources,
    text_html,
)

XSS = "<img src=x onerror=\"document.title='pwned'\">"
JS_LINK = "详见[办理指南](javascript:alert(document.cookie))和![图](javascript:alert(1))。"
CITE = Citation(
    1, "a.txt", "星河区办法", "一、", "研学旅行每学年不少于2次。" + JS_LINK, 0.9, ("研学旅行每学年不少于2次。",)
)


def _visible(markup: str) -> str:
    """The text a reader sees once the entities are decoded (tags taken out)."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_a_question_with_html_is_shown_as_its_text():
    messages = render_messages([Turn(XSS, XSS)], show_condensed=True)
    user = messages[0]["content"]
    assert "<" not in user and ">" not in user
    assert _visible(user) == XSS


def test_markdown_links_from_a_document_are_not_links_in_the_answer():
    answer = Answer("问", "研学旅行每学年不少于2次。[1]" + JS_LINK, False, citations=[CITE])
    shown = render_message(Turn("问", "问", answer), 0, show_condensed=False)
    assert "javascript:" not in shown and "](" not in shown and "[办理指南]" not in shown
    assert _visible(shown) == "研学旅行每学年不少于2次。[1]" + JS_LINK
    # the one real link is the citation marker, to the sources panel entry
    assert re.findall(r'<a [^>]*href="([^"]*)"', shown) == ["#src-0-1"]


def test_a_marker_without_a_citation_stays_text():
    answer = Answer("问", "见第[2]条。", False, citations=[CITE])
    shown = render_message(Turn("问", "问", answer), 0, show_condensed=False)
    assert "<a" not in shown and _visible(shown) == "见第[2]条。"


def test_the_sources_panel_shows_document_text_inert_with_the_used_sentence_marked():
    answer = Answer("问", "研学旅行每学年不少于2次。[1]", False, citations=[CITE])
    panel = render_sources([Turn(XSS, "研学", answer)])
    assert "javascript:" not in panel and "<img" not in panel
    assert "<mark>研学旅行每学年不少于2次。</mark>" in panel
    assert JS_LINK in _visible(panel)


def test_a_blank_line_in_a_condensed_question_cannot_end_its_html_block():
    shown = render_message(Turn("那呢", "第一行\n\n[x](javascript:alert(1))"), 0, show_condensed=True)
    assert "\n\n" not in shown.split("</div>")[0]
    assert "javascript:" not in shown


def test_text_html_leaves_chinese_alone():
    assert text_html("班主任每月900元，占比30%。") == "班主任每月900元，占比30%。"


def test_a_conversation_round_trips_through_browser_storage():
    answer = Answer("问", "研学旅行每学年不少于2次。[1]", False, citations=[CITE])
    conv = Conversation(
        turns=[Turn("研学几次?", "研学几次?", answer), Turn("那呢", "那呢", error="太长", notice="注意")]
    )
    back = conversation_from_json(conversation_to_json(conv))
    assert back.id == conv.id
    assert [(t.question, t.error, t.notice) for t in back.turns] == [("研学几次?", "", ""), ("那呢", "太长", "注意")]
    assert back.turns[0].answer.text == answer.text and back.turns[0].answer.citations == [CITE]
    assert back.history() == conv.history()


def test_a_tampered_stored_conversation_is_dropped_not_trusted():
    good = conversation_to_json(Conversation(turns=[Turn("问", "问")]))
    for bad in (None, "x", {"turns": "x"}, {"id": "x", "turns": [{"q": 1}]}, {"turns": [{"q": "问"}]}):
        assert conversation_from_json(bad).turns == []
    forged = dict(good, id="../../etc")
    assert conversation_from_json(forged).id != "../../etc"
    assert conversation_from_json(forged).turns[0].question == "问"


def test_an_answer_notice_is_shown_above_the_answer_as_text_and_kept_in_storage():
    answer = Answer("问", "研学旅行每学年不少于2次。[1]", False, citations=[CITE])
    answer.notice = "大模型超时，已改用原文摘录<b>回答</b>"
    shown = render_message(Turn("问", "问", answer), 0, show_condensed=False)
    assert shown.startswith('<div class="turn-notice')
    assert "<b>" not in shown and "大模型超时，已改用原文摘录<b>回答</b>" in _visible(shown)
    back = conversation_from_json(conversation_to_json(Conversation(turns=[Turn("问", "问", answer)])))
    assert back.turns[0].answer.notice == answer.notice
