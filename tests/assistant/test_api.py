"""The OpenAI-compatible API over a fake assistant: response shapes, streaming, condensing, limits and errors."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from assistant.api import ApiError, create_api_app, read_body, split_for_stream
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
    r = client.post("/v1/chat/completions", json={"model": "policy-rag", "messages": [user("班主任每月能多拿多少钱?")]})
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


# -- usage and model ---------------------------------------------------------------------------------------------


def test_usage_counts_characters_of_the_messages_and_the_answer(client):
    messages = [{"role": "system", "content": "简短回答。"}, user("班主任每月能多拿多少钱?")]
    body = client.post("/v1/chat/completions", json={"messages": messages}).json()
    prompt = len("简短回答。") + len("班主任每月能多拿多少钱?")
    assert body["usage"] == {
        "prompt_tokens": prompt,
        "completion_tokens": len(ANSWER_TEXT),
        "total_tokens": prompt + len(ANSWER_TEXT),
    }


def test_unknown_model_is_an_openai_style_404(client, fake):
    r = client.post("/v1/chat/completions", json={"model": "gpt-4o", "messages": [user("班主任每月能多拿多少钱?")]})
    assert r.status_code == 404
    assert r.json() == {
        "error": {
            "message": "The model `gpt-4o` does not exist or you do not have access to it; use `policy-rag`.",
            "type": "invalid_request_error",
            "param": "model",
            "code": "model_not_found",
        }
    }
    assert fake.asked == []


# -- bounded input -----------------------------------------------------------------------------------------------


class SpyCondenser:
    """Records every question it is asked to condense."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def condense(self, history, question):
        self.seen.append(question)
        return question


def test_question_length_is_checked_before_condensing(fake):
    spy = SpyCondenser()
    client = TestClient(create_api_app(fake, spy))
    messages = [user("小学入学有什么规定?"), {"role": "assistant", "content": "答"}, user("那" * 20_000)]
    r = client.post("/v1/chat/completions", json={"messages": messages})
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "the question is too long (20000 characters; limit 2000)"
    assert r.json()["error"]["code"] == "question_too_long"
    assert spy.seen == [] and fake.asked == []


def test_body_over_the_cap_is_an_openai_style_413(fake):
    client = TestClient(create_api_app(fake, Condenser(), max_request_mb=1 / 1024))  # 1 KB
    r = client.post("/v1/chat/completions", json={"messages": [user("问" * 1000)]})
    assert r.status_code == 413
    assert r.json() == {
        "error": {
            "message": "request body is larger than 0.000976562 MB "
            "(max_request_mb; set POLICY_MAX_REQUEST_MB to change it)",
            "type": "invalid_request_error",
            "param": None,
            "code": "request_too_large",
        }
    }
    assert fake.asked == []


def test_default_body_cap_is_the_setting(fake, monkeypatch):
    monkeypatch.setenv("POLICY_MAX_REQUEST_MB", "0.5")
    client = TestClient(create_api_app(fake, Condenser()))
    padding = "x" * (600 * 1024)
    r = client.post("/v1/chat/completions", json={"messages": [user("问题")], "padding": padding})
    assert r.status_code == 413
    assert "0.5 MB" in r.json()["error"]["message"]


def _request(headers: dict[str, str], chunks: list[bytes]) -> tuple[Request, list[int]]:
    """A request whose body arrives in `chunks`; the list counts how many were pulled."""
    pulled = [0]

    async def receive():
        i = pulled[0]
        pulled[0] += 1
        return {"type": "http.request", "body": chunks[i], "more_body": i + 1 < len(chunks)}

    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    scope = {"type": "http", "method": "POST", "path": "/v1/chat/completions", "headers": raw, "query_string": b""}
    return Request(scope, receive), pulled


def test_a_declared_oversized_body_is_refused_before_any_byte_is_read():
    request, pulled = _request({"content-length": str(100 * 1024 * 1024)}, [b"x" * 1024] * 10)
    with pytest.raises(ApiError) as refused:
        asyncio.run(read_body(request, 1024))
    assert refused.value.status == 413
    assert pulled == [0]


def test_a_chunked_body_is_counted_while_it_streams_and_reading_stops_at_the_cap():
    request, pulled = _request({}, [b"x" * 512] * 1000)  # 500 KB, no Content-Length
    with pytest.raises(ApiError) as refused:
        asyncio.run(read_body(request, 1024))
    assert refused.value.status == 413
    assert pulled == [3]  # 1,536 bytes read, not 512,000


