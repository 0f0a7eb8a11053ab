"""The citator's graph as the app reads it: what revokes and amends the corpus's statutes, mined from the text.

``make citator`` (``python -m ingest.citator``) mines the national data set into ``relations.json``
(``Settings.citator_path``). When that file is there, the Dokumen tab and ``/api/documents/{id}`` show, for each
UU and PP of the corpus, its status from the graph, what revoked or amended it (in the order enacted) and what it
revokes or amends; at start the app logs every statute whose catalog status the graph contradicts. Without the
file, nothing changes: the catalog's status and the corpus's own revoking provisions stand.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from kerjasama.catalog import Catalog, DocumentMeta

log = logging.getLogger(__name__)

_KINDS = {"undang-undang": ("uu", "UU"), "peraturan pemerintah": ("pp", "PP")}
_SHORT = {"uu": "UU", "pp": "PP", "perpu": "Perpu"}
_LISTS = ("dicabut_oleh", "diubah_oleh")
_OWN = ("mencabut", "mencabut_sebagian", "mengubah")


def short(reg_id: str) -> str:
    """"uu-2014-23" -> "UU 23/2014"."""
    kind, year, num = reg_id.split("-")
    return f"{_SHORT.get(kind, kind.upper())} {num}/{year}"


class Relations:
    """Statuses and relations of the national data set's regulations (``relations.json``)."""

    def __init__(self, data: dict) -> None:
        self.status: dict[str, dict] = data["status"]
        self.regs: dict[str, dict] = {r["id"]: r for r in data["regulations"]}

    @classmethod
    def load(cls, path: Path) -> Relations | None:
        """The graph in ``path``; None when there is none (or it cannot be read: logged)."""
        if not path.is_file():
            return None
        try:
            return cls(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("the citator's relations (%s) cannot be read (%s); run `make citator` again",
                        path.name, type(exc).__name__)
            return None

    @staticmethod
    def national_id(meta: DocumentMeta) -> str | None:
        """The data set's id of a catalog document (``uu-2004-32``), None for what is not a UU or PP."""
        kind = _KINDS.get(meta.kind.lower())
        if kind is None or not meta.number.isdigit() or not meta.year:
            return None
        return f"{kind[0]}-{meta.year}-{int(meta.number)}"

    def _ref(self, reg_id: str) -> dict:
        reg = self.regs.get(reg_id) or {}
        return {"id": reg_id, "short": short(reg_id), "tentang": reg.get("tentang", "")}

    def of(self, meta: DocumentMeta) -> dict | None:
        """Status and relations of a catalog document, or None when the graph does not know it."""
        nid = self.national_id(meta)
        node = self.status.get(nid) if nid else None
        if node is None:
            return None
        own = (self.regs.get(nid) or {}).get("relations", [])
        out = {"id": nid, "status": node["status"], "in_data": node.get("in_data", True)}
        out.update({name: [self._ref(r) for r in node.get(name, [])] for name in _LISTS})
        out.update({name: [self._ref(r["target"]) for r in own if r["type"] == name] for name in _OWN})
        return out

    def amenders_outside(self, meta: DocumentMeta, catalog: Catalog) -> list[str]:
        """Short names of the regulations that amended ``meta`` and that the corpus does not hold (its text of
        ``meta`` may be out of date there), oldest first."""
        found = self.of(meta)
        if found is None:
            return []
        held = {nid for m in catalog if (nid := self.national_id(m))}
        return [r["short"] for r in found["diubah_oleh"] if r["id"] not in held]

    def disagreements(self, catalog: Catalog) -> list[str]:
        """Statutes whose catalog status (repealed or not) the graph contradicts, one line each."""
        out = []
        for meta in catalog:
            found = self.of(meta)
            if found is None or found["status"] == "tidak dalam data":
                continue
            mined = found["status"] == "dicabut"
            if mined != meta.repealed:
                by = ", ".join(r["short"] for r in found["dicabut_oleh"]) or "-"
                out.append(f"{meta.short}: catalog {meta.status!r}, citator {found['status']!r} (dicabut oleh {by})")
        return out
