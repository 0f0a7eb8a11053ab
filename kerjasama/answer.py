"""Cited answers without an LLM: the most relevant ayat / sentences quoted verbatim, or a refusal.

The citation contract: every citation carries the id of the passage it quotes, its quote occurs verbatim
in that passage's text, and unknown passages are dropped (:func:`verify_citations`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

from kerjasama import audit
from kerjasama.catalog import Catalog
from kerjasama.errors import QuestionError
from kerjasama.models import Answer, Chunk, Citation, Hit, label_depth
from kerjasama.retrieve import Filters, HybridRetriever, definition_term
from kerjasama.settings import Settings
from kerjasama.text import GLOSSARY, detect_lang, expand_query, normalize, sentence_spans, tokenize

log = logging.getLogger(__name__)

# The one refusal: code, prompts and tests use these constants.
REFUSAL_ID = "Maaf, jawaban atas pertanyaan ini tidak ditemukan dalam korpus."
REFUSAL_EN = "Sorry, the answer to this question was not found in the corpus."
REFUSAL = {"id": REFUSAL_ID, "en": REFUSAL_EN}

MAX_QUOTE_CHARS = 900
MOVE_UP = 1.25  # a passage covering this many times more of the question than the best-ranked one is quoted first
MODAL_BONUS = 0.1  # for "perlu/harus ...?" questions, the unit that states the norm ("harus", "wajib") ranks up

_INJECTION = re.compile(
    r"(ignore|disregard|forget|override)\s+(all\s+|the\s+|any\s+|your\s+|previous\s+|prior\s+|above\s+)*"
    r"(instructions|rules|prompts?|guidelines|context)"
    r"|(abaikan|lupakan|acuhkan)\s+(semua\s+|seluruh\s+)?(instruksi|perintah|aturan|petunjuk)"
    r"|system\s*prompt|prompt\s+sistem|developer\s+mode|mode\s+pengembang|jailbreak|\bDAN\b\s+mode"
    r"|^\s*(system|sistem)\s*:|you\s+are\s+now\s+|kamu\s+sekarang\s+adalah|anda\s+sekarang\s+adalah",
    re.I | re.M,
)

_MODAL_Q = re.compile(r"\b(perlu|harus|wajib|boleh|bolehkah|need|needs|must|required|allowed)\b", re.I)
_MODAL_UNIT = re.compile(r"\b(harus|wajib|dilarang|tidak boleh|shall|must)\b", re.I)
_QUANTITY_Q = re.compile(r"\bberapa\b|\bjumlah\b|\bhow\s+(many|much|long)\b", re.I)
_NUMBER = re.compile(
    r"\d|\b(satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|puluh|belas|ratus|ribu"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|hundred)\b",
    re.I,
)

_EN_TO_ID: dict[str, set[str]] = {}
for _key, _val in GLOSSARY.items():
    for _w in _key.split():
        _EN_TO_ID.setdefault(_w, set()).update(tokenize(_val))


def _messages(lang: str) -> dict[str, str]:
    if lang == "en":
        return {
            "intro": "From the corpus (quoted verbatim in the original language):",
            "sources": "Sources:",
            "repealed": "Note: {short} has been repealed and replaced by {repl}; check the provision in force.",
            "repealed_unknown": "Note: {short} has been repealed.",
            "ocr": "Note: {short} is OCR text with defects; check quotes against the official copy.",
            "secondary": "Note: {short} is a secondary source (not law).",
        }
    return {
        "intro": "Berdasarkan korpus (kutipan verbatim):",
        "sources": "Sumber:",
        "repealed": "Catatan: {short} telah dicabut dan diganti oleh {repl}; periksa ketentuan yang berlaku.",
        "repealed_unknown": "Catatan: {short} telah dicabut.",
        "ocr": "Catatan: {short} adalah teks OCR dengan cacat; periksa kutipan terhadap salinan resmi.",
        "secondary": "Catatan: {short} adalah sumber sekunder (bukan peraturan).",
    }


@dataclass
class Evidence:
    """How strongly the retrieved passages support answering."""

    best_dense: float
    coverage: float
    pinned: bool


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

    def ask(self, question: str, k: int | None = None, lang: str = "auto", filters: Filters | None = None) -> Answer:
        """Answer one question; refuses (with the refusal constant, no citations) when evidence is weak."""
        started = time.perf_counter()
        q = self.check_question(question)
        lang = detect_lang(q) if lang in ("auto", "", None) else lang
        k = k or self.settings.top_k
        hits = self.retriever.retrieve(q, k, filters)
        ans = self.extractive(q, lang, hits)
        ans.latency_ms = (time.perf_counter() - started) * 1000
        self.record(ans)
        return ans

    def stream(
        self, question: str, k: int | None = None, lang: str = "auto", filters: Filters | None = None
    ) -> Iterator[dict]:
        """The answer as events, like the generative path: its text line by line, then ``{"type": "final"}``."""
        ans = self.ask(question, k=k, lang=lang, filters=filters)
        for line in ans.answer.splitlines(keepends=True):
            yield {"type": "token", "text": line}
        yield {"type": "final", "answer": ans}

    def record(self, ans: Answer) -> None:
        """Append the answer to the audit trail (when enabled in settings)."""
        audit.record(self.settings, ans, self.backend, self.model)

    def extractive(self, q: str, lang: str, hits: list[Hit]) -> Answer:
        """The extractive answer (quotes) or the refusal, for retrieved ``hits``."""
        refs = self.retriever.refs(q)
        reason = self.refusal_reason(q, hits, refs)
        if reason:
            return Answer(q, REFUSAL[lang], True, "extractive", lang, [], hits, reason=reason)
        citations = verify_citations(self._quotes(q, hits, refs), hits)
        if not citations:
            return Answer(q, REFUSAL[lang], True, "extractive", lang, [], hits, reason="no quotable passage")
        if _QUANTITY_Q.search(q) and not any(_NUMBER.search(c.quote) for c in citations):
            # "Berapa ...?" / "How many ...?" needs a number in the evidence; a quote without one
            # is related text, not an answer.
            return Answer(q, REFUSAL[lang], True, "extractive", lang, [], hits, reason="no number in evidence")
        return Answer(q, self._compose(citations, lang), False, "extractive", lang, citations, hits)

    # -- refusal --------------------------------------------------------------------------------------
    def evidence(self, question: str, hits: list[Hit]) -> Evidence:
        """Best dense similarity among the top passages and the share of question terms they contain."""
        top = hits[:3]
        best = max((h.dense_score or 0.0 for h in top), default=0.0)
        terms = set(tokenize(question))
        seen: set[str] = set()
        for h in top:
            seen.update(tokenize(h.chunk.embed_text()))
        covered = 0
        for t in terms:
            if t in seen or _EN_TO_ID.get(t, set()) & seen:
                covered += 1
        coverage = covered / len(terms) if terms else 0.0
        return Evidence(best, coverage, any(h.pinned for h in hits))

    def refusal_reason(self, question: str, hits: list[Hit], refs) -> str:
        """Why the question must be refused ("" when the evidence supports an answer)."""
        if _INJECTION.search(question):
            return "prompt injection"
        if not hits:
            return "no passages"
        if refs.unknown_docs and not refs.doc_ids:
            return f"document not in corpus: {', '.join(refs.unknown_docs)}"
        if refs.doc_ids and refs.pasal and not any(h.pinned for h in hits):
            return "named Pasal not in corpus"
        ev = self.evidence(question, hits)
        if ev.pinned:
            return ""
        if ev.best_dense < self.settings.refusal_min_dense:
            return f"weak evidence (similarity {ev.best_dense:.3f})"
        if ev.coverage < self.settings.refusal_min_coverage:
            return f"weak evidence (coverage {ev.coverage:.2f})"
        return ""

    # -- quotes ---------------------------------------------------------------------------------------
    def _quotes(self, question: str, hits: list[Hit], refs) -> list[Citation]:
        terms = set(tokenize(expand_query(question)))
        out: list[Citation] = []
        pinpointed: set[tuple[str, str]] = set()
        top_score = hits[0].score if hits else 0.0
        cands: list[tuple[int, Hit, tuple[int, int, str, float]]] = []
        for rank, hit in enumerate(hits):
            if cands and not hit.pinned and hit.score < 0.75 * top_score:
                break
            span = self._best_span(hit, terms, refs, question)
            if span is not None:
                cands.append((rank, hit, span))
        # A named Pasal first (in retrieval order); then a passage that covers clearly more of the question than
        # the best-ranked one ("perlu persetujuan DPRD?" is answered by the Pasal on DPRD approval, not by the
        # one that only lists the kinds of cooperation), in retrieval order so that sources in force stay ahead of
        # repealed ones; then the rest in retrieval order.
        free = [c for c in cands if not c[1].pinned]
        first = free[0] if free else None
        bar = MOVE_UP * first[2][3] if first else 0.0

        def order(cand: tuple[int, Hit, tuple[int, int, str, float]]) -> tuple[int, int]:
            rank, hit, span = cand
            if hit.pinned:
                return (0, rank)
            if cand is not first and span[3] >= bar:
                return (1, rank)
            return (2, rank)

        for cand in sorted(cands, key=order):
            _, hit, (start, end, label, overlap) = cand
            if len(out) >= self.settings.max_quotes:
                break
            if out and not hit.pinned and overlap < 0.25 and cand is not first:
                continue
            chunk = hit.chunk
            if hit.pinned and label and (chunk.doc_id, chunk.pasal) in pinpointed:
                continue  # the named unit is already quoted from another piece of this Pasal
            if hit.pinned and label:
                pinpointed.add((chunk.doc_id, chunk.pasal))
            out.append(self.citation(len(out) + 1, chunk, start, end, label))
        return out

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

    def best_span(self, hit: Hit, question: str) -> tuple[int, int, str, float] | None:
        """(start, end, label, overlap) of the span of ``hit`` that best matches ``question``."""
        terms = set(tokenize(expand_query(question)))
        return self._best_span(hit, terms, self.retriever.refs(question), question)

    def _best_span(self, hit: Hit, terms: set[str], refs, question: str = "") -> tuple[int, int, str, float] | None:
        """(start, end, unit label, overlap) of the best quotable span of a chunk."""
        chunk = hit.chunk
        head = len(chunk.text.split("\n", 1)[0]) + 1 if chunk.part != "prose" else 0
        top_units = [u for u in chunk.units if label_depth(u.label) == 1]
        if hit.pinned and refs.pasal:
            return self._pinned_span(chunk, refs, terms, head)
        if top_units and not top_units[0].label.startswith("huruf"):
            cands = [(u.start, u.end, u.label) for u in top_units]
        elif top_units and len(chunk.text) - head <= MAX_QUOTE_CHARS:
            cands = [(head, len(chunk.text), "")]  # a short list: quote the whole Pasal with its intro
        elif chunk.units:
            cands = [(u.start, u.end, u.label) for u in chunk.units]
        else:
            cands = [(head + a, head + b, "") for a, b in sentence_spans(chunk.text[head:])]
        # Weights: rarity in the corpus; for Indonesian questions, words only added by query expansion
        # count less than the question's own words.
        # An acronym written out ("DPRD") counts as the question's own words in the statute's wording.
        original = (
            set(tokenize(question)) | acronym_terms(question) if question and detect_lang(question) == "id" else terms
        )
        cand_toks = [set(tokenize(chunk.text[s:e])) for s, e, _ in cands]
        weights = {t: self.retriever.idf(t) * (1.0 if t in original else 0.3) for t in terms}
        total = sum(weights.values()) or 1.0
        term = normalize(definition_term(question)) if question else ""
        normative = bool(question and _MODAL_Q.search(question))
        best = None
        for (s, e, label), toks in zip(cands, cand_toks, strict=True):
            if not toks:
                continue
            overlap = sum(weights[t] for t in terms & toks) / total
            # A definition question quotes the unit that defines the term.
            rank = overlap + (1.0 if term and term in normalize(chunk.text[s:e]) else 0.0)
            # "Perlu/harus ...?" asks for a norm: the unit that says "harus/wajib/dilarang" answers it.
            if normative and _MODAL_UNIT.search(chunk.text[s:e]):
                rank += MODAL_BONUS
            if best is None or rank > best[4] + 1e-9:
                best = (s, e, label, overlap, rank)
        if best is None:
            return None
        s, e, label, overlap, _ = best
        if not chunk.units and label == "":
            # Widen a prose sentence with its neighbour for context.
            spans = sentence_spans(chunk.text[head:])
            idx = next((i for i, (a, b) in enumerate(spans) if head + a == s), None)
            if idx is not None and idx + 1 < len(spans) and spans[idx + 1][1] - spans[idx][0] <= MAX_QUOTE_CHARS:
                e = head + spans[idx + 1][1]
        s, e = _clip(chunk.text, s, e, terms)
        return s, e, label, overlap

    def _pinned_span(self, chunk: Chunk, refs, terms: set[str], head: int) -> tuple[int, int, str, float]:
        """The unit a question names ("Pasal 30 ayat (4) huruf a"), most specific first; else the whole Pasal."""
        number = chunk.pasal.split(" ", 1)[-1]
        ref = next((r for r in refs.pasal if r[0].split(" ", 1)[-1] == number), refs.pasal[0])
        _, ayat, huruf = ref
        wanted: list[str] = []
        if ayat:
            bases = [f"ayat ({ayat})", f"({ayat})"]
            if huruf:
                wanted += [f"ayat ({ayat}) huruf {huruf}", f"({ayat})({huruf})"]
            wanted += bases
        elif huruf:
            wanted += [f"huruf {huruf}", f"({huruf})"]
        for label in wanted:
            for u in chunk.units:
                if u.label == label:
                    return (*_clip(chunk.text, u.start, u.end, terms), u.label, 1.0)
        return (*_clip(chunk.text, head, len(chunk.text), terms), "", 1.0)

    # -- composition ----------------------------------------------------------------------------------
    def _compose(self, citations: list[Citation], lang: str, body: list[str] | None = None) -> str:
        """Answer text: the body (default: the quotes with their markers), notes, then the numbered sources."""
        msg = _messages(lang)
        if body is None:
            body = [msg["intro"], ""] + [f"- {c.cite}: “{' '.join(c.quote.split())}” [{c.n}]" for c in citations]
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


def acronym_terms(question: str) -> set[str]:
    """Lexical tokens of the statutory wording of acronyms written in capitals ("DPRD" -> dewan perwakilan ...)."""
    out: set[str] = set()
    for m in re.finditer(r"\b[A-Z]{3,}\b", question):
        expansion = GLOSSARY.get(m.group(0).lower())
        if expansion:
            out.update(tokenize(expansion))
    return out


def _clip(text: str, s: int, e: int, terms: set[str]) -> tuple[int, int]:
    """Shorten an over-long span to its best window of sentences (still a verbatim slice)."""
    if e - s <= MAX_QUOTE_CHARS:
        return s, e
    spans = [(s + a, s + b) for a, b in sentence_spans(text[s:e])] or [(s, e)]
    best, best_score = (s, min(e, s + MAX_QUOTE_CHARS)), -1.0
    for i in range(len(spans)):
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= MAX_QUOTE_CHARS:
            j += 1
        a, b = spans[i][0], min(spans[j][1], spans[i][0] + MAX_QUOTE_CHARS)
        score = len(terms & set(tokenize(text[a:b])))
        if score > best_score:
            best, best_score = (a, b), score
    return best


def normalized_contains(haystack: str, needle: str) -> bool:
    """Substring test on normalised text (NFKC, case-fold, whitespace collapsed)."""
    return normalize(needle) in normalize(haystack)
