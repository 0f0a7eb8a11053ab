"""Conversations: a follow-up question is read with what the conversation has already established.

"Apakah kerja sama kota kembar ... perlu persetujuan DPRD?" then "Berapa lama batasnya?" is answered as the
deadline of that approval, not as a question about any deadline. Without an LLM the follow-up is resolved by rules
over the previous turn (:func:`resolve`):

* **status** ("Apakah itu masih berlaku?", "Is that still in force?"): the status of the document the previous
  answer cited first (a repealed one before one in force);
* **next unit** ("ayat berikutnya?", "dan huruf c?", "the next paragraph?"): that unit of the Pasal the previous
  answer cited;
* **Penjelasan** ("Apa penjelasannya?", "its elucidation?"): the Penjelasan of that Pasal;
* **swap** ("Dan untuk KSDLL?", "Bagaimana dengan PP 50/2007?", "What about regencies?"): the previous question
  about the new entity (a sibling abbreviation or a named document replaces its counterpart; anything else is
  asked with the previous question as context);
* **ellipsis / pronoun** ("Berapa lama batasnya?", "Siapa yang menandatanganinya?", "Does that need ...?"): the
  follow-up asked with the previous question as context (its words count less than the follow-up's own);
* anything else that stands on its own (it names a document or a Pasal, or says enough) starts a new topic.

The answer says how the follow-up was understood ("Dipahami sebagai: ..."), so the user can correct it.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from kerjasama.errors import QuestionError
from kerjasama.models import Answer
from kerjasama.text import STOPWORDS, tokenize

MAX_TURNS = 20  # turns a conversation remembers (older ones are dropped)
SHORT_FOLLOW_UP = 4  # a question this short (content words) sharing a word with the previous one is a follow-up
VERY_SHORT = 2  # ... and one this short is a follow-up anyway ("Berapa lama?", "Dan syaratnya?")
RETRY_WORDS = 8  # a question up to this long, refused on its own, is tried once more as a follow-up

_STATUS = re.compile(
    r"\b(masih\s+berlaku|masih\s+(bisa|dapat|boleh)\s+(dipakai|digunakan|diacu)|sudah\s+dicabut|telah\s+dicabut"
    r"|still\s+(the\s+)?(in\s+force|valid|applicable|apply|applies|current|good\s+law)|been\s+repealed"
    r"|is\s+it\s+repealed|no\s+longer\s+valid)\b",
    re.I,
)
_NEXT = re.compile(
    r"\b(?P<unit>ayat|huruf|angka|pasal|paragraph|subparagraph|article|letter|point)\s+(berikut(nya)?|selanjutnya)\b"
    r"|\bnext\s+(?P<unit2>paragraph|subparagraph|article|letter|point|ayat|huruf|pasal)\b",
    re.I,
)
_AND_UNIT = re.compile(
    r"^\s*(dan|lalu|kalau|bagaimana\s+dengan|and|what\s+about|how\s+about)?\s*"
    r"(?P<unit>ayat|huruf|angka|sub-?paragraph|paragraph|letter|point)"
    r"\s*\(?(?P<value>\d+|[a-z])\)?\s*(-?nya)?\s*\??\s*$",
    re.I,
)
_PENJELASAN = re.compile(r"\bpenjelasan(nya)?\b|\belucidation\b|\bexplanatory\s+(note|memorandum)\b", re.I)
# One or more connectives ("Dan untuk KSDLL?", "Lalu bagaimana dengan PP 50/2007?", "And for KSDLL?").
_SWAP = re.compile(r"^\s*(?:(?:dan|lalu|terus|kalau|bagaimana\s+dengan|gimana\s+dengan|untuk|bagi|and|what\s+about"
                   r"|how\s+about|for|what\s+if)\b[\s,]*)+(?P<rest>.*?)\s*\??\s*$", re.I)
_PRONOUN = re.compile(r"\b(itu|tersebut|ini|it|its|that|this|they|them|those|these|the\s+same)\b", re.I)
# Words ending in -nya that are not a pronoun ("sebelumnya" = before, "lainnya" = other, "adanya" = the existence).
_NYA_WORDS = frozenset("""sebelumnya selanjutnya lainnya adanya berikutnya sesudahnya setelahnya akhirnya biasanya
    misalnya sebaliknya seharusnya sebenarnya selamanya sepenuhnya terutamanya umumnya khususnya""".split())


@dataclass
class Turn:
    """One question of a conversation and what its answer established."""

    question: str
    resolved: str  # the standalone question that was answered
    context: str  # the earlier question it was read with ("" when it stood alone)
    lang: str
    doc_ids: list[str]
    cited: list[tuple[str, str, str]]  # (doc id, Pasal, unit label) of the answer's citations
    refused: bool
    answer: dict = field(default_factory=dict)  # the answer object without its passages (for the memo)


@dataclass
class Resolution:
    """How a question is asked: the standalone text, the context it is read with, and how it was understood."""

    text: str
    context: str = ""
    kind: str = "new_topic"  # new_topic | status | next_unit | penjelasan | swap | ellipsis | pronoun
    understood_as: str = ""  # shown with the answer ("" when the question stood alone)


@dataclass
class Conversation:
    """The turns of one conversation (thread-safe to append to from one request at a time)."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    turns: list[Turn] = field(default_factory=list)
    updated: float = field(default_factory=time.time)

    def add(self, resolution: Resolution, answer: Answer, doc_ids: list[str]) -> None:
        """Record an answered turn."""
        cited = []
        for c in answer.citations:
            m = re.search(r"\b(Pasal|Article)\s+(\d+[A-Z]?)(.*)$", c.cite)
            pasal = f"{m.group(1)} {m.group(2)}" if m else ""
            label = m.group(3).strip() if m else ""
            cited.append((c.doc_id, pasal, label))
        data = {k: v for k, v in answer.to_dict().items() if k != "passages"}
        self.turns.append(Turn(answer.question, resolution.text, resolution.context, answer.lang, doc_ids, cited,
                               answer.refused, data))
        del self.turns[:-MAX_TURNS]
        self.updated = time.time()


