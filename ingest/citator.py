"""A citator mined from the text of the national regulations (``../shared/datasets/peraturan-uu-pp.tar.xz``).

Each file is one regulation: ``uu/YEAR/NUMBER.md`` (Undang-Undang) or ``pp/YEAR/NUMBER.md`` (Peraturan
Pemerintah), OCR text. From it, in the JDIHN style: jenis, nomor and tahun (from the path, checked against the
heading), tentang (the title after "TENTANG" in the heading), and the dates "Ditetapkan di ... pada tanggal" and
"Diundangkan di ... pada tanggal" where the text has them. A file whose heading does not name its own number and
year is reported with the reason (its relations are still mined: the path is authoritative).

Relations, from the body (the Penjelasan is left out: it explains, it does not enact):

* ``mencabut`` (revokes): a closing provision names regulations and ends "... dicabut dan dinyatakan tidak
  berlaku" (or "dinyatakan tidak berlaku"). In a list, each item counts; the revoked regulation is the first one
  an item names ("UU 32/2004 ... sebagaimana telah diubah ... dengan UU 12/2008" revokes UU 32/2004). An item that
  starts with "Pasal ..." revokes only some Pasal: ``mencabut_sebagian``, which does not end the regulation.
* ``mengubah`` (amends): the title "Perubahan (Kedua, ...) atas UU/PP Nomor X Tahun Y" (also "Perubahan Pasal 18
  UU ..."); a law titled "Penetapan Perpu X tentang Perubahan atas UU Y menjadi Undang-Undang" ``menetapkan`` the
  Perpu, and the Perpu ``mengubah`` UU Y.

From these, each regulation's status: ``dicabut`` (revoked, by whom), ``diubah`` (amended, by whom, in order) or
``berlaku``. Numbers and years are read through common OCR confusions ("2Ol4" = 2014, "ll2" = 112).

Run ``python -m ingest.citator DIR [--out relations.json]`` on the unpacked data set.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

KINDS = {"uu": "Undang-Undang", "pp": "Peraturan Pemerintah"}
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "i": "1", "S": "5", "B": "8", "g": "9"})
_N = r"(?:[Il] )?[0-9OolIiSB]{1,4}"  # "I 51": OCR split a leading 1 off
# A year: four digits, read through OCR ("2Ol4", "lggo" = 1990) and split once by a stray space ("202 1", "20 16").
_Y = r"[12lI](?:[0-9OolIiSBg]{3}|[0-9OolIiSBg]{1,2}[ .][0-9OolIiSBg]{1,2}(?![0-9]))"
# A reference to a UU, a Perpu or a PP: "Undang-Undang Nomor 32 Tahun 2004", "Peraturan Pemerintah Nomor 50 Tahun
# 2007", "Peraturan Pemerintah Pengganti Undang-Undang Nomor 1 Tahun 2020" and "Undang-undang No. 24 Prp. tahun 1960"
# (Perpu: not a PP); several numbers of one year: "Peraturan Pemerintah No. 142, No. 144 dan No. 162 tahun 1961".
_NUMS = rf"{_N}(?:\s*[,.]?\s*(?:dan\s+)?(?:Nomor|No\.?)\s*{_N})*"
_REF = re.compile(
    r"(?P<kind>Undang\s*[-_]\s*Undang(?!\s*Dasar)|Peraturan\s*Pem[a-z]{2,6}tah(?P<perpu>\s+Pengganti\.?\s+Undang\s*[-_]\s*Undang)?)"
    rf"\s*(?:Republik\s+Indonesia\s+)?(?:Nomor|No\.?)\s*(?P<num>{_NUMS})\s*(?P<prp>Prp\.?\s*)?(?:Drt\.?\s*)?"
    rf"Tahun\s*(?P<year>{_Y})",
    re.I,
)
# A reference named only as the ground, the amender or the law something becomes subject to ("berdasarkan UU 7/1992",
# "sebagaimana telah diubah terakhir dengan UU 9/1968", "tunduk pada UU 40/2007") is not the one revoked.
_CONTEXT = re.compile(r"(?:berdasarkan|dengan|diubah|menurut|pada|oleh|atas|dimaksud\s+dalam)\s*$", re.I)
# "... dicabut dan dinyatakan tidak berlaku", "dinyatakan tidak berlaku (lagi)", "... tidak berlaku lagi", "... (dengan
# ini) dicabut." (not "perlu / telah dicabut"), and the older decree "MEMUTUSKAN: Mencabut: UU No. 24 Prp. tahun 1960".
_REVOKE_VERB = re.compile(
    r"(?:dicabut\s+dan\s+)?dinyatakan\s+(?:tidak\s+berlaku|dicabut)|\btidak\s+berlaku\s+lagi"
    r"|(?<!perlu )(?<!telah )(?<!harus )(?<!akan )(?<!dapat )\bdicabut\b(?!\s+dan)",
    re.I,
)
_JOINED = re.compile(r"\s*(?:\([^()]*\)\s*)?(?:,|jo\.?|dan|serta)\s*$", re.I)  # the next one is revoked too
_OWN_VERB = re.compile(r"\b(?:tetap|masih)\s+berlaku\b", re.I)  # "... dinyatakan masih tetap berlaku"
_DECREE_REVOKES = re.compile(r"\bMencabut\s*:?\s*", re.I)
_DECREE_LIST_ITEM = re.compile(r"\n[ \t]*(?:[a-z]|\d{1,2})\.[^\n]*")  # the next line of a list after "Mencabut ...:"
_DECREE_PART_END = re.compile(r"\bMenetapkan\b|\n|\s[IVX]+\.\s")  # "... 1960. II. Menetapkan: ..." ends that part
# Older decrees amend in the enacting words: "Menetapkan: Mengubah Peraturan Pemerintah No. 61 tahun 1954 ...".
_DECREE_AMENDS = re.compile(r"\bMenetapkan\s*:?\s*(?:[A-Z][a-z]+\s*:\s*)?Mengubah\s*:?\s*")
# Amendments made in the articles of a law whose title is not "Perubahan atas ...": "Pasal 1 ayat (1) Peraturan
# Pemerintah No. 7 tahun 1958 ... diubah sehingga berbunyi", "Ketentuan Pasal 12 dalam Undang-Undang Nomor X Tahun Y
# diubah menjadi", "Lampiran PP X diubah sebagai berikut". The verb is followed by the new wording; "(sebagaimana)
# telah diubah (dengan)" only records an earlier amendment and is not one.
_ARTICLE_AMENDS = re.compile(
    r"(?<!telah )(?<!telah\n)\bdiubah\s*(?:,\s*)?(?:dan\s+ditambah\s+)?"
    r"(?:sehingga|menjadi|sebagai\s+berikut|dengan\s+(?:menambah|mengubah))",
    re.I,
)
# Between the law and its "diubah", a new item of an amendment list ("... UU 25/1999. 2. Ketentuan Pasal 12 diubah")
# or the new wording of an earlier one ("sehingga berbunyi") means the law was named in that wording.
_NEW_ITEM = re.compile(r"sehingga\s+berbunyi|[.;:]\s+(?:\d{1,3}|[a-z])\.\s|\bKetentuan\s+(?:Pasal|ayat)\b", re.I)
_ARTICLE_REF_MAX = 400  # characters between the reference and "diubah" (one sentence)
# The same in the active voice: "Mengubah ketentuan Pasal 4 ayat (2) huruf a Peraturan Pemerintah Nomor 32 Tahun 1979".
_ACTIVE_AMENDS = re.compile(r"\bMengubah\s+(?:beberapa\s+)?ketentuan\s+(?:dalam\s+)?(?:Pasal|Lampiran|ayat)\b")
_AFTER_VERB_PARTIAL = re.compile(r"\s*(?:lagi\s+)?(?:bagi|terhadap|untuk)\b", re.I)
# A sentence ends at ". " before a capital or an ayat "(2)", not after a list marker "c." nor inside "No. 144. No. 146"
# nor after "jo." ("PP 110/1961 jo. PP 15/1971").
_SENTENCE_END = re.compile(r"(?<![\s(][a-z0-9])(?<!\bNo)(?<!\bjo)\.\s+(?=[A-Z]|\(\d)(?!No\.?\s*[\dIl])")
_COLON = re.compile(r"(?<!\\):(?=\s)")  # a real colon (OCR writes "T\:" inside words)
_LIST_AFTER = re.compile(r"\s*(?:lagi\s*)?:\s*")  # "... dinyatakan tidak berlaku lagi: a. PP X; b. PP Y."
# (A list item "5. Pasal 3 ayat (1) ... UU 32/1956" is not the next provision: its "5." is a marker.)
_NEXT_PROVISION = re.compile(r"\n\s*(?:Pasal|BAB)\s+\w+\s*\n|(?<!\n\d)(?<!\n\d\d)\.\s+(?=Pasal\s)|\.\s*\n")
_ITEM_SPLIT = re.compile(r";|\n\s*(?=[a-zA-Z0-9]{1,2}[.)]\s|\(\d{1,2}\)\s)")
_LIST_MARK = re.compile(r"^(?:[a-z]|\d{1,2})[.)]\s*|^(?:dan|serta)\s+", re.I)
# The heading of the closing provision before its words ("BAB X KETENTUAN PENUTUP Pasal 131 Pada saat ...").
_LEAD_HEADING = re.compile(r"^.*?\bPasal\s+\d+[A-Z]?\s+(?=Pada\s+saat|Dengan\s|Sejak\s|Undang|Peraturan)", re.S)
# Only some of a regulation: its Pasal, Bab or provisions ("Pasal 157 ... UU 28/2009"), or "UU X ... sepanjang ...".
_PARTIAL_BEFORE = re.compile(r"\b(?:Pasal|Bab|Bagian|ayat|huruf|angka|Lampiran)\s+\w|\bketentuan\b"
                             r"|\byang\s+berlaku\s+(?:pada|bagi|di)\b", re.I)
# A provision's own heading before its words ("BAB XVII KETENTUAN PENUTUP\nPasal 124", a "Pasal 1" that starts the
# item) names no part; "..., dan Pasal 159 UU 28/2009" does.
_HEADING_TAIL = re.compile(r"(?:(?:^|\n)\s*BAB\s+[IVXLC]+\b[^\n]*\n\s*|(?:^|\n)\s*)Pasal\s+\d+[A-Z]?\s*"
                           r"(?:\(\d+\)\s*)?$")
_PARTIAL_AFTER = re.compile(r"\bsepanjang\b|\byang\s+mengatur\b|\bkecuali\b|\bkhusus\s+mengenai\b", re.I)
_DECREE = re.compile(r"\bMEMUTUSKAN\b|\bMenetapkan\s*:", re.I)  # the enacting part starts here
_PENJELASAN = re.compile(r"^\s*PENJELASAN\b(?:\s+ATAS)?", re.M)
_LAMPIRAN = re.compile(r"^\s*LAMPIRAN\b", re.M)
# OCR often runs the Penjelasan's heading into the closing formula's line ("... ttd SOEHARTO. PENJELASAN ATAS
# UNDANG-UNDANG ..."); in capitals with ATAS and the kind, it is that heading wherever it stands.
_PENJELASAN_GLUED = re.compile(r"PENJELASAN\s+ATAS\s+(?:UNDANG|PERATURAN)")
# The heading, in capitals: "NOMOR 28 TAHUN 2018 TENTANG KERJA SAMA DAERAH" (OCR may leave a stray token before
# TENTANG); the title ends at "DENGAN RAHMAT" or the end of its line.
_HEAD = re.compile(rf"NOMOR\s*(?P<num>{_N})\s*TAHUN\s*(?P<year>{_N})(?:\s+\S+)?\s+TENTANG\s+(?P<title>[^\n]+?)\s*"
                   r"(?:DENGAN\s+RAHMAT|\n|$)")
# The title of an amending regulation starts "Perubahan (Kedua ...) (atas) (Pasal 18 / beberapa ketentuan) UU / PP
# Nomor X Tahun Y"; a title that only mentions such a law later ("Pelaksanaan UU 23/2006 sebagaimana telah diubah
# dengan UU 24/2013 tentang Perubahan atas UU 23/2006") does not amend it.
_AMENDS = re.compile(
    r"^(?P<verb>PERUBAHAN|PENGUBAHAN|PENCABUTAN)\s+(?:(?:PERTAMA|KE[A-Z]+(?:\s+(?:BELAS|PULUH(?:\s+[A-Z]+)?))?)\s+)?"
    r"(?:DAN\s+TAMBAHAN\s+)?(?:ATAS\s+)?"
    r"(?:(?:BEBERAPA\s+)?(?:PASAL|KETENTUAN)[\w\s,()]*?\s+(?:DALAM\s+)?)?"
    r"(?P<kind>UNDANG\s*-\s*UNDANG|PERATURAN\s*PEM[A-Z]{2,6}TAH(?P<perpu>\s+PENGGANTI\s+UNDANG\s*-\s*UNDANG)?)\s*"
    rf"(?:REPUBLIK\s+INDONESIA\s+)?(?:NOMOR|NO\.?)\s*(?P<num>{_N})\s*(?P<prp>PRP\.?\s*)?TAHUN\s*(?P<year>{_Y})",
    re.I,
)
# "Penetapan Perpu Nomor 2 Tahun 2014 tentang Perubahan atas UU 23/2014 menjadi Undang-Undang": the law enacts the
# Perpu (``menetapkan``), and the Perpu is what amended UU 23/2014 (``mengubah``, with the Perpu as its source).
_DECREE_TITLE = re.compile(
    r"Menetapkan\s*:?\s*(?:Undang\s*-\s*undang|Peraturan\s+Pemerintah)\s+tentang\s+(?P<title>[^\n]{5,300}?)\s*(?:\.\s|\n|$)",
    re.I,
)
_ENACTS = re.compile(
    r"^PENETAPAN\s+PERATURAN\s+PEMERINTAH\s+PENGGANTI\s+UNDANG\s*-\s*UNDANG\s*(?:NOMOR|NO\.?)\s*"
    rf"(?P<num>{_N})\s*TAHUN\s*(?P<year>{_N})\s+TENTANG\s+(?P<rest>.+?)\s+MENJADI\s+UNDANG",
    re.I,
)
_DATE = r"(?P<date>\d{1,2}\s+[A-Za-z]+\s+\d{4})"
_ENACTED = re.compile(rf"Ditetapkan\s+di\s+\w+\s+pada\s+tanggal\s+{_DATE}", re.I)
_PROMULGATED = re.compile(rf"Diundangkan\s+di\s+\w+\s+pada\s+tanggal\s+{_DATE}", re.I)
HEAD_CHARS = 1500  # the heading (jenis, nomor, tahun, tentang) is within the first characters
TITLE_CHARS = 200  # ... and its first line (which may say "PENJELASAN" in a title) within these


def number(raw: str) -> int | None:
    """A number read through OCR confusions ("2Ol4" -> 2014); None when it is not one."""
    s = raw.replace(" ", "").replace(".", "").translate(_OCR_DIGITS)
    return int(s) if s.isdigit() else None


def reg_id(kind: str, num: int, year: int) -> str:
    """The id of a regulation: ``uu-2014-23`` (kind, year, number)."""
    return f"{kind}-{year}-{num}"


@dataclass
class Relation:
    """One relation mined from a regulation's text."""

    source: str  # the regulation whose text says it
    type: str  # mencabut | mencabut_sebagian | mengubah | menetapkan (a law that enacts a Perpu)
    target: str  # reg_id of the regulation it acts on (kind "perpu" for a Perpu)
    evidence: str  # the words it was read from (trimmed)


