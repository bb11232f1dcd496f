"""Check evals/unseen/gold.jsonl against the parsed documents in evals/unseen/docs/.

Every answerable item's evidence must be a verbatim substring of the text of the clause its `clause_path` names,
as the parser produces it (for .docx and .pdf the file bytes are not text, so the parsed clause is the reference).
Run from the repository root: `.venv/bin/python -m evals.unseen.verify_gold`; exits 1 and lists every problem.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLD = HERE / "gold.jsonl"
DOCS = HERE / "docs"
KEYS = ["id", "question", "persona", "doc", "clause_path", "evidence", "answer_keywords", "type", "split", "author"]
TYPES = {"fact", "number", "list", "paraphrase", "cross_script", "multi_doc", "unanswerable"}
PERSONAS = {"teacher", "parent", "staff", "other"}


def load() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def problems(items: list[dict] | None = None) -> list[str]:
    from index.builder import parse_file

    items = load() if items is None else items
    out: list[str] = []
    parsed: dict[str, object] = {}
    ids = Counter(item.get("id") for item in items)
    out += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    for item in items:
        iid = item.get("id", "?")
        if list(item) != KEYS:
            out.append(f"{iid}: keys {list(item)} != {KEYS}")
            continue
        if item["type"] not in TYPES or item["persona"] not in PERSONAS:
            out.append(f"{iid}: bad type or persona")
        if item["split"] != "test" or not item["author"]:
            # Two lexicon entries were fitted to this set, so it can only ever report, never tune: test only.
            out.append(f"{iid}: the unseen-formats set is test only and every line names its author")
        if item["type"] == "unanswerable":
            if (item["doc"], item["clause_path"], item["evidence"], item["answer_keywords"]) != (None, None, None, []):
                out.append(f"{iid}: an unanswerable item has doc, clause_path and evidence null and no keywords")
            continue
        if not item["answer_keywords"]:
            out.append(f"{iid}: no answer keywords")
        path = DOCS / item["doc"]
        if not path.is_file():
            out.append(f"{iid}: no document {item['doc']} in {DOCS} (run make_docs.py)")
            continue
        if item["doc"] not in parsed:
            parsed[item["doc"]] = parse_file(path)
        doc = parsed[item["doc"]]
        clause = next((c for c in doc.clauses if c.path == item["clause_path"]), None)
        if clause is None:
            out.append(f"{iid}: {item['doc']} has no clause {item['clause_path']!r}")
        elif item["evidence"] not in clause.text:
            out.append(f"{iid}: evidence not in clause {item['clause_path']!r} of {item['doc']}: {item['evidence']!r}")
    return out


def main() -> int:
    found = problems()
    for line in found:
        print(line)
    print(f"{len(load())} items, {len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    root = str(HERE.parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    sys.exit(main())
