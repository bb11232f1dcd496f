"""Format readers: each turns a file's bytes into `Block`s in document order.

`read_file` dispatches on the file suffix. Every reader raises `UnreadableDocument` with a message that names
the file when it cannot produce text, so a bad file never becomes an empty document silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from index.models import Block

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")


class UnreadableDocument(ValueError):
    """A file that cannot be read as a policy document; the message names the file and the reason."""


@dataclass(frozen=True)
class ReadResult:
    """Blocks of one file, with the decoded plain text the offsets refer to."""

    blocks: list[Block]
    text: str
    fmt: str
    encoding: str = "utf-8"
    removed: tuple[str, ...] = ()  # clutter the reader itself dropped (page headers, HTML furniture …)


def read_bytes(name: str, data: bytes) -> ReadResult:
    """Read a document given its file name (for the suffix and messages) and its bytes."""
    suffix = Path(name).suffix.lower()
    if not data.strip():
        raise UnreadableDocument(f"{name}: the file is empty")
    if suffix in (".txt", ".md"):
        from index.readers.text import read_text

        return read_text(name, data)
    if suffix == ".docx":
        from index.readers.docx import read_docx

        return read_docx(name, data)
    if suffix == ".pdf":
        from index.readers.pdf import read_pdf

        return read_pdf(name, data)
    if suffix in (".html", ".htm"):
        from index.readers.html import read_html

        return read_html(name, data)
    raise UnreadableDocument(
        f"{name}: unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED_SUFFIXES)}"
    )


def read_file(path: str | Path) -> ReadResult:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(f"{path.name}: cannot read file ({exc.strerror})") from exc
    return read_bytes(path.name, data)