@dataclass
class Regulation:
    """Metadata of one regulation file (JDIHN style) and what its text does to others."""

    id: str
    jenis: str
    nomor: int
    tahun: int
    tentang: str = ""
    ditetapkan: str = ""
    diundangkan: str = ""
    problems: list[str] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


def _refs(m: re.Match) -> list[str]:
    """The regulations one reference names (several numbers of one year: each)."""
    year = number(m.group("year"))
    if year is None or not 1945 <= year <= 2100:
        return []
    kind = "perpu" if m.group("perpu") or m.group("prp") else (
        "uu" if m.group("kind").lower().startswith("undang") else "pp")
    nums = [number(x) for x in re.findall(_N, re.sub(r"Nomor|No\.?|dan", " ", m.group("num"), flags=re.I))]
    return [reg_id(kind, n, year) for n in nums if n is not None]


def _ref(m: re.Match) -> str | None:
    found = _refs(m)
    return found[0] if found else None


def _revoked_ref(item: str) -> re.Match | None:
    """The first reference of an item that is not named as a ground, an amender or a law to be subject to."""
    for m in _REF.finditer(item):
        if not _CONTEXT.search(item[max(0, m.start() - 40) : m.start()]):
            return m
    return None


def body_of(text: str) -> str:
    """The text before the Penjelasan (the elucidation explains; it enacts nothing) and before a Lampiran (its
    tables and drafting examples, "Contoh: ... dicabut dan dinyatakan tidak berlaku", revoke nothing)."""
    found = (_PENJELASAN.search(text, TITLE_CHARS), _PENJELASAN_GLUED.search(text, TITLE_CHARS),
             _LAMPIRAN.search(text, TITLE_CHARS))
    ends = [m.start() for m in found if m]
    return text[: min(ends)] if ends else text


