"""Find numbered units inside a Pasal or Article: ayat "(1)", huruf "a.", angka "1.", treaty paragraphs.

The statute texts are partly OCR: "(21" stands for "(2)", "l2l" for "(2)", "(l)" for "(1)", and several ayat
can run together on one line. Markers are therefore found as *sequences*: a candidate counts only when it
carries the next expected number (or letter), and cross-references such as "pada ayat (1)" or "huruf a" are
never markers because the word before them names the unit.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kerjasama.models import Unit

# "(2)", "( 2 )", "(21" (")" read as "1"), "(2l", "(2t", "l2l", "t2t", "(2" before a space, "(l)", "(U", "(f)".
_AYAT = r"(?:\(\s?\d{1,2}\s?\)|\(\d[1lt](?=\s)|[lt(]\d[lt)](?=\s)|\(\d(?=\s)|\([lIUf][)f]?(?=\s))"
_AYAT_RE = re.compile(rf"(?:(?<=\s)|^)(?P<m>{_AYAT})")
_AYAT_PENJ_RE = re.compile(rf"(?:(?<=\s)|^)(?P<m>Ayat\s?{_AYAT})")
_HURUF_RE = re.compile(r"(?:(?<=[\s;:])|^)(?P<m>[a-z][.,)])(?=\s)")
_HURUF_PENJ_RE = re.compile(r"(?:(?<=\s)|^)(?P<m>Huruf\s?[a-z])(?=[\s.])")
_ANGKA_RE = re.compile(r"(?:(?<=[\s;:])|^)(?P<m>(?:\d{1,3}|l)\.)(?=\s)")
_ANGKA_PENJ_RE = re.compile(r"(?:(?<=\s)|^)(?P<m>Angka\s?\d{1,3})(?=[\s.])")
_TREATY_PARA_RE = re.compile(r"(?:(?<=\n)|^)(?P<m>\d{1,2}\.)(?=\s)")
_TREATY_SUB_RE = re.compile(r"(?:(?<=\n)|^)(?P<m>\([a-z]{1,2}\))(?=\s)")


@dataclass(frozen=True)
class Marker:
    """A unit marker: where it starts in the text and the number or letter it carries."""

    pos: int
    value: int | str
    clean: bool  # written exactly as in the official text, e.g. "(2)"


def _ayat_values(token: str) -> set[int]:
    digits = re.sub(r"\D", "", token)
    if token.startswith("Ayat"):
        token = token[4:].strip()
        digits = re.sub(r"\D", "", token)
    if re.fullmatch(r"\(\s?\d{1,2}\s?\)", token):
        return {int(digits)}
    if re.fullmatch(r"\([lIUf][)f]?", token):
        return {1}
    if digits:
        # "(21" -> 2 ; "l2l" -> 2 ; "(2" -> 2
        return {int(digits[0])} if len(digits) > 1 and token[1:2].isdigit() and token[-1] == "1" else {int(digits)}
    return set()


def _is_clean_ayat(token: str) -> bool:
    return bool(re.fullmatch(r"(?:Ayat\s?)?\(\d{1,2}\)", token))


def _word_before(text: str, pos: int) -> str:
    m = re.search(r"(\w+)\s*$", text[max(0, pos - 30) : pos])
    return m.group(1).lower() if m else ""


def _sequence(cands: Iterable[tuple[int, set, bool]], first, step: Callable) -> list[Marker]:
    """Keep candidates that continue the sequence first, step(first), ...; one lost marker may be skipped."""
    out: list[Marker] = []
    expected = first
    for pos, values, clean in cands:
        if expected in values:
            out.append(Marker(pos, expected, clean))
            expected = step(expected)
        elif out and clean and step(expected) in values:
            out.append(Marker(pos, step(expected), clean))
            expected = step(step(expected))
    return out


def _next_int(v: int) -> int:
    return v + 1


def _next_letter(v: str) -> str:
    """The letter after ``v``; "~" (no marker has it) after "z" and after itself (a list longer than 26 items,
    as in long OCR texts of the national data set)."""
    i = string.ascii_lowercase.find(v)
    return string.ascii_lowercase[i + 1] if 0 <= i < 25 else "~"


def ayat_markers(text: str, penjelasan: bool = False) -> list[Marker]:
    """Ayat markers in a Pasal body (``penjelasan=True``: the "Ayat (1)" headings of the Penjelasan)."""
    regex = _AYAT_PENJ_RE if penjelasan else _AYAT_RE
    cands = []
    for m in regex.finditer(text):
        tok = m.group("m")
        if not penjelasan and _word_before(text, m.start()) in {"ayat", "pasal", "nomor", "angka"}:
            continue
        cands.append((m.start(), _ayat_values(tok), _is_clean_ayat(tok)))
    if penjelasan:
        return _sequence(cands, 1, _next_int)
    seq = _sequence(cands, 1, _next_int)
    if seq and text[: seq[0].pos].strip() == "":
        return seq
    # The "(1)" may be lost (OCR): a clean sequence starting at (2) makes the text before it ayat (1).
    for pool, least in (([c for c in cands if c[2]], 1), (cands, 2)):
        seq2 = _sequence(pool, 2, _next_int)
        if len(seq2) >= least and text[: seq2[0].pos].strip():
            return [Marker(0, 1, False), *seq2]
    return []


def letter_markers(text: str, penjelasan: bool = False) -> list[Marker]:
    """Huruf markers "a.", "b." (or "Huruf a" in a Penjelasan), in sequence from "a"."""
    regex = _HURUF_PENJ_RE if penjelasan else _HURUF_RE
    cands = []
    for m in regex.finditer(text):
        tok = m.group("m")
        if not penjelasan and _word_before(text, m.start()) == "huruf":
            continue
        letter = tok[-1] if penjelasan else tok[0]
        cands.append((m.start(), {letter}, penjelasan or tok.endswith(".")))
    seq = _sequence(cands, "a", _next_letter)
    if len(seq) < 2:
        alt = _sequence(cands, "b", _next_letter)  # the "a." marker was lost (OCR)
        if len(alt) >= 3:
            return alt
    return seq


def number_markers(text: str, penjelasan: bool = False) -> list[Marker]:
    """Angka markers "1.", "2." (or "Angka 1" in a Penjelasan), in sequence from 1."""
    regex = _ANGKA_PENJ_RE if penjelasan else _ANGKA_RE
    cands = []
    for m in regex.finditer(text):
        tok = m.group("m")
        if not penjelasan and _word_before(text, m.start()) in {"angka", "nomor", "tahun"}:
            continue
        digits = re.sub(r"\D", "", tok) or "1"
        cands.append((m.start(), {int(digits)}, True))
    return _sequence(cands, 1, _next_int)


def _spans(markers: list[Marker], base: int, length: int) -> list[tuple[int, int, Marker]]:
    """(start, end, marker) of each marker's span; marker positions are relative to ``base``."""
    out = []
    for i, mk in enumerate(markers):
        stop = markers[i + 1].pos if i + 1 < len(markers) else length
        out.append((base + mk.pos, base + stop, mk))
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while e > s and text[e - 1].isspace():
        e -= 1
    while s < e and text[s].isspace():
        s += 1
    return s, e