def _content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z0-9/]+", text.lower()) if w not in STOPWORDS]


def _has_nya_pronoun(text: str) -> bool:
    """Whether a word carries the pronoun suffix -nya ("batasnya", "menandatanganinya")."""
    return any(w not in _NYA_WORDS and len(w) > 5 for w in re.findall(r"[a-z]+nya\b", text.lower()))


def _strip_q(text: str) -> str:
    return text.strip().rstrip("?.! ").strip()


def resolve(question: str, previous: Turn | None, analyzer, lang: str) -> Resolution:
    """The standalone form of ``question`` after the ``previous`` turn (see the module docstring)."""
    q = question.strip()
    if previous is None:
        return Resolution(q)
    refs = analyzer.refs(q)
    en = lang == "en"
    cited = previous.cited[0] if previous.cited else None
    prev_docs = [c[0] for c in previous.cited] or previous.doc_ids

    # "Apakah itu masih berlaku?" / "Is that still in force?"
    if _STATUS.search(q) and not refs.doc_ids and prev_docs:
        catalog = analyzer.catalog
        ordered = sorted(dict.fromkeys(prev_docs), key=lambda d: not (catalog.get(d) and catalog.get(d).repealed))
        meta = catalog.get(ordered[0])
        if meta is not None:
            # A document in force: the provision the previous answer cited is asked about again with its status
            # (what the user wants to know is whether that rule still holds); a repealed one: the document, whose
            # status line names what revoked it.
            pinpoint = next((f"{p} {lbl}".strip() for d, p, lbl in previous.cited if d == meta.id and p), "")
            subject = f"{meta.short} {pinpoint}" if pinpoint and not meta.repealed else meta.short
            text = f"Is {subject} still in force?" if en else f"Apakah {subject} masih berlaku?"
            return Resolution(text, kind="status", understood_as=text)

    # "ayat berikutnya?" / "dan huruf c?" / "the next paragraph?"
    if cited and cited[1] and not refs.pasal:
        doc, pasal, label = cited
        short = analyzer.catalog.get(doc).short if analyzer.catalog.get(doc) else doc
        m_and = _AND_UNIT.match(q)
        m_next = _NEXT.search(q)
        target = _next_unit(pasal, label, m_and, m_next)
        if target:
            text = f"{short} {target}"
            return Resolution(text, kind="next_unit", understood_as=text)
        # "Apa penjelasannya?" / "Is there an elucidation of it?"
        if _PENJELASAN.search(q) and len(_content_words(q)) <= SHORT_FOLLOW_UP + 1:
            text = f"Elucidation (Penjelasan) of {pasal} {short}" if en else f"Penjelasan {pasal} {short}"
            return Resolution(text, kind="penjelasan", understood_as=text)

    own_words = _content_words(q)
    stands_alone = bool(refs.doc_ids or refs.unknown_docs or refs.pasal) and not _PRONOUN.search(q)
    # "Dan untuk KSDLL?" / "Bagaimana dengan PP 50/2007?" / "What about regencies?"
    m = _SWAP.match(q)
    if m and m.group("rest") and len(_content_words(m.group("rest"))) <= SHORT_FOLLOW_UP:
        rest = m.group("rest")
        swapped = _swap(previous.resolved, rest, refs, analyzer)
        if swapped:
            return Resolution(swapped, kind="swap", understood_as=swapped)
        text = f"{_strip_q(rest)}"
        return Resolution(text, context=previous.resolved, kind="swap",
                          understood_as=_with_context(q, previous.resolved, en))
    if stands_alone:
        return Resolution(q)
    pronoun = bool(_PRONOUN.search(q)) or _has_nya_pronoun(q)
    # A short question continues the conversation when it is very short ("Berapa lama?") or shares a word with
    # the previous question; "Who won the 2022 World Cup?" shares none and starts a new topic.
    shared = set(tokenize(q)) & set(tokenize(previous.resolved))
    if pronoun or len(own_words) <= VERY_SHORT or (len(own_words) <= SHORT_FOLLOW_UP and shared):
        return Resolution(q, context=previous.resolved, kind="pronoun" if pronoun else "ellipsis",
                          understood_as=_with_context(q, previous.resolved, en))
    return Resolution(q)


