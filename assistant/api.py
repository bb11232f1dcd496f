"""An OpenAI-compatible HTTP API: `POST /v1/chat/completions` (plain and SSE streaming) and `GET /v1/models`.

The last user message, condensed with the earlier turns, is answered by the assistant. Besides the usual
OpenAI fields, a response carries `citations` (n, source, title, clause, text, score), `refused`, `nearest`
(the closest clauses of a refusal) and `condensed_question` at the top level, and so does the final stream chunk.
`usage` counts characters, not tokens (no tokenizer is bundled): prompt = the characters of the request's message
texts, completion = the characters of the answer.

Every input is bounded before work is done on it: the body is refused with 413 once it passes `max_request_mb`
(from the Content-Length header, or counted while it streams in), and the question's length is checked before it
is condensed. Errors use OpenAI's `{"error": {"message", "type", "param", "code"}}` body: 400 for a bad request,
404 for an unknown model or an empty index, 413 for a body over the cap, 503 when the index cannot be read, 500
otherwise.
A stream sends each piece as the assistant produces it (`ask_stream`, when the assistant has one).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from assistant.conversation import MAX_QUESTION_CHARS, QuestionCondenser
from assistant.models import Answer

log = logging.getLogger(__name__)

MODEL_ID = "policy-rag"
STREAM_PIECE_CHARS = 12
MB = 1024 * 1024


class Asker(Protocol):
    def ask(self, question: str, sources: list[str] | None = None) -> Answer: ...


class ApiError(Exception):
    """A request the API refuses: the HTTP status and OpenAI's error fields; the message is shown to the client."""

    def __init__(self, message: str, status: int = 400, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.param, self.code = status, param, code


class BadRequest(ApiError, ValueError):
    """A 400: the request itself is wrong."""

    def __init__(self, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message, 400, param, code)


@dataclass(frozen=True)
class ChatRequest:
    """The parts of a chat-completions request the assistant uses."""

    question: str
    history: list[tuple[str, str]]
    stream: bool
    sources: list[str] | None
    prompt_chars: int = 0  # characters of every message's text, for `usage`


def error_response(
    message: str, status: int = 400, param: str | None = None, kind: str = "", code: str | None = None
) -> JSONResponse:
    kind = kind or ("invalid_request_error" if status < 500 else "server_error")
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return JSONResponse(body, status_code=status)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as it is known to pass `limit` bytes: a declared Content-Length is
    checked before anything is read, and a chunked body is counted as it arrives, so memory stays near `limit`."""
    too_large = ApiError(
        f"request body is larger than {limit / MB:g} MB (max_request_mb; set POLICY_MAX_REQUEST_MB to change it)",
        413,
        code="request_too_large",
    )
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise BadRequest("invalid Content-Length header")
        if int(declared) > limit:
            raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


def decode_json(raw: bytes):
    try:
        return json.loads(raw)
    except RecursionError:  # `[[[[…` deeper than the parser's recursion limit
        raise BadRequest("request body is not valid JSON: nested too deeply") from None
    except ValueError:  # JSONDecodeError, and UnicodeDecodeError for bytes that are not UTF-8
        raise BadRequest("request body is not valid JSON") from None


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


def parse_request(body, model: str = MODEL_ID) -> ChatRequest:
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    asked_model = body.get("model")
    if asked_model is not None and not isinstance(asked_model, str):
        raise BadRequest("'model' must be a string", "model")
    if asked_model not in (None, model):
        message = f"The model `{asked_model}` does not exist or you do not have access to it; use `{model}`."
        raise ApiError(message, 404, "model", "model_not_found")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("'messages' must be a non-empty list", "messages")
    turns: list[tuple[str, str]] = []
    prompt_chars = 0
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("system", "developer", "user", "assistant", "tool"):
            raise BadRequest(f"messages[{i}] must be an object with a valid 'role'", "messages")
        text = message_text(m.get("content"))
        prompt_chars += len(text)
        if m["role"] == "user":
            turns.append((text.strip(), ""))
        elif m["role"] == "assistant" and turns and not turns[-1][1]:
            turns[-1] = (turns[-1][0], text)
    if not turns or messages[-1].get("role") != "user":
        raise BadRequest("the last message must come from the user", "messages")
    question = turns[-1][0]
    if not question:
        raise BadRequest("the last user message is empty", "messages")
    if len(question) > MAX_QUESTION_CHARS:
        # Checked here, before the condenser sees it: a long question costs nothing but this comparison.
        raise BadRequest(
            f"the question is too long ({len(question)} characters; limit {MAX_QUESTION_CHARS})",
            "messages",
            "question_too_long",
        )
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise BadRequest("'stream' must be true or false", "stream")
    sources = body.get("sources")
    if sources is not None and (not isinstance(sources, list) or not all(isinstance(s, str) for s in sources)):
        raise BadRequest("'sources' must be a list of document file names", "sources")
    history = [t for t in turns[:-1] if t[0]]
    return ChatRequest(question, history, stream, sources or None, prompt_chars)


def citation_dicts(answer: Answer) -> tuple[list[dict], list[dict]]:
    """(citations, nearest) as the API shows them."""

    def shown(c) -> dict:
        return {"n": c.n, "source": c.source, "title": c.title, "clause": c.clause, "text": c.text, "score": c.score}

    return [shown(c) for c in answer.citations], [shown(c) for c in answer.nearest]


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


def index_unavailable(exc: BaseException) -> bool:
    """Whether a failure says the index cannot be read (a corrupt or missing store), not a bug in the assistant."""
    seen: BaseException | None = exc
    for _ in range(5):  # the store's own error, or what it was raised from
        if seen is None:
            return False
        kind = type(seen)
        if isinstance(seen, (sqlite3.DatabaseError, OSError)) or kind.__module__.split(".")[0] == "chromadb":
            return True
        if kind.__module__ == "index.store":  # StoreUnavailable: a damaged chroma.sqlite3, an unreachable server
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def failure_response(exc: Exception) -> JSONResponse:
    if isinstance(exc, ApiError):
        return error_response(str(exc), exc.status, exc.param, code=exc.code)
    if index_unavailable(exc):  # before ValueError: the store's StoreUnavailable is one
        log.error("the index cannot be read: %s: %s", type(exc).__name__, exc)
        return error_response("the document index cannot be read; see the server log", 503, code="index_unavailable")
    if isinstance(exc, ValueError):  # the assistant's own input checks (empty question …)
        return error_response(str(exc), param="messages")
    log.error("chat completion failed", exc_info=exc)
    return error_response("the assistant failed to answer; see the server log", status=500)


_END = object()


def _next(it: Iterator):
    """`next(it)`, with the end as a value: StopIteration must not cross a thread-pool future."""
    return next(it, _END)


class ChatCompletions:
    """Request handling, kept apart from the routes so it reads top to bottom."""

    def __init__(self, assistant: Asker, condenser: QuestionCondenser, model: str = MODEL_ID) -> None:
        self.assistant, self.condenser, self.model = assistant, condenser, model

    def prepare(self, req: ChatRequest) -> str:
        """The condensed question, once the scope is known to be answerable (documents indexed, sources known)."""
        self.check_scope(req.sources)
        return self.condenser.condense(req.history, req.question)

    def check_scope(self, sources: list[str] | None) -> None:
        records: Callable | None = getattr(self.assistant, "records", None)
        if records is None:  # an assistant that cannot list its documents is trusted with any scope
            return
        known = {r.source for r in records()}
        if not known:
            # 404, not 503: nothing is broken and a retry will not help until documents are added.
            raise ApiError("no documents are indexed yet: add some and try again", 404, code="empty_index")
        unknown = [s for s in sources or () if s not in known]
        if unknown:
            shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
            raise BadRequest(f"unknown document(s) in 'sources': {shown}", "sources", "unknown_source")

    def pieces(self, question: str, sources: list[str] | None) -> Iterator[str | Answer]:
        """The answer's text pieces as they are produced, then the `Answer`."""
        ask_stream = getattr(self.assistant, "ask_stream", None)
        if ask_stream is not None:
            yield from ask_stream(question, sources)
            return
        answer = self.assistant.ask(question, sources)
        yield from split_for_stream(answer.text)
        yield answer

    def complete(self, req: ChatRequest) -> dict:
        condensed = self.prepare(req)
        answer = self.assistant.ask(condensed, req.sources)
        answer.condensed = condensed
        return self.completion(answer, condensed, req.prompt_chars)

    def extras(self, answer: Answer, condensed: str, prompt_chars: int) -> dict:
        citations, nearest = citation_dicts(answer)
        completion_chars = len(answer.text)
        usage = {
            "prompt_tokens": prompt_chars,
            "completion_tokens": completion_chars,
            "total_tokens": prompt_chars + completion_chars,
        }
        return {
            "usage": usage,
            "citations": citations,
            "refused": answer.refused,
            "nearest": nearest,
            "condensed_question": condensed,
            # Who wrote the answer ("extractive" | "llm:<model>"), what the guard dropped, and a notice: why an LLM
            # answer fell back, or that the cited documents write no year to confirm the one asked about.
            "generator": getattr(answer, "generator", "extractive"),
            "dropped": list(getattr(answer, "dropped", [])),
            "notice": getattr(answer, "notice", ""),
        }

    def completion(self, answer: Answer, condensed: str, prompt_chars: int = 0) -> dict:
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": answer.text}, "finish_reason": "stop"}
            ],
            **self.extras(answer, condensed, prompt_chars),
        }

    async def stream(self, req: ChatRequest) -> StreamingResponse:
        """An SSE response. The question is condensed and the first piece produced before the response starts,
        so a bad question is still an error status; later pieces are sent as the assistant yields them."""
        condensed = await run_in_threadpool(self.prepare, req)
        produced = self.pieces(condensed, req.sources)
        first = await run_in_threadpool(_next, produced)
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        events = self.events(first, produced, condensed, req.prompt_chars)
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)

    async def events(self, first, produced: Iterator, condensed: str, prompt_chars: int) -> AsyncIterator[str]:
        base = {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion.chunk", "created": int(time.time())}
        base["model"] = self.model

        def event(delta: dict, finish: str | None = None, **extra) -> str:
            chunk = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
            return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

        answer: Answer | None = None
        try:
            yield event({"role": "assistant", "content": ""})
            item = first
            while item is not _END:
                if isinstance(item, Answer):
                    answer = item
                elif item:
                    yield event({"content": item})
                # Each piece is computed in a worker thread, so a slow generator never blocks the event loop.
                item = await run_in_threadpool(_next, produced)
            if answer is None:
                raise RuntimeError("the assistant's stream ended without an answer")
            answer.condensed = condensed
            yield event({}, "stop", **self.extras(answer, condensed, prompt_chars))
        except Exception as exc:
            # The status line is gone; OpenAI's clients read an error object sent as a stream event.
            body = json.loads(failure_response(exc).body)
            yield f"data: {json.dumps(body, ensure_ascii=False)}\n\n"
        finally:
            # A client that hangs up must not leave the assistant's generator (and any lock it holds) suspended.
            close = getattr(produced, "close", None)
            if close is not None:
                close()
        yield "data: [DONE]\n\n"


def create_router(
    assistant: Asker, condenser: QuestionCondenser, max_request_mb: float | None = None, model: str = MODEL_ID
) -> APIRouter:
    """The /v1 routes over a shared assistant (anything with `ask(question, sources) -> Answer`, optionally
    `ask_stream(question, sources)` yielding text pieces and then the Answer, and `records()` listing the indexed
    documents). `max_request_mb` defaults to the setting of that name."""
    if max_request_mb is None:
        from index.config import Settings

        max_request_mb = Settings().max_request_mb
    limit = int(max_request_mb * MB)
    handler = ChatCompletions(assistant, condenser, model)
    router = APIRouter(prefix="/v1")

    @router.get("/models")
    def models() -> dict:
        return {"object": "list", "data": [{"id": model, "object": "model", "created": 0, "owned_by": "policy-rag"}]}

    @router.post("/chat/completions")
    async def chat_completions(request: Request):
        try:
            req = parse_request(decode_json(await read_body(request, limit)), model)
            if req.stream:
                return await handler.stream(req)
            # Condensing, embedding the question and scoring chunks are CPU work that must not block the event loop.
            return await run_in_threadpool(handler.complete, req)
        except Exception as exc:
            return failure_response(exc)

    return router


def create_api_app(
    assistant: Asker, condenser: QuestionCondenser, max_request_mb: float | None = None, model: str = MODEL_ID
) -> FastAPI:
    """A FastAPI app with the /v1 routes; the Gradio UI is mounted onto it by app.py."""
    app = FastAPI(title="教育政策问答 API", docs_url="/v1/docs", openapi_url="/v1/openapi.json", redoc_url=None)
    app.include_router(create_router(assistant, condenser, max_request_mb, model))
    return app
