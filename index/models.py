"""Data types shared by ingestion, indexing and retrieval.

Readers turn a file into `Block`s; the parser turns blocks into a `Document` whose `Clause`s carry their
clause path; the chunker turns clauses into `Chunk`s, which are what gets embedded and stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Block:
    """One unit of a read file, in document order.

    A paragraph has `text`; a table has `rows` (the first row is the header when `header_rows` >= 1).
    `level` is a heading level known from the file's own styles (Word heading style, HTML <h2>…), or None.
    `number` is a rendered automatic number (Word list numbering) that is not part of `text`.
    `start`/`end` are character offsets in the decoded source text when the reader knows them.
    """

    text: str = ""
    kind: str = "para"  # "para" | "table"
    rows: tuple[tuple[str, ...], ...] = ()
    header_rows: int = 0
    caption: str = ""
    level: int | None = None
    number: str = ""
    start: int = -1
    end: int = -1
    page: int | None = None


@dataclass(frozen=True)
class Fact:
    """A document fact with the text it was read from."""

    value: str
    where: str  # the line (or part of it) the value was found in


@dataclass
class DocFacts:
    """Document-level metadata, each value traced to where it was found."""

    title: Fact | None = None
    issuers: list[Fact] = field(default_factory=list)
    doc_number: Fact | None = None
    date: Fact | None = None
    effective_date: Fact | None = None
    region: Fact | None = None
    attachments: list[Fact] = field(default_factory=list)
    addressees: Fact | None = None
    validity: Fact | None = None  # 有效期 / 试行期 / "暂执行至…"; last, with a default, so older records still load

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Clause:
    """One node of a document's clause tree.

    `path` is the citation path (see docs/CONVENTIONS.md), `heading` its own heading text (may be empty) and
    `text` its own text without children, marker included. `kind` is "clause", "paragraph", "preamble",
    "table_row" or "box" (专栏). Offsets point into the decoded source text.
    """

    path: str
    marker: str
    heading: str
    text: str
    kind: str = "clause"
    depth: int = 0
    parent: str | None = None
    start: int = -1
    end: int = -1
    columns: dict[str, str] = field(default_factory=dict)
    lead_units: list[str] = field(default_factory=list)
    responsible_units: list[str] = field(default_factory=list)


@dataclass
class Document:
    """A parsed document: facts, clause list in document order, and what was removed as clutter."""

    source: str
    title: str
    script: str  # "simplified" | "traditional"
    facts: DocFacts
    clauses: list[Clause]
    clutter: list[str]
    sha256: str
    fmt: str = "txt"
    encoding: str = "utf-8"

    @property
    def region(self) -> str:
        return self.facts.region.value if self.facts.region else ""


@dataclass(frozen=True)
class Chunk:
    """What is embedded and stored: a clause, or a sentence-aligned part of a long clause."""

    id: str
    source: str
    title: str
    path: str
    heading: str
    text: str  # the clause text this chunk carries (the citation text)
    start: int
    end: int
    script: str
    kind: str
    region: str
    part: int = 0
    parts: int = 1
    context: str = ""  # heading chain prepended for embedding/BM25 only

    @property
    def clause_id(self) -> str:
        """The id of the clause this chunk is a part of: every part of a long clause shares it."""
        return self.id.rsplit("#", 1)[0]

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(f"{self.path}\n{self.context}\n{self.text}".encode()).hexdigest()[:16]

    def embed_text(self) -> str:
        """The text the embedder and BM25 see: title and heading chain give a short clause its context."""
        return f"{self.title}｜{self.context}\n{self.text}" if self.context else f"{self.title}\n{self.text}"

    def metadata(self) -> dict:
        return {
            "source": self.source,
            "title": self.title,
            "path": self.path,
            "heading": self.heading,
            "start": self.start,
            "end": self.end,
            "script": self.script,
            "kind": self.kind,
            "region": self.region,
            "part": self.part,
            "parts": self.parts,
            "context": self.context,
            "hash": self.content_hash,
        }

    @classmethod
    def from_metadata(cls, id: str, text: str, meta: dict) -> Chunk:
        return cls(
            id=id,
            text=text,
            source=meta["source"],
            title=meta["title"],
            path=meta["path"],
            heading=meta.get("heading", ""),
            start=int(meta.get("start", -1)),
            end=int(meta.get("end", -1)),
            script=meta.get("script", "simplified"),
            kind=meta.get("kind", "clause"),
            region=meta.get("region", ""),
            part=int(meta.get("part", 0)),
            parts=int(meta.get("parts", 1)),
            context=meta.get("context", ""),
        )


def document_to_json(doc: Document) -> str:
    import json

    return json.dumps(asdict(doc), ensure_ascii=False)


def document_from_json(text: str) -> Document:
    import json

    raw = json.loads(text)
    facts_raw = raw.pop("facts")

    def fact(v):
        return Fact(**v) if v else None

    facts = DocFacts(
        title=fact(facts_raw.get("title")),
        issuers=[Fact(**f) for f in facts_raw.get("issuers", [])],
        doc_number=fact(facts_raw.get("doc_number")),
        date=fact(facts_raw.get("date")),
        effective_date=fact(facts_raw.get("effective_date")),
        region=fact(facts_raw.get("region")),
        attachments=[Fact(**f) for f in facts_raw.get("attachments", [])],
        addressees=fact(facts_raw.get("addressees")),
        validity=fact(facts_raw.get("validity")),
    )
    clauses = [Clause(**c) for c in raw.pop("clauses")]
    return Document(facts=facts, clauses=clauses, **raw)
