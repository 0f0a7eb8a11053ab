"""Run evaluation sets through the same answering path as the CLI and the web chat, and score them.

The result object is the one of ``../shared/EVAL_FORMAT.md``; fields are only ever added to it:
``ci95`` (Wilson intervals of the proportions, a bootstrap interval of MRR), ``n`` (denominators),
``latency`` (percentiles), per-tag intervals, and per-row ``question``, ``expect`` and ``set``.
"""

from __future__ import annotations

import glob
import json
import logging
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from eval.stats import bootstrap_mean, latency_summary, percentile, wilson
from kerjasama.errors import QuestionError
from kerjasama.models import Answer
from kerjasama.text import normalize

log = logging.getLogger(__name__)

# Metrics that are shares of cases (with a Wilson interval), and the rows each is computed over.
PROPORTIONS = ("hit@1", "hit@k", "cited_hit", "answer_contains", "cites_match", "refusal_accuracy")
WARMUP_QUESTION = "Apa yang dimaksud dengan kerja sama daerah?"


class AnswererLike(Protocol):
    """What the runner needs: ``ask(question, k=...) -> Answer`` (our Answerer, or the peer pipeline)."""

    def ask(self, question: str, k: int | None = None) -> Answer: ...


@dataclass
class Case:
    """One evaluation case (see ../shared/EVAL_FORMAT.md)."""

    id: str
    question: str
    answerable: bool
    expect: dict
    tags: list[str]
    set: str = ""
    extra: dict = field(default_factory=dict)
    history: list[str] = field(default_factory=list)  # earlier questions of the same conversation, oldest first


