"""Search in the national collection (every UU and PP of the data set), read from its SQLite index on disk.

Built by ``make national`` (:mod:`ingest.national`). Nothing of it is held in memory but a cache of passage
vectors: BM25 runs inside SQLite's FTS5 index, and filters (documents, kind, years, in force) are part of the same
query, so they act before the top ``k`` is taken. Hybrid search embeds the best lexical candidates on demand
(:data:`Settings.national_dense_top`) and keeps their vectors (:data:`Settings.national_cache`); scores are
fused in :func:`kerjasama.ranking.national_score`.

Documents the focus corpus holds are left out: there, the focus corpus (with its catalog) answers.
"""

from __future__ import annotations

import json
import logging
import math
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kerjasama import ranking
from kerjasama.embeddings import QueryCache, embed_queries
from kerjasama.models import Chunk, Hit
from kerjasama.relations import short

log = logging.getLogger(__name__)

SCHEMA = 1  # the schema of the index: ingest.national writes it, readers check it
TITLE_MATCHES = 3  # documents a law named by its title resolves to ("UU Perkawinan": the law, then amendments)

_SHORT_RE = re.compile(r"^(UU|PP)\s+(\d+)/(\d{4})$", re.I)
_KIND_WORDS = re.compile(r"^(UU|PP|Undang-Undang|Peraturan Pemerintah|Law|Act|Regulation)\s+", re.I)


@dataclass
class NationalFilters:
    """Restrict a national search: documents, kinds (``uu``/``pp``), years, documents in force."""

    doc_ids: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    in_force_only: bool = False

    def sql(self) -> tuple[str, list[Any]]:
        """The WHERE clause (on ``d``, the docs table) and its parameters."""
        clauses, params = [], []
        if self.doc_ids:
            clauses.append(f"d.id IN ({','.join('?' * len(self.doc_ids))})")
            params += self.doc_ids
        if self.kinds:
            clauses.append(f"d.kind IN ({','.join('?' * len(self.kinds))})")
            params += self.kinds
        if self.year_from is not None:
            clauses.append("d.tahun >= ?")
            params.append(self.year_from)
        if self.year_to is not None:
            clauses.append("d.tahun <= ?")
            params.append(self.year_to)
        if self.in_force_only:
            clauses.append("d.status != 'dicabut'")
        return " AND ".join(clauses), params


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """A connection to the national index, rows by name: read-only for readers (they never take the write lock),
    else the writer's (WAL journal, transactions begun explicitly; ``ingest.national``)."""
    if readonly:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        con.execute("PRAGMA journal_mode=WAL")
    con.row_factory = sqlite3.Row
    return con


