"""Tests for ingest.chunk: the Chunker on the real corpus files with their catalog metadata."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import pytest

from ingest.chunk import Chunker, parse_regulation
from ingest.units import regulation_units
from kerjasama.catalog import Catalog, DocumentMeta, infer_meta, load_catalog
from kerjasama.models import Chunk
from kerjasama.settings import Settings

CORPUS = Path(__file__).parents[2] / "corpus"
MAX_CHARS = Settings.model_fields["chunk_max_chars"].default


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CORPUS)


@pytest.fixture(scope="module")
def texts(catalog: Catalog) -> dict[str, str]:
    return {d.id: (CORPUS / d.file).read_text(encoding="utf-8") for d in catalog}


@pytest.fixture(scope="module")
def chunks(catalog: Catalog, texts: dict[str, str]) -> dict[str, list[Chunk]]:
    chunker = Chunker()
    return {d.id: chunker.chunk(texts[d.id], d) for d in catalog}


def _by_cite(chunks: list[Chunk], cite: str) -> Chunk:
    found = [c for c in chunks if c.cite == cite]
    assert len(found) == 1, f"{cite!r}: {len(found)} chunks"
    return found[0]


def _pieces(chunks: list[Chunk], doc_id: str, *path: str) -> list[Chunk]:
    """The chunks of one split structural unit, in order."""
    return [c for c in chunks if c.path[:-1] == (doc_id, *path) and c.path[-1].startswith("#")]


def _unit_text(chunk: Chunk, label: str) -> str:
    found = [u for u in chunk.units if u.label == label]
    assert len(found) == 1, f"{label!r} in {[u.label for u in chunk.units]}"
    return chunk.text[found[0].start : found[0].end]


def test_the_whole_corpus_is_chunked(catalog, chunks):
    assert len(catalog) == 9
    assert all(chunks[d.id] for d in catalog)
    for doc_id, cs in chunks.items():
        assert [c.order for c in cs] == list(range(len(cs)))
        assert all(c.doc_id == doc_id for c in cs)


# --- PP 28/2018 -----------------------------------------------------------------------------------------


def test_pp28_pasal_30_is_one_chunk_with_ayat_units(chunks):
    c = _by_cite(chunks["pp-28-2018"], "PP 28/2018 Pasal 30")
    assert c.part == "body"
    assert c.pasal == "Pasal 30"
    assert c.anchor == "PP 28/2018 Pasal 30"
    assert c.path == ("pp-28-2018", "BAB IV", "Bagian Keempat", "Paragraf 2", "Pasal 30")
    assert c.text.startswith("Pasal 30\n(1) KSDPL")
    labels = [u.label for u in c.units]
    assert labels[:3] == ["ayat (1)", "ayat (2)", "ayat (3)"]
    assert "ayat (4)" in labels and "ayat (5)" in labels
    assert "ayat (3) huruf g" in labels
    four = _unit_text(c, "ayat (4)")
    assert four.startswith("(4) Persetujuan Dewan Perwakilan Rakyat Daerah")
    assert "45 (empat puluh lima) hari kerja" in four
    assert "(5)" not in four
    assert c.pinpoint("ayat (4)") == "PP 28/2018 Pasal 30 ayat (4)"
    assert c.pinpoint("") == "PP 28/2018 Pasal 30"


def test_pp28_pasal_30_context_names_its_headings(chunks):
    c = _by_cite(chunks["pp-28-2018"], "PP 28/2018 Pasal 30")
    ctx = c.context.split(" | ")
    assert ctx[0] == "Peraturan Pemerintah Nomor 28 Tahun 2018 tentang Kerja Sama Daerah"
    assert ctx[1].startswith("BAB IV KERJA SAMA DAERAH DENGAN PEMERINTAH DAERAH DI LUAR NEGERI")
    assert ctx[2:] == ["Bagian Keempat Penyelenggaraan KSDPL", "Paragraf 2 Rencana Kerja Sama"]
    # The headings are context for search, not part of the quotable text.
    assert "Rencana Kerja Sama" not in c.text.split("\n", 1)[0]
    assert c.embed_text().startswith("PP 28/2018 Pasal 30 | Peraturan Pemerintah Nomor 28")


def test_context_does_not_repeat_headings(chunks):
    c = _by_cite(chunks["uu-24-2000"], "UU 24/2000 Pasal 2")
    assert c.context == "Undang-Undang Nomor 24 Tahun 2000 tentang Perjanjian Internasional | BAB I KETENTUAN UMUM"
    c = _by_cite(chunks["pp-28-2018"], "PP 28/2018 Pasal 2")
    assert c.context.endswith("| Bagian Kesatu Subjek Hukum")


def test_pp28_penjelasan_pasal_33_is_its_own_chunk(chunks):
    cs = chunks["pp-28-2018"]
    c = _by_cite(cs, "PP 28/2018 Penjelasan Pasal 33")
    assert c.part == "penjelasan"
    assert c.pasal == "Pasal 33"
    assert c.text.startswith("Penjelasan Pasal 33\n")
    assert "surat konlirmasi" in c.text  # the OCR's spelling of "surat konfirmasi"
    assert [u.label for u in c.units] == ["ayat (1)", "ayat (2)", "ayat (3)", "ayat (4)"]
    assert "surat konlirmasi" in _unit_text(c, "ayat (3)")
    assert c.pinpoint("ayat (3)") == "PP 28/2018 Penjelasan Pasal 33 ayat (3)"
    # ... and the Pasal itself does not carry its Penjelasan.
    body = _by_cite(cs, "PP 28/2018 Pasal 33")
    assert body.part == "body"
    assert "Yang dimaksud dengan" not in body.text
    assert "surat konfirmasi" in body.text


def test_cukup_jelas_penjelasan_gives_no_chunk(chunks):
    cites = {c.cite for c in chunks["pp-28-2018"] if c.part == "penjelasan"}
    # "Cukup jelas." / "Cukup ^jelas." / "C\*upjelas." (Pasal 31) / only "Ayat (n) Cukup jelas." (Pasal 9)
    for n in (1, 2, 5, 6, 9, 10, 20, 30, 31, 34, 52):
        assert f"PP 28/2018 Penjelasan Pasal {n}" not in cites
    # Entries that explain something are kept.
    for n in (3, 4, 7, 12, 14, 27, 33, 36, 46):
        assert f"PP 28/2018 Penjelasan Pasal {n}" in cites


def test_cukup_jelas_with_page_header_gives_no_chunk(chunks):
    cites = {c.cite for c in chunks["pp-28-2018"]}
    assert "PP 28/2018 Penjelasan Pasal 35" not in cites


def test_penjelasan_umum_and_penutup(chunks):
    cs = chunks["pp-28-2018"]
    umum = [c for c in cs if c.part == "penjelasan-umum"]
    assert umum and all(c.cite == "PP 28/2018 Penjelasan Umum" for c in umum)
    assert umum[0].text.startswith("Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah")
    # The penjelasan comes after the body in document order.
    last_body = max(c.order for c in cs if c.part == "body")
    assert min(c.order for c in cs if c.part in {"penjelasan", "penjelasan-umum"}) > last_body


# --- UU 23/2014 -----------------------------------------------------------------------------------------


def test_uu23_pasal_367_is_one_chunk_with_five_huruf(chunks):
    c = _by_cite(chunks["uu-23-2014"], "UU 23/2014 Pasal 367")
    assert c.path == ("uu-23-2014", "BAB XVII", "Bagian Kesatu", "Paragraf 3", "Pasal 367")
    assert [u.label for u in c.units] == [
        "ayat (1)",
        *[f"ayat (1) huruf {x}" for x in "abcde"],
        "ayat (2)",
        "ayat (3)",
    ]
    assert _unit_text(c, "ayat (1) huruf b") == "b. pertukaran budaya;"
    assert _unit_text(c, "ayat (1) huruf d") == "d. promosi potensi Daerah; dan"
    assert c.pinpoint("ayat (1) huruf d") == "UU 23/2014 Pasal 367 ayat (1) huruf d"
    assert not [x for x in chunks["uu-23-2014"] if x.pasal == "Pasal 367" and x.part == "body" and x is not c]


def test_uu23_pasal_1_is_split_along_angka(chunks):
    pieces = _pieces(chunks["uu-23-2014"], "uu-23-2014", "BAB I", "Pasal 1")
    assert len(pieces) >= 3
    seen: list[int] = []
    expected_first = 1
    for c in pieces:
        assert c.text.startswith("Pasal 1\n")
        assert len(c.text) <= MAX_CHARS
        assert c.anchor == "UU 23/2014 Pasal 1"
        assert c.pasal == "Pasal 1"
        m = re.fullmatch(r"UU 23/2014 Pasal 1 angka (\d+)(?:-(\d+))?", c.cite)
        assert m, c.cite
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        nums = [int(u.label.split()[1]) for u in c.units if re.fullmatch(r"angka \d+", u.label)]
        # The cite names exactly the angka the chunk holds, and ranges continue one another.
        assert nums == list(range(first, last + 1))
        assert first == expected_first
        expected_first = last + 1
        seen.extend(nums)
    assert pieces[0].cite.startswith("UU 23/2014 Pasal 1 angka 1-")
    assert pieces[0].text.startswith("Pasal 1\nDalam Undang-Undang ini yang dimaksud dengan:\n1. Pemerintah Pusat")
    assert Counter(seen) == Counter(range(1, 51))
    holder = next(c for c in pieces if any(u.label == "angka 44" for u in c.units))
    assert _unit_text(holder, "angka 44").startswith("44. Menteri adalah menteri")
    assert holder.pinpoint("angka 44") == "UU 23/2014 Pasal 1 angka 44"
    assert pieces[-1].text.endswith("50. Hari adalah hari kerja.")


def test_piece_starting_inside_an_overlong_ayat_cites_that_ayat(chunks):
    c = next(
        x for x in chunks["uu-23-2014"] if x.pasal == "Pasal 35" and x.part == "penjelasan" and "Contoh: JPM" in x.text
    )
    assert "ayat (1)" in c.cite


# --- size, offsets, ids -----------------------------------------------------------------------------------


def test_chunker_default_size_is_the_settings_default():
    assert Chunker().max_chars == MAX_CHARS == 1400
    assert Chunker().min_chars == Settings.model_fields["chunk_min_chars"].default


def test_no_chunk_exceeds_max_chars(chunks):
    too_long = [(c.cite, len(c.text)) for cs in chunks.values() for c in cs if len(c.text) > MAX_CHARS]
    assert not too_long
    assert all(c.text.strip() for cs in chunks.values() for c in cs)


@pytest.mark.parametrize("max_chars", [500, 900])
def test_smaller_max_chars_is_respected(texts, catalog, max_chars):
    chunker = Chunker(max_chars=max_chars)
    for doc_id in ("pp-28-2018", "uu-24-2000", "vclt-1969", "skripsi-bogor-kisarazu"):
        cs = chunker.chunk(texts[doc_id], catalog.get(doc_id))
        assert max(len(c.text) for c in cs) <= max_chars
        assert len(cs) > len(Chunker().chunk(texts[doc_id], catalog.get(doc_id)))


def test_unit_offsets_lie_inside_the_chunk_text(chunks):
    n = 0
    for cs in chunks.values():
        for c in cs:
            for u in c.units:
                assert 0 <= u.start < u.end <= len(c.text), (c.cite, u)
                span = c.text[u.start : u.end]
                assert span == span.strip(), (c.cite, u.label)
                n += 1
                m = re.search(r"huruf ([a-z])$", u.label)
                if m and c.part == "body":
                    assert span[0] == m.group(1), (c.cite, u.label, span[:10])
                if m and c.part == "penjelasan":
                    assert re.match(rf"Huruf\s?{m.group(1)}", span), (c.cite, u.label, span[:10])
    assert n > 1000


def test_chunk_ids_unique_per_document_and_stable(catalog, texts, chunks):
    again = Chunker()
    for d in catalog:
        ids = [c.id for c in chunks[d.id]]
        assert len(set(ids)) == len(ids), d.id
        assert [c.id for c in again.chunk(texts[d.id], d)] == ids, d.id


def test_changing_one_pasal_changes_only_its_chunk_id(catalog, texts, chunks):
    meta = catalog.get("pp-28-2018")
    old = texts["pp-28-2018"]
    assert old.count("45 (empat puluh lima) hari kerja") == 1
    new = old.replace("45 (empat puluh lima) hari kerja", "30 (tiga puluh) hari kerja")
    before = chunks["pp-28-2018"]
    after = Chunker().chunk(new, meta)
    assert [c.cite for c in after] == [c.cite for c in before]
    changed = [b.cite for b, a in zip(before, after, strict=True) if b.id != a.id]
    assert changed == ["PP 28/2018 Pasal 30"]


# --- structure ------------------------------------------------------------------------------------------


def test_ayat_boundary_rule_for_split_pasal(catalog, texts, chunks):
    """A long Pasal is split between units: every piece after the first starts at a unit start.

    A cut inside a unit is allowed only where that unit alone is longer than a chunk.
    """
    at_unit_start = 0
    for d in catalog:
        if d.structure != "regulation":
            continue
        for b in parse_regulation(texts[d.id]):
            if b.part not in {"body", "penjelasan"}:
                continue
            pieces = _pieces(chunks[d.id], d.id, *b.path)
            if len(pieces) < 2:
                continue
            body, heading = b.body, b.label
            budget = MAX_CHARS - len(heading) - 1
            units = regulation_units(body, penjelasan=b.part == "penjelasan")
            starts = {u.start for u in units}
            pos = 0
            for k, c in enumerate(pieces):
                assert c.text.startswith(heading + "\n"), c.cite
                piece = c.text[len(heading) + 1 :]
                s = body.find(piece, pos)
                assert s >= 0, c.cite
                assert body[pos:s].strip() == "", f"{c.cite}: text lost between pieces"
                if k > 0 and units:
                    if s in starts:
                        at_unit_start += 1
                        assert c.units and c.units[0].start == len(heading) + 1, c.cite
                    else:
                        inside = [u for u in units if u.start < s < u.end]
                        inner = min(inside, key=lambda u: u.end - u.start)
                        assert inner.end - inner.start > budget, f"{c.cite} starts inside {inner.label}"
                pos = s + len(piece)
            assert body[pos:].strip() == "", f"{b.label}: text lost after the last piece"
    assert at_unit_start >= 50


def test_uu32_pasal_58_is_split_at_a_huruf(chunks):
    pieces = [c for c in chunks["uu-32-2004"] if c.pasal == "Pasal 58" and c.part == "body"]
    assert len(pieces) >= 2
    for c in pieces[1:]:
        assert re.match(r"Pasal 58\n[a-p]\. ", c.text), c.text[:40]


def test_vclt_article_2_cites_paragraphs_and_subparagraphs(chunks):
    pieces = _pieces(chunks["vclt-1969"], "vclt-1969", "Article 2")
    assert len(pieces) >= 2
    assert pieces[0].cite.startswith("Konvensi Wina 1969 Article 2(1)(a)-")
    for c in pieces:
        assert re.fullmatch(r"Konvensi Wina 1969 Article 2\(\d\)(\([a-z]\))?(-(\(\d\))?(\([a-z]\))?)?", c.cite), c.cite
        assert c.text.startswith("Article 2\n")
        assert c.anchor == "Konvensi Wina 1969 Article 2"
        assert c.part == "body"
    labels = [u.label for c in pieces for u in c.units]
    assert [x for x in labels if x.startswith("(1)(")] == [f"(1)({x})" for x in "abcdefghi"]
    assert labels[-1] == "(2)"
    first = pieces[0]
    assert _unit_text(first, "(1)(a)").startswith("(a) “treaty” means an international agreement")
    assert first.pinpoint("(1)(a)") == "Konvensi Wina 1969 Article 2(1)(a)"
    # The second piece starts at a subparagraph, not in the middle of one.
    assert re.match(r"Article 2\n\([a-z]\) ", pieces[1].text)


def test_vclt_article_7_is_one_chunk(chunks):
    c = _by_cite(chunks["vclt-1969"], "Konvensi Wina 1969 Article 7")
    assert [u.label for u in c.units] == ["(1)", "(1)(a)", "(1)(b)", "(2)", "(2)(a)", "(2)(b)", "(2)(c)"]
    assert c.pinpoint("(2)(a)") == "Konvensi Wina 1969 Article 7(2)(a)"
    assert "Heads of State, Heads of Government and Ministers for Foreign Affairs" in _unit_text(c, "(2)(a)")
    assert "PART II" in c.context


def test_vclt_annex_is_not_part_of_article_85(chunks):
    art85 = [c for c in chunks["vclt-1969"] if c.anchor == "Konvensi Wina 1969 Article 85"]
    assert art85
    assert not any("A list of conciliators" in c.text for c in art85)
    assert not any("Final Act" in c.text for c in art85)


def test_uu24_menimbang_is_its_own_chunk(chunks):
    cs = chunks["uu-24-2000"]
    menimbang = [c for c in cs if c.path[:2] == ("uu-24-2000", "Menimbang")]
    assert menimbang
    for c in menimbang:
        assert c.part == "pembukaan"
        assert c.cite.startswith("UU 24/2000 Menimbang")
        assert c.text.startswith("Menimbang\n")
        assert "Pasal 5 Ayat (1), Pasal 11" not in c.text  # that is Mengingat
        assert "Perjanjian Internasional adalah perjanjian, dalam bentuk" not in c.text  # that is Pasal 1
    assert menimbang[0].order == 0
    assert menimbang[0].text.startswith("Menimbang\na. bahwa dalam rangka mencapai tujuan Negara")
    labels = [u.label for c in menimbang for u in c.units]
    assert labels == [f"huruf {x}" for x in "abcde"]
    mengingat = _by_cite(cs, "UU 24/2000 Mengingat")
    assert "Pasal 5 Ayat (1), Pasal 11" in mengingat.text
    # The enacting formula is in neither.
    assert not any("Dengan Persetujuan Bersama" in c.text for c in cs)


@pytest.mark.parametrize(
    ("doc_id", "last_pasal"),
    [("uu-23-2014", "UU 23/2014 Pasal 411"), ("pp-50-2007", "PP 50/2007 Pasal 28")],
)
def test_closing_formula_is_not_inside_the_last_pasal(chunks, doc_id, last_pasal):
    cs = chunks[doc_id]
    last = [c for c in cs if c.part == "body"][-1]
    assert last.cite == last_pasal
    assert "Agar setiap orang" not in last.text
    assert last.text.rstrip().endswith("mulai berlaku pada tanggal diundangkan.")
    closing = [c for c in cs if c.part == "penutup"]
    assert closing and closing[0].text.startswith("Agar setiap orang mengetahuinya")
    assert closing[0].order == last.order + 1


def test_closing_formula_variant_dapat_mengetahuinya(chunks):
    last = [c for c in chunks["uu-32-2004"] if c.part == "body"][-1]
    assert last.cite == "UU 32/2004 Pasal 240"
    assert "Agar setiap orang" not in last.text


def test_uu23_lampiran_is_chunked_as_lampiran(chunks):
    lampiran = [c for c in chunks["uu-23-2014"] if c.part == "lampiran"]
    assert len(lampiran) > 10
    assert all(c.cite == "UU 23/2014 Lampiran" for c in lampiran)
    assert min(c.order for c in lampiran) > max(c.order for c in chunks["uu-23-2014"] if c.part == "body")


# --- prose ----------------------------------------------------------------------------------------------


def test_abstract_chunks_cite_paragraphs(chunks):
    cs = chunks["skripsi-bogor-kisarazu"]
    assert {c.part for c in cs} == {"prose"}
    cites = [c.cite for c in cs]
    assert set(cites) == {
        "Skripsi Sister City Bogor-Kisarazu paragraf 1",
        "Skripsi Sister City Bogor-Kisarazu paragraf 2",
    }
    assert cs[0].text.startswith("ABSTRAK Setiap negara")
    english = [c for c in cs if c.cite.endswith("paragraf 2")]
    assert english[0].text.startswith("ABSTRACT Every country")
    # The PDF's hard line breaks are joined.
    assert "bidang \n" not in cs[0].text and "\n\n\n" not in cs[0].text


def test_article_chunks_cite_paragraphs(chunks):
    cs = chunks["artikel-pi-pemda"]
    assert {c.part for c in cs} == {"prose"}
    for c in cs:
        assert re.fullmatch(r"Artikel Perjanjian Internasional Pemda paragraf \d+(-\d+)?", c.cite), c.cite
        assert c.anchor == "Artikel Perjanjian Internasional Pemda"


def test_article_paragraphs_are_its_lines(chunks):
    cs = chunks["artikel-pi-pemda"]
    assert len({c.cite for c in cs}) == len(cs)
    assert all(c.units for c in cs)


def test_prose_paragraphs_are_packed_and_short_ones_merged():
    meta = DocumentMeta(id="catatan", title="Catatan", short="Catatan Rapat", kind="dokumen", structure="prose")
    p1 = " ".join(["Pemerintah daerah dapat melakukan kerja sama dengan pemerintah daerah di luar negeri."] * 4)
    p2 = "Catatan singkat."
    p3 = " ".join(["Kerja sama itu memerlukan persetujuan DPRD dan pertimbangan Menteri Dalam Negeri."] * 5)
    cs = Chunker().chunk(f"{p1}\n\n{p2}\n\n{p3}\n", meta)
    assert [c.cite for c in cs] == ["Catatan Rapat paragraf 1-2", "Catatan Rapat paragraf 3"]
    assert [u.label for u in cs[0].units] == ["paragraf 1", "paragraf 2"]
    assert _unit_text(cs[0], "paragraf 2") == p2
    assert _unit_text(cs[1], "paragraf 3") == p3
    assert cs[1].pinpoint("paragraf 3") == "Catatan Rapat paragraf 3"


def test_regulation_without_pasal_falls_back_to_prose():
    meta = DocumentMeta(id="x", title="X", short="Perda 1/2020", kind="peraturan daerah")
    cs = Chunker().chunk("Teks tanpa struktur pasal sama sekali.\n\nParagraf kedua yang juga biasa.", meta)
    assert cs and {c.part for c in cs} == {"prose"}
    assert cs[0].cite.startswith("Perda 1/2020 paragraf 1")


# --- documents without a catalog entry ----------------------------------------------------------------

PP_7_2021 = """PERATURAN PEMERINTAH REPUBLIK INDONESIA
NOMOR 7 TAHUN 2021
TENTANG
KEMUDAHAN, PELINDUNGAN, DAN PEMBERDAYAAN KOPERASI

