"""Several configurations in one run (ablations and the peer) and the table that compares them."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from eval.judge import llm_judged
from eval.presets import build, config_key, describe
from eval.runner import load_cases, run_cases, summarize
from kerjasama.embeddings import get_embedder
from kerjasama.settings import Settings

log = logging.getLogger(__name__)

TABLE_METRICS = ("hit@1", "hit@k", "mrr", "cited_hit", "answer_contains", "cites_match", "refusal_accuracy",
                 "false_refusals", "missing_quotes", "latency_p50_ms", "latency_p95_ms")
RATIO_METRICS = ("hit@1", "hit@k", "mrr", "cited_hit")
HEADERS = {"hit@1": "hit@1", "hit@k": "hit@k", "mrr": "MRR", "cited_hit": "cited hit",
           "answer_contains": "answer contains", "cites_match": "cites match", "refusal_accuracy": "refusal acc.",
           "false_refusals": "false refusals", "missing_quotes": "missing quotes", "latency_p50_ms": "p50 ms",
           "latency_p95_ms": "p95 ms"}
_SHARED = ("set", "sets", "cases", "k")


def run_configs(names: list[str], sets: list[Path], k: int = 5, base: Settings | None = None,
                embeddings: Any = None, show_progress: bool = True) -> dict:
    """Evaluate every named configuration on the same cases with one embedder.

    With one name the result is the plain result object plus ``config``. With several, the top level is the
    result of ``full`` (or the first name), plus ``configs`` (each configuration's result) and
    ``comparison`` (the table, with ratios to the peer when it ran). A configuration identical to one
    already run (``+legal-boosts`` and ``full`` under default settings) reuses its result and says so.
    """
    base = base or Settings()
    embeddings = embeddings or get_embedder(base.embedder, base)
    cases = load_cases(sets)
    results: dict[str, dict] = {}
    seen: dict[tuple, str] = {}
    for name in names:
        key = config_key(name, base)
        if key in seen:
            results[name] = {**results[seen[key]], "config": {**describe(name, base), "same_as": seen[key]}}
            continue
        answerer = build(name, base, embeddings)
        if hasattr(answerer, "show_progress"):
            answerer.show_progress = show_progress
        rows, warm_ms = run_cases(answerer, cases, k, show_progress, desc=name)
        res = summarize(rows, k, sets, warm_ms)
        res["config"] = describe(name, base)
        if hasattr(answerer, "manifest"):
            res["config"]["index"] = answerer.manifest()
        results[name] = res
        seen[key] = name
    primary = "full" if "full" in results else names[0]
    out = dict(results[primary])
    out["llm_judged"] = llm_judged(out["results"], base)
    if len(names) > 1:
        out["configs"] = {n: {key: v for key, v in r.items() if key not in _SHARED} for n, r in results.items()}
        out["comparison"] = comparison(results, primary)
    return out


def comparison(results: dict[str, dict], primary: str = "full") -> dict:
    """Rows of the comparison table; each row has ``vs_peer`` ratios when the peer ran."""
    peer = results.get("peer")
    rows = []
    for name, res in results.items():
        cfg = res.get("config", {})
        row: dict[str, Any] = {"config": name, "label": cfg.get("label", name)}
        row.update({m: res["metrics"].get(m) for m in TABLE_METRICS})
        row["ci95_hit@k"] = res.get("ci95", {}).get("hit@k")
        for extra in ("note", "same_as"):
            if cfg.get(extra):
                row[extra] = cfg[extra]
        if peer is not None and name != "peer":
            row["vs_peer"] = {m: ratio(res["metrics"][m], peer["metrics"][m]) for m in RATIO_METRICS}
        rows.append(row)
    return {"primary": primary, "rows": rows, "ratio_metrics": list(RATIO_METRICS),
            "peer": "peer" in results}


def ratio(ours: float, theirs: float) -> float | None:
    """``ours / theirs`` rounded to 2 places; ``None`` when the peer scored 0."""
    return round(ours / theirs, 2) if theirs else None


def fmt(metric: str, value: Any) -> str:
    """A table cell: shares to 3 places, milliseconds to 1, ratios to 2 (``metric`` ending in ``×``)."""
    if value is None:
        return "—"
    if metric.endswith("×"):
        return f"{value:.2f}"
    if metric.endswith("_ms"):
        return f"{value:.1f}"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def markdown_table(comp: dict) -> str:
    """The comparison as a Markdown table (the one kept in eval/README.md)."""
    ratios = comp["ratio_metrics"] if comp.get("peer") else []
    head = ["configuration", *(HEADERS[m] for m in TABLE_METRICS), *(f"{HEADERS[m]} ×peer" for m in ratios)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in comp["rows"]:
        name = f"`{row['config']}`"
        if row.get("same_as"):
            name += f" (= `{row['same_as']}`)"
        cells = [name, *(fmt(m, row.get(m)) for m in TABLE_METRICS)]
        cells += [fmt("×", (row.get("vs_peer") or {}).get(m)) if row["config"] != "peer" else "1.00"
                  for m in ratios]
        lines.append("| " + " | ".join(cells) + " |")
    notes = [f"- `{r['config']}`: {r['note']}" for r in comp["rows"] if r.get("note")]
    return "\n".join(lines + ([""] + notes if notes else []))
