"""An OpenAI-compatible chat-completions backend: the client, and the answer generator behind `Generator`.

`ChatClient` is the one door to the server (Ollama, llama.cpp, vLLM, a hosted API), through the `openai` client
with retries off. Every call runs in a worker thread and is waited for at most the time left of the question's
`Budget` (POLICY_LLM_TIMEOUT of waiting for all the calls of one question together), so a server that hangs, trickles or stops
mid-stream costs the timeout and no more. Any failure — timeout, connection, 429, 5xx, a body that is not a
completion, empty content, a stream without its finish — raises `LLMError`; the callers fall back to the offline
path. After one failure the budget refuses further calls of the same question at once.

`OpenAIGenerator` writes the answer from numbered clauses with [n] markers; the guard checks it afterwards.
The API key is read from the environment by the settings and handed to the client; it is never logged.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from assistant.evidence import Support
from assistant.generator import Draft
from assistant.prompts import PromptLibrary
from assistant.question import Question
from index.models import Chunk

log = logging.getLogger(__name__)

MIN_CALL_SECONDS = 0.05  # less time left than this: the call is not started
ANSWER_TOKENS = 700
MARKER = re.compile(r"\[(\d+)\]")

# What a notice says of each failure.
FAILURES = {
    "timeout": "超时",
    "connection": "无法连接",
    "rate_limited": "请求过多（HTTP 429）",
    "status": "服务出错",
    "malformed": "返回的内容无法读取",
    "empty": "返回为空",
    "cut": "输出中途中断",
    "dropped": "所写的句子都没有通过引用核对",
}

# Failures that say the server is unusable for now: the rest of the question does not call it again.
UNUSABLE = frozenset({"timeout", "connection", "rate_limited", "status", "malformed"})


class LLMError(RuntimeError):
    """A failed LLM call; `kind` is a key of FAILURES."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind, self.detail = kind, detail

    @property
    def said(self) -> str:
        """The failure in words for a notice."""
        what = FAILURES.get(self.kind, self.kind)
        return f"{what}（{self.detail}）" if self.kind == "status" and self.detail else what


@dataclass
class Budget:
    """The time one question may spend waiting for the LLM (its own retrieval and judging do not count), and its
    first failure: no call is retried, and none is made after one failed."""

    seconds: float
    spent: float = 0.0
    failure: LLMError | None = None

    def remaining(self) -> float:
        return self.seconds - self.spent


def classify(exc: BaseException) -> LLMError:
    """Any exception of a call, as an LLMError."""
    import openai

    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return LLMError("timeout")
    if isinstance(exc, openai.APIConnectionError):
        return LLMError("connection", type(exc).__name__)
    if isinstance(exc, openai.RateLimitError):
        return LLMError("rate_limited", "HTTP 429")
    if isinstance(exc, openai.APIStatusError):
        return LLMError("status", f"HTTP {exc.status_code}")
    # A 200 whose body is not a completion: decode and validation errors, or attributes that are not there.
    return LLMError("malformed", type(exc).__name__)


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


_END = object()


