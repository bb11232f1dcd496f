"""Plain-text and Markdown reader: decode, normalise line ends, one block per non-empty line."""

from __future__ import annotations

import re

from index.models import Block
from index.readers import ReadResult, UnreadableDocument
from index.readers.encoding import DecodeError, decode

_MD_HEADING = re.compile(r"^(#{1,6})\s+")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def read_text(name: str, data: bytes) -> ReadResult:
    try:
        text, encoding = decode(data)
    except DecodeError as exc:
        raise UnreadableDocument(f"{name}: {exc}") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    is_md = name.lower().endswith(".md")
    blocks: list[Block] = []
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        level = None
        if is_md:
            m = _MD_HEADING.match(stripped)
            if m:
                level = len(m.group(1))
                stripped = stripped[m.end() :]
            stripped = _MD_EMPHASIS.sub(r"\2", stripped)
        lead = len(line) - len(line.lstrip())
        blocks.append(Block(text=stripped, level=level, start=start + lead, end=start + lead + len(line.strip())))
    if not blocks:
        raise UnreadableDocument(f"{name}: no text in the file")
    return ReadResult(blocks=blocks, text=text, fmt="md" if is_md else "txt", encoding=encoding)
