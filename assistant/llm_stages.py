"""What the assistant asks an LLM when one is configured, each with its offline fallback.

* follow-ups: `LLMCondenser` rewrites a follow-up into a standalone question; the rule-based `Condenser` answers
  when the LLM fails or says something unusable;
* retrieval: `QueryRewriter` (assistant/rewrite.py) adds a query in the documents' vocabulary;
* answerability: `SecondOpinion` may turn a refusal that rests only on wording coverage (`OVERRIDABLE`) into an
  answer, from the clauses the judge would have answered from had wording not decided, and only from those the
  LLM names. A refusal for an unknown region, a year, a missing figure kind or a document fact never reaches it,
  and it is never asked about a question the judge answers: the LLM is never the only reason to answer;
* answers: `LLMStages.answer` / `answer_stream` write the answer through `OpenAIGenerator`, every statement
  checked by `StreamGuard` as it arrives. Failures come back as an `LLMOutcome` with no text and a failure, and
  the pipeline answers extractively with a notice.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from assistant.evidence import EvidenceJudge, Support, Verdict
from assistant.generator import to_script
from assistant.guard import Statements, StreamGuard
from assistant.llm import Budget, ChatClient, LLMError, OpenAIGenerator, number_clauses
from assistant.models import Hit
from assistant.prompts import PromptLibrary
from assistant.question import Question
from assistant.rewrite import QueryRewriter, one_line
from index.models import Chunk

log = logging.getLogger(__name__)

# Judge refusals that rest on the question's wording, not on a fact the documents lack.
OVERRIDABLE = frozenset({"absent_terms", "focus_absent"})
CONDENSE_TOKENS = 200
OPINION_TOKENS = 60
HISTORY_TURNS = 4
HISTORY_ANSWER_CHARS = 200
_JSON_OBJECT = re.compile(r"\{.*?\}", re.S)


def notice_for(error: LLMError) -> str:
    return f"大模型回答{error.said}，以下为从条款中摘录的答案。"


class LLMCondenser:
    """Follow-ups condensed by the LLM; the rule-based condenser when it fails or answers off the point."""

    def __init__(self, client: ChatClient, prompts: PromptLibrary, fallback, max_chars: int = 500) -> None:
        self.client, self.prompts, self.fallback, self.max_chars = client, prompts, fallback, max_chars

    def condense(self, history: list[tuple[str, str]], question: str) -> str:
        question = (question or "").strip()
        turns = [(u.strip(), (a or "").strip()) for u, a in history if u and u.strip()][-HISTORY_TURNS:]
        if not turns or not question:
            return self.fallback.condense(history, question)  # a first question stands alone
        lines = []
        for user, answer in turns:
            lines.append(f"用户：{user}")
            if answer:
                lines.append(f"助手：{answer[:HISTORY_ANSWER_CHARS]}")
        user_prompt = self.prompts.render("condense", history="\n".join(lines), question=question)
        try:
            out = self.client.complete(
                self.prompts.render("system"), user_prompt, self.client.budget(), CONDENSE_TOKENS
            )
        except LLMError:
            return self.fallback.condense(history, question)
        return one_line(out, min(self.max_chars, 2 * len(question) + 120)) or self.fallback.condense(history, question)


def parse_opinion(text: str, given: int) -> list[int] | None:
    """The clause numbers of `{"answering": [...]}`, in the order given, within 1..given; None when unreadable."""
    for candidate in [text.strip(), *_JSON_OBJECT.findall(text)]:
        try:
            data = json.loads(candidate)
        except (json.JSONDecodeError, ValueError):
            continue
        numbers = data.get("answering") if isinstance(data, dict) else None
        if isinstance(numbers, list) and all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
            return [n for n in dict.fromkeys(numbers) if 1 <= n <= given]
    return None


class SecondOpinion:
    """The LLM's opinion on which candidate clauses answer, asked only about a wording-coverage refusal."""

    def __init__(self, client: ChatClient, prompts: PromptLibrary, clause_text: Callable[[Chunk], str] | None) -> None:
        self.client, self.prompts, self.clause_text = client, prompts, clause_text

    def __call__(
        self, q: Question, hits: list[Hit], scope: set[str] | None, verdict: Verdict, judge: EvidenceJudge, budget
    ) -> Verdict:
        if verdict.answerable or verdict.reason not in OVERRIDABLE or not hits:
            return verdict
        # The judge again with the wording checks off: its other reasons (a year, a figure kind) still refuse.
        # (model_copy skips validation on purpose: -1 matched terms is "never", outside the range a user may set.)
        relaxed = judge.settings.model_copy(update={"absent_enough": 10**9, "absent_max_matched": -1, "focus_depth": 0})
        candidates = EvidenceJudge(judge.idf, judge.vocabulary, judge.matcher, relaxed)(q, hits, scope)
        if not candidates.answerable or not candidates.supports:
            return verdict
        supports = candidates.supports
        user = self.prompts.render("answerability", clauses=number_clauses(supports, self.clause_text), question=q.text)
        try:
            out = self.client.complete(self.prompts.render("system"), user, budget, OPINION_TOKENS)
        except LLMError:
            return verdict
        named = parse_opinion(out, len(supports))
        if not named:
            return verdict
        log.info("second opinion: clauses %s answer a %s refusal", named, verdict.reason)
        return Verdict(True, "second_opinion", [supports[n - 1] for n in named])