def revocations(source: str, body: str) -> Iterator[Relation]:
    """``mencabut`` and ``mencabut_sebagian`` relations of a body (see the module docstring), and the ``mengubah``
    of an older decree ("Menetapkan: Mengubah PP ..."); the considerations before "MEMUTUSKAN" ("bahwa PP X ...
    perlu dicabut") are reasons, not provisions."""
    seen: set[tuple[str, str]] = set()
    decree = _DECREE.search(body)
    begin = decree.end() if decree else 0

    def emit(kind: str, m: re.Match, evidence: str) -> Iterator[Relation]:
        for target in _refs(m):
            if target != source and (kind, target) not in seen:
                seen.add((kind, target))
                yield Relation(source, kind, target, " ".join(evidence.split())[-200:])

    for verb in _DECREE_REVOKES.finditer(body, begin):  # "Mencabut: (Penpres 8/1965 dan) UU No. 24 Prp. 1960."
        end = _DECREE_PART_END.search(body, verb.end())
        stop = end.start() if end else verb.end() + 600
        if body[verb.end() : stop].rstrip().endswith(":"):  # "Mencabut Peraturan-peraturan tersebut dalam:\na. PP..."
            while (item := _DECREE_LIST_ITEM.match(body, stop)) is not None:
                stop = item.end()
        segment = body[verb.end() : stop]
        for m in _REF.finditer(segment):
            if not _CONTEXT.search(segment[max(0, m.start() - 40) : m.start()]):
                yield from emit("mencabut", m, segment[: m.end()])
    for verb in _ARTICLE_AMENDS.finditer(body, begin):
        window = max(begin, verb.start() - _ARTICLE_REF_MAX)
        # The sentence: since the last sentence end, colon ("... diubah sebagai berikut: 1. Ketentuan Pasal 18
        # diubah ...": that Pasal is of the law named before the colon) or line break.
        start = max([window, body.rfind("\n", window, verb.start()) + 1,
                     *(e.end() for e in _SENTENCE_END.finditer(body, window, verb.start())),
                     *(e.end() for e in _COLON.finditer(body, window, verb.start()))])
        # The first law named in the sentence (later ones are "sebagaimana telah diubah dengan ...").
        m = _REF.search(body, start, verb.start())
        if m:
            lead = body[start : m.start()]
            if _NEW_ITEM.search(body, m.end(), verb.start()):
                continue  # the law is named in the new wording of an earlier item, not by this "diubah"
            if re.search(r"\b(?:Pasal|ayat|Lampiran|ketentuan)\b", lead, re.I) or not lead.strip():
                yield from emit("mengubah", m, body[m.start() : verb.end()])
    for verb in _ACTIVE_AMENDS.finditer(body, begin):  # "Pasal I Mengubah ketentuan Pasal 4 ayat (2) PP 32/1979"
        m = _REF.search(body, verb.end(), verb.end() + _ARTICLE_REF_MAX)
        if m and not _SENTENCE_END.search(body, verb.end(), m.start()):
            yield from emit("mengubah", m, body[verb.start() : m.end()])
    for verb in _DECREE_AMENDS.finditer(body, begin):
        m = _REF.match(body, verb.end())
        if m:
            yield from emit("mengubah", m, body[verb.start() : m.end()])
    for verb in _REVOKE_VERB.finditer(body, begin):
        after = _LIST_AFTER.match(body, verb.end())
        if after:  # the list follows the verb
            stop = _NEXT_PROVISION.search(body, after.end())
            region, qualified = body[after.end() : stop.start() if stop else after.end() + 6000], False
        else:
            ends = [m.end() for m in _SENTENCE_END.finditer(body, max(0, verb.start() - 6000), verb.start())]
            colons = [m.end() for m in _COLON.finditer(body, max(0, verb.start() - 6000), verb.start())]
            start = max([max(0, verb.start() - 6000), begin, *ends, *colons[-1:]])
            region = body[start : verb.start()]
            # "a. UU X ...; b. UU Y ...; yang mengatur ... sepanjang ... dicabut": the qualifier covers the list;
            # "... tidak berlaku lagi bagi PERSERO tersebut": only for some.
            tail = _ITEM_SPLIT.split(region)[-1]
            qualified = (not _REF.search(tail) and bool(_PARTIAL_AFTER.search(tail))) or bool(
                _AFTER_VERB_PARTIAL.match(body, verb.end()))
        pending = False  # "a. ketentuan Pasal 50 ...; b. Pasal 78 ...; dalam UU 41/1999": parts named before it
        for item in _ITEM_SPLIT.split(region):
            item = _LIST_MARK.sub("", item.strip())
            if _OWN_VERB.search(item):
                continue  # an item with its own verb ("... dinyatakan tetap berlaku") is not revoked by this one
            m = _revoked_ref(item)
            if not m:
                pending = pending or bool(_PARTIAL_BEFORE.search(_HEADING_TAIL.sub("", item)))
                continue
            # Only what names the target itself counts: the words since the last comma before it ("Pasal 157, ...,
            # dan Pasal 159 UU 28/2009" is partial; "Pasal 1 PP ini, PP 57/1971" is not).
            before = _HEADING_TAIL.sub("", _LEAD_HEADING.sub("", item[: m.start()]).rsplit(",", 1)[-1])
            partial = qualified or pending or _PARTIAL_BEFORE.search(before) or _PARTIAL_AFTER.search(item[m.end() :])
            pending = False
            kind = "mencabut_sebagian" if partial else "mencabut"
            yield from emit(kind, m, item[: m.end()])
            for more in _REF.finditer(item, m.end()):  # "PP 110/1961 (LN ...) jo. PP 15/1971", "PP X dan Perpu Y"
                if not _JOINED.match(item[m.end() : more.start()]):
                    break
                yield from emit(kind, more, item[: more.end()])
                m = more


