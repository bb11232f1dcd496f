"""The evaluation sets and their corpora: which gold file, which split, which documents, which index folder.

Four sets are reported side by side:

* `seeds-dev` / `seeds-test`: the project's own gold set (`evals/gold.jsonl`) over the five seed documents, split by
  its `split` field (the rule is in `evals.gold` and `evals/GOLD_NOTES.md`). Tune on dev, report on test.
* `ncpqa-dev`: real questions over 173 real government documents, read at run time from
  `../shared/evals/ncpqa-dev` (never copied into the repository). A development set: tuning on it is fine.
* `unseen`: 20 questions over eight documents in formats the parser was not written against; test only.

Each corpus gets its own index under the data folder, built incrementally, so a second run embeds nothing and the
app's own index (`data/chroma`) is never touched by an evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_GOLD = ROOT / "evals" / "gold.jsonl"
SEED_DOCS = ROOT / "seeds"
UNSEEN_GOLD = ROOT / "evals" / "unseen" / "gold.jsonl"
UNSEEN_DOCS = ROOT / "evals" / "unseen" / "docs"
NCPQA_DIR = ROOT.parent / "shared" / "evals" / "ncpqa-dev"

SEED_KEYS = ("id", "question", "persona", "doc", "clause_path", "evidence", "answer_keywords", "type")
# NCPQA lines have no persona and no clause path: the documents are not numbered the way the seeds are.
NCPQA_KEYS = ("id", "question", "doc", "evidence", "answer_keywords", "type")


@dataclass(frozen=True)
class Corpus:
    """A documents folder and the index built from it (`data_dir / subdir`)."""

    name: str
    docs: Path
    subdir: str


@dataclass(frozen=True)
class GoldSet:
    """One reported set: the questions of `gold` whose split is `split` (all of them when None), over `corpus`.

    `public` is False for data that must not be reproduced in committed outputs (NCPQA's questions and the text
    of its documents): the runner then keeps ids, types, documents and scores but no question or answer text.
    """

    name: str
    label: str
    gold: Path
    corpus: Corpus
    split: str | None
    required: tuple[str, ...]
    public: bool = True


def corpora(ncpqa_dir: Path = NCPQA_DIR) -> dict[str, Corpus]:
    return {
        "seeds": Corpus("seeds", SEED_DOCS, "eval_seeds"),
        "ncpqa": Corpus("ncpqa", Path(ncpqa_dir) / "docs", "eval_ncpqa"),
        "unseen": Corpus("unseen", UNSEEN_DOCS, "eval_unseen"),
    }


def gold_sets(ncpqa_dir: Path = NCPQA_DIR) -> dict[str, GoldSet]:
    """Every set, in report order."""
    c = corpora(ncpqa_dir)
    return {
        "seeds-dev": GoldSet("seeds-dev", "seeds dev", SEED_GOLD, c["seeds"], "dev", SEED_KEYS),
        "seeds-test": GoldSet("seeds-test", "seeds test", SEED_GOLD, c["seeds"], "test", SEED_KEYS),
        "ncpqa-dev": GoldSet(
            "ncpqa-dev", "ncpqa-dev", Path(ncpqa_dir) / "gold.jsonl", c["ncpqa"], None, NCPQA_KEYS, public=False
        ),
        "unseen": GoldSet("unseen", "unseen formats", UNSEEN_GOLD, c["unseen"], "test", SEED_KEYS),
    }


SET_NAMES = ("seeds-dev", "seeds-test", "ncpqa-dev", "unseen")


def missing_reason(gold_set: GoldSet) -> str | None:
    """Why a set cannot run here (its gold file or documents folder is absent), or None."""
    if not gold_set.gold.is_file():
        return f"{gold_set.name}: no gold file at {gold_set.gold}"
    if not gold_set.corpus.docs.is_dir():
        return f"{gold_set.name}: no documents folder at {gold_set.corpus.docs}"
    return None


@dataclass
class IndexReport:
    """What bringing a corpus index in line with its folder did; failures are per document, never fatal."""

    documents: int = 0
    embedded: list[str] | None = None
    failed: list[tuple[str, str]] | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "documents": self.documents,
            "embedded": len(self.embedded or []),
            "failed": [{"doc": d, "error": e[:300]} for d, e in self.failed or []],
            "seconds": round(self.seconds, 1),
        }


def build_index(settings, embedder, progress: bool = False) -> IndexReport:
    """Bring the index at `settings.data_dir` in line with `settings.docs_dir` with the project's own incremental
    builder: a document that cannot be read, parsed or stored is a failure line, the rest is indexed."""
    from index.builder import IndexBuilder
    from index.chunker import Chunker
    from index.store import ClauseStore, make_client

    store = ClauseStore(make_client(settings), settings.collection, embedder.name)
    builder = IndexBuilder(store, embedder, Chunker(settings.max_chunk_chars), settings.embed_batch)
    done = builder.run(Path(settings.docs_dir), progress=progress)
    documents = len(done.added) + len(done.updated) + len(done.unchanged) + len(done.failed)
    return IndexReport(documents, done.added + done.updated, done.failed, done.seconds)
