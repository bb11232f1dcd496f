"""Format readers: each turns a file's bytes into `Block`s in document order.

`read_file` dispatches on the file suffix. Every reader raises `UnreadableDocument` with a message that names
the file when it cannot produce text, so a bad file never becomes an empty document silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from index.models import Block

if TYPE_CHECKING:
    from index.limits import Limits

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


def read_bytes(name: str, data: bytes, limits: Limits | None = None) -> ReadResult:
    """Read a document given its file name (for the suffix and messages) and its bytes, within `limits` (file size,
    decompressed .docx size, characters of text) when given."""
    suffix = Path(name).suffix.lower()
    if limits is not None:
        limits.check_file_size(name, len(data))
    if not data or data.isspace():  # isspace, not strip: no copy of a large file
        raise UnreadableDocument(f"{name}: the file is empty")
    read = _dispatch(name, suffix, data, limits)
    if limits is not None:
        limits.check_text(name, len(read.text))
    return read


def _dispatch(name: str, suffix: str, data: bytes, limits: Limits | None) -> ReadResult:
    if suffix in (".txt", ".md"):
        from index.readers.text import read_text

        return read_text(name, data)
    if suffix == ".docx":
        from index.readers.docx import read_docx

        return read_docx(name, data, limits)
    if suffix == ".pdf":
        from index.readers.pdf import read_pdf

        return read_pdf(name, data)
    if suffix in (".html", ".htm"):
        from index.readers.html import read_html

        return read_html(name, data)
    raise UnreadableDocument(
        f"{name}: unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED_SUFFIXES)}"
    )


def read_file(path: str | Path, limits: Limits | None = None) -> ReadResult:
    return read_bytes(Path(path).name, file_bytes(path, limits), limits)


def file_bytes(path: str | Path, limits: Limits | None = None) -> bytes:
    """The bytes of a file, its size checked against the limit before it is read (a 50 MB file is never loaded)."""
    path = Path(path)
    try:
        if limits is not None:
            limits.check_file_size(path.name, path.stat().st_size)
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(f"{path.name}: cannot read file ({exc.strerror or exc})") from exc