class NationalIndex:
    """The national collection's index, read-only; thread-safe (one SQLite connection per thread)."""

    def __init__(self, path: Path, embeddings: Any = None, dense_top: int = 20, cache: int = 50_000,
                 exclude: set[str] | None = None) -> None:
        self.path = path
        self.embeddings = embeddings
        self.dense_top = dense_top
        self.exclude = sorted(exclude or ())
        self._local = threading.local()
        self._vectors = QueryCache(cache)
        info = dict(self._con().execute("SELECT key, value FROM meta").fetchall())
        if info.get("state") != "complete" or info.get("schema") != str(SCHEMA):
            raise ValueError("the national index is incomplete or of another version: run `make national`")
        self.docs = int(info.get("docs", 0))
        self.chunks = int(info.get("chunks", 0))

    @classmethod
    def open(cls, path: Path, embeddings: Any = None, dense_top: int = 20, cache: int = 50_000,
             exclude: set[str] | None = None) -> NationalIndex | None:
        """The index at ``path``; None when there is none or it cannot be used (logged with what to run)."""
        if not path.is_file():
            return None
        try:
            return cls(path, embeddings, dense_top, cache, exclude)
        except (sqlite3.Error, ValueError) as exc:
            log.warning("national collection not used (%s): run `make national` again", exc)
            return None

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = connect(self.path, readonly=True)
        return con

    # -- documents -------------------------------------------------------------------------------------------
    def document(self, doc_id: str) -> dict | None:
        """A document's metadata (jenis, nomor, tahun, tentang, dates, status, chunks), or None."""
        row = self._con().execute("SELECT * FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return dict(row) | {"short": short(row["id"])} if row else None

    def chunk(self, chunk_id: str) -> Chunk | None:
        """The passage with this id, or None."""
        row = self._con().execute("SELECT meta, text FROM chunks WHERE id = ?", (chunk_id,)).fetchone()
        return Chunk.from_meta(row["text"], json.loads(row["meta"])) if row else None

    def resolve(self, name: str) -> list[str]:
        """The ids of the documents a name the focus corpus does not know refers to: "UU 1/1974" by number,
        "UU Perkawinan" by the words of its title (the law itself before its amendments, in force first)."""
        m = _SHORT_RE.match(name.strip())
        if m:
            doc_id = f"{m.group(1).lower()}-{m.group(3)}-{int(m.group(2))}"
            return [doc_id] if self.document(doc_id) and doc_id not in self.exclude else []
        words = [w for w in _KIND_WORDS.sub("", name.strip()).split() if len(w) > 2]
        if not words:
            return []
        kind = name.split()[0].lower()
        clauses = " AND ".join("tentang LIKE ?" for _ in words)
        params: list[Any] = [f"%{w}%" for w in words]
        if kind in ("uu", "pp"):
            clauses += " AND kind = ?"
            params.append(kind)
        rows = self._con().execute(
            f"SELECT id FROM docs WHERE {clauses} ORDER BY status = 'dicabut', tentang LIKE 'PERUBAHAN%',"
            " length(tentang), tahun DESC LIMIT ?", [*params, TITLE_MATCHES + len(self.exclude)],
        ).fetchall()
        return [r["id"] for r in rows if r["id"] not in self.exclude][:TITLE_MATCHES]

    # -- search ----------------------------------------------------------------------------------------------
    def idf(self, terms: list[str]) -> dict[str, float]:
        """Inverse document frequency of stems over the collection's passages (0 for unknown ones)."""
        if not terms:
            return {}
        rows = self._con().execute(
            f"SELECT term, doc FROM fts_vocab WHERE term IN ({','.join('?' * len(terms))})", terms
        ).fetchall()
        df = {r["term"]: int(r["doc"]) for r in rows}
        return {t: math.log(1 + self.chunks / df[t]) if df.get(t) else 0.0 for t in terms}

    def lexical(self, weights: dict[str, float], k: int, filters: NationalFilters | None = None) -> list[Hit]:
        """BM25 (FTS5) over the collection's passages for the question's stems; filters inside the query.

        Stems in more than :data:`ranking.NATIONAL_COMMON_SHARE` of the passages ("pasal", "daerah") are left out
        of the match when rarer ones remain, in a collection of at least
        :data:`ranking.NATIONAL_COMMON_MIN_PASSAGES` passages (there they would make SQLite score most of the
        collection and add little to the order).
        """
        idf = self.idf(sorted(weights))
        floor = math.log(1 + 1 / ranking.NATIONAL_COMMON_SHARE)
        known = [t for t in sorted(weights) if idf.get(t, 0.0) > 0]
        common = self.chunks >= ranking.NATIONAL_COMMON_MIN_PASSAGES  # (a small collection is scored whole)
        terms = [t for t in known if not common or idf[t] > floor] or known  # only common stems: all there is
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        where, params = (filters or NationalFilters()).sql()
        if self.exclude:
            where = " AND ".join(x for x in (where, f"d.id NOT IN ({','.join('?' * len(self.exclude))})") if x)
            params = [*params, *self.exclude]
        rows = self._con().execute(
            "SELECT c.id, c.doc_id, c.meta, c.text, bm25(fts) AS s FROM fts JOIN chunks c ON c.rowid = fts.rowid"
            " JOIN docs d ON d.id = c.doc_id WHERE fts MATCH ?" + (f" AND {where}" if where else "")
            + " ORDER BY s LIMIT ?", [match, *params, k],
        ).fetchall()
        return [Hit(chunk=Chunk.from_meta(r["text"], json.loads(r["meta"])), score=-float(r["s"]),
                    lexical_rank=i, lexical_score=-float(r["s"])) for i, r in enumerate(rows, start=1)]

    def search(self, weights: dict[str, float], dense_text: str | None, k: int = 5,
               filters: NationalFilters | None = None, penjelasan: bool = False) -> list[Hit]:
        """The ``k`` best passages: BM25 candidates, re-ranked by :meth:`rerank`."""
        return self.rerank(self.lexical(weights, max(k, self.dense_top), filters), dense_text, k, penjelasan)

    def rerank(self, hits: list[Hit], dense_text: str | None, k: int = 5, penjelasan: bool = False) -> list[Hit]:
        """The best ``dense_top`` lexical hits re-ranked with their dense similarity to ``dense_text`` (the query
        as the embedder reads it), when there is an embedder and ``dense_top`` > 0; else the lexical order.
        Passage vectors are computed on demand, in one batch, and kept. ``penjelasan``: the question asks for the
        Penjelasan (else provisions lead their elucidation: :func:`ranking.national_score`)."""
        if not hits or self.embeddings is None or not dense_text or self.dense_top == 0:
            return hits[:k]
        top = hits[: self.dense_top]
        qvec = np.asarray(embed_queries(self.embeddings, [dense_text])[0], dtype=np.float32)
        texts = {h.chunk.id: h.chunk.embed_text() for h in top}
        vecs = self._vectors.get_many(
            [h.chunk.id for h in top], lambda ids: self.embeddings.embed_documents([texts[i] for i in ids])
        )
        sims = np.einsum("ij,j->i", np.asarray(vecs, dtype=np.float32), qvec)  # einsum: see kerjasama.exactdense
        order = sorted(range(len(top)), key=lambda i: -sims[i])
        for rank, i in enumerate(order, start=1):
            top[i].dense_rank, top[i].dense_score = rank, float(sims[i])
        for h in top:
            h.score = ranking.national_score(h.lexical_rank, h.dense_rank, h.chunk.part.startswith("penjelasan"),
                                             penjelasan)
        return sorted(top, key=lambda h: (-h.score, h.lexical_rank or 0))[:k]
