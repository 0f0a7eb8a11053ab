"""Cited answers without an LLM: the units that answer the question quoted verbatim, or a refusal.

The citation contract: every citation carries the id of the passage it quotes, its quote occurs verbatim
in that passage's text, and unknown passages are dropped (:func:`verify_citations`).

What is quoted: the unit (ayat, huruf, angka, paragraph) of each passage that best matches the question
(:mod:`kerjasama.ranking`), cut at clean boundaries and never with OCR debris at its ends. The law in force
leads: a repealed provision is quoted only when the question names the repealed document or asks about the
law as it was, or, marked as history, when nothing in force answers. A refusal starts with the refusal constant
and, when the question names what does not exist (a Pasal or ayat a document does not have, a document the
corpus does not hold), says so.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

from kerjasama import audit, ranking
from kerjasama.catalog import Catalog, DocumentMeta
from kerjasama.errors import QuestionError
from kerjasama.legalref import LegalRefs
from kerjasama.models import Answer, Chunk, Citation, Hit, label_depth
from kerjasama.national import NationalIndex
from kerjasama.nationalanswer import open_national, supplement
from kerjasama.query import Query
from kerjasama.relations import Relations
from kerjasama.retrieve import Filters, HybridRetriever
from kerjasama.settings import Settings
from kerjasama.text import normalize, sentence_spans, token_set, tokenize

log = logging.getLogger(__name__)

# The one refusal: code, prompts and tests use these constants.
REFUSAL_ID = "Maaf, jawaban atas pertanyaan ini tidak ditemukan dalam korpus."
REFUSAL_EN = "Sorry, the answer to this question was not found in the corpus."
REFUSAL = {"id": REFUSAL_ID, "en": REFUSAL_EN}

MAX_QUOTE_CHARS = 900

_INJECTION = re.compile(
    r"(ignore|disregard|forget|override)\s+(all\s+|the\s+|any\s+|your\s+|previous\s+|prior\s+|above\s+)*"
    r"(instructions|rules|prompts?|guidelines|context)"
    r"|(abaikan|lupakan|acuhkan)\s+(semua\s+|seluruh\s+)?(instruksi|perintah|aturan|petunjuk)"
    r"|system\s*prompt|prompt\s+sistem|developer\s+mode|mode\s+pengembang|jailbreak|\bDAN\b\s+mode"
    r"|^\s*(system|sistem)\s*:|you\s+are\s+now\s+|kamu\s+sekarang\s+adalah|anda\s+sekarang\s+adalah",
    re.I | re.M,
)
# OCR debris at the end of a span: lone list markers, lone punctuation, a Pasal heading swallowed by them
# ("a. b. c. d. e. Pasal 25. , ."), and tokens of symbols ("$ftTlrt").
_RESIDUE_TOKEN = re.compile(r"^(?:[a-z]\.|\d{1,3}\.|\(\d{1,2}\)|[.,;:/^*]+|[a-z]|Pasal|\d{1,3}[A-Z]?\.?)$")
_LONE = re.compile(r"^(?:[a-z]\.|\d{1,3}\.|\(\d{1,2}\)|[.,;:/^*]+|[a-z])$")
_JUNK_TOKEN = re.compile(r"[^\w.,;:()/'\"“”’‘%-]")


def _messages(lang: str) -> dict[str, str]:
    if lang == "en":
        return {
            "intro": "From the corpus (quoted verbatim in the original language):",
            "history_intro": "The corpus has no provision in force on this; the repealed rule said (history only):",
            "sources": "Sources:",
            "repealed": "Note: {short} has been repealed and replaced by {repl}; check the provision in force.",
            "repealed_unknown": "Note: {short} has been repealed.",
            "ocr": "Note: {short} is OCR text with defects; check quotes against the official copy.",
            "secondary": "Note: {short} is a secondary source (not law).",
            "amended": "Note: {short} was amended by {by} (citator); the corpus holds the text before those "
                       "amendments: check whether the quoted provision was changed.",
            "status_repealed": "Status: {short} is no longer in force: it was revoked by {by}.",
            "status_repealed_catalog": "Status: {short} is no longer in force (repealed; replaced by {repl}).",
            "status_in_force": "Status: {short} is in force (as far as the corpus records).",
            "unknown_doc": "The corpus does not contain {names}. It holds: {holdings}.",
            "no_pasal": "{short} has no {pasal} (its {kind} run from {first} to {last}).",
            "no_ayat": "{short} {pasal} has {unit} {first}–{last}; there is no {unit} {wanted}.",
            "no_units": "{short} {pasal} is not divided into {unit}s; there is no {unit} {wanted}.",
            "clipped": "…",
        }
    return {
        "intro": "Berdasarkan korpus (kutipan verbatim):",
        "history_intro": "Korpus tidak memuat ketentuan yang berlaku tentang hal ini; ketentuan lama (dicabut) "
                         "berbunyi (sebagai riwayat saja):",
        "sources": "Sumber:",
        "repealed": "Catatan: {short} telah dicabut dan diganti oleh {repl}; periksa ketentuan yang berlaku.",
        "repealed_unknown": "Catatan: {short} telah dicabut.",
        "ocr": "Catatan: {short} adalah teks OCR dengan cacat; periksa kutipan terhadap salinan resmi.",
        "secondary": "Catatan: {short} adalah sumber sekunder (bukan peraturan).",
        "amended": "Catatan: {short} telah diubah dengan {by} (citator); korpus memuat teks sebelum perubahan itu: "
                   "periksa apakah ketentuan yang dikutip ikut diubah.",
        "status_repealed": "Status: {short} sudah tidak berlaku: dicabut oleh {by}.",
        "status_repealed_catalog": "Status: {short} sudah tidak berlaku (dicabut; diganti oleh {repl}).",
        "status_in_force": "Status: {short} berlaku (sejauh dicatat korpus).",
        "unknown_doc": "Korpus tidak memuat {names}. Korpus ini memuat: {holdings}.",
        "no_pasal": "{short} tidak memuat {pasal} ({kind}nya {first} sampai {last}).",
        "no_ayat": "{short} {pasal} terdiri atas {unit} {first}–{last}; tidak ada {unit} {wanted}.",
        "no_units": "{short} {pasal} tidak terbagi atas {unit}; tidak ada {unit} {wanted}.",
        "clipped": "…",
    }


@dataclass
class Evidence:
    """How strongly the retrieved passages support answering."""

    best_dense: float
    coverage: float
    pinned: bool


@dataclass
class Refusal:
    """Why a question is refused, and what to tell the user beyond the refusal constant."""

    reason: str
    message: str = ""


@dataclass
class Quote:
    """A chosen quote: the passage, the span and how it ranked."""

    hit: Hit
    span: ranking.Span
    score: float
    relative: float = 1.0  # the passage's score relative to the best passage
    history: bool = False  # from a repealed document the question did not ask about


def verify_citations(citations: list[Citation], hits: list[Hit]) -> list[Citation]:
    """Keep citations whose passage was retrieved and whose quote occurs verbatim in it; renumber 1..n."""
    by_id = {h.chunk.id: h.chunk for h in hits}
    kept = []
    for c in citations:
        chunk = by_id.get(c.chunk_id)
        if chunk is None or not c.quote or c.quote not in chunk.text:
            log.warning("dropped citation %s: quote not found verbatim in its passage", c.cite)
            continue
        kept.append(c)
    for n, c in enumerate(kept, start=1):
        c.n = n
    return kept


class Answerer:
    """Answers questions from the index: retrieval, refusal decision, verbatim quotes with pinpoint citations."""

    backend = "none"
    model = ""

    def __init__(self, retriever: HybridRetriever, settings: Settings | None = None) -> None:
        self.retriever = retriever
        self.settings = settings or retriever.settings
        self.catalog: Catalog = retriever.catalog

    @functools.cached_property
    def relations(self) -> Relations | None:
        """The citator's graph (``make citator``), read once; None when it was not built."""
        return Relations.load(self.settings.citator_file())

    @functools.cached_property
    def national(self) -> NationalIndex | None:
        """The national collection (``make national``), opened once; None when it was not built."""
        return open_national(self)

    def check_question(self, question: str) -> str:
        """The question stripped, or QuestionError with a bilingual message."""
        q = (question or "").strip()
        if not q:
            raise QuestionError("Pertanyaan kosong. / The question is empty.")
        limit = self.settings.max_question_chars
        if len(q) > limit:
            raise QuestionError(
                f"Pertanyaan terlalu panjang ({len(q)} karakter, maksimum {limit}). / "
                f"The question is too long ({len(q)} characters, at most {limit})."
            )
        return q

    def ask(self, question: str, k: int | None = None, lang: str = "auto", filters: Filters | None = None,
            context: str = "", own_coverage: bool = False) -> Answer:
        """Answer one question; refuses (starting with the refusal constant, no citations) on weak evidence.

        ``context``: the earlier question of a conversation that this follow-up is read with (the evidence must
        then cover the question and its context; with ``own_coverage``, the question's own words alone).
        """
        started = time.perf_counter()
        text = self.check_question(question)
        q = self.retriever.analyze(text, None if lang in ("auto", "", None) else lang, context=context)
        q.own_coverage = own_coverage
        hits = self.retriever.retrieve(text, k or self.settings.top_k, filters, q=q)
        ans = self.answer(q, hits)
        ans.latency_ms = (time.perf_counter() - started) * 1000
        self.record(ans)
        return ans

    def ask_extractive(self, question: str, k: int | None = None, lang: str = "auto", filters: Filters | None = None,
                       context: str = "", own_coverage: bool = False) -> Answer:
        """The extractive answer (quotes), also where a language model answers :meth:`ask` (a conversation's
        earlier turns are read this way: what they cite is what a follow-up needs)."""
        return Answerer.ask(self, question, k=k, lang=lang, filters=filters, context=context,
                            own_coverage=own_coverage)

    def stream(
        self, question: str, k: int | None = None, lang: str = "auto", filters: Filters | None = None,
        context: str = "",
    ) -> Iterator[dict]:
        """The answer as events, like the generative path: its text line by line, then ``{"type": "final"}``."""
        ans = self.ask(question, k=k, lang=lang, filters=filters, context=context)
        for line in ans.answer.splitlines(keepends=True):
            yield {"type": "token", "text": line}
        yield {"type": "final", "answer": ans}

    def record(self, ans: Answer) -> None:
        """Append the answer to the audit trail (when enabled in settings)."""
        audit.record(self.settings, ans, self.backend, self.model)

    def extractive(self, q: str, lang: str, hits: list[Hit]) -> Answer:
        """The extractive answer (quotes) or the refusal, for retrieved ``hits``."""
        return self.answer(self.retriever.analyze(q, lang), hits)

    def answer(self, q: Query, hits: list[Hit]) -> Answer:
        """The extractive answer to an analysed question from its retrieved passages, or the refusal."""
        refusal = self.refusal(q, hits)
        if refusal:
            return self.refused(q, hits, refusal)
        return self._answer(q, hits)

    def _answer(self, q: Query, hits: list[Hit]) -> Answer:
        quotes = self.select_quotes(q, hits)
        if quotes:
            q.evidence["quote_overlap"] = round(quotes[0].span.overlap, 3)

        citations = verify_citations([self.citation(i + 1, x.hit.chunk, x.span.start, x.span.end, x.span.label)
                                      for i, x in enumerate(quotes)], hits)
        if not citations:
            return self.refused(q, hits, Refusal("no quotable passage"))
        for cls in q.required_classes():
            if not any(cls.has_evidence(c.quote) for c in citations) and not any(h.pinned for h in hits):
                # "How many days ...?" answered by a passage without a number of days is not an answer.
                return self.refused(q, hits, Refusal(f"no {cls.name} in the evidence"))
        history = bool(quotes) and all(x.history for x in quotes)
        return Answer(q.text, self._compose(citations, q.lang, history=history, q=q), False, "extractive", q.lang,
                      citations, hits, evidence=dict(q.evidence))

    def refused(self, q: Query, hits: list[Hit], refusal: Refusal) -> Answer:
        """The refusal answer: the constant, then what the question named that does not exist (if anything)."""
        text = REFUSAL[q.lang] + (f"\n\n{refusal.message}" if refusal.message else "")
        extra = supplement(self, self.national, q, refusal.reason) if self.national is not None else None
        if extra is not None:
            text += f"\n\n{extra.text}"
        return Answer(q.text, text, True, "extractive", q.lang, [], hits, reason=refusal.reason,
                      evidence=dict(q.evidence), national=extra.citations if extra else [])

    # -- refusal --------------------------------------------------------------------------------------
    def evidence(self, question: str | Query, hits: list[Hit]) -> Evidence:
        """Best dense similarity among the top passages and the share of question terms they contain."""
        q = question if isinstance(question, Query) else self.retriever.analyze(question)
        best = q.best_dense if q.best_dense is not None else max((h.dense_score or 0.0 for h in hits), default=0.0)
        # A follow-up ("Siapa yang menandatanganinya?") is covered by its own words and its context's.
        terms = sorted(q.own if q.own_coverage else q.own | q.context_terms)
        if q.lang == "en" and not q.own_coverage:
            # English words the corpus has never seen and the lexicon cannot translate say nothing about the
            # Indonesian evidence; only the words that could be found count. (Read again as a follow-up, a question
            # must stand on its own words: there, a word the corpus does not know counts as missing.)
            terms = [t for t in terms if t in q.alternates or self.retriever.knows(t)] or terms
        return Evidence(best, ranking.coverage(terms, hits, q.alternates), any(h.pinned for h in hits))

    def refusal_threshold(self, lang: str | None = None) -> float:
        """The dense similarity below which a question is refused: the setting, else the index's calibration for
        the question's language (else for all questions)."""
        if self.settings.refusal_min_dense is not None:
            return self.settings.refusal_min_dense
        cal = self.retriever.calibration
        value = (cal.get("refusal_min_dense_by_lang") or {}).get(lang or "") or cal.get("refusal_min_dense")
        return float(value) if value is not None else ranking.DEFAULT_REFUSAL_MIN_DENSE

    def refusal_reason(self, question: str, hits: list[Hit], refs: LegalRefs | None = None) -> str:
        """Why the question must be refused ("" when the evidence supports an answer)."""
        found = self.refusal(self.retriever.analyze(question), hits)
        return found.reason if found else ""

    def refusal(self, q: Query, hits: list[Hit]) -> Refusal | None:
        """The refusal for this question, or None when the evidence supports an answer (the evidence measured is
        kept in ``q.evidence`` for the eval's diagnostics)."""
        msg = _messages(q.lang)
        refs = q.refs
        if _INJECTION.search(q.text):
            return Refusal("prompt injection")
        if refs.unknown_docs and not refs.doc_ids:
            names = ", ".join(refs.unknown_docs)
            holdings = "; ".join(f"{d.short} ({_about(d, q.lang)})" for d in self.catalog)
            return Refusal(f"document not in corpus: {names}", msg["unknown_doc"].format(names=names,
                                                                                          holdings=holdings))
        missing = self.missing_unit(q)
        if missing:
            return Refusal("named provision does not exist", missing)
        if not hits:
            return Refusal("no passages")
        if refs.doc_ids and refs.pasal and self.settings.legal_refs and not any(h.pinned for h in hits):
            return Refusal("named Pasal not in corpus")
        ev = self.evidence(q, hits)
        threshold = self.refusal_threshold(q.lang)
        q.evidence = {"best_dense": round(ev.best_dense, 4), "coverage": round(ev.coverage, 3),
                      "threshold": threshold}
        if ev.pinned or (q.status and hits[0].revokes):
            return None  # a named Pasal, or the provision that revoked a named document, answers by itself
        if ev.best_dense < threshold:
            return Refusal(f"weak evidence (similarity {ev.best_dense:.3f} < {threshold:.3f})")
        if ev.coverage < self.settings.refusal_min_coverage:
            return Refusal(f"weak evidence (coverage {ev.coverage:.2f})")
        return None

    def missing_unit(self, q: Query) -> str:
        """A message when the question names a Pasal / ayat / huruf that its document does not have ("")."""
        if not self.settings.legal_refs:
            return ""
        msg = _messages(q.lang)
        structure = self.retriever.structure
        for label, ayat, huruf in q.refs.pasal:
            docs = q.refs.doc_ids or structure.docs_with(label)
            if len(docs) != 1:
                continue
            doc = docs[0]
            meta = self.catalog.get(doc)
            short = meta.short if meta else doc
            part = "penjelasan" if q.refs.penjelasan else "body"
            if not structure.chunks_of(doc, "body", label):
                first, last = structure.pasal_range(doc)
                if not first:
                    continue
                kind = "Article" if label.startswith("Article") else "Pasal"
                kinds = {"Article": "articles", "Pasal": "Pasal"} if q.lang == "en" else {"Article": "Article",
                                                                                          "Pasal": "Pasal"}
                return msg["no_pasal"].format(short=short, pasal=label, kind=kinds[kind], first=first, last=last)
            if part == "penjelasan":
                continue
            units = structure.units_of(doc, label)
            unit = "ayat" if label.startswith("Pasal") else "paragraph"
            if ayat and ayat not in units.get("ayat", []):
                have = units.get("ayat", [])
                if not have:
                    return msg["no_units"].format(short=short, pasal=label, unit=unit, wanted=f"({ayat})")
                return msg["no_ayat"].format(short=short, pasal=label, unit=unit, first=f"({have[0]})",
                                             last=f"({have[-1]})", wanted=f"({ayat})")
            if huruf:
                key = f"huruf@{ayat}" if ayat else "huruf"
                have = units.get(key, [])
                where = f"{label} ayat ({ayat})" if ayat and unit == "ayat" else (f"{label}({ayat})" if ayat
                                                                                else label)
                hunit = "huruf" if unit == "ayat" else "subparagraph"
                if have and huruf not in have:
                    return msg["no_ayat"].format(short=short, pasal=where, unit=hunit, first=have[0],
                                                 last=have[-1], wanted=huruf)
                if not have:
                    return msg["no_units"].format(short=short, pasal=where, unit=hunit, wanted=huruf)
        return ""

    # -- quotes ---------------------------------------------------------------------------------------
    def select_quotes(self, q: Query, hits: list[Hit]) -> list[Quote]:
        """The quotes of the answer, best first (see kerjasama.ranking for the weights)."""
        if not hits:
            return []
        top = max(hits[0].score, 1e-9)
        idf = {t: self.retriever.idf(t) for t in q.weights}
        cands: list[Quote] = []
        for rank, hit in enumerate(hits):
            meta = self.catalog.get(hit.chunk.doc_id)
            named = hit.chunk.doc_id in q.refs.doc_ids
            if not hit.pinned:
                if hit.score < ranking.QUOTE_MIN_RATIO * top:
                    continue
                if meta and meta.status == "sekunder" and not named and rank > 0 and (
                    hit.score < ranking.SECONDARY_QUOTE_RATIO * top
                ):
                    continue
            history = bool(meta and meta.repealed and not named and not q.history)
            relative = 1.0 if hit.pinned else hit.score / top
            if hit.revokes and q.status:
                spans = self._revocation_spans(hit.chunk, q)
            else:
                spans = [self.spans(hit, q, idf)[0] if not hit.pinned else self._pinned_span(hit.chunk, q.refs)]
            cands.extend(Quote(hit, span, ranking.quote_score(relative, span), relative, history) for span in spans)
        current = [x for x in cands if not x.history]
        pool = current or cands  # the law in force leads; a repealed rule alone is shown as history
        # A named Pasal and the provisions that revoked a named document lead, in retrieval order; then by score.
        # A secondary source (not named) that retrieval ranks below a provision of law does not overtake it on
        # term overlap (class: questions on what the law requires, where a thesis or article discusses the same
        # topic in more of the question's words); it may still follow as a further quote.
        rank: dict[int, int] = {}
        for i, h in enumerate(hits):
            rank.setdefault(id(h), i)  # as hits.index: the first place
        secondary = {id(h) for h in hits if self._secondary(h, q)}
        first_law = min((rank[id(x.hit)] for x in pool if id(x.hit) not in secondary), default=len(hits))
        pool.sort(key=lambda x: (0, rank[id(x.hit)], 0.0) if x.hit.pinned or x.hit.revokes
                  else (1, int(id(x.hit) in secondary and rank[id(x.hit)] > first_law), -x.score))
        out: list[Quote] = []
        pinpointed: set[tuple[str, str]] = set()
        for x in pool:
            if len(out) >= self.settings.max_quotes:
                break
            if out and not x.hit.pinned and not x.hit.revokes and not ranking.extra_quote(
                out[0].span, x.relative, x.span
            ):
                continue  # (the revoking and transitional provisions of a status question are all quoted)
            key = (x.hit.chunk.doc_id, x.hit.chunk.pasal)
            if x.hit.pinned and x.span.label and key in pinpointed:
                continue  # the named unit is already quoted from another piece of this Pasal
            if x.hit.pinned and x.span.label:
                pinpointed.add(key)
            if not x.hit.pinned and not x.hit.revokes:
                x.span.start, x.span.end, x.span.label = whole_list(x.hit.chunk, x.span.start, x.span.end,
                                                                    x.span.label)
            s, e = clean_span(x.hit.chunk.text, x.span.start, x.span.end, set(q.weights))
            if e - s < 3:
                continue
            x.span.start, x.span.end = s, e
            out.append(x)
        return out

    def _secondary(self, hit: Hit, q: Query) -> bool:
        """Whether ``hit`` is from a secondary source the question does not name."""
        meta = self.catalog.get(hit.chunk.doc_id)
        return bool(meta and meta.status == "sekunder" and hit.chunk.doc_id not in q.refs.doc_ids)

    def spans(self, hit: Hit, q: Query, idf: dict[str, float] | None = None) -> list[ranking.Span]:
        """The quotable units of a passage, best first."""
        chunk = hit.chunk
        idf = idf if idf is not None else {t: self.retriever.idf(t) for t in q.weights}
        list_q = "list" in q.class_names
        index = {(u.start, u.end, u.label): i for i, u in enumerate(chunk.units)}
        own = {t: w for t, w in q.weights.items() if t in q.own} if q.context_terms else {}
        out = []
        for s, e, label in ranking.quote_candidates(chunk, list_q):
            text = chunk.text[s:e]
            tokens = set(token_set(text))
            i = index.get((s, e, label))
            sub = any(u.start >= s and u.end <= e and (u.start, u.end) != (s, e) for u in chunk.units)
            evidenced = [cls for cls in q.classes if cls.has_evidence(text, sub)]
            out.append(ranking.Span(
                s, e, label,
                overlap=ranking.term_overlap(tokens, q.weights, idf, q.alternates),
                own=ranking.term_overlap(tokens, own, idf, q.alternates) if own else 0.0,
                sim=hit.unit_sims.get(i) if i is not None else hit.dense_score,
                lex=hit.unit_lex.get(i) if i is not None else None,
                has_type=bool(evidenced),
                type_required=any(cls.required for cls in evidenced),
                defines=bool(hit.defines) and (hit.defines == label or hit.defines == "*"),
            ))
        return ranking.rank_spans(out)

    def best_span(self, hit: Hit, question: str) -> tuple[int, int, str, float] | None:
        """(start, end, label, overlap) of the span of ``hit`` that best matches ``question`` (clean ends)."""
        q = self.retriever.analyze(question)
        spans = self.spans(hit, q)
        if not spans:
            return None
        best = spans[0]
        s, e = clean_span(hit.chunk.text, best.start, best.end, set(q.weights))
        return s, e, best.label, best.overlap

    def _revocation_spans(self, chunk: Chunk, q: Query) -> list[ranking.Span]:
        """The words of a revoking provision that answer "is X still in force?": the whole provision when it is
        short; else the item that names X and the words that revoke it ("... dicabut dan dinyatakan tidak
        berlaku"), which in a list of revoked laws are at its end."""
        head = chunk.text.find("\n") + 1 if chunk.part != "prose" else 0
        if len(chunk.text) - head <= MAX_QUOTE_CHARS or not chunk.units:
            return [ranking.Span(head, len(chunk.text), "", overlap=1.0)]
        names = [f"Nomor {m.number} Tahun {m.year}" for d in q.refs.doc_ids if (m := self.catalog.get(d)) and m.number]
        out: list[ranking.Span] = []
        for u in sorted(chunk.units, key=lambda u: (u.end - u.start)):
            text = chunk.text[u.start:u.end]
            if any(n in text for n in names) and not any(x.start <= u.start < x.end for x in out):
                out.append(ranking.Span(u.start, u.end, u.label, overlap=1.0))
                break
        for u in chunk.units:
            if re.search(r"dicabut|dinyatakan\s+tidak\s+berlaku", chunk.text[u.start:u.end]) and all(
                (u.start, u.end) != (x.start, x.end) for x in out
            ):
                out.append(ranking.Span(u.start, u.end, u.label, overlap=1.0))
                break
        return out or [ranking.Span(head, len(chunk.text), "", overlap=1.0)]

    def _pinned_span(self, chunk: Chunk, refs: LegalRefs) -> ranking.Span:
        """The unit a question names ("Pasal 30 ayat (4) huruf a"), most specific first; else the whole Pasal."""
        number = chunk.pasal.split(" ", 1)[-1]
        ref = next((r for r in refs.pasal if r[0].split(" ", 1)[-1] == number), refs.pasal[0] if refs.pasal else None)
        head = chunk.text.find("\n") + 1 if chunk.part != "prose" else 0
        wanted: list[str] = []
        if ref:
            _, ayat, huruf = ref
            if ayat:
                if huruf:
                    wanted += [f"ayat ({ayat}) huruf {huruf}", f"({ayat})({huruf})"]
                wanted += [f"ayat ({ayat})", f"({ayat})"]
            elif huruf:
                wanted += [f"huruf {huruf}", f"({huruf})"]
        for label in wanted:
            for u in chunk.units:
                if u.label == label:
                    return ranking.Span(u.start, u.end, u.label, overlap=1.0)
        return ranking.Span(head, len(chunk.text), "", overlap=1.0)

    def citation(self, n: int, chunk: Chunk, start: int, end: int, label: str) -> Citation:
        """Citation number ``n`` quoting ``chunk.text[start:end]`` with its pinpoint and document status."""
        meta = self.catalog.get(chunk.doc_id)
        repl = self.catalog.replacement(chunk.doc_id)
        return Citation(
            n=n,
            cite=chunk.pinpoint(label) if label else chunk.cite,
            title=meta.title if meta else chunk.doc_id,
            status=meta.status if meta else "",
            quote=chunk.text[start:end],
            doc_id=chunk.doc_id,
            chunk_id=chunk.id,
            replaced_by=repl.short if repl else "",
            note=meta.quality if meta and "OCR" in meta.quality else "",
        )

    # -- composition ----------------------------------------------------------------------------------
    def _status_lines(self, q: Query, lang: str) -> list[str]:
        """For "is X still in force?": the status of each named document, with what revoked it."""
        if not q.status:
            return []
        msg = _messages(lang)
        lines = []
        for doc_id in q.refs.doc_ids:
            meta = self.catalog.get(doc_id)
            if meta is None:
                continue
            if meta.repealed:
                by = [c for cid in self.retriever.structure.revokes.get(doc_id, [])
                      if (c := self.retriever.chunk(cid)) is not None]
                if by:
                    lines.append(msg["status_repealed"].format(short=meta.short, by=", ".join(c.cite for c in by)))
                else:
                    repl = self.catalog.replacement(doc_id)
                    lines.append(msg["status_repealed_catalog"].format(short=meta.short,
                                                                       repl=repl.short if repl else "?"))
            elif meta.status == "berlaku":
                lines.append(msg["status_in_force"].format(short=meta.short))
        return lines

    def _compose(self, citations: list[Citation], lang: str, body: list[str] | None = None,
                 history: bool = False, q: Query | None = None) -> str:
        """Answer text: the body (default: the quotes with their markers), notes, then the numbered sources."""
        msg = _messages(lang)
        if body is None:
            status = self._status_lines(q, lang) if q is not None else []
            intro = msg["history_intro"] if history else msg["intro"]
            body = [*status, *([""] if status else []), intro, ""] + [
                f"- {c.cite}: “{' '.join(c.quote.split())}” [{c.n}]" for c in citations
            ]
        lines = list(body)
        notes: list[str] = []
        for c in citations:
            meta = self.catalog.get(c.doc_id)
            if meta is None:
                continue
            if meta.repealed:
                key = "repealed" if c.replaced_by else "repealed_unknown"
                notes.append(msg[key].format(short=meta.short, repl=c.replaced_by))
            elif c.note:
                notes.append(msg["ocr"].format(short=meta.short))
            elif meta.status == "sekunder":
                notes.append(msg["secondary"].format(short=meta.short))
            if not meta.repealed and self.relations is not None and (
                by := self.relations.amenders_outside(meta, self.catalog)
            ):
                notes.append(msg["amended"].format(short=meta.short, by=", ".join(by)))
        if notes:
            lines.append("")
            lines.extend(dict.fromkeys(notes))
        lines += ["", msg["sources"]]
        for c in citations:
            meta = self.catalog.get(c.doc_id)
            status = meta.status_label(lang) if meta else c.status
            if c.replaced_by:
                status += f" → {c.replaced_by}"
            lines.append(f"[{c.n}] {c.cite} — {c.title} ({status})")
        return "\n".join(lines)


