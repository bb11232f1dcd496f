"""The OpenAI-compatible API over a fake assistant: response shapes, streaming, condensing and 400 errors."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_api_app, split_for_stream
from assistant.conversation import Condenser
from assistant.models import Answer, Citation

CLAUSE = "7.提高教师待遇。按照非寄宿制学校每班每月900元标准,增加绩效工资总量,用于班主任的绩效考核奖励;"
CITATION = Citation(
    1,
    "004.txt",
    "关于新时代聊城教育高质量发展的意见",
    "二、 7.",
    CLAUSE,
    0.8123,
    ("按照非寄宿制学校每班每月900元标准,",),
)
ANSWER_TEXT = "按照非寄宿制学校每班每月900元标准,增加绩效工资总量,用于班主任的绩效考核奖励;[1]"
CITATION_JSON = {
    "n": 1,
    "source": "004.txt",
    "title": "关于新时代聊城教育高质量发展的意见",
    "clause": "二、 7.",
    "text": CLAUSE,
    "score": 0.8123,
}


class FakeAssistant:
    """Answers every question with one fixed answer (or a refusal) and records what it was asked."""

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.asked: list[tuple[str, list[str] | None]] = []

    def ask(self, question: str, sources: list[str] | None = None) -> Answer:
        if len(question) > 50:
            raise ValueError("问题过长")
        self.asked.append((question, sources))
        if self.refuse:
            return Answer(question, "文件没有写明。", True, [], [CITATION], reason="no_money")
        return Answer(question, ANSWER_TEXT, False, [CITATION], reason="supported")


@pytest.fixture
def fake() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture
def client(fake) -> TestClient:
    return TestClient(create_api_app(fake, Condenser(["荣昌区"])))


def user(text):
    return {"role": "user", "content": text}


def sse_events(response) -> list:
    events = []
    for line in response.text.split("\n"):
        if line.startswith("data: "):
            payload = line[len("data: ") :]
            events.append(payload if payload == "[DONE]" else json.loads(payload))
        else:
            assert line == "", f"unexpected SSE line {line!r}"
    return events


def test_models(client):
    r = client.get("/v1/models")
    assert r.status_code == 200
    assert r.json() == {
        "object": "list",
        "data": [{"id": "policy-rag", "object": "model", "created": 0, "owned_by": "policy-rag"}],
    }


def test_completion(client, fake):
    r = client.post("/v1/chat/completions", json={"model": "anything", "messages": [user("班主任每月能多拿多少钱?")]})
    assert r.status_code == 200
    body = r.json()
    assert body["object"] == "chat.completion"
    assert body["id"].startswith("chatcmpl-")
    assert body["model"] == "policy-rag"
    assert body["choices"] == [
        {"index": 0, "message": {"role": "assistant", "content": ANSWER_TEXT}, "finish_reason": "stop"}
    ]
    assert body["citations"] == [CITATION_JSON]
    assert body["refused"] is False
    assert body["nearest"] == []
    assert body["condensed_question"] == "班主任每月能多拿多少钱?"
    assert fake.asked == [("班主任每月能多拿多少钱?", None)]


def test_follow_up_is_condensed_with_earlier_messages(client, fake):
    messages = [
        {"role": "system", "content": "你是教育政策助手。"},
        user("小学入学有什么规定?"),
        {"role": "assistant", "content": "义务教育学校按照划片招生原则。[1]"},
        user("那幼儿园呢?"),
    ]
    r = client.post("/v1/chat/completions", json={"messages": messages})
    assert r.status_code == 200
    assert r.json()["condensed_question"] == "幼儿园入学有什么规定?"
    assert fake.asked == [("幼儿园入学有什么规定?", None)]


def test_text_content_parts_and_sources(client, fake):
    content = [{"type": "text", "text": "班主任每月"}, {"type": "text", "text": "能多拿多少钱?"}]
    body = {"messages": [{"role": "user", "content": content}], "sources": ["004.txt"]}
    r = client.post("/v1/chat/completions", json=body)
    assert r.status_code == 200
    assert fake.asked == [("班主任每月能多拿多少钱?", ["004.txt"])]


def test_refusal():
    client = TestClient(create_api_app(FakeAssistant(refuse=True), Condenser()))
    body = client.post("/v1/chat/completions", json={"messages": [user("班主任每年能拿多少?")]}).json()
    assert body["refused"] is True
    assert body["citations"] == []
    assert body["nearest"] == [CITATION_JSON]
    assert body["choices"][0]["message"]["content"] == "文件没有写明。"


def test_streaming(client):
    with client.stream(
        "POST", "/v1/chat/completions", json={"stream": True, "messages": [user("班主任每月能多拿多少钱?")]}
    ) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        r.read()
    events = sse_events(r)
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert all(c["object"] == "chat.completion.chunk" and c["model"] == "policy-rag" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    pieces = [c["choices"][0]["delta"].get("content", "") for c in chunks]
    assert "".join(pieces) == ANSWER_TEXT
    assert len([p for p in pieces if p]) > 1  # really streamed in pieces
    final = chunks[-1]
    assert final["choices"] == [{"index": 0, "delta": {}, "finish_reason": "stop"}]
    assert final["citations"] == [CITATION_JSON]
    assert final["refused"] is False
    assert all("citations" not in c for c in chunks[:-1])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "'messages' must be a non-empty list"),
        ({"messages": []}, "'messages' must be a non-empty list"),
        ({"messages": "你好"}, "'messages' must be a non-empty list"),
        ({"messages": [user("")]}, "the last user message is empty"),
        ({"messages": [user("   ")]}, "the last user message is empty"),
        ({"messages": [{"role": "user"}]}, "the last user message is empty"),
        (
            {"messages": [user("问题"), {"role": "assistant", "content": "答"}]},
            "the last message must come from the user",
        ),
        ({"messages": [{"role": "wizard", "content": "x"}]}, "messages[0] must be an object with a valid 'role'"),
        ({"messages": [{"role": "user", "content": 42}]}, "message content must be a string or a list of text parts"),
        (
            {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]},
            "only text content parts are supported",
        ),
        ({"messages": [user("问题")], "stream": "yes"}, "'stream' must be true or false"),
        ({"messages": [user("问题")], "sources": "004.txt"}, "'sources' must be a list of document file names"),
        ([1, 2], "request body must be a JSON object"),
        ({"messages": [user("长" * 60)]}, "问题过长"),
    ],
)
def test_bad_requests_get_openai_style_400(client, fake, body, message):
    r = client.post("/v1/chat/completions", json=body)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["message"] == message
    assert error["type"] == "invalid_request_error"
    assert set(error) == {"message", "type", "param", "code"}
    assert fake.asked == []


def test_invalid_json_is_a_400(client):
    r = client.post("/v1/chat/completions", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "request body is not valid JSON"


def test_an_assistant_failure_is_an_openai_style_500():
    class Broken:
        def ask(self, question, sources=None):
            raise RuntimeError("store unavailable")

    client = TestClient(create_api_app(Broken(), Condenser()))
    r = client.post("/v1/chat/completions", json={"messages": [user("问题")]})
    assert r.status_code == 500
    assert r.json()["error"]["type"] == "server_error"


def test_split_for_stream_keeps_every_character():
    text = "按照非寄宿制学校每班每月900元标准。[1]寄宿制学校每班每月1000元。[2]" * 3
    pieces = split_for_stream(text)
    assert "".join(pieces) == text
    assert all(pieces)
    assert split_for_stream("") == []
