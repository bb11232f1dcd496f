"""Decode text bytes as UTF-8, GB18030 (a superset of GBK) or Big5, by evidence rather than by guess.

UTF-8 is tried strictly first (it almost never decodes foreign bytes). For the two legacy Chinese encodings both
decoders often succeed on the same bytes, so each candidate is scored by how much of it is common Chinese text
(characters found in jieba's dictionary after OpenCC simplification); mis-decoded bytes turn into rare characters.
"""

from __future__ import annotations

import codecs
import functools

from index.text import to_simplified


class DecodeError(ValueError):
    """Bytes that are not UTF-8, GB18030/GBK or Big5 text."""


@functools.cache
def _common_chars() -> frozenset[str]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)

    chars: set[str] = set()
    with open(jieba.get_dict_file().name, encoding="utf-8") as fh:
        for line in fh:
            word, _, rest = line.partition(" ")
            freq = rest.split(" ", 1)[0]
            if freq.isdigit() and int(freq) >= 50:
                chars.update(word)
    return frozenset(chars)


def _plausibility(text: str) -> float:
    cjk = [c for c in text if "\u3400" <= c <= "\u9fff"]
    if not cjk:
        # No Chinese at all: printable ratio decides.
        printable = sum(c.isprintable() or c in "\r\n\t" for c in text)
        return printable / max(1, len(text)) * 0.5
    common = _common_chars()
    simplified = to_simplified("".join(cjk))
    return sum(c in common for c in simplified) / len(cjk)


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raises DecodeError when no candidate fits."""
    # A byte-order mark is a promise about every byte after it: bytes that break it make the file unreadable, not
    # a reason to guess another encoding.
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise DecodeError(f"starts with a UTF-8 byte-order mark but byte {exc.start + 3} is not UTF-8") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if len(data) % 2:
            raise DecodeError("starts with a UTF-16 byte-order mark but has an odd number of bytes")
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DecodeError(f"starts with a UTF-16 byte-order mark but is not UTF-16 ({exc.reason})") from exc
    if b"\x00" in data[:4096]:
        raise DecodeError("binary data (NUL bytes), not a text document")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[float, str, str]] = []
    for enc in ("gb18030", "big5"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((_plausibility(text), enc, text))
    if not candidates:
        raise DecodeError("not UTF-8, GBK/GB18030 or Big5 text")
    score, enc, text = max(candidates)
    if score < 0.6:
        raise DecodeError(f"not UTF-8, GBK/GB18030 or Big5 text (best guess {enc} reads as garbage)")
    return text, ("gbk" if enc == "gb18030" else enc)