def whole_list(chunk: Chunk, start: int, end: int, label: str) -> tuple[int, int, str]:
    """A list is quoted whole: a lead-in ("... paling sedikit memuat:") with its items, and one item of a list with
    its lead-in and the other items (its parent unit, or the chunk for a list of huruf), when that fits a quote."""
    text = chunk.text[start:end].rstrip()
    head = chunk.text.find("\n") + 1 if chunk.part != "prose" else 0
    depth = label_depth(label) if label else 0
    if text.endswith(":"):
        # A lead-in alone answers nothing: the unit that holds it and its items, or the rest of the chunk.
        holders = [u for u in chunk.units if u.start <= start and u.end > end]
        if holders:
            u = min(holders, key=lambda u: u.end - u.start)
            return u.start, u.end, u.label
        nxt = [u.end for u in chunk.units if u.start >= end]
        return start, max(nxt, default=len(chunk.text)), label
    if depth == 2 or (depth == 1 and label.startswith(("huruf", "angka"))):
        parents = [u for u in chunk.units if u.start <= start and u.end >= end and label_depth(u.label) == depth - 1]
        if parents and parents[0].end - parents[0].start <= MAX_QUOTE_CHARS:
            return parents[0].start, parents[0].end, parents[0].label
        if depth == 1 and len(chunk.text) - head <= MAX_QUOTE_CHARS:
            return head, len(chunk.text), ""
    return start, end, label


