"""Run the same evaluation in several fresh processes and report each metric's spread (min, median, max).

Results can differ between processes, so a figure worth quoting is the spread of three runs (and the worst of
them for a gate), never the best one. Only aggregates are printed: per set, and per tag for each set, so a frozen
test set can be measured without reading its individual failures.

``python -m eval spread eval/sets/core.jsonl eval/sets/extra.jsonl eval/sets/test.jsonl --runs 3 --out R.json``
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from eval.runner import PROPORTIONS, by_tag, metrics

SPREAD_METRICS = ("hit@1", "hit@k", "mrr", "cited_hit", "answer_contains", "correct", "refusal_accuracy",
                  "false_refusals")
TAG_METRICS = ("hit@k", "cited_hit", "answer_contains", "correct", "refusal_accuracy", "false_refusals")


def run_once(sets: list[str], k: int, config: str | None, out: Path) -> dict:
    """One ``python -m eval run`` in a fresh process (fresh hash seed, fresh model load); its result object."""
    cmd = [sys.executable, "-m", "eval", "run", *sets, "--k", str(k), "--quiet", "--no-html", "--out", str(out)]
    if config:
        cmd += ["--config", config]
    env = {**os.environ, "PYTHONHASHSEED": "random"}
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        sys.stderr.write(done.stderr[-4000:])
        raise subprocess.CalledProcessError(done.returncode, cmd)
    return json.loads(out.read_text(encoding="utf-8"))


def per_set(result: dict) -> dict[str, dict]:
    """Metrics and per-tag metrics of each set in one result object (its rows grouped by their set)."""
    rows = result["results"]
    k = result["k"]
    out: dict[str, dict] = {}
    for name in sorted({r["set"] for r in rows}):
        sub = [r for r in rows if r["set"] == name]
        out[name] = {"metrics": metrics(sub, k), "by_tag": by_tag(sub, k)}
    return out


def _summary(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def spread(results: list[dict]) -> dict:
    """Min, median and max of every metric over runs, per set and per tag of each set."""
    runs = [per_set(r) for r in results]
    out: dict = {"runs": len(results), "sets": {}}
    for name in runs[0]:
        entry: dict = {"metrics": {}, "by_tag": {}}
        for metric in SPREAD_METRICS:
            entry["metrics"][metric] = _summary([run[name]["metrics"][metric] for run in runs])
        for tag, first in runs[0][name]["by_tag"].items():
            entry["by_tag"][tag] = {"cases": first["cases"]}
            for metric in TAG_METRICS:
                if metric in first:
                    entry["by_tag"][tag][metric] = _summary([run[name]["by_tag"][tag][metric] for run in runs])
        out["sets"][name] = entry
    return out


def format_spread(s: dict, tags: bool = True) -> str:
    """A readable table: per set each metric as ``median [min–max]``; then per tag."""

    def cell(v: dict) -> str:
        if v["min"] == v["max"]:
            return f"{v['median']:.3g}"
        return f"{v['median']:.3g} [{v['min']:.3g}–{v['max']:.3g}]"

    lines = [f"{s['runs']} runs (median [min–max])", ""]
    lines.append("| set | " + " | ".join(SPREAD_METRICS) + " |")
    lines.append("|---" * (len(SPREAD_METRICS) + 1) + "|")
    for name, entry in s["sets"].items():
        lines.append(f"| {name} | " + " | ".join(cell(entry["metrics"][m]) for m in SPREAD_METRICS) + " |")
    if tags:
        for name, entry in s["sets"].items():
            lines += ["", f"{name} by tag:", "| tag | n | " + " | ".join(TAG_METRICS) + " |",
                      "|---" * (len(TAG_METRICS) + 2) + "|"]
            for tag, m in sorted(entry["by_tag"].items(), key=lambda kv: -kv[1]["cases"]):
                cells = [cell(m[x]) if x in m else "" for x in TAG_METRICS]
                lines.append(f"| {tag} | {m['cases']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_spread(sets: list[str], runs: int = 3, k: int = 5, config: str | None = None,
               keep: Path | None = None) -> dict:
    """Run ``runs`` fresh processes over ``sets``; the spread (the raw results are kept in ``keep`` if given)."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(runs):
            results.append(run_once(sets, k, config, folder / f"run{i + 1}.json"))
    out = spread(results)
    out["set"] = sets
    out["k"] = k
    out["config"] = config or "full"
    out["proportions"] = list(PROPORTIONS)
    return out
