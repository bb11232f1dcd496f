"""`python -m assistant ask`: answer one question (text or --json), or a JSON-lines batch from stdin (--jsonl).

Every failure is one `error: …` line on stderr and exit status 2: an empty, over-long or undecodable question,
`--top-k` below 1, an unknown `--doc`, a missing, empty or unreadable index. A batch never stops at a bad line:
the line gets a `{"id", "error"}` row, the rest are answered, and the exit status is 1.
Batch input is read as UTF-8 bytes, whatever PYTHONIOENCODING says, so an undecodable line is one bad line.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from assistant.conversation import MAX_QUESTION_CHARS

log = logging.getLogger(__name__)


class CliError(Exception):
    """A failure the user can act on; printed as one `error:` line."""


def one_line(exc: BaseException) -> str:
    """An exception as one line: pydantic's field errors joined, anything else its first line."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in errors())
        except (TypeError, KeyError):
            pass
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _settings(args):
    from index.config import Settings

    kwargs = {}
    if args.docs:
        kwargs["docs_dir"] = Path(args.docs)
    if args.data:
        kwargs["data_dir"] = Path(args.data)
    if args.top_k is not None:
        kwargs["top_k"] = args.top_k
    try:
        return Settings(**kwargs)
    except ValueError as exc:  # pydantic's ValidationError: a bad POLICY_* variable or option
        raise CliError(f"invalid setting: {one_line(exc)}") from exc


def _load(args):
    from assistant.pipeline import build_assistant

    settings = _settings(args)
    if not settings.chroma_host and not (settings.chroma_dir / "chroma.sqlite3").exists():
        raise CliError(f"no index in {settings.data_dir}: run `python -m index build` first")
    try:
        assistant = build_assistant(settings, retriever=args.retriever)
    except Exception as exc:  # a damaged store raises the store's own error, or Chroma's, or sqlite's
        message = one_line(exc)
        if "index" not in message:
            message = f"cannot load the index in {settings.data_dir}: {type(exc).__name__}: {message}"
        raise CliError(message) from exc
    if not assistant.index.chunks:
        raise CliError(f"the index in {settings.data_dir} is empty: run `python -m index build` first")
    return assistant


def _check_docs(assistant, docs: list[str] | None) -> None:
    """An unknown `--doc` is an error: searching nothing would only ever refuse."""
    known = [r.source for r in assistant.records]
    unknown = [d for d in docs or () if d not in known]
    if unknown:
        shown = ", ".join(known[:10]) + (" …" if len(known) > 10 else "")
        raise CliError(f"unknown document for --doc: {', '.join(unknown)} (indexed: {shown})")


def _check_question(question: str | None) -> str:
    if question is None or not question.strip():
        raise CliError("the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise CliError(f"the question is too long ({len(question)} characters; limit {MAX_QUESTION_CHARS})")
    try:
        question.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in argv arrive as lone surrogates
        raise CliError("the question is not valid UTF-8") from None
    return question


def _render(answer) -> str:
    lines = [answer.text, ""]
    if getattr(answer, "notice", ""):
        lines[:0] = [f"（{answer.notice}）", ""]  # the LLM failed: this is the extractive answer
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


def _batch_item(raw: bytes | str, lineno: int) -> dict:
    """One batch line as a dict with a "question" string; ValueError says what is wrong with it."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})") from None
    try:
        item = json.loads(raw)
    except RecursionError:
        raise ValueError("not valid JSON: nested too deeply") from None
    if not isinstance(item, dict) or not isinstance(item.get("question"), str):
        raise ValueError('each line must be a JSON object with a "question" string')
    return item


def _jsonl(assistant, stdin, stdout, sources) -> int:
    """Answer each line of `stdin` (bytes, or text); every line gets one output row, in order."""
    bad = 0
    for lineno, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        try:
            item = _batch_item(line, lineno)
        except ValueError as exc:  # JSONDecodeError too
            bad += 1
            stdout.write(json.dumps({"id": None, "error": f"line {lineno}: {exc}"}, ensure_ascii=False) + "\n")
            stdout.flush()
            continue
        ident = item.get("id")
        try:
            out = {"id": ident, **assistant.ask(item["question"], sources).as_dict()}
        except ValueError as exc:
            bad += 1
            out = {"id": ident, "error": str(exc), "answer": "", "refused": True, "citations": []}
        except Exception as exc:  # one failing question must not lose the rest of the batch
            bad += 1
            log.debug("line %d failed", lineno, exc_info=True)
            error = f"line {lineno}: {type(exc).__name__}: {one_line(exc)}"
            out = {"id": ident, "error": error, "answer": "", "refused": True, "citations": []}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 1 if bad else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    ask = sub.add_parser("ask", help="ask a question")
    ask.add_argument("question", nargs="?", help="the question (omit with --jsonl)")
    mode = ask.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    mode.add_argument("--jsonl", action="store_true", help='read {"id","question"} lines from stdin')
    ask.add_argument("--doc", action="append", help="only this document (file name); repeatable")
    ask.add_argument("--retriever", default="hybrid", choices=["hybrid", "dense", "bm25"])
    ask.add_argument("--top-k", type=int, default=None, help="clauses to cite at most (at least 1)")
    ask.add_argument("--docs", help="documents folder")
    ask.add_argument("--data", help="data folder holding the index")
    return parser


def _run(args) -> int:
    if args.top_k is not None and args.top_k < 1:
        raise CliError(f"--top-k must be at least 1, not {args.top_k}")
    question = None if args.jsonl else _check_question(args.question)
    assistant = _load(args)
    _check_docs(assistant, args.doc)
    if args.jsonl:
        return _jsonl(assistant, getattr(sys.stdin, "buffer", sys.stdin), sys.stdout, args.doc)
    try:
        answer = assistant.ask(question, args.doc)
    except ValueError as exc:
        raise CliError(one_line(exc)) from exc
    if args.json:
        print(json.dumps({"question": question, **answer.as_dict()}, ensure_ascii=False, indent=1))
    else:
        print(_render(answer))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a store failing mid-question: one line, not a traceback
        print(f"error: {type(exc).__name__}: {one_line(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    from index.cli import run

    run(main)
