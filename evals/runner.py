"""Run the gold questions through one or more pipelines and collect scored per-question records.

Pipelines: `hybrid`, `dense`, `bm25` (the assistant with each retriever, from `assistant.pipeline.build_assistant`)
and `baseline` (llama-index out of the box, `evals.baseline`). All of them share one loaded embedder. For every
question the runner asks the retriever for its top `RETRIEVE_K` chunks (retrieval metrics, unscoped, so the
retrievers are compared on equal terms) and asks the pipeline for an answer (citation, keyword, refusal,
unsupported-figure and latency metrics, with whatever document scoping the pipeline does itself).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from evals import metrics

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "evals" / "gold.jsonl"
UNSEEN_DOCS = ROOT / "evals" / "unseen" / "docs"
UNSEEN_GOLD = ROOT / "evals" / "unseen" / "gold.jsonl"
THRESHOLDS = ROOT / "evals" / "thresholds.json"
PIPELINES = ("hybrid", "hybrid_rrf", "dense", "bm25", "baseline")
LABELS = {
    "hybrid": "hybrid (convex)",
    "hybrid_rrf": "hybrid (RRF)",
    "dense": "dense only",
    "bm25": "BM25 only",
    "baseline": "llama-index baseline",
}
RETRIEVE_K = 10
REQUIRED_KEYS = ("id", "question", "persona", "doc", "clause_path", "evidence", "answer_keywords", "type")


def load_gold(path: Path) -> list[dict]:
    """Gold items from a JSONL file; raises ValueError naming the line of a malformed item."""
    items = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: not JSON: {exc}") from exc
            missing = [k for k in REQUIRED_KEYS if k not in item]
            if missing:
                raise ValueError(f"{path}:{lineno}: missing keys {missing}")
            items.append(item)
    if not items:
        raise ValueError(f"{path}: no gold items")
    return items


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def build_pipeline(name: str, settings, embedder):
    if name == "baseline":
        from evals.baseline import BaselineAssistant

        return BaselineAssistant(settings.docs_dir, embedder, cache_dir=settings.data_dir / "eval_cache")
    from assistant.pipeline import build_assistant

    if name == "hybrid_rrf":
        # The same pipeline with reciprocal rank fusion instead of score fusion: the ablation that chose convex.
        return build_assistant(settings.model_copy(update={"fusion": "rrf"}), embedder=embedder, retriever="hybrid")
    return build_assistant(settings, embedder=embedder, retriever=name)


def _rel(path) -> str:
    """A path relative to the repo when it is inside it, so the report does not depend on the checkout folder."""
    p = Path(path).resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)


def evaluate(pipeline, gold: list[dict], name: str = "", progress: bool = True) -> list[dict]:
    """Score every gold item against one pipeline; an exception on one question is recorded, not raised."""
    records = []
    for i, item in enumerate(gold, start=1):
        q = item["question"]
        errors = []
        # ask before retrieve, so the timed call never profits from anything the retrieval call warmed up.
        t0 = time.perf_counter()
        try:
            answer = pipeline.ask(q)
            text, refused, reason = answer.text or "", bool(answer.refused), getattr(answer, "reason", "")
            citations, latency = list(answer.citations), float(answer.latency_ms or 0.0)
            nearest = list(getattr(answer, "nearest", None) or [])
        except Exception as exc:  # noqa: BLE001 - one broken question must not hide the other 179
            text, refused, reason, citations, nearest = "", False, "error", [], []
            latency = (time.perf_counter() - t0) * 1000
            errors.append(f"ask: {type(exc).__name__}: {exc}")
        try:
            hits = pipeline.retriever.retrieve(q, RETRIEVE_K, None)
        except Exception as exc:  # noqa: BLE001
            hits = []
            errors.append(f"retrieve: {type(exc).__name__}: {exc}")
        error = "; ".join(errors)
        rec = metrics.score_item(
            item,
            [(h.chunk.source, h.chunk.text) for h in hits],
            text,
            refused,
            [(c.source, c.text) for c in citations],
            latency,
        )
        rec.update(
            question=q,
            expected=[
                {"doc": d, "clause": c}
                for d, c in zip(
                    metrics.as_list(item.get("doc")), metrics.as_list(item.get("clause_path")), strict=False
                )
            ],
            retrieved=[{"doc": h.chunk.source, "clause": h.chunk.path} for h in hits[:3]],
            answer=text[:160],
            reason=reason,
            citations=[{"n": c.n, "doc": c.source, "clause": c.clause} for c in citations[:3]],
            nearest=[{"doc": c.source, "clause": c.clause} for c in nearest[:3]],
            error=error,
        )
        records.append(rec)
        if progress and (i % 30 == 0 or i == len(gold)):
            print(f"  {name}: {i}/{len(gold)}", file=sys.stderr, flush=True)
    return records


def _corpus(settings, pipelines: dict[str, Any]) -> dict[str, Any]:
    docs_dir = Path(settings.docs_dir)
    files = sorted(p for p in docs_dir.iterdir() if p.is_file()) if docs_dir.is_dir() else []
    info: dict[str, Any] = {
        "docs_dir": _rel(docs_dir),
        "files": len(files),
        "chars": sum(len(p.read_text(encoding="utf-8", errors="replace")) for p in files),
    }
    for name, pipe in pipelines.items():
        if name == "baseline":
            info["baseline_chunks"] = len(pipe.chunks)
        elif "chunks" not in info and hasattr(pipe, "index"):
            # Same store for hybrid/dense/bm25: read it once.
            info["chunks"] = len(pipe.index.chunks)
            info["documents"] = {r.source: r.title for r in pipe.index.store.records()}
    return info


def run(
    gold_path: Path = GOLD,
    names: tuple[str, ...] = PIPELINES,
    settings=None,
    command: str = "",
    limit: int | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Evaluate the named pipelines on the gold set; returns the results document (see report.write_outputs)."""
    from index.config import Settings
    from index.embedder import make_embedder

    started = time.perf_counter()
    settings = settings or Settings()
    gold = load_gold(Path(gold_path))
    if limit:
        gold = gold[:limit]
    embedder = make_embedder(settings)
    embedder.embed(["预热"], "query")  # load the model now so the first question's latency is not the load time

    pipelines: dict[str, Any] = {}
    timings: dict[str, dict[str, float]] = {}
    for name in names:
        t0 = time.perf_counter()
        pipelines[name] = build_pipeline(name, settings, embedder)
        # One untimed question first, so one-time lazy loads (jieba, OpenCC, caches) do not land on g001.
        pipelines[name].ask("学校的教师培训经费怎么安排?")
        timings[name] = {"build_s": round(time.perf_counter() - t0, 2)}
        if progress:
            print(f"built {name} in {timings[name]['build_s']} s", file=sys.stderr, flush=True)

    results: dict[str, Any] = {
        "meta": {
            "date": datetime.now().astimezone().isoformat(timespec="seconds"),
            "commit": git_commit(),
            "command": command,
            "gold": _rel(gold_path),
            "gold_items": len(gold),
            "gold_types": {t: sum(1 for g in gold if g["type"] == t) for t in metrics.TYPES},
            "embedder": embedder.name,
            "data_dir": _rel(settings.data_dir),
            "retrieve_k": RETRIEVE_K,
            "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
            "cpus": os.cpu_count(),
            "pipelines": list(names),
            "labels": {n: LABELS[n] for n in names},
        },
        "pipelines": {},
        "records": {},
    }
    results["meta"]["corpus"] = _corpus(settings, pipelines)
    for name in names:
        t0 = time.perf_counter()
        records = evaluate(pipelines[name], gold, name, progress)
        timings[name]["eval_s"] = round(time.perf_counter() - t0, 2)
        summary = metrics.summarise(records)
        summary["errors"] = sum(1 for r in records if r["error"])
        results["pipelines"][name] = {
            "summary": summary,
            "by_type": metrics.breakdown(records, "type", metrics.TYPES),
            "by_persona": metrics.breakdown(records, "persona", metrics.PERSONAS),
            "timing": timings[name],
        }
        results["records"][name] = records
    if "hybrid" in names and not limit and UNSEEN_GOLD.exists():
        results["unseen"] = evaluate_unseen(settings, embedder, progress)
    results["meta"]["runtime_s"] = round(time.perf_counter() - started, 1)
    return results


