"""The corpus catalog: metadata of every document (title, short citation, status, replacement)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kerjasama.errors import CatalogError

log = logging.getLogger(__name__)

CATALOG_FILE = "catalog.yaml"

STATUS_LABELS = {
    "berlaku": ("berlaku", "in force"),
    "dicabut": ("dicabut", "repealed"),
    "sekunder": ("sumber sekunder", "secondary source"),
}

_KINDS = (
    (r"UNDANG[- ]UNDANG", "undang-undang", "UU"),
    (r"PERATURAN\s+PEMERINTAH\s+PENGGANTI", "perppu", "Perppu"),
    (r"PERATURAN\s+PEMERINTAH", "peraturan pemerintah", "PP"),
    (r"PERATURAN\s+PRESIDEN", "peraturan presiden", "Perpres"),
    (r"PERATURAN\s+MENTERI", "peraturan menteri", "Permen"),
    (r"PERATURAN\s+DAERAH", "peraturan daerah", "Perda"),
)


@dataclass(frozen=True)
class DocumentMeta:
    """Metadata of one corpus document."""

    id: str
    title: str
    short: str
    kind: str
    file: str = ""
    number: str = ""
    year: int | None = None
    language: str = "id"
    status: str = "berlaku"
    replaced_by: str = ""
    structure: str = "regulation"  # regulation | treaty | prose
    provenance: str = ""
    quality: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)
    cataloged: bool = True

    @property
    def repealed(self) -> bool:
        """True when the document is no longer in force."""
        return self.status == "dicabut"

    def status_label(self, lang: str = "id") -> str:
        """Human label of the status in Indonesian (``lang='id'``) or English."""
        pair = STATUS_LABELS.get(self.status, (self.status, self.status))
        return pair[0] if lang == "id" else pair[1]


class Catalog:
    """All documents' metadata, looked up by id or by file name."""

    def __init__(self, docs: list[DocumentMeta]) -> None:
        self._by_id = {d.id: d for d in docs}
        self._by_file = {d.file: d for d in docs if d.file}

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, doc_id: str) -> DocumentMeta | None:
        """The document with this id, or None."""
        return self._by_id.get(doc_id)

    def by_file(self, name: str) -> DocumentMeta | None:
        """The catalog entry of a corpus file name, or None."""
        return self._by_file.get(name)

    def add(self, meta: DocumentMeta) -> None:
        """Add (or replace) one document's metadata."""
        self._by_id[meta.id] = meta
        if meta.file:
            self._by_file[meta.file] = meta

    def replacement(self, doc_id: str) -> DocumentMeta | None:
        """The document that replaced ``doc_id``, if it was repealed and the replacement is known."""
        meta = self.get(doc_id)
        if meta is None or not meta.replaced_by:
            return None
        return self.get(meta.replaced_by)


def load_catalog(corpus_dir: Path) -> Catalog:
    """Read ``corpus_dir/catalog.yaml``; an absent file gives an empty catalog."""
    path = corpus_dir / CATALOG_FILE
    if not path.exists():
        return Catalog([])
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"Cannot read {path.name}: {exc}. Fix the YAML or remove the file.") from exc
    docs = []
    for i, entry in enumerate(raw.get("documents") or []):
        try:
            docs.append(
                DocumentMeta(
                    id=str(entry["id"]),
                    title=str(entry["title"]),
                    short=str(entry["short"]),
                    kind=str(entry.get("kind", "")),
                    file=str(entry.get("file", "")),
                    number=str(entry.get("number") or ""),
                    year=int(entry["year"]) if entry.get("year") else None,
                    language=str(entry.get("language", "id")),
                    status=str(entry.get("status", "berlaku")),
                    replaced_by=str(entry.get("replaced_by") or ""),
                    structure=str(entry.get("structure", "regulation")),
                    provenance=str(entry.get("provenance", "")),
                    quality=str(entry.get("quality", "")),
                    aliases=tuple(entry.get("aliases") or ()),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CatalogError(
                f"{path.name}: entry {i + 1} is missing or has a bad field ({exc}). "
                "Every entry needs at least id, title and short."
            ) from exc
    return Catalog(docs)


_HEAD_RE = re.compile(
    r"NOMOR\s+([0-9A-Z/.\-]+)\s+TAHUN\s+(\d{4})(?:\s+TENTANG\s+(.{3,200}?))?(?:\n\n|DENGAN RAHMAT|$)", re.S
)


def infer_meta(path: Path, text: str) -> DocumentMeta:
    """Metadata for a file without a catalog entry, taken from its name and first lines."""
    head = re.sub(r"[ \t]+", " ", text[:1500])
    upper = head.upper()
    doc_id = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "dokumen"
    found = [(m.start(), kind, abbr) for pattern, kind, abbr in _KINDS if (m := re.search(pattern, upper[:600]))]
    if found:
        _, kind, abbr = min(found)
        m = _HEAD_RE.search(upper)
        if m:
            number, year = m.group(1), int(m.group(2))
            about = " ".join((m.group(3) or "").split()).title()
            title = f"{kind.title()} Nomor {number} Tahun {year}" + (f" tentang {about}" if about else "")
            return DocumentMeta(
                id=doc_id, title=title, short=f"{abbr} {number}/{year}", kind=kind, file=path.name,
                number=number, year=year, structure="regulation", cataloged=False,
            )
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), path.stem)
    return DocumentMeta(
        id=doc_id, title=first[:160], short=path.stem, kind="dokumen", file=path.name,
        status="sekunder", structure="prose", cataloged=False,
    )
