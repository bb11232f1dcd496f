"""Render a results document into results.json, REPORT.md and quality.png, and the README's quality table.

Rendering reads only the results dict, so `python -m evals report` can redraw everything from a saved results.json
without re-running anything. Sets marked not public (NCPQA) are listed by question id only: their question text
and documents stay outside the repository.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.metrics import METRICS
from evals.report_text import DEFINITIONS, failure_kind, failures_section, fmt, groups_section

# The issue's targets for the project pipeline: (metric, "min" | "max", bound, sets it applies to; None = all).
TARGETS = (
    ("false_refusal_rate", "max", 0.08, None),
    ("refusal_recall", "min", 0.85, None),
    ("citation_hit@3", "min", 0.90, ("seeds-test",)),
    ("citation_hit@3", "min", 0.85, ("ncpqa-dev",)),
)
HEADLINE = (
    ("citation_hit@3", "cite@3"),
    ("citation_accuracy", "citation acc."),
    ("false_refusal_rate", "false refusals ↓"),
    ("refusal_recall", "unanswerable refused"),
    ("hit@3", "retrieval hit@3"),
    ("keyword_recall", "keyword recall"),
    ("unsupported_figure_rate", "unsupported figures ↓"),
)
BREAKDOWN = (
    "hit@3",
    "citation_accuracy",
    "citation_hit@3",
    "evidence_indexed",
    "keyword_recall",
    "false_refusal_rate",
    "refusal_recall",
    "unsupported_figure_rate",
)
PERCENT = {"false_refusal_rate", "refusal_recall"}
PROJECT = "hybrid"


def cell(value: Any, metric: str = "") -> str:
    """Rates that are shares of questions read best as percentages; scores stay as 0–1."""
    if value is not None and metric in PERCENT:
        return f"{value * 100:.1f}%"
    return fmt(value, metric)


def _pipes(results: dict[str, Any]) -> list[str]:
    return list(results["meta"]["pipelines"])


def _label(results: dict[str, Any], name: str) -> str:
    return results["meta"].get("labels", {}).get(name, name)


def target_verdicts(set_name: str, summary: dict[str, Any]) -> list[tuple[str, str, float, float | None, bool | None]]:
    """(metric, kind, bound, value, met) for each target that applies to the set; met is None when the set has
    nothing to measure it on (no unanswerable questions, say)."""
    out = []
    for metric, kind, bound, sets in TARGETS:
        if sets is not None and set_name not in sets:
            continue
        value = summary.get(metric)
        met = None if value is None else value <= bound if kind == "max" else value >= bound
        out.append((metric, kind, bound, value, met))
    return out


def headline_table(results: dict[str, Any]) -> list[str]:
    """Every set × pipeline on the headline metrics: the table the README carries."""
    out = ["| set | pipeline | answerable / unanswerable | " + " | ".join(h for _, h in HEADLINE) + " |"]
    out.append("|---|---|---:|" + "---:|" * len(HEADLINE))
    for entry in results["sets"].values():
        for name in _pipes(results):
            if name not in entry["pipelines"]:
                continue
            s = entry["pipelines"][name]["summary"]
            label = f"**{_label(results, name)}**" if name == PROJECT else _label(results, name)
            cells = " | ".join(cell(s.get(m), m) for m, _ in HEADLINE)
            out.append(f"| {entry['label']} | {label} | {s['n_answerable']} / {s['n_unanswerable']} | {cells} |")
    return out


def targets_table(results: dict[str, Any]) -> list[str]:
    out = ["| set | target | project | met |", "|---|---|---:|:---:|"]
    for set_name, entry in results["sets"].items():
        if PROJECT not in entry["pipelines"]:
            continue
        for metric, kind, bound, value, met in target_verdicts(set_name, entry["pipelines"][PROJECT]["summary"]):
            sign = "≤" if kind == "max" else "≥"
            out.append(
                f"| {entry['label']} | {metric} {sign} {cell(bound, metric)} | {cell(value, metric)} | "
                f"{'—' if met is None else 'yes' if met else '**no**'} |"
            )
    return out


def type_table(results: dict[str, Any], set_name: str) -> list[str]:
    """Per question type, each pipeline's cite@3 and share refused (false refusals, or for unanswerable the
    refusals that were right)."""
    entry = results["sets"][set_name]
    names = [n for n in _pipes(results) if n in entry["pipelines"]]
    types = list(entry["pipelines"][names[0]]["by_type"]) if names else []
    head = "".join(f" {_label(results, n)} cite@3 | {_label(results, n)} refused |" for n in names)
    out = ["| type | n |" + head, "|---|---:|" + "---:|---:|" * len(names)]
    for t in types:
        row = []
        for n in names:
            s = entry["pipelines"][n]["by_type"].get(t, {})
            refused = s.get("refusal_recall") if t == "unanswerable" else s.get("false_refusal_rate")
            row += [fmt(s.get("citation_hit@3")), cell(refused, "refusal_recall")]
        n_items = entry["pipelines"][names[0]]["by_type"][t]["n"]
        out.append(f"| {t} | {n_items} | " + " | ".join(row) + " |")
    return out


def breakdown_table(stats: dict[str, dict[str, Any]], title: str) -> list[str]:
    out = [f"| {title} | n | " + " | ".join(BREAKDOWN) + " |", "|---|---:|" + "---:|" * len(BREAKDOWN)]
    for group, s in stats.items():
        out.append(f"| {group} | {s['n']} | " + " | ".join(cell(s.get(c), c) for c in BREAKDOWN) + " |")
    return out


def render_markdown(results: dict[str, Any], chart: str | None = "quality.png") -> str:
    meta = results["meta"]
    out: list[str] = ["# Evaluation report", "", "Generated by `python -m evals run`; do not edit by hand.", ""]
    out.append(f"* Run: {meta['date']}, commit `{meta['commit']}`, {meta.get('runtime_s', '?')} s in all")
    out.append(f"* Command: `{meta['command']}`")
    out.append(f"* Embedder: `{meta.get('embedder', '?')}` (shared by every pipeline, baselines included)")
    if meta.get("limit"):
        out.append(f"* **Only the first {meta['limit']} questions of each set** (a quick check, not a measurement)")
    for name, why in meta.get("skipped", {}).items():
        out.append(f"* Skipped {name}: {why}")
    load = meta.get("load_average")
    if load:
        out.append(f"* Load average at the start: {' / '.join(map(str, load))} on {meta.get('cpus', '?')} CPUs")
    out += ["", "## Sets", ""]
    out.append(
        "| set | gold | split | questions | types | documents | clause chunks | baseline chunks | index failures |"
    )
    out.append("|---|---|---|---:|---|---:|---:|---:|---:|")
    for entry in results["sets"].values():
        c = entry["corpus"]
        types = ", ".join(f"{t} {n}" for t, n in entry["types"].items())
        out.append(
            f"| {entry['label']} | `{entry['gold']}` | {entry['split'] or 'all'} | {entry['n']} | {types} | "
            f"{c['files']} (`{c['docs_dir']}`) | {c.get('chunks', 'n/a')} | {c.get('baseline_chunks', 'n/a')} | "
            f"{len(c['index']['failed'])} |"
        )
    out.append("")
    out += ["## Side by side", "", *headline_table(results), ""]
    out.append(
        "The baselines never refuse: their false refusals are 0 and their unanswerable-refused rate is 0 by "
        "construction. Their answer is the whole top chunk or clause, so their keyword recall is generous and "
        "their unsupported-figure rate is 0 by construction. cite@3 and citation accuracy score a refusal as 0."
    )
    out += ["", "## Targets (project pipeline)", "", *targets_table(results), ""]
    if chart:
        out += [f"![citation hit@3 per set and pipeline]({chart})", ""]
    for set_name, entry in results["sets"].items():
        out += [f"## {entry['label']}", ""]
        out += ["By question type (refused: false refusals for answerable types, refusals for unanswerable):", ""]
        out += [*type_table(results, set_name), ""]
        project = entry["pipelines"].get(PROJECT)
        if project:
            out += [f"{_label(results, PROJECT)} by type:", "", *breakdown_table(project["by_type"], "type"), ""]
            if project.get("by_persona"):
                out += [*breakdown_table(project["by_persona"], "persona"), ""]
            out += groups_section(project.get("groups") or {})
        timing = " · ".join(
            f"{_label(results, n)}: build {p['timing'].get('build_s', '?')} s, eval {p['timing'].get('eval_s', '?')} s"
            for n, p in entry["pipelines"].items()
        )
        failed_docs = entry["corpus"]["index"]["failed"]
        if failed_docs:
            out += [f"Documents that failed to index ({len(failed_docs)}):", ""]
            out += [f"* `{f['doc']}`: {f['error']}" for f in failed_docs]
            out.append("")
        out += [f"Timing — {timing}.", ""]
        records = results.get("records", {}).get(set_name, {}).get(PROJECT, [])
        out += failures_section(records, entry, _label(results, PROJECT))
    out += ["## All metrics", ""]
    for entry in results["sets"].values():
        names = [n for n in _pipes(results) if n in entry["pipelines"]]
        out += [f"**{entry['label']}**", ""]
        out.append("| metric | " + " | ".join(_label(results, n) for n in names) + " |")
        out.append("|---|" + "---:|" * len(names))
        for m in ("n_answerable", "n_unanswerable", *METRICS, "errors"):
            out.append(f"| {m} | " + " | ".join(cell(entry["pipelines"][n]["summary"].get(m), m) for n in names) + " |")
        out.append("")
    out += ["## Metric definitions", "", *[f"* **{m}** — {d}" for m, d in DEFINITIONS.items()], ""]
    return "\n".join(out)


def stdout_table(results: dict[str, Any]) -> str:
    """A compact side-by-side table for the terminal."""
    cols = [h for _, h in HEADLINE]
    widths = [max(8, len(c)) + 2 for c in cols]
    lines = [f"{'set':<16}{'pipeline':<24}" + "".join(f"{c:>{w}}" for c, w in zip(cols, widths, strict=True))]
    for entry in results["sets"].values():
        for name in _pipes(results):
            if name in entry["pipelines"]:
                s = entry["pipelines"][name]["summary"]
                cells = "".join(f"{cell(s.get(m), m):>{w}}" for (m, _), w in zip(HEADLINE, widths, strict=True))
                lines.append(f"{entry['label']:<16}{_label(results, name):<24}" + cells)
    project_groups = [
        (e["label"], e["pipelines"][PROJECT]["groups"])
        for e in results["sets"].values()
        if PROJECT in e["pipelines"] and e["pipelines"][PROJECT].get("groups", {}).get("groups")
    ]
    for label, g in project_groups:
        lines.append(f"{label}: paraphrase-group agreement {fmt(g['agreement'])} over {g['groups']} groups (project)")
    return "\n".join(lines)


def render_chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sets = list(results["sets"].values())
    names = _pipes(results)
    width = 0.8 / max(1, len(names))
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=110)
    for i, name in enumerate(names):
        values = [e["pipelines"].get(name, {}).get("summary", {}).get("citation_hit@3") for e in sets]
        xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(sets))]
        bars = ax.bar(xs, [v or 0.0 for v in values], width, label=_label(results, name))
        for bar, v in zip(bars, values, strict=True):
            ax.annotate(
                "n/a" if v is None else f"{v:.2f}",
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=8,
                xytext=(0, 2),
                textcoords="offset points",
            )
    ax.set_xticks(range(len(sets)), [e["label"] for e in sets])
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("citation hit@3")
    ax.set_title(f"citation hit@3 per set (commit {results['meta']['commit']})")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(names), frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def dump_results(results: dict[str, Any]) -> str:
    """results.json text: summaries indented for reading, one per-question record per line to keep it compact."""
    head = {k: v for k, v in results.items() if k != "records"}
    text = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    blocks = []
    for set_name, per_pipe in results.get("records", {}).items():
        inner = []
        for name, records in per_pipe.items():
            lines = ",\n".join("    " + json.dumps(r, ensure_ascii=False) for r in records)
            inner.append(f"   {json.dumps(name)}: [\n{lines}\n   ]")
        blocks.append(f"  {json.dumps(set_name)}: {{\n" + ",\n".join(inner) + "\n  }")
    return text + ',\n "records": {\n' + ",\n".join(blocks) + "\n }\n}\n"


def write_outputs(results: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write results.json, REPORT.md and quality.png into out_dir; returns their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"results": out_dir / "results.json", "report": out_dir / "REPORT.md", "chart": out_dir / "quality.png"}
    paths["results"].write_text(dump_results(results), encoding="utf-8")
    render_chart(results, paths["chart"])
    paths["report"].write_text(render_markdown(results, paths["chart"].name), encoding="utf-8")
    return paths


__all__ = ["failure_kind", "headline_table", "render_markdown", "stdout_table", "write_outputs"]
