"""Cut documents into chunks along their legal structure.

Regulations: Menimbang / Mengingat, BAB, Bagian, Paragraf, Pasal (with ayat, huruf, angka units), the
Penjelasan (general part and per Pasal, a separate unit from the Pasal itself) and the Lampiran. A Pasal is one
chunk; a long one is split at ayat (or angka, or huruf) boundaries and every piece carries the Pasal heading.
Treaties: Articles with numbered paragraphs. Articles and theses: paragraphs packed to a size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ingest.units import regulation_units, treaty_units
from kerjasama.catalog import DocumentMeta
from kerjasama.models import Chunk, Unit, label_depth
from kerjasama.text import sentence_spans

_BAB = re.compile(r"^BAB\s+([IVXLC]+)\b\.?\s*(.*)$")
_BAGIAN = re.compile(r"^Ba\w{0,2}[gq]\w{0,3}n\s+(Ke\w+|Pertama)\b\s*(.*)$")
_PARAGRAF = re.compile(r"^(?:Paragraf|Pengraf|Paragrap|Paragaf)\s*(\d+|[IVX]+)\b\s*(.*)$")
_PASAL = re.compile(r"^Pasal\s+(\d+[A-Z]?|[IVX]+)\s*$")
_ARTICLE = re.compile(r"^Article\s+(\d+)\s*$")
_PART = re.compile(r"^(PART|SECTION)\s+([IVXLC]+|\d+)\s*$")
_TREATY_END = re.compile(r"^(ANNEX|FINAL ACT)\b", re.I)
_PENJELASAN = re.compile(r"^PENJE\S{0,6}\s*ATAS\b|^PENJELASAN\s*$")
_PENJ_UMUM = re.compile(r"\b(?:I\.\s*)?(?:PENJELASAN\s+)?UMUM\b")
_PASAL_DEMI = re.compile(r"^II\.\s*PASAL\s+DEMI\s+PASAL")
_LAMPIRAN = re.compile(r"^LAMPIRAN\b")
_MENIMBANG = re.compile(r"^(Menimbang|Mengingat)\b\s*:?\s*(.*)$")
_PEMBUKAAN_END = re.compile(r"^(MEMUTUSKAN|Menetapkan|Dengan Persetujuan)")
_PENUTUP = re.compile(r"(Agar setiap orang (?:dapat )?mengetahuinya|Disahkan di|Ditetapkan di|Diundangkan di)")
# OCR page header "PRESIDEN REPUBLIK INDONESIA" with stray spaces.
_PAGE_HEADER = r"P\s?R\s?E\s?S\s?I\s?[DO]\s?E\s?N\s+R\s?E\s?P\s?U\s?B\s?L\s?I\s?K\s+I\s?N\s?[DO]\s?[DO]?\s?N\s?E\s?S\s?I\s?A"  # noqa: E501
_CUKUP_JELAS = re.compile(
    rf"{_PAGE_HEADER}|(Ayat|Huruf|Angka)\s?\S{{1,4}}|C\S{{0,3}}up\s*\^?\s*jelas\.?|[^A-Za-z]+", re.I
)


@dataclass
class Block:
    """A run of lines that belongs to one structural unit."""

    part: str  # pembukaan | body | penjelasan | penjelasan-umum | lampiran | penutup | treaty | prose
    label: str  # "Pasal 30", "Menimbang", "Article 2", ...
    path: tuple[str, ...]
    context: list[str]
    lines: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(self.lines).strip()


def _cite(base: str, label: str) -> str:
    if not label:
        return base
    return f"{base}{label}" if label.startswith("(") else f"{base} {label}"


def _title_after(lines: list[str], i: int, rest: str) -> tuple[str, int]:
    """A heading's title: the rest of its line, or the next line when that is an all-caps title."""
    if rest.strip():
        return rest.strip(), i
    if i + 1 < len(lines) and lines[i + 1].strip() and lines[i + 1].strip().upper() == lines[i + 1].strip():
        nxt = lines[i + 1].strip()
        if not (_PASAL.match(nxt) or _BAB.match(nxt)):
            return nxt, i + 1
    return "", i


