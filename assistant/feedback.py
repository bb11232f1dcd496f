"""User feedback on answers (👍/👎 with an optional comment), kept in SQLite and exported as JSON lines.

Every feedback event is one row: the question (and its condensed form), the answer text, the citations as JSON,
the rating and the comment, with a UTC timestamp. A vote from the web UI carries a key (conversation and turn):
changing the vote or adding a comment later updates that one row, so the table holds each answer's latest opinion.
Rows without a key (`add`) are only appended. The export is streamed row by row (`iter_jsonl`), never a file left
behind.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
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
    comment TEXT NOT NULL DEFAULT '',
    key TEXT
)
"""
# Its own statement: a table made before votes had keys gains the column first (see `FeedbackStore.__init__`).
KEY_INDEX = "CREATE UNIQUE INDEX IF NOT EXISTS feedback_key ON feedback (key)"
EXPORT_PAGE = 500
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
            columns = {row[1] for row in db.execute("PRAGMA table_info(feedback)")}
            if "key" not in columns:
                db.execute("ALTER TABLE feedback ADD COLUMN key TEXT")
            db.execute(KEY_INDEX)

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
        comment = _checked(rating, comment, "0 (comment only)")
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

    def vote(
        self,
        key: str,
        question: str,
        answer: str,
        citations: list[dict],
        rating: int,
        comment: str = "",
        condensed: str = "",
    ) -> Feedback:
        """Record or change the vote on one answer (`key`); a comment already saved is kept unless a new one is given.
        Rating 0 withdraws the vote: the row goes, unless it holds a comment."""
        comment = _checked(rating, comment, "0 (withdrawn)")
        when = datetime.now(UTC).isoformat(timespec="seconds")
        cites = json.dumps(citations, ensure_ascii=False)
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO feedback (created, rating, question, condensed, answer, citations, comment, key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET created = excluded.created, "
                "rating = excluded.rating, "
                "comment = CASE WHEN excluded.comment != '' THEN excluded.comment ELSE feedback.comment END",
                (when, rating, question, condensed, answer, cites, comment, key),
            )
            db.execute("DELETE FROM feedback WHERE key = ? AND rating = 0 AND comment = ''", (key,))
            row = db.execute(f"SELECT {COLUMNS} FROM feedback WHERE key = ?", (key,)).fetchone()
        return _row(row) if row else Feedback(0, when, 0, question, condensed, answer, citations, "")

    def comment(self, key: str, comment: str) -> bool:
        """Set the comment of the vote `key`; False when there is no such vote."""
        comment = _comment_text(comment)
        with self._lock, self._connect() as db:
            cur = db.execute("UPDATE feedback SET comment = ? WHERE key = ?", (comment, key))
            return cur.rowcount > 0

    def all(self) -> list[Feedback]:
        with self._connect() as db:
            rows = db.execute(f"SELECT {COLUMNS} FROM feedback ORDER BY id").fetchall()
        return [_row(r) for r in rows]

    def iter_jsonl(self) -> Iterator[str]:
        """Every row as one JSON line, read a page at a time so a large table is never held whole."""
        last = 0
        while True:
            with self._connect() as db:
                rows = db.execute(
                    f"SELECT {COLUMNS} FROM feedback WHERE id > ? ORDER BY id LIMIT ?", (last, EXPORT_PAGE)
                ).fetchall()
            if not rows:
                return
            yield from _lines(_row(r) for r in rows)
            last = rows[-1][0]

    def count(self) -> int:
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]

    def export_jsonl(self, path: Path) -> int:
        """Write every row as one JSON object per line (UTF-8, Chinese unescaped); returns the number of rows."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = 0
        with path.open("w", encoding="utf-8") as fh:
            for line in self.iter_jsonl():  # one reader of the table: the streamed one
                fh.write(line)
                rows += 1
        return rows


COLUMNS = "id, created, rating, question, condensed, answer, citations, comment"


def _comment_text(comment: str | None) -> str:
    return (comment or "").strip()[:MAX_COMMENT_CHARS]


def _checked(rating: int, comment: str | None, zero: str) -> str:
    """The comment as stored, once the rating is one of 1, -1 and 0 (`zero` says what 0 means to the caller)."""
    if rating not in (-1, 0, 1):
        raise ValueError(f"rating must be 1 (👍), -1 (👎) or {zero}")
    return _comment_text(comment)


def _row(r) -> Feedback:
    return Feedback(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7])


def _lines(rows: Iterable[Feedback]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row.as_dict(), ensure_ascii=False) + "\n"