def evaluate_unseen(settings, embedder, progress: bool = True) -> dict[str, Any]:
    """The hybrid pipeline on documents the parser was not written against (Word, PDF, HTML, GBK/Big5 text),
    indexed in their own data folder, scored with the same metrics: the "unseen formats" row of the report."""
    from assistant.pipeline import build_assistant
    from index.builder import IndexBuilder
    from index.chunker import Chunker
    from index.store import ClauseStore, make_client

    unseen = settings.model_copy(update={"docs_dir": UNSEEN_DOCS, "data_dir": settings.data_dir / "eval_unseen"})
    store = ClauseStore(make_client(unseen), unseen.collection, embedder.name)
    report = IndexBuilder(store, embedder, Chunker(unseen.max_chunk_chars), unseen.embed_batch).run(
        UNSEEN_DOCS, progress=False
    )
    if report.failed:
        raise RuntimeError(f"unseen documents failed to index: {report.failed}")
    gold = load_gold(UNSEEN_GOLD)
    records = evaluate(build_assistant(unseen, embedder=embedder), gold, "hybrid", progress)
    return {
        "gold": _rel(UNSEEN_GOLD),
        "documents": len(report.added) + len(report.unchanged) + len(report.updated),
        "summary": metrics.summarise(records),
        "by_type": metrics.breakdown(records, "type", metrics.TYPES),
        "records": records,
    }


def load_thresholds(path: Path = THRESHOLDS) -> dict[str, float]:
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    if not isinstance(raw, dict) or not all(isinstance(v, int | float) for v in raw.values()):
        raise ValueError(f"{path}: expected an object of metric name → minimum value")
    return {k: float(v) for k, v in raw.items()}
