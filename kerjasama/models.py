"""Small data classes shared by ingest, retrieval and answering."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field


def label_depth(label: str) -> int:
    """1 for "ayat (2)", "angka 3", "huruf a", "(1)", "paragraf 3"; 2 for "ayat (2) huruf a", "(1)(a)"."""
    if label.startswith("("):
        return label.count("(")
    return len(re.findall(r"\b(ayat|huruf|angka|paragraf)\b", label))


@dataclass(frozen=True)
class Unit:
    """A pinpointable span inside a chunk's text: an ayat, huruf, angka, paragraph or sentence group.

    ``start``/``end`` are character offsets into ``Chunk.text``; ``label`` is the part of the citation
    below the chunk's Pasal, e.g. ``"ayat (2) huruf b"`` (empty for the whole chunk).
    """

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage of a document, cut along the document's legal structure.

    ``path`` is the structural path, e.g. ``("BAB IV", "Bagian Keempat", "Paragraf 2", "Pasal 30")``;
    ``cite`` the readable citation of the whole chunk, e.g. ``"PP 28/2018 Pasal 30"`` or
    ``"PP 28/2018 Pasal 30 ayat (1)-(3)"`` for part of a long Pasal.
    ``context`` carries headings (document title, BAB and Bagian titles) used for embedding and
    lexical search but not shown as the passage text.
    """

    doc_id: str
    path: tuple[str, ...]
    cite: str
    text: str
    context: str = ""
    pasal: str = ""
    part: str = "body"  # body | penjelasan | pembukaan | lampiran | penutup | prose
    units: tuple[Unit, ...] = field(default_factory=tuple)
    order: int = 0
    anchor: str = ""  # citation of the whole structural unit, e.g. "PP 28/2018 Pasal 30"; units cite below it

    def pinpoint(self, label: str) -> str:
        """Citation of a unit of this chunk: anchor plus label, e.g. "PP 28/2018 Pasal 30 ayat (4)"."""
        base = self.anchor or self.cite
        if not label:
            return base
        return f"{base}{label}" if label.startswith("(") else f"{base} {label}"

    @functools.cached_property
    def id(self) -> str:
        """Stable content id: hash of document id, structural path and text (computed once per chunk)."""
        h = hashlib.sha256()
        h.update(self.doc_id.encode())
        h.update(b"\x00")
        h.update("/".join(self.path).encode())
        h.update(b"\x00")
        h.update(self.text.encode())
        return h.hexdigest()[:24]

    def embed_text(self) -> str:
        """Text given to the embedder and the lexical index: headings, citation, then the passage."""
        head = " | ".join(x for x in (self.cite, self.context) if x)
        return f"{head}\n{self.text}" if head else self.text

    def to_meta(self) -> dict[str, str | int]:
        """Flat metadata for the vector store (scalars only)."""
        return {
            "doc_id": self.doc_id,
            "path": json.dumps(list(self.path), ensure_ascii=False),
            "cite": self.cite,
            "context": self.context,
            "pasal": self.pasal,
            "part": self.part,
            "units": json.dumps([asdict(u) for u in self.units]),
            "order": self.order,
            "anchor": self.anchor,
        }

    @classmethod
    def from_meta(cls, text: str, meta: dict) -> Chunk:
        """Rebuild a chunk from stored text and :meth:`to_meta` metadata."""
        return cls(
            doc_id=str(meta["doc_id"]),
            path=tuple(json.loads(str(meta["path"]))),
            cite=str(meta["cite"]),
            text=text,
            context=str(meta.get("context", "")),
            pasal=str(meta.get("pasal", "")),
            part=str(meta.get("part", "body")),
            units=tuple(Unit(**u) for u in json.loads(str(meta.get("units", "[]")))),
            order=int(meta.get("order", 0)),
            anchor=str(meta.get("anchor", "")),
        )


@dataclass
class Hit:
    """A retrieved chunk with its fused score and the ranks it had in each retriever."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_score: float | None = None
    lexical_score: float | None = None
    pinned: bool = False  # the question named this Pasal
    rerank_score: float | None = None  # the reranker's score, when a reranker rescored this hit
    unit_sims: dict[int, float] = field(default_factory=dict)  # unit index -> dense similarity of its document
    unit_lex: dict[int, float] = field(default_factory=dict)  # unit index -> BM25 score of its document
    defines: str = ""  # label of the unit that defines the term a definition question asks about
    revokes: bool = False  # the provision that revoked a document the question names


@dataclass
class Citation:
    """One numbered source of an answer: a pinpoint citation and the verbatim quote."""

    n: int
    cite: str
    title: str
    status: str
    quote: str
    doc_id: str
    chunk_id: str
    replaced_by: str = ""
    note: str = ""


@dataclass
class Answer:
    """The result of answering one question (the ``ask --json`` object)."""

    question: str
    answer: str
    refused: bool
    path: str
    lang: str
    citations: list[Citation]
    hits: list[Hit]
    latency_ms: float = 0.0
    reason: str = ""
    evidence: dict = field(default_factory=dict)  # what the refusal decision measured (diagnostics, not shown)
    understood_as: str = ""  # how a follow-up question was understood in its conversation ("" when it stood alone)
    conversation_id: str = ""
    national: list[Citation] = field(default_factory=list)  # quoted from the national collection, below a refusal

    def to_dict(self) -> dict:
        """The public JSON shape shared by the CLI, the eval runner and the API."""
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "path": self.path,
            "lang": self.lang,
            "citations": [asdict(c) for c in self.citations],
            "passages": [
                {
                    "rank": i + 1,
                    "score": round(h.score, 6),
                    "cite": h.chunk.cite,
                    "text": h.chunk.text,
                    "chunk_id": h.chunk.id,
                    "doc_id": h.chunk.doc_id,
                }
                for i, h in enumerate(self.hits)
            ],
            "latency_ms": round(self.latency_ms, 1),
            **({"understood_as": self.understood_as} if self.understood_as else {}),
            **({"conversation_id": self.conversation_id} if self.conversation_id else {}),
            **({"national": [asdict(c) for c in self.national]} if self.national else {}),
        }
