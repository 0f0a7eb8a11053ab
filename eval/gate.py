"""The CI gate: run the core set on the full corpus and compare its metrics with ``eval/thresholds.yaml``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kerjasama.settings import ROOT, Settings

log = logging.getLogger(__name__)

THRESHOLDS = Path(__file__).with_name("thresholds.yaml")


@dataclass
class Gate:
    """The set to run, k, and ``{metric: {"min": x} or {"max": y}}``."""

    set: Path
    k: int
    bounds: dict[str, dict[str, float]]
    source: Path = THRESHOLDS


def load_thresholds(path: Path = THRESHOLDS) -> Gate:
    """Read and check the thresholds file; ValueError says what is wrong with it."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read thresholds ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("thresholds"), dict) or not data.get("set"):
        raise ValueError(f"{path}: needs 'set' and a 'thresholds' mapping")
    bounds: dict[str, dict[str, float]] = {}
    for metric, bound in data["thresholds"].items():
        if not isinstance(bound, dict) or not bound or set(bound) - {"min", "max"}:
            raise ValueError(f"{path}: threshold of {metric!r} must be {{min: x}} and/or {{max: y}}")
        try:
            bounds[str(metric)] = {key: float(value) for key, value in bound.items()}
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: threshold of {metric!r} is not a number") from exc
    set_path = Path(data["set"])
    return Gate(set_path if set_path.is_absolute() else ROOT / set_path, int(data.get("k", 5)), bounds, Path(path))


def check(metrics: dict[str, Any], bounds: dict[str, dict[str, float]]) -> list[str]:
    """Each bound the metrics cross, as ``"hit@k = 0.850 < min 0.880"``; a missing metric fails too."""
    failures = []
    for metric, bound in bounds.items():
        value = metrics.get(metric)
        if not isinstance(value, int | float):
            failures.append(f"{metric}: not in the result")
            continue
        if "min" in bound and value < bound["min"]:
            failures.append(f"{metric} = {value:.3f} < min {bound['min']:.3f}")
        if "max" in bound and value > bound["max"]:
            failures.append(f"{metric} = {value:g} > max {bound['max']:g}")
    return failures


def _culprits(rows: list[dict], metric: str) -> list[dict]:
    """The result rows that pull ``metric`` down, worst first."""
    ans = [r for r in rows if r["answerable"]]
    if metric in ("hit@k", "hit@1", "mrr"):
        bad = [r for r in ans if r["hit_rank"] is None or (metric != "hit@k" and r["hit_rank"] > 1)]
        return sorted(bad, key=lambda r: -(r["hit_rank"] or 10_000))
    if metric == "refusal_accuracy":
        return [r for r in rows if not r["answerable"] and not r["refused"]]
    if metric == "false_refusals":
        return [r for r in ans if r["refused"]]
    if metric == "missing_quotes":
        return sorted((r for r in rows if r["missing_quotes"]), key=lambda r: -r["missing_quotes"])
    if metric == "cited_hit":
        return [r for r in ans if not r["cited_hit"]]
    if metric == "answer_contains":
        return [r for r in ans if r["answer_ok"] is False]
    if metric == "cites_match":
        return [r for r in ans if r["cite_ok"] is False]
    if metric.startswith("latency"):
        return sorted(rows, key=lambda r: -r["latency_ms"])
    return []


def _describe(row: dict) -> str:
    q = row.get("question", "")
    q = q if len(q) <= 80 else q[:77] + "..."
    got = f"refused ({row.get('reason', '')})" if row["refused"] else "cites " + (", ".join(row["citations"]) or "—")
    return f"{row['id']} [{', '.join(row.get('tags') or [])}] rank {row['hit_rank'] or '—'}: {q!r} → {got}"


def gate_message(result: dict, failures: list[str], limit: int = 8, source: Path = THRESHOLDS) -> str:
    """A readable report of a failed gate: each failing metric and its worst cases."""
    lines = [f"Eval gate failed on {result['set']} ({result['cases']} cases, k = {result['k']}):"]
    for failure in failures:
        metric = failure.split(" ", 1)[0].rstrip(":")
        lines.append(f"- {failure}")
        for row in _culprits(result["results"], metric)[:limit]:
            lines.append(f"    {_describe(row)}")
    source = Path(source).resolve()
    lines.append(f"Thresholds: {source.relative_to(ROOT) if source.is_relative_to(ROOT) else source}")
    return "\n".join(lines)


def run_gate(settings: Settings | None = None, embeddings: Any = None, gate: Gate | None = None,
             show_progress: bool = False) -> tuple[dict, list[str]]:
    """Bring the index up to date (incremental ingest), run the gate's set, return (result, failures)."""
    from eval.presets import eval_settings
    from eval.runner import run_set
    from ingest.index import ingest
    from kerjasama.embeddings import get_embedder
    from kerjasama.service import build_answerer

    settings = eval_settings(settings)
    gate = gate or load_thresholds()
    embeddings = embeddings or get_embedder(settings.embedder, settings)
    report = ingest(settings, show_progress=show_progress, embeddings=embeddings)
    log.info("gate: index %s (%d chunks, %d new)", report.index_dir, report.chunks, report.new)
    result = run_set(build_answerer(settings, embeddings=embeddings), gate.set, k=gate.k, show_progress=show_progress)
    return result, check(result["metrics"], gate.bounds)
