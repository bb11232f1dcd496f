"""`python -m evals run|report`: score the pipelines on the gold sets side by side, write the report, optionally gate.

    python -m evals run [--set seeds-dev|seeds-test|ncpqa-dev|unseen|all] [--retriever NAME[,NAME…]|default|all]
                        [--data DIR] [--out DIR] [--ncpqa DIR] [--limit N] [--gate] [--quiet]
                        [--generator extractive|llm]
    python -m evals report [--results FILE] [--out DIR] [--readme]

`--retriever default` runs the project (`hybrid`) and the two baselines (`baseline`, `hybrid_baseline`); `all` adds
the retrieval ablations (`hybrid_rrf`, `dense`, `bm25`). `--gate` checks the project pipeline on seeds-test against
evals/thresholds.json. `--generator llm` has the project pipelines answer with the LLM configured by POLICY_LLM_*
(exit 2 with a message when none is). Exit codes: 0 ok, 1 the gate failed, 2 bad arguments or configuration.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from evals.runner import DEFAULT_PIPELINES, GENERATORS, PIPELINES, PROJECT, ROOT, THRESHOLDS
from evals.sets import NCPQA_DIR, SET_NAMES

GATED_SET = "seeds-test"


def _names(value: str, known: tuple[str, ...], what: str) -> tuple[str, ...]:
    """A comma-separated list of known names, each once, in the order given."""
    names = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown {what} {unknown}: choose from {', '.join(known)}")
    return names


def pipeline_names(value: str) -> tuple[str, ...]:
    """`default`, `all`, or a comma-separated list of pipeline names, in the order given."""
    if value == "default":
        return DEFAULT_PIPELINES
    return PIPELINES if value == "all" else _names(value, PIPELINES, "pipeline(s)")


def set_names(value: str) -> tuple[str, ...]:
    return SET_NAMES if value == "all" else _names(value, SET_NAMES, "set(s)")


def gate(results: dict, thresholds: dict) -> int:
    """Print the verdict of the project pipeline on seeds-test; 1 when a bound is broken (or the set is absent)."""
    from evals import metrics
    from evals.report_text import fmt

    entry = results["sets"].get(GATED_SET)
    if entry is None or PROJECT not in entry["pipelines"]:
        print(f"GATE FAILED: no {PROJECT} result on {GATED_SET}", file=sys.stderr)
        return 1
    failures = metrics.gate_failures(entry["pipelines"][PROJECT]["summary"], thresholds)
    for metric, value, kind, bound in failures:
        op = "<" if kind == "min" else ">"
        print(
            f"GATE FAILED: {PROJECT} on {GATED_SET}: {metric} = {fmt(value)} {op} {kind} {bound:.3f}", file=sys.stderr
        )
    if failures:
        return 1
    bounds = ", ".join(
        f"{m} {'>=' if k == 'min' else '<='} {v:.3f}" for m, b in thresholds.items() for k, v in sorted(b.items())
    )
    print(f"gate passed on {GATED_SET}: {bounds}")
    return 0


def cmd_run(args) -> int:
    from evals import report, runner
    from index.config import Settings

    if args.gate and (PROJECT not in args.retriever or GATED_SET not in args.set):
        print(f"error: --gate checks {PROJECT} on {GATED_SET}: include both (--set, --retriever)", file=sys.stderr)
        return 2
    thresholds = runner.load_thresholds(Path(args.thresholds)) if args.gate else {}
    settings = Settings(**({"data_dir": Path(args.data)} if args.data else {}))
    if args.generator == "llm":
        if not settings.llm_base_url:
            print(
                "error: --generator llm: no LLM is configured; set POLICY_LLM_BASE_URL (e.g. http://127.0.0.1:11434/v1)"
                " and POLICY_LLM_MODEL",
                file=sys.stderr,
            )
            return 2
        print(f"generator: llm:{settings.llm_model} at {settings.llm_base_url}", file=sys.stderr)
    command = "python -m evals " + shlex.join(args.argv)
    results = runner.run(
        args.set,
        args.retriever,
        settings,
        command,
        args.limit,
        progress=not args.quiet,
        ncpqa_dir=Path(args.ncpqa),
        generator=args.generator,
    )
    paths = report.write_outputs(results, Path(args.out))
    print(report.stdout_table(results))
    print(f"wrote {', '.join(str(p) for p in paths.values())} in {results['meta']['runtime_s']} s")
    return gate(results, thresholds) if args.gate else 0


def cmd_report(args) -> int:
    from evals import report

    results = json.loads(Path(args.results).read_text(encoding="utf-8"))
    if args.readme:
        print("\n".join(report.headline_table(results)))
        return 0
    paths = report.write_outputs(results, Path(args.out))
    print(f"wrote {', '.join(str(p) for p in paths.values())}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run the gold sets through the pipelines and write the report")
    r.add_argument("--set", type=set_names, default=SET_NAMES, help="set(s), comma-separated, or all (default)")
    r.add_argument(
        "--retriever", type=pipeline_names, default=DEFAULT_PIPELINES, help="pipeline(s): default, all or a list"
    )
    r.add_argument("--data", help="data folder; each corpus is indexed under it (default: data/, or POLICY_DATA_DIR)")
    r.add_argument("--out", default=str(ROOT / "evals"), help="where REPORT.md, results.json, quality.png go")
    r.add_argument("--ncpqa", default=str(NCPQA_DIR), help="the ncpqa-dev folder (default: ../shared/evals/ncpqa-dev)")
    r.add_argument("--gate", action="store_true", help=f"exit 1 when {PROJECT} on {GATED_SET} breaks thresholds.json")
    r.add_argument("--thresholds", default=str(THRESHOLDS), help=argparse.SUPPRESS)
    r.add_argument("--limit", type=int, help="only the first N questions of each set (a quick check)")
    r.add_argument("--quiet", action="store_true", help="no progress lines")
    r.add_argument(
        "--generator",
        choices=GENERATORS,
        default="extractive",
        help="who writes the project's answers (llm: POLICY_LLM_*)",
    )
    r.set_defaults(func=cmd_run)
    p = sub.add_parser("report", help="redraw REPORT.md and quality.png from a saved results.json")
    p.add_argument("--results", default=str(ROOT / "evals" / "results.json"))
    p.add_argument("--out", default=str(ROOT / "evals"))
    p.add_argument("--readme", action="store_true", help="print the README's quality table instead")
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