def test_a_body_within_the_cap_is_read_whole():
    request, _ = _request({}, [b'{"a"', b": 1}"])
    assert asyncio.run(read_body(request, 1024)) == b'{"a": 1}'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[" * 100_000, "request body is not valid JSON: nested too deeply"),
        (b'{"messages": ' + b"[" * 100_000, "request body is not valid JSON: nested too deeply"),
        (b'{"messages": [{"role": "user", "content": "\xff\xfe"}]}', "request body is not valid JSON"),
        (b"", "request body is not valid JSON"),
    ],
)
def test_malformed_bodies_are_openai_style_400s(client, fake, content, message):
    r = client.post("/v1/chat/completions", content=content, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"] == {"message": message, "type": "invalid_request_error", "param": None, "code": None}
    assert fake.asked == []


# -- nonsense that used to succeed -------------------------------------------------------------------------------


class CataloguedAssistant(FakeAssistant):
    """A fake that can list its documents, as the app's shared assistant does."""

    def __init__(self, sources: list[str]) -> None:
        super().__init__()
        self.sources = sources

    def records(self):
        return [SimpleNamespace(source=s) for s in self.sources]


def test_unknown_sources_are_an_openai_style_400():
    fake = CataloguedAssistant(["004.txt", "005.txt"])
    client = TestClient(create_api_app(fake, Condenser()))
    body = {"messages": [user("班主任每月能多拿多少钱?")], "sources": ["004.txt", "nope.txt"]}
    r = client.post("/v1/chat/completions", json=body)
    assert r.status_code == 400
    assert r.json()["error"] == {
        "message": "unknown document(s) in 'sources': nope.txt",
        "type": "invalid_request_error",
        "param": "sources",
        "code": "unknown_source",
    }
    assert fake.asked == []
    body["sources"] = ["004.txt"]
    assert client.post("/v1/chat/completions", json=body).status_code == 200
    assert fake.asked == [("班主任每月能多拿多少钱?", ["004.txt"])]


@pytest.mark.parametrize("stream", [False, True])
def test_an_empty_index_is_an_openai_style_404(stream):
    fake = CataloguedAssistant([])
    client = TestClient(create_api_app(fake, Condenser()))
    r = client.post("/v1/chat/completions", json={"messages": [user("班主任每月能多拿多少钱?")], "stream": stream})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "empty_index"
    assert r.json()["error"]["message"] == "no documents are indexed yet: add some and try again"
    assert fake.asked == []


def test_an_unreadable_index_is_an_openai_style_503():
    class Corrupt:
        def ask(self, question, sources=None):
            raise sqlite3.DatabaseError("file is not a database")

    client = TestClient(create_api_app(Corrupt(), Condenser()))
    r = client.post("/v1/chat/completions", json={"messages": [user("问题")]})
    assert r.status_code == 503
    assert r.json()["error"] == {
        "message": "the document index cannot be read; see the server log",
        "type": "server_error",
        "param": None,
        "code": "index_unavailable",
    }


# -- streaming as produced ---------------------------------------------------------------------------------------


class SlowStreamer(FakeAssistant):
    """`ask_stream` yields one piece, then waits for the test to release it before producing the next."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.released_in_time: bool | None = None
        self.closed = False

    def ask_stream(self, question, sources=None):
        try:
            yield "按照每班每月900元标准，"
            self.released_in_time = self.release.wait(10)
            yield "增加绩效工资总量。[1]"
            yield Answer(question, "按照每班每月900元标准，增加绩效工资总量。[1]", False, [CITATION])
        finally:
            self.closed = True


def test_a_stream_sends_each_piece_as_it_is_produced():
    fake = SlowStreamer()
    client = TestClient(create_api_app(fake, Condenser()))
    body = {"stream": True, "messages": [user("班主任每月能多拿多少钱?")]}
    contents = []
    with client.stream("POST", "/v1/chat/completions", json=body) as r:
        assert r.status_code == 200
        lines = r.iter_lines()
        while not contents:
            line = next(lines)
            if line.startswith("data: {"):
                contents += [c for c in [json.loads(line[6:])["choices"][0]["delta"].get("content")] if c]
        # The first piece arrived while the assistant was still waiting to produce the second.
        assert contents == ["按照每班每月900元标准，"]
        assert fake.released_in_time is None
        fake.release.set()
        rest = [json.loads(x[6:]) for x in lines if x.startswith("data: {")]
    assert fake.released_in_time is True
    assert [c["choices"][0]["delta"].get("content") for c in rest] == ["增加绩效工资总量。[1]", None]
    final = rest[-1]
    assert final["citations"] == [CITATION_JSON]
    assert final["usage"]["completion_tokens"] == len("按照每班每月900元标准，增加绩效工资总量。[1]")
    assert final["condensed_question"] == "班主任每月能多拿多少钱?"
    assert fake.closed


def test_a_stream_that_fails_midway_ends_with_an_openai_style_error_event():
    class Failing(FakeAssistant):
        def ask_stream(self, question, sources=None):
            yield "按照"
            raise RuntimeError("boom")

    client = TestClient(create_api_app(Failing(), Condenser()))
    r = client.post("/v1/chat/completions", json={"stream": True, "messages": [user("问题")]})
    events = sse_events(r)
    assert events[-1] == "[DONE]"
    assert events[-2] == {
        "error": {
            "message": "the assistant failed to answer; see the server log",
            "type": "server_error",
            "param": None,
            "code": None,
        }
    }


def test_a_bad_question_in_a_stream_is_still_an_error_status(client, fake):
    r = client.post("/v1/chat/completions", json={"stream": True, "messages": [user("长" * 60)]})
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "问题过长"


def test_the_stores_own_unavailable_error_is_a_503_not_a_400():
    from index.store import StoreUnavailable

    class Damaged:
        def ask(self, question, sources=None):
            raise StoreUnavailable("cannot open the index in data/chroma (DatabaseError: file is not a database)")

    client = TestClient(create_api_app(Damaged(), Condenser()))
    r = client.post("/v1/chat/completions", json={"messages": [user("问题")]})
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "index_unavailable"
