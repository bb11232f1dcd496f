"""`python -m assistant ask`: answer one question (text or --json), or a JSON-lines batch from stdin (--jsonl)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

MAX_INPUT_CHARS = 2000


def _settings(args):
    from index.config import Settings

    kwargs = {}
    if args.docs:
        kwargs["docs_dir"] = Path(args.docs)
    if args.data:
        kwargs["data_dir"] = Path(args.data)
    if args.top_k:
        kwargs["top_k"] = args.top_k
    return Settings(**kwargs)


def _load(args):
    from assistant.pipeline import build_assistant

    settings = _settings(args)
    if not settings.chroma_host and not (settings.chroma_dir / "chroma.sqlite3").exists():
        raise FileNotFoundError(f"no index in {settings.data_dir}: run `python -m index build` first")
    assistant = build_assistant(settings, retriever=args.retriever)
    if not assistant.index.chunks:
        raise FileNotFoundError(f"the index in {settings.data_dir} is empty: run `python -m index build` first")
    return assistant


def _render(answer) -> str:
    lines = [answer.text, ""]
    if answer.refused:
        lines.append("（文件未明确规定；以下为最接近的条款）")
        for c in answer.nearest:
            lines.append(f"- 《{c.title}》{c.clause}: {c.text[:120]}{'…' if len(c.text) > 120 else ''}")
    else:
        lines.append("引用：")
        for c in answer.citations:
            lines.append(f"[{c.n}] 《{c.title}》{c.clause}")
            lines.append(f"    {c.text}")
    return "\n".join(lines)


def _jsonl(assistant, stdin, stdout, sources) -> int:
    bad = 0
    for lineno, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                raise ValueError('each line must be a JSON object with a "question" string')
        except (json.JSONDecodeError, ValueError) as exc:
            bad += 1
            out = {"id": None, "error": f"line {lineno}: {exc}"}
            stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            continue
        try:
            answer = assistant.ask(item["question"], sources)
            out = {"id": item.get("id"), **answer.as_dict()}
        except ValueError as exc:
            bad += 1
            out = {"id": item.get("id"), "error": str(exc), "answer": "", "refused": True, "citations": []}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    ask = sub.add_parser("ask", help="ask a question")
    ask.add_argument("question", nargs="?", help="the question (omit with --jsonl)")
    mode = ask.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    mode.add_argument("--jsonl", action="store_true", help='read {"id","question"} lines from stdin')
    ask.add_argument("--doc", action="append", help="only this document (file name); repeatable")
    ask.add_argument("--retriever", default="hybrid", choices=["hybrid", "dense", "bm25"])
    ask.add_argument("--top-k", type=int, default=None)
    ask.add_argument("--docs", help="documents folder")
    ask.add_argument("--data", help="data folder holding the index")
    args = parser.parse_args(argv)

    if not args.jsonl:
        if args.question is None or not args.question.strip():
            print("error: the question is empty", file=sys.stderr)
            return 2
        if len(args.question) > MAX_INPUT_CHARS:
            print(
                f"error: the question is too long ({len(args.question)} characters; limit {MAX_INPUT_CHARS})",
                file=sys.stderr,
            )
            return 2
    try:
        assistant = _load(args)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.jsonl:
        return _jsonl(assistant, sys.stdin, sys.stdout, args.doc)
    try:
        answer = assistant.ask(args.question, args.doc)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"question": args.question, **answer.as_dict()}, ensure_ascii=False, indent=1))
    else:
        print(_render(answer))
    return 0


if __name__ == "__main__":
    from index.cli import run

    run(main)