def _with_context(question: str, context: str, en: bool) -> str:
    label = "following up" if en else "lanjutan dari"
    return f"{question.strip()} ({label}: {context.strip()})"


def _next_unit(pasal: str, label: str, m_and, m_next) -> str:
    """The unit a "next" / "and huruf c" follow-up asks for, after the cited ``pasal`` and ``label``."""
    ayat = re.search(r"ayat \((\d+)\)|^\((\d+)\)", label)
    ayat_n = (ayat.group(1) or ayat.group(2)) if ayat else ""
    huruf = re.search(r"huruf ([a-z])|\)\(([a-z])\)", label)
    huruf_v = (huruf.group(1) or huruf.group(2)) if huruf else ""
    treaty = pasal.startswith("Article")
    if m_and:
        unit, value = m_and.group("unit").lower(), m_and.group("value").lower()
        if unit in ("ayat", "paragraph"):
            return f"{pasal}({value})" if treaty else f"{pasal} ayat ({value})"
        if unit in ("huruf", "letter", "point") or unit.replace("-", "") == "subparagraph":
            if treaty:
                return f"{pasal}({ayat_n})({value})" if ayat_n else f"{pasal}({value})"
            return f"{pasal} ayat ({ayat_n}) huruf {value}" if ayat_n else f"{pasal} huruf {value}"
        return f"{pasal} angka {value}"
    if m_next:
        unit = (m_next.group("unit") or m_next.group("unit2") or "").lower()
        if unit in ("pasal", "article"):
            n = re.search(r"(\d+)", pasal)
            return f"{pasal.split()[0]} {int(n.group(1)) + 1}" if n else ""
        if unit in ("huruf", "letter", "subparagraph") and huruf_v:
            nxt = chr(ord(huruf_v) + 1)
            if treaty:
                return f"{pasal}({ayat_n})({nxt})" if ayat_n else f"{pasal}({nxt})"
            return f"{pasal} ayat ({ayat_n}) huruf {nxt}" if ayat_n else f"{pasal} huruf {nxt}"
        if ayat_n:
            return f"{pasal}({int(ayat_n) + 1})" if treaty else f"{pasal} ayat ({int(ayat_n) + 1})"
    return ""