@dataclass
class LLMOutcome:
    """What the LLM's answer came to: the kept statements (citation-numbered), the given clause numbers in
    citation order, the dropped statements, and the failure when nothing usable came."""

    text: str = ""
    order: list[int] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    failure: LLMError | None = None
    streamed: bool = False  # some statement was already handed out before the failure

    @property
    def notice(self) -> str:
        return notice_for(self.failure) if self.failure else ""


class LLMStages:
    """The LLM's parts of the pipeline, over one client and one prompt library."""

    def __init__(
        self,
        client: ChatClient,
        prompts: PromptLibrary | None = None,
        clause_text: Callable[[Chunk], str] | None = None,
    ) -> None:
        self.client = client
        self.prompts = prompts or PromptLibrary()
        self.generator = OpenAIGenerator(client, self.prompts, clause_text)
        self.rewriter = QueryRewriter(client, self.prompts)
        self.second_opinion = SecondOpinion(client, self.prompts, clause_text)
        self.clause_text = clause_text

    @classmethod
    def from_settings(cls, settings) -> LLMStages | None:
        client = ChatClient.from_settings(settings)
        return cls(client) if client is not None else None

    def bind(self, clause_text: Callable[[Chunk], str]) -> None:
        """Show the LLM whole clauses (all parts), as the citations and the guard see them."""
        self.clause_text = self.generator.clause_text = self.second_opinion.clause_text = clause_text

    @property
    def name(self) -> str:
        return self.client.name

    def budget(self) -> Budget:
        return self.client.budget()

    def condenser(self, rules) -> LLMCondenser:
        return LLMCondenser(self.client, self.prompts, rules)

    def _given(self, supports: list[Support]) -> dict[int, str]:
        text = self.clause_text or (lambda c: c.text)
        return {n: text(s.hit.chunk) for n, s in enumerate(supports, start=1)}

    def answer(self, q: Question, supports: list[Support], budget: Budget | None) -> LLMOutcome:
        """The LLM's answer at once, every statement guarded."""
        outcome = LLMOutcome()
        for _piece in self._guarded(q, supports, budget, outcome, streamed=False):
            pass
        return outcome

    def stream_into(
        self, q: Question, supports: list[Support], budget: Budget | None, outcome: LLMOutcome
    ) -> Iterator[str]:
        """Each guard-passed statement as soon as it is complete; `outcome` is filled when the stream ends."""
        yield from self._guarded(q, supports, budget, outcome, streamed=True)

    def _guarded(
        self, q: Question, supports: list[Support], budget: Budget | None, outcome: LLMOutcome, streamed: bool
    ) -> Iterator[str]:
        guard = StreamGuard(self._given(supports))
        kept: list[str] = []
        try:
            if streamed:
                pieces = self.generator.stream(q, supports, budget)
            else:
                pieces = iter([self.generator.generate(q, supports, budget).text])
            cutter = Statements()
            for piece in _then_none(pieces):
                for statement in cutter.feed(piece) if piece is not None else cutter.close():
                    passed = guard(statement)
                    if passed is not None:
                        kept.append(to_script(passed, q.script))
                        outcome.streamed = streamed
                        yield kept[-1]
        except LLMError as exc:
            outcome.failure, outcome.dropped = exc, guard.dropped
            return
        outcome.dropped, outcome.order = guard.dropped, guard.order
        if not kept:
            outcome.failure = LLMError("dropped")
            return
        outcome.text = "".join(kept)


def _then_none(pieces: Iterator[str]) -> Iterator[str | None]:
    """The pieces, then None for the end of the stream."""
    yield from pieces
    yield None