def parse(path: Path, root: Path, text: str | None = None) -> Regulation:
    """One file of the data set: its metadata and relations (``text``: its content, when already read)."""
    rel = path.relative_to(root).parts
    kind, year, num = rel[0], int(rel[1]), int(path.stem)
    if text is None:
        text = path.read_text(encoding="utf-8", errors="replace")
    text = text.replace("^", "")  # OCR carets: "^TAHUN ^2O1O"
    reg = Regulation(reg_id(kind, num, year), KINDS[kind], num, year)
    head = _HEAD.search(text[:HEAD_CHARS])
    title = ""
    if head is None:
        reg.problems.append("no heading 'NOMOR ... TAHUN ... TENTANG ...' in the first characters")
        decree = _DECREE_TITLE.search(text)  # older texts: "Menetapkan: Peraturan Pemerintah tentang ..."
        if decree:
            title = decree.group("title").strip()
            reg.tentang = " ".join(title.split())[:300]
    else:
        reg.tentang = " ".join(head.group("title").split())[:300]
        if (number(head.group("num")), number(head.group("year"))) != (num, year):
            reg.problems.append(f"the heading says Nomor {head.group('num')} Tahun {head.group('year')}")
        title = head.group("title").strip()
    if title:
        enacts = _ENACTS.search(title)
        amender, amended = reg.id, _AMENDS.search(title)
        if enacts and (perpu := number(enacts.group("num"))) and (pyear := number(enacts.group("year"))):
            amender = reg_id("perpu", perpu, pyear)
            reg.relations.append(Relation(reg.id, "menetapkan", amender, " ".join(enacts.group(0).split())[:200]))
            amended = _AMENDS.search(enacts.group("rest"))
        if amended and (target := _ref(amended)):
            kind = "mencabut" if amended.group("verb").upper() == "PENCABUTAN" else "mengubah"  # "Pencabutan Perpu X"
            reg.relations.append(Relation(amender, kind, target, " ".join(amended.group(0).split())))
    for name, pattern in (("ditetapkan", _ENACTED), ("diundangkan", _PROMULGATED)):
        if m := pattern.search(text):
            setattr(reg, name, m.group("date"))
    titled = {(r.type, r.target) for r in reg.relations}  # the articles of "Perubahan atas X" amend X again
    reg.relations.extend(r for r in revocations(reg.id, body_of(text)) if (r.type, r.target) not in titled)
    return reg