def _about(meta: DocumentMeta, lang: str = "id") -> str:
    """What a document is about: its title after "tentang" (or its title), and its status when not in force."""
    title = meta.title.split(" (", 1)[0]
    about = title.split(" tentang ", 1)[-1] if " tentang " in title else title
    return f"{about}; {meta.status_label(lang)}" if meta.repealed else about


def clean_span(text: str, s: int, e: int, terms: set[str] | None = None) -> tuple[int, int]:
    """A span trimmed to clean ends and at most ``MAX_QUOTE_CHARS`` long (still a verbatim slice of ``text``).

    The ends lose OCR debris (lone list markers and punctuation, a Pasal heading caught between them, tokens of
    symbols); an over-long span keeps its best window of sentences, cut at a word boundary at worst.
    """
    s, e = _trim(text, s, e)
    if e - s > MAX_QUOTE_CHARS:
        s, e = _window(text, s, e, terms or set())
        s, e = _trim(text, s, e)
    return s, e


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    """Strip whitespace, leading punctuation and a trailing run of OCR debris from a span."""
    while s < e and (text[s].isspace() or text[s] in ",.;:"):
        s += 1
    tokens = [(s + m.start(), s + m.end()) for m in re.finditer(r"\S+", text[s:e])]
    cut, lone, punct_last = len(tokens), 0, False
    while cut > 0:
        tok = text[tokens[cut - 1][0]:tokens[cut - 1][1]]
        junk = bool(_JUNK_TOKEN.search(tok))
        if not junk and not _RESIDUE_TOKEN.match(tok):
            break
        if cut == len(tokens):
            punct_last = junk or bool(re.fullmatch(r"[.,;:/^*]+", tok))
        lone += junk or bool(_LONE.match(tok))
        cut -= 1
    # A run is debris when it ends in lone punctuation or symbols, or holds two lone markers ("d. e."); a real
    # sentence ending "... dalam Pasal 25." keeps its end.
    if cut < len(tokens) and (punct_last or lone >= 2):
        e = tokens[cut - 1][1] if cut > 0 else s
    elif len(tokens) >= 2 and _LONE.match(text[tokens[-1][0]:tokens[-1][1]]) and \
            text[tokens[-2][1] - 1] in ".;:":
        e = tokens[-2][1]  # the next item's marker after a finished sentence ("... suami-isteri. 5.")
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _window(text: str, s: int, e: int, terms: set[str]) -> tuple[int, int]:
    """The best window of whole sentences within ``MAX_QUOTE_CHARS``; a single over-long sentence is cut at the
    last word boundary before the limit."""
    spans = [(s + a, s + b) for a, b in sentence_spans(text[s:e])] or [(s, e)]
    best, best_score = None, -1.0
    for i in range(len(spans)):
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= MAX_QUOTE_CHARS:
            j += 1
        a, b = spans[i][0], spans[j][1]
        if b - a > MAX_QUOTE_CHARS:
            cut = text.rfind(" ", a, a + MAX_QUOTE_CHARS)
            b = cut if cut > a else a + MAX_QUOTE_CHARS
        score = len(terms & set(tokenize(text[a:b])))
        if score > best_score:
            best, best_score = (a, b), score
    assert best is not None
    return best


def normalized_contains(haystack: str, needle: str) -> bool:
    """Substring test on normalised text (NFKC, case-fold, whitespace collapsed)."""
    return normalize(needle) in normalize(haystack)


__all__ = ["REFUSAL", "REFUSAL_EN", "REFUSAL_ID", "Answerer", "Evidence", "clean_span", "label_depth",
           "verify_citations"]
