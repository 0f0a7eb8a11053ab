"""Compare two result files: metric deltas and the cases that got better or worse."""

from __future__ import annotations

import json
from pathlib import Path

_LOWER_IS_BETTER = {"false_refusals", "missing_quotes", "latency_p50_ms", "latency_p95_ms"}
_CHECKS = (("answer_ok", "answer text"), ("cite_ok", "expected citation"), ("cited_hit", "cites expected passage"))


def load_result(path: Path) -> dict:
    """A result JSON written by ``python -m eval run``; ValueError when it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read a result file ({exc})") from exc
    if not isinstance(data, dict) or "metrics" not in data or "results" not in data:
        raise ValueError(f"{path}: not a result file (no 'metrics' or 'results')")
    return data


def _rank(value: int | None) -> float:
    return float(value) if value else float("inf")


def compare_rows(old: dict, new: dict) -> tuple[list[str], list[str]]:
    """(improvements, regressions) of one case between two runs, as readable phrases."""
    up: list[str] = []
    down: list[str] = []
    if not new.get("answerable", True):
        if new["refused"] != old["refused"]:
            (up if new["refused"] else down).append("now refused" if new["refused"] else "no longer refused")
        return up, down
    if new["refused"] != old["refused"]:
        (down if new["refused"] else up).append("falsely refused" if new["refused"] else "no longer refused")
    o, n = _rank(old.get("hit_rank")), _rank(new.get("hit_rank"))
    if o != n:
        phrase = f"hit rank {old.get('hit_rank') or '—'}→{new.get('hit_rank') or '—'}"
        (up if n < o else down).append(phrase)
    for key, label in _CHECKS:
        a, b = old.get(key), new.get(key)
        if a is None or b is None or bool(a) == bool(b):
            continue
        (up if b else down).append(f"{label} {'found' if b else 'lost'}")
    if new.get("missing_quotes", 0) != old.get("missing_quotes", 0):
        worse = new.get("missing_quotes", 0) > old.get("missing_quotes", 0)
        (down if worse else up).append(f"missing quotes {old.get('missing_quotes', 0)}→{new.get('missing_quotes', 0)}")
    return up, down


def diff_results(old: dict, new: dict, old_name: str = "OLD", new_name: str = "NEW") -> dict:
    """Metric deltas and per-case verdicts (better, worse, mixed) between two result objects."""
    names = list(old["metrics"]) + [m for m in new["metrics"] if m not in old["metrics"]]
    deltas = {}
    for m in names:
        a, b = old["metrics"].get(m), new["metrics"].get(m)
        delta = round(b - a, 4) if isinstance(a, int | float) and isinstance(b, int | float) else None
        deltas[m] = {"old": a, "new": b, "delta": delta}
    old_rows = {r["id"]: r for r in old["results"]}
    new_rows = {r["id"]: r for r in new["results"]}
    cases: dict[str, list[dict]] = {"better": [], "worse": [], "mixed": []}
    unchanged = 0
    for cid, row in new_rows.items():
        if cid not in old_rows:
            continue
        up, down = compare_rows(old_rows[cid], row)
        if not up and not down:
            unchanged += 1
            continue
        verdict = "mixed" if up and down else "better" if up else "worse"
        cases[verdict].append({"id": cid, "question": row.get("question", ""), "improved": up, "regressed": down})
    return {
        "old": old_name, "new": new_name, "metrics": deltas, **cases, "unchanged": unchanged,
        "only_old": sorted(set(old_rows) - set(new_rows)), "only_new": sorted(set(new_rows) - set(old_rows)),
    }


def _num(value: object, metric: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not metric.endswith("_ms"):
        return f"{value:.4f}"
    return f"{value}"


def format_diff(d: dict, width: int = 100) -> str:
    """The diff as a readable plain-text table."""
    lines = [f"OLD: {d['old']}", f"NEW: {d['new']}", "",
             f"{'metric':<20}{'old':>10}{'new':>10}{'delta':>10}"]
    for m, v in d["metrics"].items():
        delta = v["delta"]
        mark = ""
        if delta:
            good = (delta < 0) if m in _LOWER_IS_BETTER else (delta > 0)
            mark = "  better" if good else "  worse"
            if m.startswith("latency"):
                mark = "  faster" if good else "  slower"
        if isinstance(delta, float):
            sign = f"{delta:+.1f}" if m.endswith("_ms") else f"{delta:+.4f}"
        else:
            sign = f"{delta:+d}" if isinstance(delta, int) else "—"
        lines.append(f"{m:<20}{_num(v['old'], m):>10}{_num(v['new'], m):>10}{sign:>10}{mark}")
    for verdict in ("better", "worse", "mixed"):
        rows = d[verdict]
        lines += ["", f"{verdict.capitalize()} ({len(rows)}):"]
        for r in rows:
            what = "; ".join([*r["improved"], *(f"✗ {x}" if verdict == "mixed" else x for x in r["regressed"])])
            q = r["question"]
            q = q if len(q) <= width - 14 else q[: width - 17] + "..."
            lines.append(f"  {r['id']:<10}  {q}")
            lines.append(f"  {'':<10}  {what}")
    lines += ["", f"Unchanged: {d['unchanged']}"]
    if d["only_old"]:
        lines.append(f"Only in OLD ({len(d['only_old'])}): {', '.join(d['only_old'])}")
    if d["only_new"]:
        lines.append(f"Only in NEW ({len(d['only_new'])}): {', '.join(d['only_new'])}")
    return "\n".join(lines)
