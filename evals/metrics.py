"""Pure scoring functions for the evaluation: per-question judgements and their aggregation.

Nothing here loads a model or touches the index. The runner turns each pipeline's output into plain per-question
records (see `score_item`) and `summarise` / `breakdown` aggregate them, so every number in the report can be
recomputed from `evals/results.json` and is unit-tested on tiny fixtures.

Text comparison is script- and width-blind: both sides go through OpenCC t2s, full-width → half-width and
whitespace removal. The gold evidence is copied verbatim from the raw files, while the index may re-space or
canonicalise what it stores, and traditional questions get traditional answers over simplified clauses.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

# The seeds' types, then NCPQA's "passage" (an answer of several sentences), unanswerable last.
TYPES = ("fact", "number", "list", "paraphrase", "cross_script", "multi_doc", "passage", "unanswerable")
PERSONAS = ("teacher", "parent", "staff", "other")

MARKER = re.compile(r"\[\d+\]")
FIGURE = re.compile(r"\d+(?:\.\d+)?")
_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_SPACE = re.compile(r"\s+")


@functools.cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def half_width(text: str) -> str:
    """Full-width ASCII forms (ＡＢＣ１２３，％) and the ideographic space → their half-width forms."""
    return "".join(
        " " if ch == "\u3000" else chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in text
    )


def normalise(text: str | None) -> str:
    """Simplified script, half-width, no whitespace: the form every containment test compares."""
    if not text:
        return ""
    return _SPACE.sub("", half_width(_t2s().convert(text)))


def as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def evidence_pairs(item: dict) -> list[tuple[str, str]]:
    """(doc, evidence) pairs of a gold item; a multi_doc item pairs its lists position by position."""
    docs, evidence = as_list(item.get("doc")), as_list(item.get("evidence"))
    if len(docs) == 1 and len(evidence) > 1:
        docs = docs * len(evidence)
    return list(zip(docs, evidence, strict=False))


def is_answerable(item: dict) -> bool:
    return item.get("type") != "unanswerable" and item.get("doc") is not None


def is_relevant(source: str, text: str, item: dict) -> bool:
    """A chunk or clause supports the item when it is from a gold doc and contains that doc's evidence."""
    norm = normalise(text)
    return any(source == doc and normalise(ev) and normalise(ev) in norm for doc, ev in evidence_pairs(item))


def first_relevant_rank(retrieved: Sequence[tuple[str, str]], item: dict) -> int | None:
    """1-based rank of the first relevant (source, text) in a ranked list, or None."""
    for rank, (source, text) in enumerate(retrieved, start=1):
        if is_relevant(source, text, item):
            return rank
    return None


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


def citation_correct(citations: Sequence[tuple[str, str]], item: dict, k: int = 1) -> bool:
    """Whether any of the first k (source, clause text) citations contains the gold evidence of its doc."""
    return first_relevant_rank(list(citations)[:k], item) is not None


def cited_doc_recall(cited_sources: Iterable[str], item: dict) -> float:
    """Fraction of the item's gold documents that appear among the cited sources (matters for multi_doc)."""
    gold = set(as_list(item.get("doc")))
    if not gold:
        return 0.0
    return len(gold & set(cited_sources)) / len(gold)


def keyword_recall(answer: str, keywords: Sequence[str]) -> float | None:
    """Fraction of the keywords found in the answer, both normalised; None when there are no keywords."""
    if not keywords:
        return None
    norm = normalise(answer)
    return sum(1 for kw in keywords if normalise(kw) in norm) / len(keywords)


def figures(text: str) -> list[str]:
    """Arabic numbers of a text, in order, with [n] markers removed and thousands separators joined."""
    body = half_width(MARKER.sub("", text or ""))
    return FIGURE.findall(_DIGIT_COMMA.sub("", body))


