"""Documents as a reader sees them: sections rebuilt from the indexed chunks, quotes located in their Pasal."""

from __future__ import annotations

import pytest

from kerjasama.web.documents import Library, build_sections, slug
from tests.web.conftest import HEADLINE


@pytest.fixture(scope="module")
def library(answerer):
    return Library(answerer.retriever)


def test_catalog_rows_of_the_slice(library, slice_settings):
    docs = {d.id: d for d in library.documents()}
    assert set(docs) == {"uu-24-2000", "pp-28-2018", "pp-50-2007", "artikel-pi-pemda", "skripsi-bogor-kisarazu"}
    pp = docs["pp-28-2018"]
    assert pp.short == "PP 28/2018" and pp.status == "berlaku" and pp.chunks > 40
    assert docs["pp-50-2007"].status == "dicabut" and docs["pp-50-2007"].replaced_by_short == "PP 28/2018"
    assert pp.last_ingested and pp.last_ingested == library.retriever.store.manifest()["built_at"]
    assert sum(d.chunks for d in docs.values()) == len(library.retriever.chunks)


def test_every_chunk_is_in_exactly_one_section_and_sections_keep_document_order(library):
    for doc_id in library.doc_ids():
        sections = library.sections(doc_id)
        keys = [s.key for s in sections]
        assert len(keys) == len(set(keys))
        orders = [c.order for s in sections for c in s.chunks]
        assert orders == sorted(orders)
    assert all(library.section_of_chunk(c.id) is not None for c in library.retriever.chunks)


def test_a_split_pasal_is_joined_without_repeating_its_heading(library):
    pasal1 = library.find_pasal("pp-28-2018", "1")
    assert pasal1 is not None and len(pasal1.chunks) > 1
    assert pasal1.text.count("Pasal 1\n") == 1
    for chunk in pasal1.chunks:
        body = chunk.text.split("\n", 1)[1] if chunk is not pasal1.chunks[0] else chunk.text
        assert body in pasal1.text


def test_every_citation_quote_is_located_verbatim_in_its_section(answerer, library):
    questions = [
        HEADLINE,
        "Apa yang dimaksud dengan KSDPL?",
        "Berapa lama DPRD memberi persetujuan atas rencana kerja sama dengan pemerintah daerah di luar negeri?",
        "Apa isi Pasal 10 UU No. 24 Tahun 2000?",
        "Apa manfaat sister city Bogor dan Kisarazu?",
    ]
    located = 0
    for q in questions:
        for c in answerer.ask(q).citations:
            section = library.section_of_chunk(c.chunk_id)
            span = section.locate(c.chunk_id, c.quote)
            assert span is not None and section.text[span[0] : span[1]] == c.quote
            located += 1
    assert located >= len(questions)  # every answer cites, and every citation was located


def test_find_pasal_accepts_the_ways_people_write_it(library):
    for name in ("30", "Pasal 30", "pasal_30", "PASAL 30"):
        s = library.find_pasal("pp-28-2018", name)
        assert s is not None and s.key == "pasal-30" and s.cite == "PP 28/2018 Pasal 30"
    assert library.find_pasal("pp-28-2018", "999") is None
    expl = library.find_pasal("pp-28-2018", "3", part="penjelasan")
    assert expl is not None and expl.key == "penjelasan-pasal-3" and expl.text.startswith("Penjelasan Pasal 3")
    assert library.find_pasal("uu-24-2000", "Menimbang", part="pembukaan") is not None


def test_build_sections_on_prose_gives_one_section_per_passage(library):
    chunks = [c for c in library.retriever.chunks if c.doc_id == "artikel-pi-pemda"]
    sections = build_sections(chunks, library.meta("artikel-pi-pemda"))
    assert len(sections) == len(chunks) and sections[0].label.startswith("paragraf")


def test_slug():
    assert slug("Penjelasan Pasal 30A") == "penjelasan-pasal-30a" and slug("§§") == "bagian"