class ChatClient:
    """Plain and streamed chat completions, each bounded by the question's budget."""

    def __init__(self, base_url: str, model: str, timeout: float, api_key: str | None = None, client=None) -> None:
        if not base_url:
            raise ValueError("an LLM needs a base URL (POLICY_LLM_BASE_URL)")
        if not model:
            raise ValueError("an LLM needs a model name (POLICY_LLM_MODEL)")
        if timeout <= 0:
            raise ValueError("POLICY_LLM_TIMEOUT must be positive")
        self.base_url, self.model, self.timeout = base_url, model, timeout
        if client is None:
            from openai import OpenAI

            # Local servers ignore the key, but the client insists on one.
            client = OpenAI(base_url=base_url, api_key=api_key or "unused", timeout=timeout, max_retries=0)
        self._client = client

    @classmethod
    def from_settings(cls, settings) -> ChatClient | None:
        """The configured client, or None when no base URL is set."""
        if not settings.llm_base_url:
            return None
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key is not None else None
        return cls(settings.llm_base_url, settings.llm_model, settings.llm_timeout, key)

    @property
    def name(self) -> str:
        return f"llm:{self.model}"

    def budget(self) -> Budget:
        return Budget(self.timeout)

    def complete(self, system: str, user: str, budget: Budget | None = None, max_tokens: int = ANSWER_TOKENS) -> str:
        """The completion's text; LLMError when there is none."""

        def produce(put, cancel, seconds):
            put(self._create(system, user, seconds, max_tokens, stream=False))

        calls = self._bounded(produce, budget)
        try:
            response = next(calls, None)
        finally:
            calls.close()
        try:
            content = response.choices[0].message.content
        except (AttributeError, IndexError, TypeError) as exc:
            raise self._fail(budget, LLMError("malformed", type(exc).__name__)) from exc
        if not isinstance(content, str) or not content.strip():
            raise self._fail(budget, LLMError("empty"))
        return content

    def stream(
        self, system: str, user: str, budget: Budget | None = None, max_tokens: int = ANSWER_TOKENS
    ) -> Iterator[str]:
        """The completion's text as it arrives; LLMError when the stream fails or ends without finishing."""

        def produce(put, cancel, seconds):
            stream = self._create(system, user, seconds, max_tokens, stream=True)
            finished = False
            try:
                for chunk in stream:
                    if cancel.is_set():
                        return
                    for choice in chunk.choices or ():
                        if choice.delta is not None and choice.delta.content:
                            put(choice.delta.content)
                        finished = finished or bool(choice.finish_reason)
            finally:
                stream.close()
            if not finished:
                raise LLMError("cut")

        said = False
        for piece in self._bounded(produce, budget):
            said = said or bool(piece.strip())
            yield piece
        if not said:
            raise self._fail(budget, LLMError("empty"))

    # -- plumbing ----------------------------------------------------------------------------------------------

    def _create(self, system: str, user: str, seconds: float, max_tokens: int, stream: bool):
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        return self._client.chat.completions.create(
            model=self.model,
            messages=messages,
            temperature=0,
            max_tokens=max_tokens,
            stream=stream,
            timeout=seconds,
        )

    def _seconds(self, budget: Budget | None) -> float:
        if budget is None:
            return self.timeout
        if budget.failure is not None:
            raise budget.failure
        left = min(self.timeout, budget.remaining())
        if left < MIN_CALL_SECONDS:
            raise self._fail(budget, LLMError("timeout"))
        return left

    @staticmethod
    def _fail(budget: Budget | None, error: LLMError) -> LLMError:
        if budget is not None and budget.failure is None and error.kind in UNUSABLE:
            budget.failure = error
        log.warning("LLM call failed: %s", error)  # the kind and status only: never the request or the key
        return error

    def _bounded(self, produce: Callable[..., None], budget: Budget | None) -> Iterator[Any]:
        """Run `produce(put, cancel, seconds)` in a worker thread and yield what it puts, until it ends or the
        time is up. A worker left behind by a timeout ends on its own read timeout or at its next piece."""
        seconds = self._seconds(budget)
        items: queue.Queue = queue.Queue()
        cancel = threading.Event()

        def work() -> None:
            try:
                produce(items.put, cancel, seconds)
            except BaseException as exc:  # noqa: BLE001 - every failure is the caller's to classify
                items.put(_Failed(exc))
            finally:
                items.put(_END)

        threading.Thread(target=work, name="llm-call", daemon=True).start()
        started = time.monotonic()
        deadline = started + seconds
        try:
            while True:
                left = deadline - time.monotonic()
                try:
                    item = items.get(timeout=left) if left > 0 else items.get_nowait()
                except queue.Empty:
                    raise self._fail(budget, LLMError("timeout")) from None
                if item is _END:
                    return
                if isinstance(item, _Failed):
                    raise self._fail(budget, classify(item.exc)) from item.exc
                yield item
        finally:
            cancel.set()
            if budget is not None:
                budget.spent += time.monotonic() - started


def number_clauses(supports: list[Support], clause_text: Callable[[Chunk], str] | None = None) -> str:
    """The clauses as the prompts show them: "[n]《title》clause：text", numbered from 1."""
    lines = []
    for n, s in enumerate(supports, start=1):
        c = s.hit.chunk
        text = clause_text(c) if clause_text else c.text
        lines.append(f"[{n}]《{c.title}》{c.path}：{text.strip()}")
    return "\n".join(lines)


class OpenAIGenerator:
    """The `Generator` an LLM fills: numbered clauses in, an answer with [n] markers out (checked by the guard)."""

    def __init__(
        self, client: ChatClient, prompts: PromptLibrary, clause_text: Callable[[Chunk], str] | None = None
    ) -> None:
        self.client, self.prompts, self.clause_text = client, prompts, clause_text

    @property
    def name(self) -> str:
        return self.client.name

    def messages(self, q: Question, supports: list[Support]) -> tuple[str, str]:
        clauses = number_clauses(supports, self.clause_text)
        return self.prompts.render("system"), self.prompts.render("answer", clauses=clauses, question=q.text)

    def generate(self, q: Question, supports: list[Support], budget: Budget | None = None) -> Draft:
        """The whole answer at once. `cited` holds the given clauses its markers name; a marker to a clause it was
        not given stays in the text for the guard to drop."""
        text = self.client.complete(*self.messages(q, supports), budget)
        named = {int(n) for n in MARKER.findall(text)}
        return Draft(text, {n: supports[n - 1] for n in sorted(named) if 1 <= n <= len(supports)})

    def stream(self, q: Question, supports: list[Support], budget: Budget | None = None) -> Iterator[str]:
        return self.client.stream(*self.messages(q, supports), budget)