def regulation_units(body: str, penjelasan: bool = False) -> list[Unit]:
    """Units of a Pasal body (offsets into ``body``), top level first then nested: ayat > huruf/angka."""
    units: list[Unit] = []
    top = ayat_markers(body, penjelasan)
    kind = "ayat"
    if not top:
        top = number_markers(body, penjelasan)
        kind = "angka"
        if len(letter_markers(body, penjelasan)) > len(top):
            top = []  # a huruf list that reaches "l." is not an angka list
    if top:
        for s, e, mk in _spans(top, 0, len(body)):
            label = f"ayat ({mk.value})" if kind == "ayat" else f"angka {mk.value}"
            units.append(Unit(*_trim(body, s, e), label))
            inner = body[s:e]
            subs = letter_markers(inner, penjelasan)
            sub_kind = "huruf"
            if not subs and kind == "ayat":
                subs = number_markers(inner, penjelasan)
                sub_kind = "angka"
            for ss, se, smk in _spans(subs, s, e - s):
                units.append(Unit(*_trim(body, ss, se), f"{label} {sub_kind} {smk.value}"))
        return units
    for s, e, mk in _spans(letter_markers(body, penjelasan), 0, len(body)):
        units.append(Unit(*_trim(body, s, e), f"huruf {mk.value}"))
    return units


def treaty_units(body: str) -> list[Unit]:
    """Units of a treaty Article: numbered paragraphs "1." and lettered subparagraphs "(a)"."""
    units: list[Unit] = []
    paras = [
        Marker(m.start(), int(m.group("m")[:-1]), True) for m in _TREATY_PARA_RE.finditer(body)
    ]
    paras = _sequence([(mk.pos, {mk.value}, True) for mk in paras], 1, _next_int)

    def subs_in(s: int, e: int) -> list[tuple[int, int, Marker]]:
        inner = body[s:e]
        cands = [(m.start(), {m.group("m")[1:-1]}, True) for m in _TREATY_SUB_RE.finditer(inner)]
        return _spans(_sequence(cands, "a", _next_letter), s, e - s)

    if paras:
        for s, e, mk in _spans(paras, 0, len(body)):
            label = f"({mk.value})"
            units.append(Unit(*_trim(body, s, e), label))
            for ss, se, smk in subs_in(s, e):
                units.append(Unit(*_trim(body, ss, se), f"{label}({smk.value})"))
        return units
    for ss, se, smk in subs_in(0, len(body)):
        units.append(Unit(*_trim(body, ss, se), f"({smk.value})"))
    return units
