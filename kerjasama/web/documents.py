"""The indexed documents as a reader sees them: the catalog, and each document cut into sections (a whole Pasal,
Article, Menimbang..., or one passage of prose) rebuilt from the indexed chunks.

A long Pasal is indexed as several chunks that each repeat the Pasal heading; a section joins them back into one
text (the repeated heading dropped) and remembers where each chunk's text starts, so a verbatim quote of a chunk
can be located and highlighted inside its whole Pasal.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from kerjasama.catalog import Catalog, DocumentMeta
from kerjasama.models import Chunk
from kerjasama.relations import Relations
from kerjasama.retrieve import HybridRetriever


@dataclass
class Section:
    """One readable unit of a document: a whole Pasal (all its chunks) or a single prose passage."""

    doc_id: str
    key: str  # unique within the document, used as HTML anchor: "pasal-30", "penjelasan-pasal-30", "c-12"
    label: str  # "Pasal 30", "Penjelasan Pasal 30", "paragraf 3"
    cite: str  # "PP 28/2018 Pasal 30"
    part: str
    pasal: str
    path: tuple[str, ...]
    text: str = ""
    chunks: list[Chunk] = field(default_factory=list)
    starts: dict[str, tuple[int, int]] = field(default_factory=dict)  # chunk id -> (offset in text, chars dropped)

    def locate(self, chunk_id: str, quote: str) -> tuple[int, int] | None:
        """(start, end) of ``quote`` in :attr:`text`, preferring its place in the chunk it was quoted from."""
        if not quote:
            return None
        where = self.starts.get(chunk_id)
        chunk = next((c for c in self.chunks if c.id == chunk_id), None)
        if where is not None and chunk is not None:
            pos = chunk.text.find(quote)
            offset, dropped = where
            if pos >= dropped:
                start = offset + pos - dropped
                if self.text[start : start + len(quote)] == quote:
                    return start, start + len(quote)
        pos = self.text.find(quote)
        return (pos, pos + len(quote)) if pos >= 0 else None

    def to_dict(self, with_text: bool = True) -> dict:
        """JSON form for the API."""
        out = {
            "key": self.key,
            "label": self.label,
            "cite": self.cite,
            "part": self.part,
            "pasal": self.pasal,
            "path": list(self.path[1:]),
            "chunk_ids": [c.id for c in self.chunks],
        }
        if with_text:
            out["text"] = self.text
        return out


@dataclass
class DocumentInfo:
    """A catalog row: metadata plus what the index holds of the document."""

    id: str
    title: str
    short: str
    status: str
    status_label_id: str
    status_label_en: str
    replaced_by: str
    replaced_by_short: str
    kind: str
    language: str
    quality: str
    chunks: int
    sections: int
    last_ingested: str
    citator: dict | None = None  # status and relations mined from the national data set (kerjasama.relations)

    def to_dict(self) -> dict:
        """JSON form for the API."""
        return dict(self.__dict__)


def slug(text: str) -> str:
    """An HTML-id-safe slug: "Penjelasan Pasal 30A" -> "penjelasan-pasal-30a"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "bagian"


def _label(chunk: Chunk, meta: DocumentMeta | None) -> str:
    """The section label: the citation without the document's short name."""
    base = chunk.anchor or chunk.cite
    short = meta.short if meta else ""
    if short and base.startswith(short):
        base = base[len(short) :].strip()
    return base or chunk.cite


def build_sections(chunks: list[Chunk], meta: DocumentMeta | None) -> list[Section]:
    """Sections of one document from its chunks (in document order)."""
    sections: list[Section] = []
    used: set[str] = set()
    current: Section | None = None
    for chunk in sorted(chunks, key=lambda c: c.order):
        grouped = bool(chunk.pasal)
        same = (
            grouped
            and current is not None
            and current.pasal == chunk.pasal
            and current.part == chunk.part
            and current.cite == (chunk.anchor or chunk.cite)
        )
        if same and current is not None:
            head = current.text.split("\n", 1)[0]
            first, _, rest = chunk.text.partition("\n")
            dropped = len(first) + 1 if rest and first.strip() == head.strip() else 0
            current.text += "\n"
            current.starts[chunk.id] = (len(current.text), dropped)
            current.text += chunk.text[dropped:]
            current.chunks.append(chunk)
            continue
        prose_label = chunk.cite.split(meta.short, 1)[-1].strip() if meta else chunk.cite
        label = _label(chunk, meta) if grouped else prose_label
        key = slug(label) if grouped else f"c-{chunk.order}"
        base, n = key, 2
        while key in used:
            key, n = f"{base}-{n}", n + 1
        used.add(key)
        current = Section(
            doc_id=chunk.doc_id,
            key=key,
            label=label or chunk.cite,
            cite=chunk.anchor or chunk.cite if grouped else chunk.cite,
            part=chunk.part,
            pasal=chunk.pasal,
            path=chunk.path,
            text=chunk.text,
            chunks=[chunk],
            starts={chunk.id: (0, 0)},
        )
        sections.append(current)
    return sections