def parse_regulation(text: str) -> list[Block]:
    """Split a regulation's text into blocks (pembukaan, Pasal, Penjelasan, Lampiran, penutup)."""
    lines = text.split("\n")
    blocks: list[Block] = []
    bab = bagian = paragraf = ""
    titles: dict[str, str] = {}
    part = "head"
    cur: Block | None = None

    def open_block(b: Block) -> Block:
        blocks.append(b)
        return b

    i = 0
    while i < len(lines):
        raw = lines[i]
        line = raw.strip()
        if part != "lampiran" and _PENJELASAN.match(line):
            part, cur = "penjelasan", None
            bab = bagian = paragraf = ""
            rest = _PENJELASAN.sub("", line)
            m = _PENJ_UMUM.search(rest)
            if m:
                cur = open_block(Block("penjelasan-umum", "Penjelasan Umum", ("PENJELASAN", "UMUM"), []))
                cur.lines.append(rest[m.end():].strip())
            i += 1
            continue
        if _LAMPIRAN.match(line) and part in {"penjelasan", "body", "penutup"}:
            part = "lampiran"
            cur = open_block(Block("lampiran", "Lampiran", ("LAMPIRAN",), [line[:200]]))
            cur.lines.append(line)
            i += 1
            continue
        if part == "lampiran":
            cur.lines.append(line)
            i += 1
            continue
        if part == "penjelasan":
            if re.match(r"^I\.\s*(PENJELASAN\s+)?UMUM\b", line):
                cur = open_block(Block("penjelasan-umum", "Penjelasan Umum", ("PENJELASAN", "UMUM"), []))
                cur.lines.append(re.sub(r"^I\.\s*(PENJELASAN\s+)?UMUM\b\s*", "", line))
            elif _PASAL_DEMI.match(line):
                cur = None
            elif m := _PASAL.match(line):
                label = f"Pasal {m.group(1)}"
                cur = open_block(Block("penjelasan", f"Penjelasan {label}", ("PENJELASAN", label), [], []))
            elif cur is not None:
                cur.lines.append(raw)
            i += 1
            continue
        if m := _MENIMBANG.match(line):
            part = "pembukaan"
            cur = open_block(Block("pembukaan", m.group(1), (m.group(1),), []))
            if m.group(2):
                cur.lines.append(m.group(2))
            i += 1
            continue
        if part == "pembukaan" and _PEMBUKAAN_END.match(line):
            cur = None
            i += 1
            continue
        if m := _BAB.match(line):
            part = "body"
            title, i = _title_after(lines, i, m.group(2))
            bab, bagian, paragraf = f"BAB {m.group(1)}", "", ""
            titles[bab] = title
            # "Bagian Kesatu Umum" may be glued behind the BAB title on OCR lines.
            cur = None
            i += 1
            continue
        if part in {"body", "head"} and (m := _BAGIAN.match(line)):
            rest = m.group(2)
            bagian, paragraf = f"Bagian {m.group(1).capitalize()}", ""
            pm = re.search(r"\b(?:Paragraf|Pengraf)\s*(\d+|[IVX]+)\b\s*(.*)$", rest)
            if pm:
                paragraf = f"Paragraf {pm.group(1).replace('I', '1') if pm.group(1) == 'I' else pm.group(1)}"
                titles[paragraf + bagian + bab] = pm.group(2)
                rest = rest[: pm.start()]
            words = rest.split()
            if len(words) > 8 and cur is not None:
                # OCR glued body text behind the heading: keep a short title, the text stays in the Pasal.
                cur.lines.append(" ".join(words[3:]))
                rest = " ".join(words[:3])
            else:
                cur = None
            titles[bagian + bab] = rest.strip()
            i += 1
            continue
        if part in {"body", "head"} and (m := _PARAGRAF.match(line)):
            num = "1" if m.group(1) == "I" else m.group(1)
            paragraf = f"Paragraf {num}"
            titles[paragraf + bagian + bab] = m.group(2)
            cur = None
            i += 1
            continue
        if m := _PASAL.match(line):
            part = "body"
            label = f"Pasal {m.group(1)}"
            ctx = [
                f"{name} {titles.get(key, '')}".strip()
                for name, key in ((bab, bab), (bagian, bagian + bab), (paragraf, paragraf + bagian + bab))
                if name
            ]
            path = tuple(x for x in (bab, bagian, paragraf) if x) + (label,)
            cur = open_block(Block("body", label, path, ctx))
            i += 1
            continue
        if cur is not None:
            cur.lines.append(raw)
        i += 1
    return _split_penutup(blocks)


