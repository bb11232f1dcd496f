"""User feedback on answers (👍/👎 with an optional comment), kept in SQLite and exported as JSON lines.

Every feedback event is one row: the question (and its condensed form), the answer text, the citations as JSON,
the rating and the comment, with a UTC timestamp. Rows are only appended, so an export is a faithful log.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 0, 1)),
    question TEXT NOT NULL,
    condensed TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL,
    citations TEXT NOT NULL DEFAULT '[]',
    comment TEXT NOT NULL DEFAULT ''
)
"""
MAX_COMMENT_CHARS = 2000


@dataclass(frozen=True)
class Feedback:
    """One stored feedback event; `rating` is 1 for 👍, -1 for 👎, 0 for a comment without a rating."""

    id: int
    created: str
    rating: int
    question: str
    condensed: str
    answer: str
    citations: list[dict]
    comment: str

    def as_dict(self) -> dict:
        return asdict(self)


class FeedbackStore:
    """A SQLite file of feedback rows; safe to share between the UI's and the API's worker threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection per call keeps threads apart; the lock serialises writers within this process.
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:  # commits, or rolls back on error
                yield db
        finally:
            db.close()

    def add(
        self,
        question: str,
        answer: str,
        citations: list[dict],
        rating: int,
        comment: str = "",
        condensed: str = "",
        created: datetime | None = None,
    ) -> Feedback:
        if rating not in (-1, 0, 1):
            raise ValueError("rating must be 1 (👍), -1 (👎) or 0 (comment only)")
        comment = (comment or "").strip()[:MAX_COMMENT_CHARS]
        if rating == 0 and not comment:
            raise ValueError("feedback needs a rating or a comment")
        when = (created or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        cites = json.dumps(citations, ensure_ascii=False)
        with self._lock, self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback (created, rating, question, condensed, answer, citations, comment) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (when, rating, question, condensed, answer, cites, comment),
            )
            row_id = cur.lastrowid
        return Feedback(row_id, when, rating, question, condensed, answer, citations, comment)

    def all(self) -> list[Feedback]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, created, rating, question, condensed, answer, citations, comment FROM feedback ORDER BY id"
            ).fetchall()
        return [Feedback(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7]) for r in rows]

    def count(self) -> int:
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]

    def export_jsonl(self, path: Path) -> int:
        """Write every row as one JSON object per line (UTF-8, Chinese unescaped); returns the number of rows."""
        rows = self.all()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row.as_dict(), ensure_ascii=False) + "\n")
        return len(rows)
