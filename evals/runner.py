"""Run gold sets through pipelines and collect scored per-question records, set by set.

Pipelines: `hybrid` (the project: `assistant.pipeline.build_assistant`), `baseline` (llama-index out of the box,
`evals.baseline`), `hybrid_baseline` (the project's hybrid retrieval, top hits cited, never refusing,
`evals.hybrid_baseline`), and the retrieval ablations `hybrid_rrf`, `dense`, `bm25` (the project with another
retriever). All share one loaded embedder. Each corpus (seeds, ncpqa, unseen) gets its own index under the data
folder, brought in line with its documents incrementally (`evals.sets.build_index`); seeds-dev and seeds-test share
the seeds corpus, so its pipelines are built once.

`generator` chooses who writes the project pipelines' answers: "extractive" (the default; an LLM configured in
the environment is ignored) or "llm" (the LLM of POLICY_LLM_BASE_URL / POLICY_LLM_MODEL, with its query rewriting,
second opinion and guard; the summary then counts the answers it wrote and the fallbacks). The baselines are
never changed by it.

For every question the runner asks the pipeline for an answer (citation, keyword, refusal, unsupported-figure and
latency metrics, with whatever scoping the pipeline does itself) and then asks its retriever for the top
`RETRIEVE_K` chunks unscoped (retrieval metrics, the retrievers compared on equal terms).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from evals import metrics
from evals.gold import load_gold
from evals.sets import NCPQA_DIR, ROOT, GoldSet, build_index, gold_sets, missing_reason

THRESHOLDS = ROOT / "evals" / "thresholds.json"
PROJECT = "hybrid"
PIPELINES = ("hybrid", "baseline", "hybrid_baseline", "hybrid_rrf", "dense", "bm25")
DEFAULT_PIPELINES = ("hybrid", "baseline", "hybrid_baseline")
LABELS = {
    "hybrid": "project (hybrid)",
    "baseline": "llama-index baseline",
    "hybrid_baseline": "hybrid baseline",
    "hybrid_rrf": "project, RRF fusion",
    "dense": "project, dense only",
    "bm25": "project, BM25 only",
}
RETRIEVE_K = 10
GENERATORS = ("extractive", "llm")
WARM_UP = "学校的教师培训经费怎么安排?"


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _rel(path) -> str:
    """A path relative to the repo (or its parent, for ../shared), so the report does not name the checkout."""
    p = Path(path).resolve()
    for base, prefix in ((ROOT, ""), (ROOT.parent, "../")):
        if p.is_relative_to(base):
            return prefix + str(p.relative_to(base))
    return str(p)


def build_pipeline(name: str, settings, embedder, built: dict[str, Any]):
    """One pipeline over the corpus of `settings`; `built` holds the ones already built for this corpus."""
    if name == "baseline":
        from evals.baseline import BaselineAssistant

        # One vector cache for every corpus: it is keyed by the chunk texts, so corpora never collide.
        return BaselineAssistant(settings.docs_dir, embedder, cache_dir=settings.data_dir.parent / "eval_cache")
    from assistant.pipeline import build_assistant

    if name == "hybrid_baseline":
        from evals.hybrid_baseline import HybridBaseline

        project = built.get(PROJECT) or build_assistant(settings, embedder=embedder, retriever="hybrid")
        return HybridBaseline(project)
    if name == "hybrid_rrf":
        # The project with reciprocal rank fusion instead of score fusion: the ablation that chose convex.
        return build_assistant(settings.model_copy(update={"fusion": "rrf"}), embedder=embedder, retriever="hybrid")
    return build_assistant(settings, embedder=embedder, retriever=name)


def indexed_units(pipeline) -> dict[str, list[str]]:
    """source → normalised texts of the units the pipeline can cite (whole clauses, or the baseline's chunks)."""
    units: dict[str, list[str]] = {}
    if hasattr(pipeline, "clause_text") and hasattr(pipeline, "index"):
        for c in pipeline.index.chunks:
            units.setdefault(c.source, []).append(metrics.normalise(pipeline.clause_text(c)))
    elif hasattr(pipeline, "chunks"):
        for c in pipeline.chunks.values():
            units.setdefault(c.source, []).append(metrics.normalise(c.text))
    return units


def reachable(units: dict[str, list[str]], item: dict) -> bool:
    """Whether some single unit of a gold document holds that document's evidence (else no citation can)."""
    for doc, ev in metrics.evidence_pairs(item):
        needle = metrics.normalise(ev)
        if needle and any(needle in text for text in units.get(doc, ())):
            return True
    return False


def evaluate(
    pipeline, gold: list[dict], name: str = "", progress: bool = True, public: bool = True, units=None
) -> list[dict]:
    """Score every gold item against one pipeline; an exception on one question is recorded, not raised.

    With `public` False the records keep ids, documents, clause paths and scores but no question or answer text.
    """
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
            written = (getattr(answer, "generator", ""), bool(getattr(answer, "notice", "")))
        except Exception as exc:  # noqa: BLE001 - one broken question must not hide the others
            text, refused, reason, citations, nearest, written = "", False, "error", [], [], ("", False)
            latency = (time.perf_counter() - t0) * 1000
            errors.append(f"ask: {type(exc).__name__}: {exc}")
        try:
            hits = pipeline.retriever.retrieve(q, RETRIEVE_K, None)
        except Exception as exc:  # noqa: BLE001
            hits = []
            errors.append(f"retrieve: {type(exc).__name__}: {exc}")
        rec = metrics.score_item(
            item,
            [(h.chunk.source, h.chunk.text) for h in hits],
            text,
            refused,
            [(c.source, c.text) for c in citations],
            latency,
        )
        if units is not None and rec["answerable"]:
            rec["reachable"] = reachable(units, item)
        if public:
            rec["question"] = q
        rec.update(
            group=item.get("group"),
            expected=[
                {"doc": d, "clause": c}
                for d, c in zip(
                    metrics.as_list(item.get("doc")),
                    metrics.as_list(item.get("clause_path")) or [None] * len(metrics.as_list(item.get("doc"))),
                    strict=False,
                )
            ],
            retrieved=[{"doc": h.chunk.source, "clause": h.chunk.path} for h in hits[:3]],
            reason=reason,
            citations=[{"n": c.n, "doc": c.source, "clause": c.clause} for c in citations[:3]],
            nearest=[{"doc": c.source, "clause": c.clause} for c in nearest[:3]],
            error="; ".join(errors),
            generator=written[0],
            fallback=written[1],
        )
        if public:
            rec["answer"] = text[:160]
        records.append(rec)
        if progress and (i % 50 == 0 or i == len(gold)):
            print(f"  {name}: {i}/{len(gold)}", file=sys.stderr, flush=True)
    return records


def _corpus_info(settings, pipelines: dict[str, Any], index_report) -> dict[str, Any]:
    docs_dir = Path(settings.docs_dir)
    files = sorted(p for p in docs_dir.iterdir() if p.is_file()) if docs_dir.is_dir() else []
    info: dict[str, Any] = {
        "docs_dir": _rel(docs_dir),
        "files": len(files),
        "chars": sum(len(p.read_text(encoding="utf-8", errors="replace")) for p in files),
        "index": index_report.as_dict(),
    }
    for name, pipe in pipelines.items():
        if name == "baseline":
            info["baseline_chunks"] = len(pipe.chunks)
        elif "chunks" not in info and hasattr(pipe, "index"):
            info["chunks"] = len(pipe.index.chunks)
    return info


def summarise_set(records: list[dict]) -> dict[str, Any]:
    summary = metrics.summarise(records)
    summary["errors"] = sum(1 for r in records if r.get("error"))
    if any(str(r.get("generator", "")).startswith("llm:") or r.get("fallback") for r in records):
        summary["llm_answers"] = sum(1 for r in records if str(r.get("generator", "")).startswith("llm:"))
        summary["llm_fallbacks"] = sum(1 for r in records if r.get("fallback"))
    return summary


def _log(progress: bool, message: str) -> None:
    if progress:
        print(message, file=sys.stderr, flush=True)


def run(
    set_names: tuple[str, ...],
    names: tuple[str, ...] = DEFAULT_PIPELINES,
    settings=None,
    command: str = "",
    limit: int | None = None,
    progress: bool = True,
    ncpqa_dir: Path = NCPQA_DIR,
    generator: str = "extractive",
) -> dict[str, Any]:
    """Evaluate the named pipelines on the named sets; returns the results document (see `evals.report`).

    A set whose gold file or documents folder is missing is skipped with a note in `meta.skipped`, never an error.
    """
    from index.config import Settings
    from index.embedder import make_embedder

    started = time.perf_counter()
    settings = settings or Settings()
    if generator not in GENERATORS:
        raise ValueError(f"unknown generator {generator!r}: choose {' or '.join(GENERATORS)}")
    if generator == "llm" and not settings.llm_base_url:
        raise ValueError("--generator llm needs an LLM: set POLICY_LLM_BASE_URL (and POLICY_LLM_MODEL); see README")
    if generator == "extractive":
        settings = settings.model_copy(update={"llm_base_url": None})  # an LLM in the environment is not scored
    every = gold_sets(Path(ncpqa_dir))
    chosen: list[GoldSet] = [every[s] for s in set_names]
    skipped = {gs.name: why for gs in chosen if (why := missing_reason(gs))}
    for why in skipped.values():
        print(f"note: skipping {why}", file=sys.stderr, flush=True)
    chosen = [gs for gs in chosen if gs.name not in skipped]

    embedder = make_embedder(settings)
    embedder.embed(["预热"], "query")  # load the model now so the first question's latency is not the load time
    results: dict[str, Any] = {
        "meta": {
            "date": datetime.now().astimezone().isoformat(timespec="seconds"),
            "commit": git_commit(),
            "command": command,
            "embedder": embedder.name,
            "data_dir": _rel(settings.data_dir),
            "retrieve_k": RETRIEVE_K,
            "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
            "cpus": os.cpu_count(),
            "pipelines": list(names),
            "labels": {n: LABELS[n] for n in names},
            "sets": [gs.name for gs in chosen],
            "skipped": skipped,
            "limit": limit,
            "generator": f"llm:{settings.llm_model}" if generator == "llm" else "extractive",
        },
        "sets": {},
        "records": {},
    }
    corpora: dict[str, list[GoldSet]] = {}
    for gs in chosen:
        corpora.setdefault(gs.corpus.name, []).append(gs)
    for sets in corpora.values():
        corpus = sets[0].corpus
        local = settings.model_copy(update={"docs_dir": corpus.docs, "data_dir": settings.data_dir / corpus.subdir})
        _log(progress, f"index {corpus.name}: bringing {_rel(corpus.docs)} in line …")
        index_report = build_index(local, embedder, progress=progress)
        _log(progress, f"index {corpus.name}: {index_report.as_dict() | {'failed': len(index_report.failed)}}")
        built: dict[str, Any] = {}
        timings: dict[str, dict[str, float]] = {}
        for name in names:
            t0 = time.perf_counter()
            built[name] = build_pipeline(name, local, embedder, built)
            # One untimed question first, so one-time lazy loads (jieba, OpenCC, caches) land on no gold question.
            built[name].ask(WARM_UP)
            timings[name] = {"build_s": round(time.perf_counter() - t0, 2)}
            _log(progress, f"built {name} on {corpus.name} in {timings[name]['build_s']} s")
        info = _corpus_info(local, built, index_report)
        units = {name: indexed_units(pipe) for name, pipe in built.items()}
        for gs in sets:
            gold = load_gold(gs.gold, gs.required, gs.split)
            gold = gold[:limit] if limit else gold
            entry: dict[str, Any] = {
                "label": gs.label,
                "gold": _rel(gs.gold),
                "split": gs.split,
                "public": gs.public,
                "n": len(gold),
                "types": {t: n for t in metrics.TYPES if (n := sum(1 for g in gold if g["type"] == t))},
                "corpus": info,
                "pipelines": {},
            }
            results["records"][gs.name] = {}
            for name in names:
                t0 = time.perf_counter()
                records = evaluate(built[name], gold, f"{gs.name} {name}", progress, gs.public, units[name])
                entry["pipelines"][name] = {
                    "summary": summarise_set(records),
                    "by_type": metrics.breakdown(records, "type", metrics.TYPES),
                    "groups": metrics.group_agreement(records),
                    "timing": timings[name] | {"eval_s": round(time.perf_counter() - t0, 2)},
                }
                if any(r.get("persona") for r in records):
                    entry["pipelines"][name]["by_persona"] = metrics.breakdown(records, "persona", metrics.PERSONAS)
                results["records"][gs.name][name] = records
            results["sets"][gs.name] = entry
    results["meta"]["runtime_s"] = round(time.perf_counter() - started, 1)
    return results


def load_thresholds(path: Path = THRESHOLDS) -> dict[str, dict[str, float]]:
    """The gate's bounds from thresholds.json, as {metric: {"min": x, "max": y}} (see metrics.parse_thresholds)."""
    import json

    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    try:
        return metrics.parse_thresholds(raw)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
