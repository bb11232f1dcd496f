"""`python -m evals run|report`: score the pipelines on the gold set, write the report, optionally gate.

    python -m evals run [--gold FILE] [--retriever hybrid|dense|bm25|baseline|all] [--data DIR] [--out DIR] [--gate]
    python -m evals report [--results FILE] [--out DIR]

Exit codes: 0 ok, 1 the gate failed, 2 bad arguments or configuration.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from evals.runner import GOLD, PIPELINES, ROOT, THRESHOLDS

GATED = "hybrid"


def cmd_run(args) -> int:
    from evals import metrics, report, runner
    from index.config import Settings

    names = PIPELINES if args.retriever == "all" else (args.retriever,)
    if args.gate and GATED not in names:
        print(f"error: --gate checks the {GATED} pipeline: run it (--retriever {GATED} or all)", file=sys.stderr)
        return 2
    thresholds = runner.load_thresholds(Path(args.thresholds)) if args.gate else {}
    settings = Settings(**({"data_dir": Path(args.data)} if args.data else {}))
    command = "python -m evals " + shlex.join(args.argv)
    results = runner.run(Path(args.gold), names, settings, command, args.limit, progress=not args.quiet)
    paths = report.write_outputs(results, Path(args.out))

    labels = results["meta"]["labels"]
    cols = (
        "hit@3",
        "mrr",
        "citation_accuracy",
        "citation_hit@3",
        "keyword_recall",
        "refusal_accuracy",
        "false_refusal_rate",
        "unsupported_figure_rate",
        "latency_p50_ms",
    )
    widths = [max(8, len(c)) + 2 for c in cols]
    print(f"{'pipeline':<22}" + "".join(f"{c:>{w}}" for c, w in zip(cols, widths, strict=True)))
    for name in names:
        s = results["pipelines"][name]["summary"]
        cells = (f"{report.fmt(s.get(c), c):>{w}}" for c, w in zip(cols, widths, strict=True))
        print(f"{labels[name]:<22}" + "".join(cells))
    print(f"wrote {', '.join(str(p) for p in paths.values())} in {results['meta']['runtime_s']} s")

    if args.gate:
        failures = metrics.gate_failures(results["pipelines"][GATED]["summary"], thresholds)
        for metric, value, minimum in failures:
            print(f"GATE FAILED: {GATED} {metric} = {report.fmt(value)} < threshold {minimum:.3f}", file=sys.stderr)
        if failures:
            return 1
        print(f"gate passed: {', '.join(f'{k} >= {v:.3f}' for k, v in thresholds.items())}")
    return 0


def cmd_report(args) -> int:
    from evals import report

    results = json.loads(Path(args.results).read_text(encoding="utf-8"))
    paths = report.write_outputs(results, Path(args.out))
    print(f"wrote {', '.join(str(p) for p in paths.values())}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run the gold questions through the pipelines and write the report")
    r.add_argument("--gold", default=str(GOLD), help="gold JSONL (default: evals/gold.jsonl)")
    r.add_argument("--retriever", default="all", choices=(*PIPELINES, "all"), help="pipeline(s) to run")
    r.add_argument("--data", help="index data folder (default: data/, or POLICY_DATA_DIR)")
    r.add_argument("--out", default=str(ROOT / "evals"), help="where REPORT.md, results.json, ablation.png go")
    r.add_argument("--gate", action="store_true", help="exit 1 when hybrid falls below evals/thresholds.json")
    r.add_argument("--thresholds", default=str(THRESHOLDS), help=argparse.SUPPRESS)
    r.add_argument("--limit", type=int, help="only the first N gold questions (for a quick check)")
    r.add_argument("--quiet", action="store_true", help="no progress lines")
    r.set_defaults(func=cmd_run)
    p = sub.add_parser("report", help="redraw REPORT.md and ablation.png from a saved results.json")
    p.add_argument("--results", default=str(ROOT / "evals" / "results.json"))
    p.add_argument("--out", default=str(ROOT / "evals"))
    p.set_defaults(func=cmd_report)
    args = parser.parse_args(argv)
    args.argv = argv
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
