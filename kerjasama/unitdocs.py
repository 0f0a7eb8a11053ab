"""Retrieval at every level of the structure ("small to big").

Every chunk (a Pasal, or a piece of a long one) is a retrievable document. So is each ayat / huruf / angka /
treaty paragraph inside a chunk that is long enough for one unit to drown in it: a unit document carries the
pinpoint citation, the BAB/Bagian context and, for a list item, the list's lead-in ("... paling sedikit
memuat:"), so that "what must the cooperation plan contain about financing?" can find huruf f of ayat (3) inside
Pasal 30. Unit hits are aggregated to their chunk at retrieval (the chunk is the passage; the unit is what the
answer quotes).
"""

from __future__ import annotations

from dataclasses import dataclass

from kerjasama.models import Chunk, Unit, label_depth

UNIT_SEP = "~"  # unit document id = <chunk id>~<index of the unit in Chunk.units>
MAX_LEAD_CHARS = 300  # lead-in of a list item carried into its unit document
MAX_UNIT_CHARS = 1200  # longest unit text embedded (longer ones are cut; the quote is still the whole unit)


@dataclass(frozen=True)
class UnitDoc:
    """One retrievable unit of a chunk: its id, the chunk it belongs to, the unit and the text to index."""

    id: str
    chunk_id: str
    doc_id: str
    index: int
    unit: Unit
    text: str


def unit_doc_id(chunk_id: str, index: int) -> str:
    """Id of the unit document of ``Chunk.units[index]``."""
    return f"{chunk_id}{UNIT_SEP}{index}"


def split_doc_id(doc_id: str) -> tuple[str, int | None]:
    """(chunk id, unit index or None) of a document id."""
    chunk_id, sep, index = doc_id.partition(UNIT_SEP)
    return chunk_id, (int(index) if sep else None)


def _lead(chunk: Chunk, unit: Unit) -> str:
    """The text that introduces a list item: its parent unit's words before the first sub-unit, or the chunk's
    words before its first unit ("Rencana kerja sama ... paling sedikit memuat:")."""
    depth = label_depth(unit.label)
    if depth >= 2:
        parent = next(
            (u for u in chunk.units if label_depth(u.label) == depth - 1 and u.start <= unit.start < u.end), None
        )
        if parent is None:
            return ""
        first_child = min((u.start for u in chunk.units if parent.start < u.start < parent.end), default=unit.start)
        lead = chunk.text[parent.start:first_child]
    else:
        head = chunk.text.find("\n") + 1 if chunk.part != "prose" else 0
        first = min((u.start for u in chunk.units), default=unit.start)
        if not unit.label.startswith(("huruf", "angka")) or first <= head:
            return ""
        lead = chunk.text[head:first]
    lead = " ".join(lead.split())
    return lead if len(lead) <= MAX_LEAD_CHARS else "… " + lead[-MAX_LEAD_CHARS:]


def unit_docs(chunk: Chunk, min_chunk_chars: int) -> list[UnitDoc]:
    """The unit documents of ``chunk``: none when it is shorter than ``min_chunk_chars`` or has one unit."""
    if len(chunk.units) < 2 or len(chunk.text) < min_chunk_chars:
        return []
    out = []
    for i, unit in enumerate(chunk.units):
        body = " ".join(chunk.text[unit.start:unit.end].split())[:MAX_UNIT_CHARS]
        if not body:
            continue
        head = " | ".join(x for x in (chunk.pinpoint(unit.label), chunk.context) if x)
        lead = _lead(chunk, unit)
        text = f"{head}\n{lead} {body}" if lead else f"{head}\n{body}"
        out.append(UnitDoc(unit_doc_id(chunk.id, i), chunk.id, chunk.doc_id, i, unit, text))
    return out


def index_text(doc: Chunk | UnitDoc) -> str:
    """The text embedded and indexed for a chunk (headings, citation, passage) or a unit document."""
    return doc.text if isinstance(doc, UnitDoc) else doc.embed_text()
