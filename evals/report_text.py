"""Text pieces of the report: number formatting, metric definitions, failure kinds and lists, paraphrase groups.

Kept apart from `evals.report` (tables, chart, files) so each stays short. Records of a set that is not public
(NCPQA) are listed by id, document and clause only — never by question or answer text.
"""

from __future__ import annotations

from typing import Any

DEFINITIONS = {
    "citation_hit@3": "cite@3: any of the answer's first 3 citations is from the gold document and its clause text "
    "contains the gold evidence, compared after t2s + half-width + removing all whitespace (a refusal scores 0)",
    "citation_accuracy": "the answer's FIRST citation does",
    "false_refusal_rate": "answerable questions refused / answerable questions",
    "refusal_recall": "unanswerable refused: unanswerable questions refused / unanswerable questions",
    "refusal_precision": "refused questions that are unanswerable / refused questions",
    "refusal_accuracy": "questions whose refused flag is right / ALL questions",
    "hit@1": "retriever (unscoped, top 10): a relevant chunk at rank 1 — relevant = from the gold document and its "
    "text contains the evidence (normalised as above; multi_doc: any gold evidence)",
    "hit@3": "retrieval hit@3: a relevant chunk within the top 3",
    "hit@5": "a relevant chunk within the top 5",
    "mrr": "mean reciprocal rank of the first relevant chunk (0 when none in the top 10)",
    "cited_doc_recall": "fraction of the gold documents among the citations (the multi_doc measure)",
    "keyword_recall": "fraction of answer_keywords in the answer text, both normalised (a refusal scores 0)",
    "evidence_indexed": "answerable questions whose evidence lies inside ONE unit the pipeline can cite (a whole "
    "clause; the baseline's chunk): the ceiling of cite@3. Evidence that runs across two clauses cannot be cited",
    "unsupported_figure_rate": "answered answerable questions whose text, [n] markers removed, states a number "
    "found in none of the cited clause texts",
    "latency_p50_ms": "median time of `ask` (model loaded beforehand)",
    "latency_p95_ms": "95th percentile time of `ask`",
    "paraphrase-group agreement": "share of paraphrase groups (dev) whose members all get the same decision (all "
    "answered or all refused); 'all right' additionally needs every member decided rightly and cited within 3",
}


def fmt(value: Any, metric: str = "") -> str:
    if value is None:
        return "n/a"
    if metric.endswith("_ms"):
        return f"{value:.0f}"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _short(source: str | None) -> str:
    # Seed files read best by their number (003_…); NCPQA files are ncp_<hex>, kept whole.
    source = source or "?"
    return source if source.startswith("ncp_") else source.split("_")[0]


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def failure_kind(rec: dict) -> str | None:
    """Why a record failed, or None: the categories the failure lists group by."""
    if not rec["answerable"]:
        return None if rec["refused"] else "answered an unanswerable question"
    if rec.get("error"):
        return "error"
    if rec["refused"]:
        return "false refusal"
    if rec["citation_at1"]:
        return None
    if rec["citation_at3"]:
        return "right clause cited, but not first"
    if rec.get("reachable") is False:
        return "evidence split across clauses (not citable)"
    if rec.get("rank") is None:
        return "evidence not retrieved (top 10)"
    return "wrong clause cited"


def _got(rec: dict) -> str:
    if rec.get("error"):
        return f"error: {rec['error'][:80]}"
    if rec["refused"]:
        near = ", ".join(f"{_short(c['doc'])} {c['clause']}" for c in rec.get("nearest", []))
        return f"refused ({rec.get('reason', '')}); nearest: {near or '—'}"
    cites = ", ".join(f"[{c['n']}] {_short(c['doc'])} {c['clause']}" for c in rec.get("citations", [])[:3])
    return f"cited {cites or 'nothing'}"


def _expected(rec: dict) -> str:
    if not rec["answerable"]:
        return "refusal"
    return "; ".join(f"{_short(e['doc'])} {e['clause'] or ''}".strip() for e in rec.get("expected", []))


def failures_section(records: list[dict], entry: dict[str, Any], label: str) -> list[str]:
    failed = [(r, k) for r in records if (k := failure_kind(r))]
    out = [f"{label} failures on {entry['label']}: {len(failed)} of {len(records)} questions.", ""]
    if not failed:
        return out
    kinds = sorted({k for _, k in failed})
    types = [t for t in entry.get("types", {}) if any(r["type"] == t for r, _ in failed)]
    out.append("| failure | " + " | ".join(types) + " | total |")
    out.append("|---|" + "---:|" * (len(types) + 1))
    for k in kinds:
        counts = [sum(1 for r, kk in failed if kk == k and r["type"] == t) for t in types]
        out.append(f"| {k} | " + " | ".join(str(c) if c else "" for c in counts) + f" | {sum(counts)} |")
    out.append("")
    public = entry.get("public", True)
    out.append("<details><summary>every failure</summary>")
    out.append("")
    out.append("| id | type | " + ("question | " if public else "") + "expected | got | rank | failure |")
    out.append("|---|---|" + ("---|" if public else "") + "---|---|---:|---|")
    for r, k in failed:
        question = f"{_cell(r.get('question', ''))} | " if public else ""
        rank = r.get("rank")
        out.append(
            f"| {r['id']} | {r['type']} | {question}{_cell(_expected(r))} | {_cell(_got(r))} | "
            f"{rank if rank else '—'} | {k} |"
        )
    out += ["", "</details>", ""]
    return out


def groups_section(groups: dict[str, Any]) -> list[str]:
    if not groups.get("groups"):
        return []
    out = [
        f"Paraphrase groups: {groups['groups']} groups, agreement (same decision for every member) "
        f"{fmt(groups['agreement'])}, all members right {fmt(groups['answer_agreement'])}.",
        "",
        "| group | members | refused | same decision | all right |",
        "|---|---:|---:|:---:|:---:|",
    ]
    for g, d in groups["by_group"].items():
        out.append(
            f"| {g} | {d['n']} | {d['refused']} | {'yes' if d['agree'] else '**no**'} | "
            f"{'yes' if d['all_right'] else 'no'} |"
        )
    out.append("")
    return out
