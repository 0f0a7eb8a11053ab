"""Structure lookups built at ingest from the real corpus: Pasal, their units, revocations."""

from __future__ import annotations

import pytest

from kerjasama.structure import Structure, build_structure, revoked_by


@pytest.fixture(scope="module")
def built(corpus_chunks):
    catalog, chunks = corpus_chunks
    return build_structure(chunks, catalog), {c.id: c for c in chunks}


def test_units_of_a_pasal(built):
    s, _ = built
    assert s.units_of("pp-28-2018", "Pasal 30") == {"ayat": ["1", "2", "3", "4", "5"],
                                                     "huruf@3": ["a", "b", "c", "d", "e", "f", "g"]}
    assert s.units_of("vclt-1969", "Article 2")["huruf@1"][-1] == "i"


def test_pasal_lookup_and_range(built):
    s, chunks = built
    assert [chunks[i].cite for i in s.chunks_of("uu-24-2000", "body", "Pasal 10")] == ["UU 24/2000 Pasal 10"]
    assert s.pasal_range("pp-28-2018") == ("Pasal 1", "Pasal 52")
    assert s.pasal_range("vclt-1969") == ("Article 1", "Article 85")
    assert "uu-24-2000" in s.docs_with("Pasal 5") and s.docs_with("Article 85") == ["vclt-1969"]


def test_revocations_are_mined_from_the_text(built):
    s, chunks = built
    assert [chunks[i].cite for i in s.revokes["pp-50-2007"]] == ["PP 28/2018 Pasal 51"]
    # UU 23/2014 Pasal 409 revokes a list of laws; UU 32/2004 is item b.
    assert [chunks[i].cite for i in s.revokes["uu-32-2004"]] == ["UU 23/2014 Pasal 409"]


def test_revoked_by_reads_lists_and_skips_partial_revocations():
    text = ("Pada saat Undang-Undang ini mulai berlaku:\na. Undang-Undang Nomor 5 Tahun 1962 tentang Perusahaan "
            "Daerah;\nb. Pasal 157 Undang-Undang Nomor 28 Tahun 2009 tentang Pajak Daerah; dan\nc. Peraturan "
            "Pemerintah Nomor 50 Tahun 2007 tentang Kerja Sama,\ndicabut dan dinyatakan tidak berlaku.")
    assert revoked_by(text) == [("5", 1962), ("50", 2007)]
    assert revoked_by("Peraturan ini mengubah Peraturan Pemerintah Nomor 50 Tahun 2007.") == []


def test_vocabulary_skips_words_seen_once(built):
    s, _ = built
    assert s.vocabulary["persetujuan"] > 10
    assert all(n >= 2 for n in s.vocabulary.values())


def test_round_trip(built):
    s, _ = built
    again = Structure.from_json(s.to_json())
    assert again.pasal == s.pasal and again.revokes == s.revokes and again.labels == s.labels
