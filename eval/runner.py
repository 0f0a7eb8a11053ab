"""Run an evaluation set through the same answering path as the CLI and the web chat."""

from __future__ import annotations

import json
import logging
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from kerjasama.answer import Answerer
from kerjasama.models import Answer
from kerjasama.text import normalize

log = logging.getLogger(__name__)


@dataclass
class Case:
    """One evaluation case (see ../shared/EVAL_FORMAT.md)."""

    id: str
    question: str
    answerable: bool
    expect: dict
    tags: list[str]


def load_set(path: Path) -> list[Case]:
    """Parse a JSONL evaluation set; raises ValueError naming the bad line."""
    cases, seen = [], set()
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            case = Case(str(row["id"]), str(row["question"]), bool(row["answerable"]),
                        dict(row.get("expect") or {}), list(row.get("tags") or []))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a valid case ({exc})") from exc
        if case.id in seen:
            raise ValueError(f"{path}:{n}: duplicate id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    return cases


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
    return {
        "id": case.id,
        "answerable": case.answerable,
        "refused": ans.refused,
        "hit_rank": hit_rank,
        "cited_hit": cited_hit,
        "answer_ok": answer_ok,
        "cite_ok": cite_ok,
        "missing_quotes": missing_quotes,
        "latency_ms": round(ans.latency_ms, 1),
        "answer": ans.answer,
        "reason": ans.reason,
        "citations": [c.cite for c in ans.citations],
        "tags": case.tags,
    }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    idx = min(len(s) - 1, max(0, math.ceil(q / 100 * len(s)) - 1))
    return float(s[idx])


def metrics(rows: list[dict], k: int) -> dict:
    """Aggregate metrics of EVAL_FORMAT.md over result rows."""
    ans = [r for r in rows if r["answerable"]]
    scored = [r for r in ans if r["hit_rank"] is not None or True]
    una = [r for r in rows if not r["answerable"]]
    with_contains = [r for r in ans if r["answer_ok"] is not None]
    with_cites = [r for r in ans if r["cite_ok"] is not None]

    def share(xs: list, pred) -> float:
        return round(sum(1 for x in xs if pred(x)) / len(xs), 4) if xs else 0.0

    lat = [r["latency_ms"] for r in rows]
    return {
        "hit@1": share(scored, lambda r: r["hit_rank"] == 1),
        "hit@k": share(scored, lambda r: r["hit_rank"] is not None and r["hit_rank"] <= k),
        "mrr": round(sum(1 / r["hit_rank"] for r in scored if r["hit_rank"]) / len(scored), 4) if scored else 0.0,
        "cited_hit": share(ans, lambda r: r["cited_hit"]),
        "answer_contains": share(with_contains, lambda r: r["answer_ok"]),
        "cites_match": share(with_cites, lambda r: r["cite_ok"]),
        "refusal_accuracy": share(una, lambda r: r["refused"]),
        "false_refusals": sum(1 for r in ans if r["refused"]),
        "missing_quotes": sum(r["missing_quotes"] for r in rows),
        "latency_p50_ms": _percentile(lat, 50),
        "latency_p95_ms": _percentile(lat, 95),
    }


def run_set(answerer: Answerer, set_path: Path, k: int = 5, show_progress: bool = True) -> dict:
    """Answer every case and return the result object of EVAL_FORMAT.md."""
    from tqdm import tqdm

    cases = load_set(set_path)
    rows = []
    for case in tqdm(cases, desc="Eval", unit="case", disable=not show_progress, file=sys.stderr):
        ans = answerer.ask(case.question, k=k)
        rows.append(score_case(case, ans, k))
    tags = sorted({t for r in rows for t in r["tags"]})
    by_tag = {}
    for tag in tags:
        sub = [r for r in rows if tag in r["tags"]]
        m = metrics(sub, k)
        entry = {"cases": len(sub)}
        if any(r["answerable"] for r in sub):
            entry.update({key: m[key] for key in ("hit@k", "mrr", "cited_hit", "answer_contains", "false_refusals")})
        if any(not r["answerable"] for r in sub):
            entry["refusal_accuracy"] = m["refusal_accuracy"]
        by_tag[tag] = entry
    return {
        "set": str(set_path),
        "cases": len(rows),
        "k": k,
        "metrics": metrics(rows, k),
        "by_tag": by_tag,
        "results": rows,
    }