def _swap(previous: str, rest: str, refs, analyzer) -> str:
    """The previous question with one entity replaced by the follow-up's ("KSDPL" -> "KSDLL", a document by
    another), or "" when no counterpart is found."""
    prev_refs = analyzer.refs(previous)
    if refs.doc_ids and prev_refs.doc_ids:
        old = analyzer.catalog.get(prev_refs.doc_ids[0])
        new = analyzer.catalog.get(refs.doc_ids[0])
        if old and new:
            from kerjasama.legalref import DOC_RE

            replaced = DOC_RE.sub(new.short, previous, count=1)
            if replaced != previous:
                return replaced
            for alias in old.aliases:
                if alias.lower() in previous.lower():
                    return re.sub(re.escape(alias), new.short, previous, count=1, flags=re.I)
    if refs.doc_ids and not prev_refs.doc_ids:
        new = analyzer.catalog.get(refs.doc_ids[0])
        return f"{_strip_q(previous)} menurut {new.short}?" if new else ""
    from kerjasama.query import definition_term

    term = definition_term(previous)
    new_term = re.sub(r"^(a|an|the|sebuah|suatu)\s+", "", _strip_q(rest), flags=re.I)
    if term and new_term and len(new_term.split()) <= 6 and term in previous:
        return previous.replace(term, new_term, 1)  # "what is a 'treaty'?" -> "what is a 'reservation'?"
    abbreviations = analyzer.lexicon.abbreviations
    words = re.findall(r"[A-Za-z]+", rest)
    for w in words:
        key = w.lower()
        if key not in abbreviations:
            continue
        for old in re.findall(r"\b[A-Z]{3,}\b", previous):
            if old.lower() != key and old.lower() in abbreviations and old[:3].lower() == key[:3]:
                return re.sub(rf"\b{old}\b", w, previous)
    return ""


class ConversationStore:
    """Conversations by id for the web app: bounded in number and age (least recently used dropped first)."""

    def __init__(self, max_conversations: int = 1000, ttl_seconds: float = 4 * 3600) -> None:
        self.max = max_conversations
        self.ttl = ttl_seconds
        self._items: OrderedDict[str, Conversation] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conversation_id: str | None) -> Conversation:
        """The conversation with this id, or a new one (an unknown or expired id starts afresh)."""
        now = time.time()
        with self._lock:
            for cid in [c for c, conv in self._items.items() if now - conv.updated > self.ttl]:
                del self._items[cid]
            conv = self._items.get(conversation_id or "")
            if conv is None:
                conv = Conversation()
                self._items[conv.id] = conv
            self._items.move_to_end(conv.id)
            while len(self._items) > self.max:
                self._items.popitem(last=False)
            return conv

    def find(self, conversation_id: str) -> Conversation | None:
        """The conversation with this id, or None."""
        with self._lock:
            return self._items.get(conversation_id)


UNDERSTOOD = {"id": "Dipahami sebagai", "en": "Understood as"}


def prepare(conversation: Conversation, answerer, question: str, lang: str = "auto",
            condense: bool = True) -> Resolution:
    """The resolution of ``question`` after the conversation's last turn.

    With an LLM (an answerer with ``condense``), a follow-up that the rules read with the previous question as
    context is rewritten by the model as a standalone question, behind a check; the rules' reading is the
    fallback (and the context still weighs in retrieval).
    """
    from kerjasama.text import detect_lang

    text = answerer.check_question(question)
    previous = conversation.turns[-1] if conversation.turns else None
    effective = detect_lang(text) if lang in ("auto", "", None) else lang
    resolution = resolve(text, previous, answerer.retriever.analyzer or _loaded(answerer), effective)
    condenser = getattr(answerer, "condense", None) if condense else None
    if condenser is not None and resolution.context:
        rewritten = condenser(text, [t.resolved for t in conversation.turns])
        if rewritten:
            return Resolution(rewritten, context=resolution.context, kind=resolution.kind, understood_as=rewritten)
    return resolution


def _loaded(answerer):
    answerer.retriever.load()
    return answerer.retriever.analyzer


