"""The citation guard: a generated answer is accepted only when every claim is tied to a given passage.

Rules, per sentence: it carries at least one key [n] of a passage actually given (unknown keys are dropped);
text in quotation marks occurs verbatim in a cited passage; every number and every regulation or Pasal it
names appears in a cited passage (or its citation). An answer that is exactly the refusal constant is a refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kerjasama.legalref import DOC_RE, PASAL_RE
from kerjasama.models import Hit
from kerjasama.text import normalize

_KEY = re.compile(r"\[(\d{1,2})\]")
_QUOTE = re.compile(r"[\"“”]([^\"“”]{3,})[\"“”]")
_NUMBER = re.compile(r"(?<![\w/])\d+(?:[.,]\d+)?(?![\w/])")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"“])|\n+")


@dataclass
class GuardedSentence:
    """One accepted sentence with the passage keys (1-based) it cites."""

    text: str
    keys: list[int]


@dataclass
class GuardResult:
    """Outcome of the guard: accepted sentences, or the reasons for rejecting the answer."""

    ok: bool
    refusal: bool = False
    sentences: list[GuardedSentence] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    dropped_keys: list[int] = field(default_factory=list)


def split_sentences(text: str) -> list[str]:
    """Sentences of an answer; a key right after the full stop ("... daerah. [1]") stays with its sentence."""
    text = re.sub(r"\s*([.!?])\s+(\[\d{1,2}\](?:\s*\[\d{1,2}\])*)\s*", r" \2\1 ", text.strip())
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip(" -*•\t")]


def _has_number(text: str, num: str) -> bool:
    return re.search(rf"(?<![\d.,]){re.escape(num)}(?![\d])", text) is not None


def _body(hit: Hit) -> str:
    """A passage's text without its heading line ("Pasal 30"), which is structure, not content."""
    text = hit.chunk.text
    if hit.chunk.part != "prose" and "\n" in text:
        text = text.split("\n", 1)[1]
    return normalize(text)


def _mentions_ok(sentence: str, sources: list[Hit]) -> list[str]:
    texts = [_body(h) for h in sources]
    cites = [normalize(h.chunk.cite) for h in sources]
    body = _KEY.sub(" ", sentence)
    problems = []
    for q in _QUOTE.findall(body):
        if not any(normalize(q) in t for t in texts):
            problems.append(f"quote not in cited passage: {q[:60]!r}")
    names = [m.group(0) for m in DOC_RE.finditer(body)] + [m.group(0) for m in PASAL_RE.finditer(body)]
    mentioned_numbers = set()
    for name in names:
        nums = re.findall(r"\d+", name)
        mentioned_numbers.update(nums)
        pairs = zip(texts, cites, strict=True)
        if not any(all(_has_number(t, n) or _has_number(c, n) for n in nums) for t, c in pairs):
            problems.append(f"regulation or Pasal not in cited passage: {name!r}")
    for num in _NUMBER.findall(body):
        if num in mentioned_numbers:
            continue
        if not any(_has_number(t, num) for t in texts):
            problems.append(f"number not in cited passage: {num}")
    return problems


def check_answer(text: str, hits: list[Hit], refusal_texts: tuple[str, ...]) -> GuardResult:
    """Apply the guard to a generated answer over the keyed passages ``hits`` (key n = hits[n-1])."""
    stripped = text.strip()
    if not stripped:
        return GuardResult(ok=False, problems=["empty answer"])
    if any(normalize(r) in normalize(stripped) for r in refusal_texts):
        rest = stripped
        for r in refusal_texts:
            rest = re.sub(re.escape(r), "", rest, flags=re.I)
        if len(rest.strip(" .\n")) < 10:
            return GuardResult(ok=True, refusal=True)
    result = GuardResult(ok=True)
    for sentence in split_sentences(stripped):
        keys = [int(k) for k in _KEY.findall(sentence)]
        valid = sorted({k for k in keys if 1 <= k <= len(hits)})
        result.dropped_keys.extend(k for k in keys if k not in valid)
        clean = _KEY.sub(lambda m, ok=tuple(valid): m.group(0) if int(m.group(1)) in ok else "", sentence).strip()
        if not _KEY.sub("", clean).strip(" .,;:-"):
            continue  # a line holding only keys
        if not valid:
            result.problems.append(f"sentence without a valid passage key: {clean[:80]!r}")
            continue
        problems = _mentions_ok(clean, [hits[k - 1] for k in valid])
        if problems:
            result.problems.extend(problems)
            continue
        result.sentences.append(GuardedSentence(clean, valid))
    if result.problems or not result.sentences:
        result.ok = False
        if not result.sentences and not result.problems:
            result.problems.append("no sentence with a valid passage key")
    return result