def load_set(path: Path) -> list[Case]:
    """Parse a JSONL evaluation set; raises ValueError naming the bad line."""
    cases, seen = [], set()
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            history = row.get("history") or []
            if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
                raise ValueError("history must be a list of questions")
            tags = list(row.get("tags") or [])
            if history and "multi_turn" not in tags:
                tags.append("multi_turn")  # EVAL_FORMAT.md: cases with a history are reported as multi_turn
            case = Case(str(row["id"]), str(row["question"]), bool(row["answerable"]),
                        dict(row.get("expect") or {}), tags, set=Path(path).stem, history=list(history))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"{path}:{n}: not a valid case ({exc})") from exc
        if case.id in seen:
            raise ValueError(f"{path}:{n}: duplicate id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    return cases


def expand_sets(patterns: Iterable[str | Path]) -> list[Path]:
    """Set paths from paths or glob patterns (``eval/sets/*.jsonl``), in order, without repeats.

    Raises ValueError for a pattern that matches nothing, or for a path that does not exist.
    """
    out: list[Path] = []
    for pat in patterns:
        text = str(pat)
        matches = sorted(glob.glob(text)) if glob.has_magic(text) else [text]
        if not matches:
            raise ValueError(f"{text}: no evaluation set matches this pattern")
        for m in matches:
            p = Path(m)
            if not p.is_file():
                raise ValueError(f"{p}: no such evaluation set")
            if p not in out:
                out.append(p)
    return out


def _contains(text: str, needles: list[str]) -> bool:
    t = normalize(text)
    return any(normalize(n) in t for n in needles)


def score_case(case: Case, ans: Answer, k: int) -> dict:
    """Per-case result row."""
    needles = case.expect.get("passage_contains") or []
    hit_rank = None
    if needles:
        for i, h in enumerate(ans.hits[:k], start=1):
            if _contains(h.chunk.text, needles):
                hit_rank = i
                break
    by_id = {h.chunk.id: h.chunk for h in ans.hits}
    cited_hit = bool(needles) and any(
        c.chunk_id in by_id and _contains(by_id[c.chunk_id].text, needles) for c in ans.citations
    )
    want = case.expect.get("answer_contains") or []
    answer_ok = None
    if want:
        answer_ok = all(normalize(w) in normalize(ans.answer) for w in want) or any(
            normalize(w) in normalize(ans.answer) for w in want if len(want) > 1 and not ans.refused
        )
        answer_ok = answer_ok and not ans.refused
    cites = case.expect.get("cites") or []
    cite_ok = None
    if cites:
        cite_ok = any(c.cite.startswith(e) for c in ans.citations for e in cites)
    missing_quotes = sum(1 for c in ans.citations if c.chunk_id not in by_id or c.quote not in by_id[c.chunk_id].text)
    # A proxy for quotes beside the right one that do not answer: the answer cites the expected passage and
    # also a passage without any expected string.
    quote_noise = None
    if needles and cited_hit:
        quote_noise = any(c.chunk_id in by_id and not _contains(by_id[c.chunk_id].text, needles) for c in ans.citations)
    banned = case.expect.get("answer_not_contains") or []
    if banned and answer_ok is not None:
        answer_ok = answer_ok and not any(normalize(b) in normalize(ans.answer) for b in banned)
    elif banned and case.answerable:
        answer_ok = not ans.refused and not any(normalize(b) in normalize(ans.answer) for b in banned)
    return {
        "id": case.id,
        "answerable": case.answerable,
        "refused": ans.refused,
        "hit_rank": hit_rank,
        "cited_hit": cited_hit,
        "answer_ok": answer_ok,
        "cite_ok": cite_ok,
        "missing_quotes": missing_quotes,
        "quote_noise": quote_noise,
        "latency_ms": round(ans.latency_ms, 1),
        "answer": ans.answer,
        "understood_as": getattr(ans, "understood_as", ""),
        "reason": ans.reason,
        "evidence": getattr(ans, "evidence", {}) or {},
        "citations": [c.cite for c in ans.citations],
        "tags": case.tags,
        "question": case.question,
        "expect": case.expect,
        "set": case.set,
    }


def failure_reasons(row: dict) -> list[str]:
    """Why a result row falls short (empty when the case passed every check it has)."""
    if not row["answerable"]:
        return [] if row["refused"] else ["answered; should refuse"]
    out = []
    if row["refused"]:
        out.append("false refusal")
    needles = (row.get("expect") or {}).get("passage_contains") or []
    if row["hit_rank"] is None and (needles or "expect" not in row):
        out.append("expected passage not retrieved")
    elif not row["cited_hit"] and not row["refused"]:
        out.append("answer does not cite the expected passage")
    if row["answer_ok"] is False and not row["refused"]:
        out.append("answer lacks expected text")
    if row["cite_ok"] is False and not row["refused"]:
        out.append("expected citation missing")
    if row["missing_quotes"]:
        out.append("quote not found in its cited passage")
    return out


def _groups(rows: list[dict]) -> dict[str, list[dict]]:
    """The rows each proportion is computed over."""
    ans = [r for r in rows if r["answerable"]]
    return {
        "hit@1": ans,
        "hit@k": ans,
        "cited_hit": ans,
        "answer_contains": [r for r in ans if r["answer_ok"] is not None],
        "cites_match": [r for r in ans if r["cite_ok"] is not None],
        "refusal_accuracy": [r for r in rows if not r["answerable"]],
    }


def _successes(rows: list[dict], k: int) -> dict[str, int]:
    g = _groups(rows)
    return {
        "hit@1": sum(1 for r in g["hit@1"] if r["hit_rank"] == 1),
        "hit@k": sum(1 for r in g["hit@k"] if r["hit_rank"] is not None and r["hit_rank"] <= k),
        "cited_hit": sum(1 for r in g["cited_hit"] if r["cited_hit"]),
        "answer_contains": sum(1 for r in g["answer_contains"] if r["answer_ok"]),
        "cites_match": sum(1 for r in g["cites_match"] if r["cite_ok"]),
        "refusal_accuracy": sum(1 for r in g["refusal_accuracy"] if r["refused"]),
    }


def is_correct(row: dict) -> bool:
    """Whether a case was answered correctly as a whole (see :func:`metrics`)."""
    if not row["answerable"]:
        return bool(row["refused"])
    return not row["refused"] and bool(row["cited_hit"]) and row["answer_ok"] is not False


def metrics(rows: list[dict], k: int) -> dict:
    """Aggregate metrics of EVAL_FORMAT.md over result rows (plus ``cites_match``, ``missing_quotes``)."""
    groups = _groups(rows)
    wins = _successes(rows, k)
    ans = groups["hit@1"]
    out: dict = {
        name: round(wins[name] / len(groups[name]), 4) if groups[name] else 0.0
        for name in ("hit@1", "hit@k")
    }
    out["mrr"] = round(sum(1 / r["hit_rank"] for r in ans if r["hit_rank"]) / len(ans), 4) if ans else 0.0
    for name in ("cited_hit", "answer_contains", "cites_match", "refusal_accuracy"):
        out[name] = round(wins[name] / len(groups[name]), 4) if groups[name] else 0.0
    lat = [r["latency_ms"] for r in rows]
    # Correct: an answerable case answered, citing the expected passage, with the expected text (where given);
    # an unanswerable one refused. (What "answered correctly" means for conversations' follow-ups.)
    out["correct"] = round(sum(1 for r in rows if is_correct(r)) / len(rows), 4) if rows else 0.0
    noisy = [r for r in ans if r.get("quote_noise") is not None]
    out["quote_noise"] = round(sum(1 for r in noisy if r["quote_noise"]) / len(noisy), 4) if noisy else 0.0
    out.update({
        "false_refusals": sum(1 for r in ans if r["refused"]),
        "missing_quotes": sum(r["missing_quotes"] for r in rows),
        "latency_p50_ms": percentile(lat, 50),
        "latency_p95_ms": percentile(lat, 95),
    })
    return out


def intervals(rows: list[dict], k: int) -> tuple[dict, dict]:
    """(95 % intervals, denominators): Wilson for each proportion, bootstrap for MRR; ``None`` when n = 0."""
    groups = _groups(rows)
    wins = _successes(rows, k)
    ci: dict = {name: _as_list(wilson(wins[name], len(groups[name]))) for name in PROPORTIONS}
    ci["mrr"] = _as_list(bootstrap_mean([1 / r["hit_rank"] if r["hit_rank"] else 0.0 for r in groups["hit@1"]]))
    n = {name: len(groups[name]) for name in PROPORTIONS}
    return ci, n


def _as_list(pair: tuple[float, float] | None) -> list[float] | None:
    return list(pair) if pair is not None else None


def by_tag(rows: list[dict], k: int, key: str = "tags") -> dict[str, dict]:
    """Metrics per tag (or per set with ``key="set"``), each with its 95 % intervals and case counts."""
    labels = sorted({t for r in rows for t in (r[key] if isinstance(r[key], list) else [r[key]])})
    out: dict[str, dict] = {}
    for label in labels:
        sub = [r for r in rows if label in (r[key] if isinstance(r[key], list) else [r[key]])]
        m = metrics(sub, k)
        ci, n = intervals(sub, k)
        entry: dict = {"cases": len(sub), "correct": m["correct"]}
        keys: list[str] = []
        if any(r["answerable"] for r in sub):
            keys += ["hit@k", "mrr", "cited_hit", "answer_contains"]
            entry.update({name: m[name] for name in keys})
            entry["false_refusals"] = m["false_refusals"]
            entry["answerable"] = n["hit@k"]
        if any(not r["answerable"] for r in sub):
            keys.append("refusal_accuracy")
            entry["refusal_accuracy"] = m["refusal_accuracy"]
            entry["unanswerable"] = n["refusal_accuracy"]
        entry["ci95"] = {name: ci[name] for name in keys}
        out[label] = entry
    return out


def run_cases(answerer: AnswererLike, cases: list[Case], k: int = 5, show_progress: bool = True,
              desc: str = "Eval", warmup: bool = True) -> tuple[list[dict], float]:
    """Answer and score every case; returns (rows, warm-up milliseconds).

    The warm-up question loads the index and the embedder, so the first case's latency is a warm one
    like the others. A question the answerer rejects (empty, too long) counts as a refusal.
    """
    from tqdm import tqdm

    warm_ms = 0.0
    if warmup:
        started = time.perf_counter()
        answerer.ask(WARMUP_QUESTION, k=k)
        warm_ms = round((time.perf_counter() - started) * 1000, 1)
    rows = []
    for case in tqdm(cases, desc=desc, unit="case", disable=not show_progress, file=sys.stderr,
                     dynamic_ncols=True):
        try:
            ans = ask_case(answerer, case, k)
        except QuestionError as exc:
            ans = Answer(case.question, str(exc), True, "rejected", "id", [], [], reason="question rejected")
        rows.append(score_case(case, ans, k))
    return rows, warm_ms


def ask_case(answerer: AnswererLike, case: Case, k: int) -> Answer:
    """The answer to a case through the same conversation code path as the chat and the API: its history is
    asked first, in order, in one conversation; only the last answer is scored. An answerer without
    conversations (the peer) answers the question alone."""
    if not hasattr(answerer, "retriever"):
        return answerer.ask(case.question, k=k)
    from kerjasama import conversation

    conv = conversation.Conversation()
    for earlier in case.history:
        try:
            conversation.ask(conv, answerer, earlier, k=k)
        except QuestionError:
            continue
    return conversation.ask(conv, answerer, case.question, k=k)


def summarize(rows: list[dict], k: int, sets: list[Path], warm_ms: float = 0.0) -> dict:
    """The result object of EVAL_FORMAT.md (plus intervals and latency percentiles) for scored rows."""
    ci, n = intervals(rows, k)
    result: dict = {
        "set": ", ".join(str(s) for s in sets),
        "cases": len(rows),
        "k": k,
        "metrics": metrics(rows, k),
        "ci95": ci,
        "n": n,
        "latency": {**latency_summary([r["latency_ms"] for r in rows]), "warmup_ms": warm_ms},
        "by_tag": by_tag(rows, k),
        "results": rows,
    }
    if len(sets) > 1:
        result["sets"] = [str(s) for s in sets]
        result["by_set"] = by_tag(rows, k, key="set")
    return result


def load_cases(sets: list[Path]) -> list[Case]:
    """Cases of several sets; ids that repeat across sets are prefixed with their set's name."""
    per_set = [load_set(p) for p in sets]
    counts: dict[str, int] = {}
    for cases in per_set:
        for c in cases:
            counts[c.id] = counts.get(c.id, 0) + 1
    out: list[Case] = []
    for cases in per_set:
        for c in cases:
            if counts[c.id] > 1:
                c.id = f"{c.set}:{c.id}"
            out.append(c)
    return out


def run_sets(answerer: AnswererLike, sets: list[Path], k: int = 5, show_progress: bool = True,
             desc: str = "Eval") -> dict:
    """Answer every case of several sets and return one result object."""
    cases = load_cases(sets)
    rows, warm_ms = run_cases(answerer, cases, k, show_progress, desc)
    return summarize(rows, k, sets, warm_ms)


def run_set(answerer: AnswererLike, set_path: Path, k: int = 5, show_progress: bool = True) -> dict:
    """Answer every case of one set and return the result object of EVAL_FORMAT.md."""
    return run_sets(answerer, [Path(set_path)], k, show_progress)