def finish(conversation: Conversation, resolution: Resolution, answer: Answer, question: str) -> Answer:
    """Mark ``answer`` with how its question was understood, and record the turn."""
    answer.question = question.strip()
    answer.conversation_id = conversation.id
    if resolution.understood_as:
        answer.understood_as = resolution.understood_as
        label = UNDERSTOOD.get(answer.lang, UNDERSTOOD["id"])
        answer.answer = f"{label}: {resolution.understood_as}\n\n{answer.answer}"
    docs = list(dict.fromkeys(c.doc_id for c in answer.citations)) or [h.chunk.doc_id for h in answer.hits[:1]]
    conversation.add(resolution, answer, docs)
    return answer


def ask(conversation: Conversation, answerer, question: str, k: int | None = None, lang: str = "auto",
        filters=None, **options) -> Answer:
    """Answer ``question`` as the next turn of ``conversation`` (a follow-up is resolved first).

    ``options`` go to the answerer's ``ask`` (e.g. ``started``, when the question arrived).
    """
    resolution = prepare(conversation, answerer, question, lang)
    answer = answerer.ask(resolution.text, k=k, lang=lang, filters=filters, context=resolution.context, **options)
    resolution, answer = _second_reading(conversation, answerer, resolution, answer, k, lang, filters)
    return finish(conversation, resolution, answer, question)


def stream(conversation: Conversation, answerer, question: str, k: int | None = None, lang: str = "auto",
           filters=None, **options) -> Iterator[dict]:
    """Like :func:`ask`, as events: the text as it is written, then ``{"type": "final", "answer"}`` (the final
    answer is authoritative: it carries how a follow-up was understood, and may be a second reading)."""
    resolution = prepare(conversation, answerer, question, lang)
    for event in answerer.stream(resolution.text, k=k, lang=lang, filters=filters, context=resolution.context,
                                 **options):
        if event["type"] != "final":
            yield event
            continue
        res, answer = _second_reading(conversation, answerer, resolution, event["answer"], k, lang, filters)
        yield {"type": "final", "answer": finish(conversation, res, answer, question)}


def _second_reading(conversation: Conversation, answerer, resolution: Resolution, answer: Answer, k, lang,
                    filters) -> tuple[Resolution, Answer]:
    retry = retry_as_follow_up(conversation, resolution, answer)
    if retry is not None:
        second = answerer.ask_extractive(retry.text, k=k, lang=lang, filters=filters, context=retry.context,
                              own_coverage=True)
        if not second.refused:
            return retry, second
    return resolution, answer


def replay(conversation: Conversation, answerer, questions: list[str], k: int | None = None, lang: str = "auto",
           filters=None) -> None:
    """Rebuild a conversation from its earlier questions (a client that keeps its own history): each is
    resolved and answered extractively, in order, so the next follow-up has what they established."""
    for q in questions:
        try:
            resolution = prepare(conversation, answerer, q, lang, condense=False)
        except QuestionError:
            continue
        answer = answerer.ask_extractive(resolution.text, k=k, lang=lang, filters=filters,
                                         context=resolution.context)
        resolution, answer = _second_reading(conversation, answerer, resolution, answer, k, lang, filters)
        finish(conversation, resolution, answer, q)


def retry_as_follow_up(conversation: Conversation, resolution: Resolution, answer: Answer) -> Resolution | None:
    """A short question read alone that found only weak evidence ("Paling sedikit memuat apa saja?") is read
    again as a follow-up of the previous turn; the second reading must stand on the question's own words
    (their coverage), so an unrelated question ("Who won the World Cup?") stays refused."""
    if resolution.kind != "new_topic" or not conversation.turns or not answer.refused:
        return None
    if not answer.reason.startswith(("weak evidence", "no ")) or len(_content_words(answer.question)) > RETRY_WORDS:
        return None
    previous = conversation.turns[-1].resolved
    en = answer.lang == "en"
    return Resolution(answer.question, context=previous, kind="ellipsis",
                      understood_as=_with_context(answer.question, previous, en))


__all__ = ["Conversation", "ConversationStore", "Resolution", "Turn", "ask", "finish", "prepare", "replay", "resolve",
           "stream"]