def parse_all(root: Path) -> list[Regulation]:
    """Every ``uu|pp/YEAR/NUMBER.md`` under ``root``, in path order; files with other names are skipped."""
    out = []
    for path in sorted(root.glob("*/*/*.md")):
        parts = path.relative_to(root).parts
        if parts[0] not in KINDS or not parts[1].isdigit() or not path.stem.isdigit():
            log.warning("skipped %s: not KIND/YEAR/NUMBER.md", "/".join(parts))
            continue
        out.append(parse(path, root))
    return out


def statuses(regs: list[Regulation]) -> dict[str, dict]:
    """Each regulation's status from the relation graph: ``dicabut`` (by), ``diubah`` (by, oldest first) or
    ``berlaku``; a regulation the data set does not hold but others act on is ``tidak dalam data`` unless revoked
    or amended (``in_data`` false)."""
    out: dict[str, dict] = {r.id: {"status": "berlaku", "in_data": True, "dicabut_oleh": [], "diubah_oleh": []}
                            for r in regs}
    for r in sorted(regs, key=lambda r: (r.tahun, r.nomor)):
        for rel in r.relations:
            node = out.setdefault(rel.target, {"status": "tidak dalam data", "in_data": False, "dicabut_oleh": [],
                                               "diubah_oleh": []})
            if rel.type == "mencabut":
                node["dicabut_oleh"].append(rel.source)
            elif rel.type == "mengubah":
                node["diubah_oleh"].append(rel.source)
    for node in out.values():
        if node["dicabut_oleh"]:
            node["status"] = "dicabut"
        elif node["diubah_oleh"]:
            node["status"] = "diubah"
    return out


def main(argv: list[str] | None = None) -> int:
    """Mine the data set; print a summary (JSON) and write every regulation with its relations to ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m ingest.citator", description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="the unpacked data set (folders uu/ and pp/)")
    parser.add_argument("--out", type=Path, help="write regulations, relations and statuses here (JSON)")
    args = parser.parse_args(argv)
    if not (args.root / "uu").is_dir() and not (args.root / "pp").is_dir():
        print(f"{args.root}: no uu/ or pp/ folder (unpack peraturan-uu-pp.tar.xz there first)", file=sys.stderr)
        return 2
    regs = parse_all(args.root)
    status = statuses(regs)
    kinds: dict[str, int] = {}
    for r in regs:
        for rel in r.relations:
            kinds[rel.type] = kinds.get(rel.type, 0) + 1
    summary = {
        "regulations": len(regs), "with_problems": sum(bool(r.problems) for r in regs), "relations": kinds,
        "status": {s: sum(1 for n in status.values() if n["status"] == s) for s in sorted({n["status"] for n in
                                                                                          status.values()})},
    }
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "regulations": [asdict(r) for r in regs],
                                        "status": status}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
