"""The CI gate: run the development sets and the frozen test set on the full corpus and compare each set's metrics
with its bounds in ``eval/thresholds.yaml``.

A set marked ``blind`` (the frozen test set) never has its individual cases printed: a failure names the metric
and the tags that fall short, so nobody tunes on a single test case.
"""

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
class GateSet:
    """One set of the gate: its file, ``{metric: {"min": x} or {"max": y}}``, and whether it is blind."""

    name: str
    path: Path
    bounds: dict[str, dict[str, float]]
    blind: bool = False


@dataclass
class Gate:
    """The sets to run (in one run, one index) and k."""

    sets: list[GateSet]
    k: int
    source: Path = THRESHOLDS

    @property
    def set(self) -> Path:
        """The first set's file (what the gate ran before it had several)."""
        return self.sets[0].path

    @property
    def bounds(self) -> dict[str, dict[str, float]]:
        """The first set's bounds."""
        return self.sets[0].bounds


def _bounds(path: Path, where: str, raw: object) -> dict[str, dict[str, float]]:
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"{path}: {where} needs a 'thresholds' mapping")
    bounds: dict[str, dict[str, float]] = {}
    for metric, bound in raw.items():
        if not isinstance(bound, dict) or not bound or set(bound) - {"min", "max"}:
            raise ValueError(f"{path}: threshold of {metric!r} must be {{min: x}} and/or {{max: y}}")
        try:
            bounds[str(metric)] = {key: float(value) for key, value in bound.items()}
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: threshold of {metric!r} is not a number") from exc
    return bounds


def load_thresholds(path: Path = THRESHOLDS) -> Gate:
    """Read and check the thresholds file; ValueError says what is wrong with it.

    The file has ``k`` and ``sets``: ``{name: {file: PATH, blind: bool, thresholds: {metric: {min|max: x}}}}``.
    """
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read thresholds ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sets"), dict) or not data["sets"]:
        raise ValueError(f"{path}: needs a 'sets' mapping (name: {{file, thresholds}})")
    sets = []
    for name, spec in data["sets"].items():
        if not isinstance(spec, dict) or not spec.get("file"):
            raise ValueError(f"{path}: set {name!r} needs 'file' and 'thresholds'")
        file = Path(spec["file"])
        sets.append(GateSet(str(name), file if file.is_absolute() else ROOT / file,
                            _bounds(path, f"set {name!r}", spec.get("thresholds")), bool(spec.get("blind", False))))
    return Gate(sets, int(data.get("k", 5)), Path(path))


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


def _weak_tags(rows: list[dict], metric: str, k: int, limit: int) -> list[str]:
    """Tags whose share of ``metric`` is lowest (for a blind set: aggregates, never cases)."""
    from eval.runner import by_tag

    tags = by_tag(rows, k)
    scored = [(m[metric], t, m["cases"]) for t, m in tags.items() if isinstance(m.get(metric), int | float)]
    return [f"{t}: {v:.3f} (n={n})" for v, t, n in sorted(scored)[:limit]]


def gate_message(result: dict, failures: list[str], limit: int = 8, source: Path = THRESHOLDS,
                 blind: set[str] | None = None) -> str:
    """A readable report of a failed gate: each failing metric and its worst cases (for a blind set, its weakest
    tags instead)."""
    lines = [f"Eval gate failed on {result['set']} ({result['cases']} cases, k = {result['k']}):"]
    set_names = {r.get("set") for r in result["results"]}
    for failure in failures:
        head, sep, rest = failure.partition(": ")
        name, text = (head, rest) if sep and head in set_names else ("", failure)
        metric = text.split(" ", 1)[0].rstrip(":")
        rows = [r for r in result["results"] if not name or r.get("set") == name]
        lines.append(f"- {failure}")
        if name and name in (blind or set()):
            lines.extend(f"    {line}" for line in _weak_tags(rows, metric, result["k"], limit))
            continue
        for row in _culprits(rows, metric)[:limit]:
            lines.append(f"    {_describe(row)}")
    source = Path(source).resolve()
    lines.append(f"Thresholds: {source.relative_to(ROOT) if source.is_relative_to(ROOT) else source}")
    return "\n".join(lines)


def run_gate(settings: Settings | None = None, embeddings: Any = None, gate: Gate | None = None,
             show_progress: bool = False) -> tuple[dict, list[str]]:
    """Bring the index up to date (incremental ingest), run the gate's set, return (result, failures)."""
    from eval.presets import eval_settings
    from eval.runner import run_sets
    from ingest.index import ingest
    from kerjasama.embeddings import get_embedder
    from kerjasama.service import build_answerer

    settings = eval_settings(settings)
    gate = gate or load_thresholds()
    embeddings = embeddings or get_embedder(settings.embedder, settings)
    report = ingest(settings, show_progress=show_progress, embeddings=embeddings)
    log.info("gate: index %s (%d chunks, %d new)", report.index_dir, report.chunks, report.new)
    result = run_sets(build_answerer(settings, embeddings=embeddings), [s.path for s in gate.sets], k=gate.k,
                      show_progress=show_progress)
    return result, check_sets(result, gate)


def check_sets(result: dict, gate: Gate) -> list[str]:
    """Each bound a set's metrics cross, as ``"test: hit@k = 0.850 < min 0.880"``."""
    from eval.spread import per_set

    sets = per_set(result)
    failures = []
    for s in gate.sets:
        metrics = sets.get(s.path.stem, {}).get("metrics", {})
        failures.extend(f"{s.path.stem}: {f}" for f in check(metrics, s.bounds))
    return failures
