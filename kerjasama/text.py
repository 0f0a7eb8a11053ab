"""Text normalisation, language detection and the tokenizer of the lexical index."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WS = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+(?:/[a-z0-9]+)?")

STOP_ID = frozenset(
    """ada adalah agar akan antara apa apabila apakah atas atau bagaimana bagi bahwa baik bila boleh
    bukan dalam dan dapat dari demikian dengan di dia harus hal hanya ia ialah ini itu jika juga kah
    kami kapan karena ke kepada kita lain lebih maka mana masing melalui menurut mereka misalnya
    mengenai nya oleh pada para saat saja sama sebagai sebagaimana secara sedang sehingga selain
    serta siapa suatu sudah tanpa telah tentang tersebut tetapi tidak untuk wajib yaitu yakni yang
    berapa apa saja sebutkan jelaskan bunyi isi maksud dimaksud disebut terdapat berdasarkan menurut
    bisa perlu mana""".split()
)
STOP_EN = frozenset(
    """a an and are as at be been by can could do does did for from has have how if in into is it its
    may might must not of on or shall should so such than that the their them then there these this
    those to under was were what when where which who whom why will with would according say says
    said tell me please about any""".split()
)
STOPWORDS = STOP_ID | STOP_EN

_EN_HINTS = frozenset("the what which does is are of and how who when must can should may with".split())
_ID_HINTS = frozenset(
    "apa yang dan apakah bagaimana siapa kapan dengan dalam untuk dari adalah berapa harus".split()
)


def normalize(text: str) -> str:
    """NFKC, case-fold and collapse whitespace: the matching form of EVAL_FORMAT.md."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def detect_lang(text: str) -> str:
    """'en' or 'id', by counting common function words (ties go to Indonesian)."""
    words = _WORD.findall(text.lower())
    en = sum(w in _EN_HINTS for w in words)
    idn = sum(w in _ID_HINTS for w in words)
    return "en" if en > idn else "id"


@lru_cache(maxsize=1)
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Indonesian stem of one lower-case word (Sastrawi), cached; digits and short words stay."""
    if len(word) <= 3 or word.isdigit() or "/" in word:
        return word
    return _stemmer().stem(word) or word


@lru_cache(maxsize=50_000)
def token_set(text: str) -> frozenset[str]:
    """The set of lexical tokens of ``text`` (cached: passages are tokenised again for every question)."""
    return frozenset(tokenize(text))


def tokenize(text: str) -> list[str]:
    """Lexical tokens: lower-case words without stopwords, stemmed; "kerjasama" -> "kerja sama"."""
    low = unicodedata.normalize("NFKC", text).lower().replace("kerjasama", "kerja sama")
    return [stem(w) for w in _WORD.findall(low) if w not in STOPWORDS]


_SENTENCE_BREAK = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(\"“0-9])")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``: breaks after . ; ! ? before a capital, digit or bracket."""
    spans, start = [], 0
    for m in _SENTENCE_BREAK.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    end = len(text.rstrip())
    if start < end:
        spans.append((start, end))
    return spans
