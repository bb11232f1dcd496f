"""Query rewriting: the question said again in the documents' vocabulary, retrieved as an extra query.

A parent asks "娃上学要交啥钱"; the documents say "义务教育阶段学生收费". The LLM's rewrite is retrieved as a second
query and its ranking fused with the original's by reciprocal rank fusion (Σ 1 / (rrf_k + rank)), the original
winning ties, so the rewrite can bring a clause in but never pushes the original's best hit below one it merely
ties. The judge still reads the original question: the rewrite only widens what it looks at.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.llm import Budget, ChatClient, LLMError
from assistant.models import Hit
from assistant.prompts import PromptLibrary

MAX_REWRITE_CHARS = 120
REWRITE_TOKENS = 120
# What models put around the one line they were asked for.
_LEAD_IN = re.compile(r"^(?:改写后的?(?:检索语句|问题)?|检索语句|答案|输出)\s*[:：]\s*")
_QUOTES = "\"'“”‘’「」『』《》` "


def one_line(text: str, max_chars: int) -> str | None:
    """The first non-empty line without lead-in or quotes, or None when that is empty or too long."""
    line = next((ln.strip() for ln in text.strip().splitlines() if ln.strip()), "")
    line = _LEAD_IN.sub("", line).strip(_QUOTES)
    return line if line and len(line) <= max_chars else None


def fuse(original: list[Hit], extra: list[Hit], k: int, rrf_k: int = 60) -> list[Hit]:
    """The two rankings as one, by reciprocal rank fusion; each chunk keeps the Hit (and score) the original
    query gave it, else the rewrite's."""
    scores: dict[str, float] = {}
    hits: dict[str, Hit] = {}
    for ranking in (original, extra):
        for rank, hit in enumerate(ranking, start=1):
            key = hit.chunk.id
            scores[key] = scores.get(key, 0.0) + 1.0 / (rrf_k + rank)
            hits.setdefault(key, hit)
    first_seen = {key: i for i, key in enumerate(hits)}  # original order breaks ties
    ranked = sorted(hits, key=lambda key: (-scores[key], first_seen[key]))
    return [hits[key] for key in ranked[:k]]


class QueryRewriter:
    """Asks the LLM for the question in the documents' wording; None when it fails or says nothing new."""

    def __init__(self, client: ChatClient, prompts: PromptLibrary) -> None:
        self.client, self.prompts = client, prompts

    def __call__(self, question: str, budget: Budget | None = None) -> str | None:
        try:
            out = self.client.complete(
                self.prompts.render("system"), self.prompts.render("rewrite", question=question), budget, REWRITE_TOKENS
            )
        except LLMError:
            return None
        line = one_line(out, MAX_REWRITE_CHARS)
        return line if line and line != question.strip() else None

    def widen(
        self, question: str, hits: list[Hit], retrieve: Callable[[str], list[Hit]], k: int, budget: Budget | None
    ) -> list[Hit]:
        """The original hits fused with those of the rewritten question (the original hits when there is none)."""
        rewritten = self(question, budget)
        if rewritten is None:
            return hits
        return fuse(hits, retrieve(rewritten), k)