DENGAN RAHMAT TUHAN YANG MAHA ESA

Menimbang : bahwa untuk melaksanakan ketentuan Pasal 86 Undang-Undang Nomor 11 Tahun 2020 tentang Cipta Kerja, perlu menetapkan Peraturan Pemerintah;

MEMUTUSKAN:
Menetapkan : PERATURAN PEMERINTAH TENTANG KEMUDAHAN.

BAB I
KETENTUAN UMUM

Pasal 1
Dalam Peraturan Pemerintah ini yang dimaksud dengan:
1. Koperasi adalah badan hukum.
2. Menteri adalah menteri koperasi.

Pasal 2
(1) Koperasi didirikan oleh orang.
(2) Koperasi sebagaimana dimaksud pada ayat (1) wajib berbadan hukum.
"""  # noqa: E501


def test_uncataloged_regulation_gets_a_short_citation():
    meta = infer_meta(Path("pp-7-2021.txt"), PP_7_2021)
    assert meta.short == "PP 7/2021"
    assert meta.cataloged is False
    assert meta.structure == "regulation"
    cs = Chunker().chunk(PP_7_2021, meta)
    assert [c.cite for c in cs] == ["PP 7/2021 Menimbang", "PP 7/2021 Pasal 1", "PP 7/2021 Pasal 2"]
    pasal2 = cs[-1]
    assert [u.label for u in pasal2.units] == ["ayat (1)", "ayat (2)"]
    assert pasal2.pinpoint("ayat (2)") == "PP 7/2021 Pasal 2 ayat (2)"
    assert all(c.doc_id == "pp-7-2021" for c in cs)


def test_chunks_keep_catalog_short_citation(catalog, texts):
    meta = replace(catalog.get("uu-24-2000"), short="UU No. 24/2000")
    cs = Chunker().chunk(texts["uu-24-2000"], meta)
    assert any(c.cite == "UU No. 24/2000 Pasal 10" for c in cs)
    assert all(c.cite.startswith("UU No. 24/2000 ") for c in cs)


def test_chunk_paths_group_by_document(chunks):
    per_doc = defaultdict(set)
    for doc_id, cs in chunks.items():
        for c in cs:
            per_doc[doc_id].add(c.path[0])
    assert all(paths == {doc_id} for doc_id, paths in per_doc.items())
