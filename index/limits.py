"""Size limits on one document, checked before the work they bound: bytes before reading, decompressed .docx parts
before parsing, text before parsing, chunks before embedding.

Each limit is a setting (index/config.py); a file over one is refused with a message that names the limit and the
environment variable that raises it, and the rest of a build goes on.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from index.readers import UnreadableDocument

MB = 1024 * 1024
_READ_STEP = 1024 * 1024  # decompress a .docx part this much at a time, so a bomb is stopped with ~1 MB in memory


class LimitExceeded(UnreadableDocument):
    """A document over one of the size limits; the message says which and how to raise it."""


def _mb(n: float) -> str:
    return f"{n / MB:.1f} MB" if n < 10 * MB else f"{n / MB:.0f} MB"


@dataclass(frozen=True)
class Limits:
    """The four per-document limits, in bytes, characters and chunks."""

    max_file_bytes: int
    max_docx_unzipped_bytes: int
    max_text_chars: int
    max_chunks: int

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(
            max_file_bytes=int(settings.max_file_mb * MB),
            max_docx_unzipped_bytes=int(settings.max_docx_unzipped_mb * MB),
            max_text_chars=settings.max_text_chars,
            max_chunks=settings.max_chunks_per_doc,
        )

    def check_file_size(self, name: str, size: int) -> None:
        if size > self.max_file_bytes:
            raise LimitExceeded(
                f"{name}: the file is {_mb(size)}, over the {_mb(self.max_file_bytes)} limit per file "
                f"(max_file_mb; raise it with POLICY_MAX_FILE_MB)"
            )

    def check_text(self, name: str, chars: int) -> None:
        if chars > self.max_text_chars:
            raise LimitExceeded(
                f"{name}: {chars:,} characters of text, over the {self.max_text_chars:,} limit per file "
                f"(max_text_chars; raise it with POLICY_MAX_TEXT_CHARS)"
            )

    def check_chunks(self, name: str, chunks: int) -> None:
        if chunks > self.max_chunks:
            raise LimitExceeded(
                f"{name}: {chunks:,} chunks, over the {self.max_chunks:,} limit per document "
                f"(max_chunks_per_doc; raise it with POLICY_MAX_CHUNKS_PER_DOC)"
            )

    def check_zip(self, name: str, archive: zipfile.ZipFile) -> None:
        """Refuse a .docx whose parts decompress to more than the limit, in bounded memory.

        The sizes the archive declares are summed first (cheap). Then every part is decompressed in 1 MB steps and
        counted, since a crafted archive can declare small sizes for large parts: zipfile stops a part at its
        declared size and checks its CRC, so a part whose header lies fails here (BadZipFile), never in
        python-docx, which reads each part whole.
        """
        cap = self.max_docx_unzipped_bytes
        declared = sum(info.file_size for info in archive.infolist())
        if declared > cap:
            raise self._zip_error(name, declared, declared=True)
        total = 0
        for info in archive.infolist():
            with archive.open(info) as part:
                while step := part.read(_READ_STEP):
                    total += len(step)
                    if total > cap:
                        raise self._zip_error(name, total, declared=False)

    def _zip_error(self, name: str, size: int, declared: bool) -> LimitExceeded:
        what = "declares" if declared else "decompresses to more than"
        return LimitExceeded(
            f"{name}: the Word file {what} {_mb(size)} of content, over the "
            f"{_mb(self.max_docx_unzipped_bytes)} limit (max_docx_unzipped_mb; raise it with "
            f"POLICY_MAX_DOCX_UNZIPPED_MB)"
        )