def _split_penutup(blocks: list[Block]) -> list[Block]:
    """Move the closing formula after the last Pasal ("Agar setiap orang mengetahuinya ...") to its own block."""
    body = [b for b in blocks if b.part == "body"]
    if not body:
        return blocks
    last = body[-1]
    text = "\n".join(last.lines)
    m = _PENUTUP.search(text)
    if not m:
        return blocks
    last.lines = text[: m.start()].split("\n")
    closing = Block("penutup", "Penutup", ("PENUTUP",), [], text[m.start():].split("\n"))
    blocks.insert(blocks.index(last) + 1, closing)
    return blocks


def parse_treaty(text: str) -> list[Block]:
    """Split a treaty into Preamble, Articles (with PART/SECTION context) and closing parts."""
    lines = text.split("\n")
    blocks: list[Block] = [Block("treaty", "Preamble", ("Preamble",), [])]
    cur = blocks[0]
    part = section = ""
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if m := _PART.match(line):
            title, i = _title_after(lines, i, "")
            if not title and i + 2 < len(lines):
                j = i + 1
                while j < len(lines) and not lines[j].strip():
                    j += 1
                title, i = lines[j].strip(), j
            if m.group(1) == "PART":
                part, section = f"PART {m.group(2)} {title}".strip(), ""
            else:
                section = f"SECTION {m.group(2)} {title}".strip()
            cur = None
        elif m := _ARTICLE.match(line):
            label = f"Article {m.group(1)}"
            cur = Block("treaty", label, (label,), [x for x in (part, section) if x])
            blocks.append(cur)
        elif _TREATY_END.match(line):
            label = "Annex" if line.upper().startswith("ANNEX") else "Final Act"
            cur = Block("prose", label, (label,), [])
            blocks.append(cur)
            cur.lines.append(lines[i])
        elif cur is not None:
            cur.lines.append(lines[i])
        i += 1
    return blocks


def _reflow(text: str) -> list[str]:
    """Paragraphs of prose. PDF text with a line break (and blank line) after every line is joined first."""
    if not re.search(r"\n\s*\n", text.strip()):
        return [" ".join(p.split()) for p in text.split("\n") if p.strip()]  # one paragraph per line
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    if paras and sum(len(p) for p in paras) / len(paras) < 120:
        joined = " ".join(" ".join(p.split()) for p in paras)
        paras = [p.strip() for p in re.split(r"(?<=[.!?:])\s+(?=(?:[A-Z][A-Z ]{4,}\s)|ABSTRA)", joined) if p.strip()]
    return [" ".join(p.split()) for p in paras]


