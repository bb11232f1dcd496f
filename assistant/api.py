"""An OpenAI-compatible HTTP API: `POST /v1/chat/completions` (plain and SSE streaming) and `GET /v1/models`.

The last user message, condensed with the earlier turns, is answered by the assistant. Besides the usual
OpenAI fields, a response carries `citations` (n, source, title, clause, text, score), `refused`, `nearest`
(the closest clauses of a refusal) and `condensed_question` at the top level, and so does the final stream chunk.
Bad requests get status 400 with an OpenAI-style `{"error": {...}}` body.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from assistant.conversation import QuestionCondenser
from assistant.models import Answer

log = logging.getLogger(__name__)

MODEL_ID = "policy-rag"
STREAM_PIECE_CHARS = 12


class Asker(Protocol):
    def ask(self, question: str, sources: list[str] | None = None) -> Answer: ...


class BadRequest(ValueError):
    """A request the API refuses; the message is shown to the client."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class ChatRequest:
    """The parts of a chat-completions request the assistant uses."""

    question: str
    history: list[tuple[str, str]]
    stream: bool
    sources: list[str] | None


def error_response(message: str, status: int = 400, param: str | None = None, kind: str = "") -> JSONResponse:
    kind = kind or ("invalid_request_error" if status < 500 else "server_error")
    body = {"error": {"message": message, "type": kind, "param": param, "code": None}}
    return JSONResponse(body, status_code=status)


def message_text(content) -> str:
    """A message's text: a plain string, or the text parts of an OpenAI content list."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                raise BadRequest("only text content parts are supported", "messages")
            texts.append(part["text"])
        return "".join(texts)
    raise BadRequest("message content must be a string or a list of text parts", "messages")


def parse_request(body) -> ChatRequest:
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("'messages' must be a non-empty list", "messages")
    turns: list[tuple[str, str]] = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("system", "developer", "user", "assistant", "tool"):
            raise BadRequest(f"messages[{i}] must be an object with a valid 'role'", "messages")
        text = message_text(m.get("content"))
        if m["role"] == "user":
            turns.append((text.strip(), ""))
        elif m["role"] == "assistant" and turns and not turns[-1][1]:
            turns[-1] = (turns[-1][0], text)
    if not turns or messages[-1].get("role") != "user":
        raise BadRequest("the last message must come from the user", "messages")
    question = turns[-1][0]
    if not question:
        raise BadRequest("the last user message is empty", "messages")
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise BadRequest("'stream' must be true or false", "stream")
    sources = body.get("sources")
    if sources is not None and (not isinstance(sources, list) or not all(isinstance(s, str) for s in sources)):
        raise BadRequest("'sources' must be a list of document file names", "sources")
    return ChatRequest(question, [t for t in turns[:-1] if t[0]], stream, sources or None)


def citation_dicts(answer: Answer) -> tuple[list[dict], list[dict]]:
    """(citations, nearest) as the API shows them."""
    citations = [
        {"n": c.n, "source": c.source, "title": c.title, "clause": c.clause, "text": c.text, "score": c.score}
        for c in answer.citations
    ]
    nearest = [
        {"n": c.n, "source": c.source, "title": c.title, "clause": c.clause, "text": c.text, "score": c.score}
        for c in answer.nearest
    ]
    return citations, nearest


def split_for_stream(text: str, size: int = STREAM_PIECE_CHARS) -> list[str]:
    """Pieces of an answer for streaming, breaking after a citation marker or punctuation when one is near."""
    pieces, start = [], 0
    while start < len(text):
        end = min(len(text), start + size)
        for j in range(end, min(len(text), start + 2 * size) + 1):
            if text[j - 1] in "]。；，,;!?！？\n":
                end = j
                break
        pieces.append(text[start:end])
        start = end
    return pieces


class ChatCompletions:
    """Request handling, kept apart from the routes so it reads top to bottom."""

    def __init__(self, assistant: Asker, condenser: QuestionCondenser, model: str = MODEL_ID) -> None:
        self.assistant, self.condenser, self.model = assistant, condenser, model

    def answer(self, req: ChatRequest) -> tuple[Answer, str]:
        condensed = self.condenser.condense(req.history, req.question)
        answer = self.assistant.ask(condensed, req.sources)
        answer.condensed = condensed
        return answer, condensed

    def extras(self, answer: Answer, condensed: str) -> dict:
        citations, nearest = citation_dicts(answer)
        return {"citations": citations, "refused": answer.refused, "nearest": nearest, "condensed_question": condensed}

    def completion(self, answer: Answer, condensed: str) -> dict:
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": answer.text}, "finish_reason": "stop"}
            ],
            **self.extras(answer, condensed),
        }

    def chunks(self, answer: Answer, condensed: str) -> Iterator[str]:
        base = {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion.chunk", "created": int(time.time())}
        base["model"] = self.model

        def event(delta: dict, finish: str | None = None, **extra) -> str:
            chunk = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
            return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

        yield event({"role": "assistant", "content": ""})
        for piece in split_for_stream(answer.text):
            yield event({"content": piece})
        yield event({}, "stop", **self.extras(answer, condensed))
        yield "data: [DONE]\n\n"


def create_router(assistant: Asker, condenser: QuestionCondenser, model: str = MODEL_ID) -> APIRouter:
    """The /v1 routes over a shared assistant (anything with `ask(question, sources) -> Answer`)."""
    handler = ChatCompletions(assistant, condenser, model)
    router = APIRouter(prefix="/v1")

    @router.get("/models")
    def models() -> dict:
        return {"object": "list", "data": [{"id": model, "object": "model", "created": 0, "owned_by": "policy-rag"}]}

    @router.post("/chat/completions")
    async def chat_completions(request: Request):
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return error_response("request body is not valid JSON")
        try:
            req = parse_request(body)
            # ask() embeds the question and scores chunks: CPU work that must not block the event loop.
            answer, condensed = await run_in_threadpool(handler.answer, req)
        except BadRequest as exc:
            return error_response(str(exc), param=exc.param)
        except ValueError as exc:  # the assistant's own input checks (over-long question …)
            return error_response(str(exc), param="messages")
        except Exception:
            log.exception("chat completion failed")
            return error_response("the assistant failed to answer; see the server log", status=500)
        if req.stream:
            headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
            return StreamingResponse(handler.chunks(answer, condensed), media_type="text/event-stream", headers=headers)
        return handler.completion(answer, condensed)

    return router


def create_api_app(assistant: Asker, condenser: QuestionCondenser, model: str = MODEL_ID) -> FastAPI:
    """A FastAPI app with the /v1 routes; the Gradio UI is mounted onto it by app.py."""
    app = FastAPI(title="教育政策问答 API", docs_url="/v1/docs", openapi_url="/v1/openapi.json", redoc_url=None)
    app.include_router(create_router(assistant, condenser, model))
    return app
