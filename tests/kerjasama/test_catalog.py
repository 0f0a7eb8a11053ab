"""Tests for kerjasama.catalog: the real corpus catalog, malformed catalogs and infer_meta."""

from __future__ import annotations

from pathlib import Path

import pytest

from kerjasama.catalog import Catalog, DocumentMeta, infer_meta, load_catalog
from kerjasama.errors import CatalogError, KerjasamaError

CORPUS = Path(__file__).parents[2] / "corpus"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CORPUS)


def test_nine_documents_with_their_files(catalog):
    assert len(catalog) == 9
    ids = {d.id for d in catalog}
    assert ids == {
        "uu-24-2000",
        "uu-37-1999",
        "uu-23-2014",
        "uu-32-2004",
        "pp-28-2018",
        "pp-50-2007",
        "vclt-1969",
        "artikel-pi-pemda",
        "skripsi-bogor-kisarazu",
    }
    for d in catalog:
        assert (CORPUS / d.file).is_file(), d.file
        assert catalog.by_file(d.file) is d
        assert d.cataloged is True


def test_short_citations_and_fields(catalog):
    pp = catalog.get("pp-28-2018")
    assert pp.short == "PP 28/2018"
    assert pp.title == "Peraturan Pemerintah Nomor 28 Tahun 2018 tentang Kerja Sama Daerah"
    assert pp.number == "28" and pp.year == 2018
    assert pp.structure == "regulation"
    assert "PP Kerja Sama Daerah" in pp.aliases
    vclt = catalog.get("vclt-1969")
    assert vclt.short == "Konvensi Wina 1969"
    assert vclt.structure == "treaty" and vclt.language == "en"
    assert vclt.number == ""  # empty string in YAML, not "None"
    artikel = catalog.get("artikel-pi-pemda")
    assert artikel.year is None and artikel.structure == "prose"


def test_uu_32_2004_repealed_and_replaced_by_uu_23_2014(catalog):
    old = catalog.get("uu-32-2004")
    assert old.repealed is True
    assert old.replaced_by == "uu-23-2014"
    assert catalog.replacement("uu-32-2004") is catalog.get("uu-23-2014")
    assert catalog.replacement("uu-32-2004").short == "UU 23/2014"


def test_pp_50_2007_replaced_by_pp_28_2018(catalog):
    assert catalog.get("pp-50-2007").repealed is True
    assert catalog.replacement("pp-50-2007").id == "pp-28-2018"


def test_documents_in_force_have_no_replacement(catalog):
    for doc_id in ("uu-23-2014", "pp-28-2018", "uu-24-2000", "vclt-1969"):
        assert catalog.get(doc_id).repealed is False
        assert catalog.replacement(doc_id) is None
    assert catalog.replacement("no-such-doc") is None
    assert catalog.get("no-such-doc") is None


def test_status_labels_in_indonesian_and_english(catalog):
    assert catalog.get("uu-32-2004").status_label("id") == "dicabut"
    assert catalog.get("uu-32-2004").status_label("en") == "repealed"
    assert catalog.get("uu-23-2014").status_label("id") == "berlaku"
    assert catalog.get("uu-23-2014").status_label("en") == "in force"
    assert catalog.get("skripsi-bogor-kisarazu").status_label("id") == "sumber sekunder"
    assert catalog.get("skripsi-bogor-kisarazu").status_label("en") == "secondary source"
    assert catalog.get("uu-23-2014").status_label() == "berlaku"


def test_status_counts(catalog):
    statuses = sorted(d.status for d in catalog)
    assert statuses.count("dicabut") == 2
    assert statuses.count("sekunder") == 2
    assert statuses.count("berlaku") == 5


def test_malformed_yaml_raises_catalog_error_naming_the_file(tmp_path):
    (tmp_path / "catalog.yaml").write_text("documents:\n  - id: x\n    title: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="catalog.yaml") as exc:
        load_catalog(tmp_path)
    assert isinstance(exc.value, KerjasamaError)


def test_entry_without_short_raises_catalog_error(tmp_path):
    (tmp_path / "catalog.yaml").write_text(
        "documents:\n  - id: a\n    title: A\n    short: A 1/2020\n  - id: b\n    title: B\n", encoding="utf-8"
    )
    with pytest.raises(CatalogError, match=r"catalog\.yaml: entry 2 .*short"):
        load_catalog(tmp_path)


def test_entry_with_bad_year_raises_catalog_error(tmp_path):
    (tmp_path / "catalog.yaml").write_text(
        "documents:\n  - id: a\n    title: A\n    short: A\n    year: dua ribu\n", encoding="utf-8"
    )
    with pytest.raises(CatalogError, match="catalog.yaml"):
        load_catalog(tmp_path)


def test_absent_or_empty_catalog_is_empty(tmp_path):
    assert len(load_catalog(tmp_path)) == 0
    (tmp_path / "catalog.yaml").write_text("", encoding="utf-8")
    assert len(load_catalog(tmp_path)) == 0


def test_add_replaces_by_id_and_file():
    cat = Catalog([DocumentMeta(id="a", title="A", short="A", kind="x", file="a.txt")])
    cat.add(DocumentMeta(id="a", title="A2", short="A2", kind="x", file="a.txt"))
    assert len(cat) == 1
    assert cat.get("a").title == "A2"
    assert cat.by_file("a.txt").short == "A2"


# --- infer_meta -------------------------------------------------------------------------------------


def test_infer_meta_peraturan_pemerintah():
    text = (
        "PERATURAN PEMERINTAH REPUBLIK INDONESIA\nNOMOR 7 TAHUN 2021\nTENTANG\n"
        "KEMUDAHAN, PELINDUNGAN, DAN PEMBERDAYAAN KOPERASI\n\nDENGAN RAHMAT TUHAN YANG MAHA ESA\n"
    )
    meta = infer_meta(Path("PP 7 2021.txt"), text)
    assert meta.short == "PP 7/2021"
    assert meta.id == "pp-7-2021"
    assert meta.kind == "peraturan pemerintah"
    assert meta.number == "7" and meta.year == 2021
    assert meta.title.startswith("Peraturan Pemerintah Nomor 7 Tahun 2021 tentang Kemudahan")
    assert meta.structure == "regulation"
    assert meta.cataloged is False
    assert meta.file == "PP 7 2021.txt"


def test_infer_meta_on_the_ocr_header_of_pp_28_2018():
    # The real text of corpus/pp-28-2018.txt: its first line has OCR typos ("PEMERIMAH").
    head = (CORPUS / "pp-28-2018.txt").read_text(encoding="utf-8")
    meta = infer_meta(Path("pp-28-2018.txt"), head)
    assert meta.short == "PP 28/2018"
    assert meta.title == "Peraturan Pemerintah Nomor 28 Tahun 2018 tentang Kerja Sama Daerah"


def test_infer_meta_undang_undang():
    meta = infer_meta(Path("uu.txt"), "UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 3 TAHUN 2022 TENTANG IBU KOTA NEGARA")
    assert meta.short == "UU 3/2022"
    assert meta.title == "Undang-Undang Nomor 3 Tahun 2022 tentang Ibu Kota Negara"


def test_infer_meta_prose_document():
    meta = infer_meta(Path("catatan rapat.txt"), "\n\nCatatan rapat koordinasi KSDPL\nisi catatan")
    assert meta.structure == "prose"
    assert meta.status == "sekunder"
    assert meta.title == "Catatan rapat koordinasi KSDPL"
    assert meta.short == "catatan rapat"
    assert meta.id == "catatan-rapat"