def unsupported_figures(answer: str, cited_texts: Sequence[str]) -> list[str]:
    """Figures of the answer that none of the cited clause texts states, as plain numbers, each once.

    The guard's reader (`assistant.numbers`) decides, so the metric and the guard agree: whole figures compared by
    value and unit, so an answer's "5" is not excused by a clause's "2025", and "300元" is stated by "三百元".
    """
    from assistant.numbers import unsupported

    out: list[str] = []
    for q in unsupported(answer, list(cited_texts)):
        if q.number not in out:
            out.append(q.number)
    return out


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile with linear interpolation between closest ranks (numpy's default); None if empty."""
    if not values:
        return None
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def refusal_scores(outcomes: Sequence[tuple[bool, bool]]) -> dict[str, float | None]:
    """Refusal metrics from (should_refuse, refused) pairs; positives are the items that should be refused.

    accuracy is over all items; false_refusal_rate is answerable items refused / answerable items. A ratio with
    an empty denominator is None (e.g. precision of a pipeline that never refuses), never a made-up 0 or 1.
    """
    tp = sum(1 for should, did in outcomes if should and did)
    fp = sum(1 for should, did in outcomes if not should and did)
    fn = sum(1 for should, did in outcomes if should and not did)
    answerable = sum(1 for should, _ in outcomes if not should)
    correct = sum(1 for should, did in outcomes if should == did)
    return {
        "refusal_precision": _ratio(tp, tp + fp),
        "refusal_recall": _ratio(tp, tp + fn),
        "refusal_accuracy": _ratio(correct, len(outcomes)),
        "false_refusal_rate": _ratio(fp, answerable),
    }


def score_item(
    item: dict,
    retrieved: Sequence[tuple[str, str]],
    answer_text: str,
    refused: bool,
    citations: Sequence[tuple[str, str]],
    latency_ms: float,
) -> dict:
    """Judge one question: the record that `summarise` aggregates.

    `retrieved` is the retriever's ranked (source, chunk text) list; `citations` the answer's (source, clause
    text) list in citation order. A refusal scores 0 on citation and keyword metrics (a refusal says the documents
    do not answer, so a keyword that happens to appear in its "nearest clause" list is not an answer), and is left
    out of the unsupported-figure rate, which is about the figures an answer states.
    """
    answerable = is_answerable(item)
    rec: dict[str, Any] = {
        "id": item.get("id"),
        "type": item.get("type"),
        "persona": item.get("persona"),
        "answerable": answerable,
        "refused": bool(refused),
        "latency_ms": round(float(latency_ms), 1),
    }
    if not answerable:
        return rec
    rank = first_relevant_rank(retrieved, item)
    cites = [] if refused else list(citations)
    unsupported = [] if refused else unsupported_figures(answer_text, [t for _, t in cites])
    rec.update(
        rank=rank,
        citation_at1=citation_correct(cites, item, 1),
        citation_at3=citation_correct(cites, item, 3),
        cited_doc_recall=cited_doc_recall([s for s, _ in cites], item),
        keyword_recall=0.0 if refused else keyword_recall(answer_text, item.get("answer_keywords") or []),
        unsupported=unsupported,
    )
    return rec


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


METRICS = (
    "hit@1",
    "hit@3",
    "hit@5",
    "mrr",
    "citation_accuracy",
    "citation_hit@3",
    "cited_doc_recall",
    "keyword_recall",
    "evidence_indexed",
    "refusal_precision",
    "refusal_recall",
    "refusal_accuracy",
    "false_refusal_rate",
    "unsupported_figure_rate",
    "latency_p50_ms",
    "latency_p95_ms",
)


def summarise(records: Sequence[dict]) -> dict[str, Any]:
    """Aggregate per-question records into every metric; a metric with nothing to average is None."""
    ans = [r for r in records if r["answerable"]]
    answered = [r for r in ans if not r["refused"]]
    ranks = [r.get("rank") for r in ans]
    kw = [r["keyword_recall"] for r in ans if r.get("keyword_recall") is not None]
    out: dict[str, Any] = {
        "n": len(records),
        "n_answerable": len(ans),
        "n_unanswerable": len(records) - len(ans),
        "hit@1": _mean([hit_at(x, 1) for x in ranks]),
        "hit@3": _mean([hit_at(x, 3) for x in ranks]),
        "hit@5": _mean([hit_at(x, 5) for x in ranks]),
        "mrr": _mean([reciprocal_rank(x) for x in ranks]),
        "citation_accuracy": _mean([float(r["citation_at1"]) for r in ans]),
        "citation_hit@3": _mean([float(r["citation_at3"]) for r in ans]),
        "cited_doc_recall": _mean([r["cited_doc_recall"] for r in ans]),
        "keyword_recall": _mean(kw),
        # Share of answerable items whose evidence lies inside one indexed unit (clause or chunk) of its document:
        # the ceiling of citation hit@3. Records without the diagnostic leave it out.
        "evidence_indexed": _mean([1.0 if r["reachable"] else 0.0 for r in ans if "reachable" in r]),
    }
    out.update(refusal_scores([(not r["answerable"], r["refused"]) for r in records]))
    out["unsupported_figure_rate"] = _mean([1.0 if r["unsupported"] else 0.0 for r in answered])
    latencies = [r["latency_ms"] for r in records]
    out["latency_p50_ms"] = percentile(latencies, 50)
    out["latency_p95_ms"] = percentile(latencies, 95)
    return out


def breakdown(records: Sequence[dict], key: str, order: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
    """`summarise` per value of `key` ("type" or "persona"), known values first in `order`."""
    groups: dict[str, list[dict]] = {}
    for r in records:
        groups.setdefault(str(r.get(key)), []).append(r)
    keys = [k for k in order if k in groups] + sorted(k for k in groups if k not in order)
    return {k: summarise(groups[k]) for k in keys}


def group_agreement(records: Sequence[dict]) -> dict[str, Any]:
    """How consistently paraphrases of one question are treated: records carry `group` (None outside a group).

    A group agrees when all its members get the same decision (all answered or all refused); `agreement` is the
    share of groups (of two or more members) that agree, None when there are none. `answer_agreement` asks more:
    every member decided rightly and, for answerable groups, every member's first three citations hold the
    evidence.
    """
    members: dict[str, list[dict]] = {}
    for r in records:
        if r.get("group"):
            members.setdefault(r["group"], []).append(r)
    groups = {g: rs for g, rs in members.items() if len(rs) >= 2}
    details = {}
    for g, rs in sorted(groups.items()):
        refused = sum(1 for r in rs if r["refused"])
        right = all(
            r["refused"] if not r["answerable"] else (not r["refused"] and r.get("citation_at3", False)) for r in rs
        )
        details[g] = {"n": len(rs), "refused": refused, "agree": refused in (0, len(rs)), "all_right": right}
    return {
        "groups": len(details),
        "agreement": _mean([1.0 if d["agree"] else 0.0 for d in details.values()]),
        "answer_agreement": _mean([1.0 if d["all_right"] else 0.0 for d in details.values()]),
        "by_group": details,
    }


def parse_thresholds(raw: Any) -> dict[str, dict[str, float]]:
    """Thresholds as {metric: {"min": x} | {"max": y} | both}; a bare number is a minimum (the old format).

    Raises ValueError on anything else, so a typo in thresholds.json fails the gate loudly instead of passing it.
    """
    if not isinstance(raw, dict):
        raise ValueError("thresholds: expected an object of metric name → minimum or {min, max}")
    out: dict[str, dict[str, float]] = {}
    for metric, value in raw.items():
        if metric.startswith("_"):
            continue  # "_comment" and the like
        if isinstance(value, bool):
            raise ValueError(f"thresholds: {metric}: expected a number or {{min, max}}")
        if isinstance(value, int | float):
            out[metric] = {"min": float(value)}
            continue
        if (
            not isinstance(value, dict)
            or not value
            or set(value) - {"min", "max"}
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value.values())
        ):
            raise ValueError(f"thresholds: {metric}: expected a number or {{min, max}}, got {value!r}")
        out[metric] = {k: float(v) for k, v in value.items()}
    return out


def gate_failures(summary: dict[str, Any], thresholds: dict[str, Any]) -> list[tuple[str, float | None, str, float]]:
    """(metric, value, "min" | "max", bound) for every bound the summary breaks; a missing value fails too."""
    failures = []
    for metric, bounds in parse_thresholds(thresholds).items():
        value = summary.get(metric)
        for kind in ("min", "max"):
            if kind not in bounds:
                continue
            bound = bounds[kind]
            if value is None or (value < bound if kind == "min" else value > bound):
                failures.append((metric, value, kind, bound))
    return failures
