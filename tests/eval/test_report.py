"""Statistics (Wilson, bootstrap, percentiles) and the HTML report (escaping, self-contained, sections)."""

from __future__ import annotations

import re

import pytest

from eval.report import render_html
from eval.runner import by_tag, failure_reasons, intervals, metrics
from eval.stats import bootstrap_mean, histogram, latency_summary, percentile, wilson


@pytest.mark.parametrize(
    ("wins", "n", "expected"),
    [
        (8, 10, (0.4902, 0.9433)),  # the textbook example
        (0, 10, (0.0, 0.2775)),
        (10, 10, (0.7225, 1.0)),
        (63, 68, (0.8391, 0.9682)),  # core.jsonl hit@5
        (16, 19, (0.6243, 0.9448)),  # core.jsonl refusal accuracy
    ],
)
def test_wilson_interval_matches_known_values(wins, n, expected):
    lo, hi = wilson(wins, n)
    assert lo == pytest.approx(expected[0], abs=1e-4) and hi == pytest.approx(expected[1], abs=1e-4)


def test_wilson_edge_cases():
    assert wilson(0, 0) is None
    with pytest.raises(ValueError):
        wilson(11, 10)


def test_bootstrap_is_deterministic_and_brackets_the_mean():
    values = [1.0, 0.5, 0.0, 1.0, 1.0, 0.333, 0.0, 1.0]
    lo, hi = bootstrap_mean(values)
    assert (lo, hi) == bootstrap_mean(values)
    assert lo < sum(values) / len(values) < hi
    assert bootstrap_mean([]) is None


def test_percentiles_and_histogram():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0 and percentile(values, 95) == 95.0 and percentile([], 50) == 0.0
    lat = latency_summary(values)
    assert lat["p99"] == 99.0 and lat["max"] == 100.0 and lat["mean"] == 50.5
    bins = histogram(values, 10)
    assert len(bins) == 10 and sum(c for _, _, c in bins) == 100


def _row(cid, answerable, refused=False, hit_rank=1, tags=("id",), question="q", answer="a", **kw):
    return {"id": cid, "answerable": answerable, "refused": refused, "hit_rank": hit_rank if answerable else None,
            "cited_hit": kw.get("cited_hit", answerable and not refused), "answer_ok": kw.get("answer_ok"),
            "cite_ok": kw.get("cite_ok"), "missing_quotes": kw.get("missing_quotes", 0),
            "latency_ms": kw.get("latency_ms", 10.0), "answer": answer, "reason": kw.get("reason", ""),
            "citations": kw.get("citations", []), "tags": list(tags), "question": question,
            "expect": kw.get("expect", {"passage_contains": ["x"]} if answerable else {}), "set": "mini"}


def _result(rows, k=5):
    ci, n = intervals(rows, k)
    return {"set": "mini.jsonl", "cases": len(rows), "k": k, "metrics": metrics(rows, k), "ci95": ci, "n": n,
            "latency": latency_summary([r["latency_ms"] for r in rows]), "by_tag": by_tag(rows, k),
            "results": rows}


def test_metrics_intervals_and_tags():
    rows = [_row("a", True), _row("b", True, hit_rank=3), _row("c", True, hit_rank=None, cited_hit=False),
            _row("d", False, refused=True, tags=("out_of_scope",)), _row("e", False, tags=("out_of_scope",))]
    res = _result(rows)
    assert res["metrics"]["hit@k"] == pytest.approx(2 / 3, abs=1e-4)
    assert res["metrics"]["mrr"] == pytest.approx((1 + 1 / 3) / 3, abs=1e-4)
    assert res["ci95"]["hit@k"] == list(wilson(2, 3)) and res["n"]["refusal_accuracy"] == 2
    assert res["by_tag"]["out_of_scope"]["ci95"]["refusal_accuracy"] == list(wilson(1, 2))
    assert "hit@k" not in res["by_tag"]["out_of_scope"]
    assert failure_reasons(rows[2]) == ["expected passage not retrieved"]
    assert failure_reasons(rows[4]) == ["answered; should refuse"] and failure_reasons(rows[0]) == []


def test_html_escapes_case_and_answer_text():
    evil = "<script>alert('x')</script>"
    rows = [
        _row("x1", True, hit_rank=None, cited_hit=False, question=f"Apa {evil}?", answer=f"jawab {evil}",
             citations=[f"PP 28/2018 {evil}"], tags=(f"tag{evil}",), expect={"passage_contains": [evil]}),
        _row("x2", False, question="Siapa pemenang Piala Dunia 2022?", tags=("out_of_scope",)),
    ]
    html = render_html(_result(rows))
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    # Self-contained: no external resources, charts are inline SVG.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert html.count("<svg") >= 3  # hit@k by tag, refusal by tag, latency histogram
    assert "Failures (2 of 2 cases)" in html
    assert "LLM-judged metrics: not run (no LLM backend configured)" in html
    lo, hi = wilson(0, 1)
    assert f"{lo:.3f}–{hi:.3f}" in html  # the Wilson interval of hit@k (0 of 1) in the metrics table


def test_html_comparison_section_shows_peer_ratios():
    rows = [_row("a", True), _row("b", True, hit_rank=None, cited_hit=False)]
    res = _result(rows)
    res["comparison"] = {
        "primary": "full", "peer": True, "ratio_metrics": ["hit@1", "hit@k", "mrr", "cited_hit"],
        "rows": [
            {"config": "full", "label": "full", **res["metrics"], "ci95_hit@k": res["ci95"]["hit@k"],
             "vs_peer": {"hit@1": 2.0, "hit@k": 1.25, "mrr": 1.5, "cited_hit": 3.0}},
            {"config": "peer", "label": "peer <b>", **res["metrics"], "ci95_hit@k": None, "note": "never refuses"},
        ],
    }
    html = render_html(res)
    assert "Configurations" in html and "1.25" in html and "peer &lt;b&gt;" in html and "never refuses" in html