def _hard_cut(text: str, s: int, e: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut one over-long span at the last space before each ``max_chars`` limit."""
    out = []
    while e - s > max_chars:
        cut = text.rfind(" ", s + max_chars // 2, s + max_chars)
        cut = cut if cut > s else s + max_chars
        out.append((s, cut))
        s = cut
    out.append((s, e))
    return out


def _pack(pieces: list[tuple[int, int]], text: str, max_chars: int) -> list[tuple[int, int]]:
    """Group consecutive (start, end) spans of ``text`` into windows no longer than ``max_chars``.

    A span longer than a window (OCR run-on text) is first cut at sentence ends, then at spaces.
    """
    small: list[tuple[int, int]] = []
    for s, e in pieces:
        if e - s <= max_chars:
            small.append((s, e))
            continue
        for a, b in sentence_spans(text[s:e]):
            small.extend(_hard_cut(text, s + a, s + b, max_chars))
    groups: list[tuple[int, int]] = []
    for s, e in small:
        if groups and e - groups[-1][0] <= max_chars:
            groups[-1] = (groups[-1][0], e)
        else:
            groups.append((s, e))
    return groups


class Chunker:
    """Turns a document's text into chunks; settings fix the size limits."""

    def __init__(self, max_chars: int = 1400, min_chars: int = 200) -> None:
        self.max_chars = max_chars
        self.min_chars = min_chars

    def chunk(self, text: str, meta: DocumentMeta) -> list[Chunk]:
        """All chunks of one document, in document order."""
        if meta.structure == "treaty":
            chunks = self._structured(parse_treaty(text), meta)
        elif meta.structure == "regulation":
            blocks = parse_regulation(text)
            if not any(b.part == "body" for b in blocks):
                chunks = self._prose(text, meta)
            else:
                chunks = self._structured(blocks, meta)
        else:
            chunks = self._prose(text, meta)
        return [replace(c, order=i) for i, c in enumerate(chunks)]

    # -- structured documents -------------------------------------------------------------------------
    def _structured(self, blocks: list[Block], meta: DocumentMeta) -> list[Chunk]:
        out: list[Chunk] = []
        for b in blocks:
            body = b.body
            if not body:
                continue
            if b.part in {"penjelasan-umum", "lampiran", "prose"} or (b.part == "penutup"):
                out.extend(self._prose_block(b, meta))
                continue
            if b.part == "penjelasan" and len(_CUKUP_JELAS.sub("", body)) < 12:
                continue  # "Cukup jelas." explains nothing
            heading = b.label
            if b.part == "treaty":
                units = treaty_units(body)
            else:
                units = regulation_units(body, penjelasan=b.part == "penjelasan")
            ctx = " | ".join([meta.title, *b.context])
            pasal = b.label.replace("Penjelasan ", "")
            out.extend(self._split_units(meta, b, heading, body, units, ctx, pasal))
        return out

    def _split_units(
        self, meta: DocumentMeta, b: Block, heading: str, body: str, units: list[Unit], ctx: str, pasal: str
    ) -> list[Chunk]:
        base = _cite(meta.short, b.label)
        part = "body" if b.part in {"body", "treaty"} else b.part
        full = f"{heading}\n{body}"
        if len(full) <= self.max_chars:
            shift = len(heading) + 1
            shifted = tuple(Unit(u.start + shift, u.end + shift, u.label) for u in units)
            return [Chunk(meta.id, (meta.id, *b.path), base, full, ctx, pasal, part, shifted, anchor=base)]
        pieces = _unit_pieces(units, len(body), self.max_chars) or sentence_spans(body)
        chunks = []
        for n, (s, e) in enumerate(_pack(pieces, body, self.max_chars - len(heading) - 1)):
            raw = body[s:e]
            s0 = s + len(raw) - len(raw.lstrip())  # first and last non-space characters of the piece
            e0 = s + len(raw.rstrip())
            whole = [u for u in units if u.start >= s0 and u.end <= e0]
            # Units overlapping the piece, clipped to it: a piece that starts inside an over-long ayat
            # still cites that ayat.
            piece_units = sorted(
                (Unit(max(u.start, s0), min(u.end, e0), u.label) for u in units if u.start < e0 and u.end > s0),
                key=lambda u: (u.start, label_depth(u.label)),
            )
            piece_units = [u for u in piece_units if body[u.start : u.end].strip()]
            label = _piece_label(whole, piece_units, s0)
            text = f"{heading}\n{body[s0:e0]}"
            shift = len(heading) + 1 - s0
            shifted = tuple(Unit(u.start + shift, u.end + shift, u.label) for u in piece_units)
            cite = _cite(base, label) if label else base
            path = (meta.id, *b.path, f"#{n + 1}")
            chunks.append(Chunk(meta.id, path, cite, text, ctx, pasal, part, shifted, anchor=base))
        return chunks

    # -- prose ----------------------------------------------------------------------------------------
    def _prose_block(self, b: Block, meta: DocumentMeta) -> list[Chunk]:
        base = _cite(meta.short, b.label)
        body = " ".join(b.body.split())
        chunks = []
        for n, (s, e) in enumerate(_pack(sentence_spans(body), body, self.max_chars)):
            path = (meta.id, *b.path, f"#{n + 1}")
            chunks.append(Chunk(meta.id, path, base, body[s:e].strip(), meta.title, "", b.part, (), anchor=base))
        return chunks

    def _prose(self, text: str, meta: DocumentMeta) -> list[Chunk]:
        paras = _reflow(text)
        merged: list[tuple[list[int], str]] = []
        for k, p in enumerate(paras, start=1):
            if merged and (len(merged[-1][1]) < self.min_chars or len(p) < self.min_chars // 2) and (
                len(merged[-1][1]) + len(p) + 2 <= self.max_chars
            ):
                merged[-1] = (merged[-1][0] + [k], merged[-1][1] + "\n\n" + p)
            else:
                merged.append(([k], p))
        chunks = []
        for nums, body in merged:
            units, pos = [], 0
            for k, para in zip(nums, body.split("\n\n"), strict=True):
                start = body.index(para, pos)
                units.append(Unit(start, start + len(para), f"paragraf {k}"))
                pos = start + len(para)
            for n, (s, e) in enumerate(_pack([(u.start, u.end) for u in units], body, self.max_chars)):
                piece_units = tuple(
                    Unit(u.start - s, u.end - s, u.label) for u in units if u.start >= s and u.end <= e
                )
                label = _range_label([u.label for u in piece_units]) or f"paragraf {nums[0]}"
                path = (meta.id, f"paragraf {nums[0]}", f"#{n + 1}")
                chunks.append(
                    Chunk(
                        meta.id, path, _cite(meta.short, label), body[s:e], meta.title, "", "prose", piece_units,
                        anchor=meta.short,
                    )
                )
        return chunks


def _unit_pieces(units: list[Unit], length: int, max_chars: int) -> list[tuple[int, int]]:
    """Spans to pack: top-level units, with an over-long one replaced by its sub-units (huruf, angka)."""
    top = [u for u in units if label_depth(u.label) == 1]
    if not top:
        return []
    bounds = [u.start for u in top] + [length]
    pieces: list[tuple[int, int]] = []
    for k in range(len(top)):
        s, e = (0 if k == 0 else bounds[k]), bounds[k + 1]
        subs = [x for x in units if label_depth(x.label) == 2 and s <= x.start < e]
        if e - s > max_chars and subs:
            sb = [x.start for x in subs] + [e]
            pieces.append((s, sb[0]))
            pieces.extend((sb[j], sb[j + 1]) for j in range(len(subs)))
        else:
            pieces.append((s, e))
    return pieces


def _piece_label(whole: list[Unit], clipped: list[Unit], start: int) -> str:
    """The citation label of a piece of a split Pasal: the range of the units it holds.

    A piece that begins inside a unit it does not hold whole begins its range with that unit ("ayat (1)-(6)"),
    unless it holds whole sub-units of it ("(1)(a)-(f)").
    """
    if not whole and not clipped:
        return ""
    depth = min((label_depth(u.label) for u in whole), default=1)
    tops = [u.label for u in whole if label_depth(u.label) == depth]
    first = whole[0].label if whole else clipped[0].label
    if not any(u.start == start for u in whole):
        partial = [u for u in clipped if u.start == start and label_depth(u.label) == 1]
        if partial and not any(u.label.startswith(partial[0].label) for u in whole):
            first = partial[0].label
    last = tops[-1] if tops else first
    return first if first == last else _range_label([first, last])


def _label_tokens(label: str) -> list[str]:
    return re.findall(r"\([^)]*\)", label) if label.startswith("(") else label.split(" ")


def _range_label(labels: list[str]) -> str:
    """Labels of consecutive units as one range: "ayat (1)-(3)", "ayat (2) huruf a-f", "(1)(a)-(e)"."""
    if not labels:
        return ""
    if len(labels) == 1:
        return labels[0]
    a, b = _label_tokens(labels[0]), _label_tokens(labels[-1])
    n = 0
    while n < min(len(a), len(b)) - 1 and a[n] == b[n]:
        n += 1
    sep = "" if labels[0].startswith("(") else " "
    return sep.join(a) + "-" + sep.join(b[n:])
