"""Gold files: loading (with the keys each set requires), the dev/test split rule, evidence checks, paraphrase groups.

The split rule (also stated in `evals/GOLD_NOTES.md`): the seed items g001–g180 are bucketed by (document, type) —
a multi-document item's document is "multi", an unanswerable item's "none" — and within each bucket ordered by
sha256("split:" + id); alternate items go to dev and test, the bucket's first item to dev or test by the parity of
sha256("bucket:" + document + "|" + type). So every bucket is split as evenly as it can be (off by at most one),
the whole set about half and half, and an item never changes split when others are added. Items written later
carry the split they were written for (paraphrase groups: dev; everyday-wording questions: test).

    python -m evals.gold check      # every line's split agrees with the rule; exit 1 listing the ones that do not
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

SPLITS = ("dev", "test")
# The items the rule splits: the original seed gold set. Later items were written for one split.
RULED_ID = re.compile(r"^g\d{3}$")
_SPACE = re.compile(r"\s+")


def load_gold(path: Path, required: Sequence[str], split: str | None = None) -> list[dict]:
    """Gold items of a JSONL file (only those of `split` when given).

    Raises ValueError naming the line of a malformed item, or when the file (or the split) has no items.
    """
    items = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: not JSON: {exc}") from exc
            if not isinstance(item, dict):
                raise ValueError(f"{path}:{lineno}: not a JSON object")
            missing = [k for k in required if k not in item]
            if missing:
                raise ValueError(f"{path}:{lineno}: missing keys {missing}")
            if split is not None and item.get("split") not in SPLITS:
                raise ValueError(f"{path}:{lineno}: split must be one of {SPLITS}, not {item.get('split')!r}")
            items.append(item)
    if split is not None:
        items = [g for g in items if g["split"] == split]
    if not items:
        raise ValueError(f"{path}: no gold items" + (f" in split {split!r}" if split else ""))
    return items


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bucket(item: dict) -> tuple[str, str]:
    """(document, type) of an item for stratification: lists of documents → "multi", no document → "none"."""
    doc = item.get("doc")
    key = "none" if doc is None else "multi" if isinstance(doc, list) else str(doc)
    return key, str(item.get("type"))


def assign_splits(items: Iterable[dict]) -> dict[str, str]:
    """id → "dev" | "test" by the rule in the module docstring; depends only on each bucket's ids."""
    buckets: dict[tuple[str, str], list[str]] = {}
    for item in items:
        buckets.setdefault(bucket(item), []).append(item["id"])
    out: dict[str, str] = {}
    for (doc, kind), ids in buckets.items():
        first = int(_sha(f"bucket:{doc}|{kind}"), 16) % 2
        for i, iid in enumerate(sorted(ids, key=lambda x: _sha(f"split:{x}"))):
            out[iid] = SPLITS[(i + first) % 2]
    return out


def ruled(items: Iterable[dict]) -> list[dict]:
    """The items the split rule applies to."""
    return [g for g in items if RULED_ID.match(str(g.get("id", "")))]


def split_mismatches(items: Sequence[dict]) -> list[str]:
    """Ids whose stored split differs from the rule (ruled items) or is missing or invalid (the others)."""
    expected = assign_splits(ruled(items))
    bad = [g["id"] for g in items if g["id"] in expected and g.get("split") != expected[g["id"]]]
    bad += [g["id"] for g in items if g["id"] not in expected and g.get("split") not in SPLITS]
    return bad


# -- evidence ---------------------------------------------------------------------------------------------------


def squash(text: str | None) -> str:
    """Text without any whitespace: NCPQA's evidence is verbatim but may run across the line breaks of its file."""
    return _SPACE.sub("", text or "")


def evidence_in(evidence: str, document: str) -> bool:
    """Whether the evidence occurs in the document, whitespace removed on both sides."""
    needle = squash(evidence)
    return bool(needle) and needle in squash(document)


# -- paraphrase groups ------------------------------------------------------------------------------------------


def groups(items: Iterable[dict]) -> dict[str, list[dict]]:
    """group id → its member items, for the items that belong to a paraphrase group."""
    out: dict[str, list[dict]] = {}
    for item in items:
        if item.get("group"):
            out.setdefault(item["group"], []).append(item)
    return out


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv != ["check"]:
        print("usage: python -m evals.gold check", file=sys.stderr)
        return 2
    from evals.sets import SEED_GOLD, UNSEEN_GOLD

    failed = False
    for path in (SEED_GOLD, UNSEEN_GOLD):
        items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        bad = split_mismatches(items)
        print(f"{path.name}: {len(items)} items, split mismatches: {', '.join(bad) or 'none'}")
        failed = failed or bool(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