def _pasal_names(value: str) -> set[str]:
    """Names a user may give for a Pasal/Article: "30", "pasal 30", "Article 5" -> {"pasal 30", "article 30"}."""
    v = " ".join(value.replace("_", " ").replace("-", " ").split()).lower()
    if re.fullmatch(r"\d+[a-z]?", v):
        return {f"pasal {v}", f"article {v}"}
    return {v}


class Library:
    """Documents and sections of one index, built lazily from the retriever's chunk snapshot (thread-safe)."""

    def __init__(self, retriever: HybridRetriever, relations: Relations | None = None) -> None:
        self.retriever = retriever
        self.relations = relations
        self.catalog: Catalog = retriever.catalog
        self._lock = threading.Lock()
        self._sections: dict[str, list[Section]] | None = None
        self._by_chunk: dict[str, Section] = {}

    def _load(self) -> dict[str, list[Section]]:
        with self._lock:
            if self._sections is None:
                by_doc: dict[str, list[Chunk]] = {}
                for chunk in self.retriever.chunks:
                    by_doc.setdefault(chunk.doc_id, []).append(chunk)
                sections = {doc_id: build_sections(chs, self.catalog.get(doc_id)) for doc_id, chs in by_doc.items()}
                self._by_chunk = {c.id: s for secs in sections.values() for s in secs for c in s.chunks}
                self._sections = sections
            return self._sections

    @property
    def last_ingested(self) -> str:
        """When the index was last written (``built_at`` of its manifest), or ""."""
        manifest = self.retriever.store.manifest() or {}
        return str(manifest.get("built_at", ""))

    def doc_ids(self) -> list[str]:
        """Ids of indexed documents: catalog order first, then any others."""
        sections = self._load()
        ordered = [m.id for m in self.catalog if m.id in sections]
        return ordered + sorted(d for d in sections if d not in ordered)

    def meta(self, doc_id: str) -> DocumentMeta | None:
        """Catalog metadata of a document (None for a document without a catalog entry)."""
        return self.catalog.get(doc_id)

    def info(self, doc_id: str) -> DocumentInfo | None:
        """The catalog row of an indexed document, or None if it is not in the index."""
        sections = self._load().get(doc_id)
        if sections is None:
            return None
        meta = self.catalog.get(doc_id)
        repl = self.catalog.replacement(doc_id)
        return DocumentInfo(
            id=doc_id,
            title=meta.title if meta else doc_id,
            short=meta.short if meta else doc_id,
            status=meta.status if meta else "",
            status_label_id=meta.status_label("id") if meta else "",
            status_label_en=meta.status_label("en") if meta else "",
            replaced_by=meta.replaced_by if meta else "",
            replaced_by_short=repl.short if repl else "",
            kind=meta.kind if meta else "",
            language=meta.language if meta else "",
            quality=meta.quality if meta else "",
            chunks=sum(len(s.chunks) for s in sections),
            sections=len(sections),
            last_ingested=self.last_ingested,
            citator=self.relations.of(meta) if self.relations is not None and meta else None,
        )

    def documents(self) -> list[DocumentInfo]:
        """Catalog rows of every indexed document."""
        return [info for d in self.doc_ids() if (info := self.info(d)) is not None]

    def sections(self, doc_id: str) -> list[Section]:
        """Sections of a document in reading order (empty for an unknown document)."""
        return self._load().get(doc_id, [])

    def section(self, doc_id: str, key: str) -> Section | None:
        """The section with this key."""
        return next((s for s in self.sections(doc_id) if s.key == key), None)

    def section_of_chunk(self, chunk_id: str) -> Section | None:
        """The section that contains a chunk."""
        self._load()
        return self._by_chunk.get(chunk_id)

    def find_pasal(self, doc_id: str, pasal: str, part: str = "body") -> Section | None:
        """The section of "Pasal 30" / "30" / "Article 5" / "Menimbang" in a document's body or Penjelasan."""
        names = _pasal_names(pasal)
        for s in self.sections(doc_id):
            if s.pasal and s.pasal.lower() in names and s.part == part:
                return s
        return None
