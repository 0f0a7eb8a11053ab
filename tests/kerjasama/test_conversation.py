"""Conversations on the slice index: follow-ups resolved with what the previous turn established (real corpus
references), new topics left alone, the memo of a conversation."""

from __future__ import annotations

import io

import pytest

from kerjasama import conversation
from kerjasama.answer import REFUSAL_EN
from kerjasama.conversation import Conversation, resolve
from kerjasama.export import MemoMeta, to_docx, to_markdown

HEADLINE = "Apakah kerja sama kota kembar dengan pemerintah daerah di luar negeri perlu persetujuan DPRD?"


def talk(answerer, *questions):
    conv = Conversation()
    return conv, [conversation.ask(conv, answerer, q) for q in questions]


def test_ellipsis_is_read_with_the_previous_question(answerer):
    conv, (first, second) = talk(answerer, HEADLINE, "Berapa lama batasnya?")
    assert first.citations[0].cite == "PP 28/2018 Pasal 30 ayat (1)" and not first.understood_as
    assert second.citations[0].cite == "PP 28/2018 Pasal 30 ayat (4)"
    assert second.understood_as.startswith("Berapa lama batasnya? (lanjutan dari: Apakah kerja sama kota kembar")
    assert second.answer.startswith("Dipahami sebagai: ") and second.conversation_id == conv.id
    assert "45 (empat puluh lima) hari kerja" in second.citations[0].quote


def test_the_same_question_alone_is_not_read_that_way(full_answerer):
    # Without the conversation, "Berapa lama batasnya?" has nothing to be about: on the full corpus (where many
    # deadlines are; the slice has few) it is not answered with the DPRD deadline, nor read as a follow-up.
    alone = conversation.ask(Conversation(), full_answerer, "Berapa lama batasnya?")
    assert not alone.understood_as
    assert alone.refused or alone.citations[0].cite != "PP 28/2018 Pasal 30 ayat (4)"


def test_status_follow_up_names_the_repealed_document_and_what_revoked_it(answerer):
    _, (old, status) = talk(answerer, "Menurut PP 50/2007, berapa hari DPRD harus memberi persetujuan?",
                            "Apakah itu masih berlaku?")
    assert old.citations[0].doc_id == "pp-50-2007"
    assert status.understood_as == "Apakah PP 50/2007 masih berlaku?"
    assert "Status: PP 50/2007 sudah tidak berlaku: dicabut oleh PP 28/2018 Pasal 51." in status.answer
    assert status.citations[0].cite == "PP 28/2018 Pasal 51"


@pytest.mark.parametrize(
    ("first", "follow_up", "understood", "cite"),
    [
        ("Apa isi PP 28/2018 Pasal 30 ayat (3)?", "ayat berikutnya?", "PP 28/2018 Pasal 30 ayat (4)",
         "PP 28/2018 Pasal 30 ayat (4)"),
        ("Apa isi PP 28/2018 Pasal 30 ayat (3) huruf a?", "dan huruf c?", "PP 28/2018 Pasal 30 ayat (3) huruf c",
         "PP 28/2018 Pasal 30 ayat (3) huruf c"),
        ("Apa isi PP 28/2018 Pasal 33?", "Apa penjelasannya?", "Penjelasan Pasal 33 PP 28/2018",
         "PP 28/2018 Penjelasan Pasal 33"),
        ("Apa yang dimaksud dengan KSDPL?", "Dan untuk KSDLL?", "Apa yang dimaksud dengan KSDLL?",
         "PP 28/2018 Pasal 1"),
    ],
)
def test_follow_ups_on_units_penjelasan_and_siblings(answerer, first, follow_up, understood, cite):
    _, (_, ans) = talk(answerer, first, follow_up)
    assert ans.understood_as == understood
    assert not ans.refused and ans.citations[0].cite.startswith(cite)


def test_a_new_topic_starts_fresh(answerer):
    _, (_, ans) = talk(answerer, HEADLINE, "Who won the 2022 football World Cup?")
    assert ans.refused and ans.answer.startswith(REFUSAL_EN) and not ans.understood_as


def test_resolution_rules_without_answering(answerer):
    answerer.retriever.load()
    analyzer = answerer.retriever.analyzer
    prev = conversation.Turn(HEADLINE, HEADLINE, "", "id", ["pp-28-2018"], [("pp-28-2018", "Pasal 30", "ayat (1)")],
                             False)
    assert resolve("Siapa yang menandatanganinya?", prev, analyzer, "id").kind == "pronoun"
    assert resolve("Berapa lama?", prev, analyzer, "id").kind == "ellipsis"
    new = resolve("Apa isi Pasal 10 UU 24/2000?", prev, analyzer, "id")
    assert new.kind == "new_topic" and new.context == ""
    assert resolve("ayat (5)-nya?", prev, analyzer, "id").text == "PP 28/2018 Pasal 30 ayat (5)"


def test_memo_holds_every_answer_with_its_citations(answerer):
    from docx import Document

    conv, answers = talk(answerer, HEADLINE, "Berapa lama batasnya?")
    data = [t.answer for t in conv.turns]
    meta = MemoMeta.now(index="index-x/000001")
    md = to_markdown(data, meta)
    doc = Document(io.BytesIO(to_docx(data, meta)))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    for ans in answers:
        assert ans.question in text and ans.question in md
        for c in ans.citations:
            assert c.cite in cells and " ".join(c.quote.split()) in cells
            assert c.cite in md
    assert "index-x/000001" in text and "index-x/000001" in md
    assert "Dipahami sebagai: Berapa lama batasnya?" in text
