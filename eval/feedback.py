"""Turn the web chat's feedback log into draft evaluation cases for a person to review.

The chat appends one JSON object per line to ``data/feedback.jsonl``::

    {"time": "2026-11-24T10:00:00Z", "question": "...", "answer": "...", "rating": "up" | "down",
     "comment": "...", "lang": "id", "refused": false, "citations": ["PP 28/2018 Pasal 30 ayat (4)"],
     "chunk_ids": ["..."], "index": "index-..."}

Each becomes a case in the EVAL_FORMAT shape with ``"draft": true`` and a ``review`` note saying what to
check. A draft is a guess: ``answerable`` comes from whether the chat refused, ``expect.cites`` from the
citations of a thumbs-up answer; ``passage_contains`` is left for the reviewer to copy from the source (never
from the system's own answer). Questions already in a set (or an earlier draft) are skipped; malformed lines
are reported and skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kerjasama.text import detect_lang, normalize

log = logging.getLogger(__name__)

RATINGS = ("up", "down")


@dataclass
class FeedbackDrafts:
    """What one conversion produced: drafts, skipped duplicates, and malformed lines ``(line, reason)``."""

    drafts: list[dict] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    malformed: list[tuple[int, str]] = field(default_factory=list)


def known_questions(sets_dir: Path, extra: Iterable[Path] = ()) -> set[str]:
    """Normalised questions of every ``*.jsonl`` under ``sets_dir`` (drafts included) and ``extra`` files."""
    paths = sorted(Path(sets_dir).rglob("*.jsonl")) if Path(sets_dir).is_dir() else []
    paths += [p for p in extra if Path(p).is_file()]
    out: set[str] = set()
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict) and isinstance(row.get("question"), str):
                out.add(normalize(row["question"]))
    return out


def _check(row: object) -> str:
    """Why a feedback record cannot become a case ("" when it can)."""
    if not isinstance(row, dict):
        return "not a JSON object"
    q = row.get("question")
    if not isinstance(q, str) or not q.strip():
        return "no question"
    if row.get("rating") not in RATINGS:
        return f"rating must be 'up' or 'down', got {row.get('rating')!r}"
    if "refused" in row and not isinstance(row["refused"], bool):
        return "'refused' must be true or false"
    cites = row.get("citations", [])
    if not isinstance(cites, list) or not all(isinstance(c, str) for c in cites):
        return "'citations' must be a list of strings"
    if row.get("comment") is not None and not isinstance(row.get("comment"), str):
        return "'comment' must be a string"
    return ""


def _review(row: dict) -> str:
    comment = (row.get("comment") or "").strip()
    said = f" The user said: “{comment}”." if comment else ""
    refused = bool(row.get("refused"))
    if row["rating"] == "up" and not refused:
        return ("Thumbs up on an answer. Check that the cited passage really answers the question; copy "
                "passage_contains (and answer_contains) from the source file, not from the answer; keep or narrow "
                "expect.cites." + said)
    if row["rating"] == "up":
        return ("Thumbs up on a refusal. Confirm the corpus does not answer this (search the sources); keep "
                "answerable=false and tag it out_of_scope or near_scope." + said)
    if refused:
        return ("Thumbs down on a refusal: possibly a false refusal. Look for the passage that answers it; if "
                "there is one, set answerable=true and add passage_contains and cites from the source; if there "
                "is none, the refusal was right: keep answerable=false." + said)
    return ("Thumbs down on an answer. Check whether the corpus answers the question: if yes, find the right "
            "Pasal and write passage_contains and cites from the source (the answer given may cite the wrong "
            "one); if no, set answerable=false." + said)


def draft_case(row: dict) -> dict:
    """One draft case from a valid feedback record."""
    question = row["question"].strip()
    refused = bool(row.get("refused", False))
    lang = row.get("lang") if row.get("lang") in ("id", "en") else detect_lang(question)
    expect: dict = {}
    if row["rating"] == "up" and not refused and row.get("citations"):
        expect["cites"] = list(dict.fromkeys(row["citations"]))
    tags = [lang, "feedback", f"feedback-{row['rating']}"]
    if refused and row["rating"] == "up":
        tags.append("refusal")
    digest = hashlib.sha256(normalize(question).encode()).hexdigest()[:8]
    return {
        "id": f"fb-{digest}",
        "question": question,
        "answerable": not refused,
        "expect": expect,
        "tags": tags,
        "draft": True,
        "review": _review(row),
        "source": {
            "time": row.get("time"), "rating": row["rating"], "comment": row.get("comment") or "",
            "refused": refused, "answer": row.get("answer") or "", "citations": row.get("citations") or [],
            "index": row.get("index"),
        },
    }


def drafts_from_log(log_path: Path, known: set[str]) -> FeedbackDrafts:
    """Draft cases from a feedback log; never raises on bad content (only when the file cannot be read)."""
    out = FeedbackDrafts()
    seen = set(known)
    from kerjasama.jsonlog import log_files

    files = log_files(Path(log_path)) or [Path(log_path)]  # rotated files first, oldest first
    text = "".join(f.read_text(encoding="utf-8", errors="replace") for f in files)
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            out.malformed.append((n, f"not JSON ({exc.msg})"))
            continue
        problem = _check(row)
        if problem:
            out.malformed.append((n, problem))
            continue
        key = normalize(row["question"])
        if key in seen:
            out.duplicates.append(row["question"].strip())
            continue
        seen.add(key)
        out.drafts.append(draft_case(row))
    for n, reason in out.malformed:
        log.warning("%s:%d skipped: %s", log_path, n, reason)
    return out


def append_drafts(drafts: list[dict], out_path: Path) -> None:
    """Append drafts to a JSONL file (created with its folder when missing)."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("a", encoding="utf-8") as fh:
        for d in drafts:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
