"""A stand-in for an LLM: a real HTTP server on 127.0.0.1 speaking the chat-completions protocol, plain and streamed.

It is no model. Each test scripts its replies per prompt (answer, condense, rewrite, answerability, told apart by
the prompt's first line) and may make them fail: a delay past the client's timeout, an HTTP status (429, 503), a
body that is not a completion, empty content, or a stream that stops without finishing. It checks the protocol,
the citation guard and the fallbacks, not a model's quality.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from assistant.prompts import VARIABLES, PromptLibrary

CLAUSE_LINE = re.compile(r"^\[(\d+)\]《[^》]*》[^：]*：(.*)$", re.M)


@dataclass
class Reply:
    """One scripted reply. `content` may be a function of the user prompt."""

    content: str | Callable[[str], str] = ""
    status: int = 200
    delay: float = 0.0  # seconds before anything is sent
    body: str | None = None  # sent as it is instead of a completion (garbage)
    cut_after: int | None = None  # streamed: stop after this many pieces, without a finish_reason
    piece_chars: int = 5


@dataclass
class Seen:
    """A request as the server received it."""

    kind: str
    user: str
    stream: bool
    model: str
    authorization: str


def clauses_in(prompt: str) -> dict[int, str]:
    """The numbered clauses of an answer or answerability prompt: {n: text}."""
    return {int(n): text.strip() for n, text in CLAUSE_LINE.findall(prompt)}


class StandInLLM:
    """The server: `url` for the client, `replies[kind]` to script, `seen` to check what was asked."""

    def __init__(self) -> None:
        prompts = PromptLibrary()
        self.tasks = {name: prompts[name].task for name in VARIABLES if name != "system"}
        self.replies: dict[str, Reply] = {}
        self.seen: list[Seen] = []
        self.stopping = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> StandInLLM:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def reset(self, **replies: Reply) -> None:
        self.replies, self.seen = dict(replies), []

    def kinds(self) -> list[str]:
        return [s.kind for s in self.seen]

    def kind_of(self, user: str) -> str:
        return next((k for k, task in self.tasks.items() if user.startswith(task)), "unknown")

    def _handler(self):
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, json.dumps({"error": {"message": "not found"}}))
                    return
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                user = next((m["content"] for m in request["messages"] if m["role"] == "user"), "")
                kind = stand_in.kind_of(user)
                stream = bool(request.get("stream"))
                auth = self.headers.get("Authorization", "")
                stand_in.seen.append(Seen(kind, user, stream, request.get("model", ""), auth))
                reply = stand_in.replies.get(kind, Reply(status=500, body='{"error": {"message": "unscripted"}}'))
                if reply.delay and stand_in.stopping.wait(reply.delay):
                    return
                # The client may have given up first: that is what a timeout test wants.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._reply(reply, user, stream, request.get("model", ""))

            def _reply(self, reply: Reply, user: str, stream: bool, model: str) -> None:
                if reply.status != 200:
                    self._send(reply.status, reply.body or json.dumps({"error": {"message": "stand-in failure"}}))
                    return
                if reply.body is not None:
                    self._send(200, reply.body)
                    return
                content = reply.content(user) if callable(reply.content) else reply.content
                base = {"id": "chatcmpl-standin", "created": int(time.time()), "model": model}
                if not stream:
                    message = {"role": "assistant", "content": content}
                    body = {**base, "object": "chat.completion", "usage": None}
                    body["choices"] = [{"index": 0, "message": message, "finish_reason": "stop"}]
                    self._send(200, json.dumps(body, ensure_ascii=False))
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                pieces = [content[i : i + reply.piece_chars] for i in range(0, len(content), reply.piece_chars)]

                def event(delta: dict, finish: str | None = None) -> None:
                    chunk = {**base, "object": "chat.completion.chunk"}
                    chunk["choices"] = [{"index": 0, "delta": delta, "finish_reason": finish}]
                    self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                    self.wfile.flush()

                event({"role": "assistant", "content": ""})
                for i, piece in enumerate(pieces):
                    if reply.cut_after is not None and i >= reply.cut_after:
                        return  # the connection closes mid-answer: no finish_reason, no [DONE]
                    event({"content": piece})
                event({}, "stop")
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _send(self, status: int, body: str) -> None:
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
