"""`python -m index build|inspect`: build the clause index incrementally, or show how one file is read."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _settings(args):
    from index.config import Settings

    kwargs = {}
    if getattr(args, "docs", None):
        kwargs["docs_dir"] = Path(args.docs)
    if getattr(args, "data", None):
        kwargs["data_dir"] = Path(args.data)
    return Settings(**kwargs)


BUILD_EXIT = """exit status:
  0  the index matches the folder, except files listed as "failed: …" (a partial build: the rest is indexed)
  1  files failed and none of the folder's files is indexed
  2  bad arguments or settings, no documents folder, or the index cannot be opened (a damaged chroma.sqlite3)
  3  another writer (a build, or an upload or deletion in the app) held the index lock for longer than
     POLICY_WRITER_LOCK_TIMEOUT seconds

A file over a limit (POLICY_MAX_FILE_MB, POLICY_MAX_DOCX_UNZIPPED_MB, POLICY_MAX_TEXT_CHARS,
POLICY_MAX_CHUNKS_PER_DOC) is a "failed: …" line naming the limit and its setting."""


def cmd_build(args) -> int:
    from index.builder import IndexBuilder
    from index.embedder import make_embedder
    from index.lock import IndexBusy
    from index.store import ClauseStore, make_client

    settings = _settings(args)
    embedder = make_embedder(settings)
    store = ClauseStore(make_client(settings), settings.collection, embedder.name)
    builder = IndexBuilder.from_settings(settings, store, embedder)
    try:
        report = builder.run(settings.docs_dir, progress=not args.quiet)
    except IndexBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    print(report.summary())
    return 1 if report.failed and not (report.added or report.updated or report.unchanged) else 0


def cmd_inspect(args) -> int:
    from index.builder import parse_file
    from index.chunker import Chunker
    from index.limits import Limits
    from index.readers import UnreadableDocument

    path = Path(args.file)
    if not path.is_file():
        print(f"error: file not found: {path}", file=sys.stderr)
        return 2
    try:
        doc = parse_file(path, limits=Limits.from_settings(_settings(args)))
    except UnreadableDocument as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        from index.models import document_to_json

        print(json.dumps(json.loads(document_to_json(doc)), ensure_ascii=False, indent=1))
        return 0
    f = doc.facts
    print(f"# {doc.title}")
    print(f"file: {doc.source}  format: {doc.fmt}  encoding: {doc.encoding}  script: {doc.script}")
    for name, fact in (
        ("标题", f.title),
        ("文号", f.doc_number),
        ("成文/发布日期", f.date),
        ("施行日期", f.effective_date),
        ("地区", f.region),
        ("主送", f.addressees),
    ):
        if fact:
            print(f"{name}: {fact.value}    ← {fact.where[:60]}")
    for issuer in f.issuers:
        print(f"发文机关: {issuer.value}    ← {issuer.where[:60]}")
    for att in f.attachments:
        where = att.where.replace("\n", " ")[:60]
        print(f"附件: {att.value}" + (f"    ← {where}" if att.where != att.value else ""))
    print("\n## 条款树")
    shown_tables: set[str] = set()
    for c in doc.clauses:
        indent = "  " * max(0, c.depth)
        if c.kind == "table_row":
            table = c.path.rsplit(" ", 1)[0]
            if table not in shown_tables:
                # The caption once per table, then one line per row.
                shown_tables.add(table)
                caption = c.heading.split("｜")[0] if "｜" in c.heading else ""
                print(f"{indent}[{table}] {caption}")
            print(f"{indent}  [{c.path}] " + "；".join(f"{k}={v[:30]}" for k, v in c.columns.items()))
            continue
        text = c.text.replace("\n", " ")
        tag = " (标题)" if c.kind == "heading" else ""
        units = ""
        if c.lead_units or c.responsible_units:
            units = f"  牵头:{'、'.join(c.lead_units) or '-'} 责任:{'、'.join(c.responsible_units) or '-'}"
        print(f"{indent}[{c.path}]{tag} {c.heading}{units} :: {text[:60]}{'…' if len(text) > 60 else ''}")
    chunks = Chunker()(doc)
    print(f"\n{sum(c.kind != 'heading' for c in doc.clauses)} clauses, {len(chunks)} chunks")
    print("\n## 已去除的杂项")
    for line in doc.clutter:
        print(f"  - {line[:100]}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser(
        "build",
        help="index new and changed documents (incremental)",
        description="Index new and changed documents; unchanged ones are not embedded again.",
        epilog=BUILD_EXIT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    b.add_argument("--docs", help="documents folder (default: seeds/, or POLICY_DOCS_DIR)")
    b.add_argument("--data", help="data folder (default: data/, or POLICY_DATA_DIR)")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=cmd_build)
    i = sub.add_parser("inspect", help="show how a file is read: facts, clause tree, table rows, removed clutter")
    i.add_argument("file")
    i.add_argument("--json", action="store_true", help="print the parsed document as JSON")
    i.set_defaults(func=cmd_inspect)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    from index.cli import run

    run(main)
