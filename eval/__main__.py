"""``python -m eval run|diff|from-feedback|gate|spread`` (see eval/README.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import subprocess
import sys
from pathlib import Path

from kerjasama.errors import KerjasamaError
from kerjasama.settings import ROOT

_MODE_PRESET = {"hybrid": "full", "dense": "dense", "lexical": "lexical"}


def _parser() -> argparse.ArgumentParser:
    from eval.presets import ALL

    parser = argparse.ArgumentParser(prog="python -m eval")
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="answer every case of one or more sets and score them")
    run.add_argument("sets", nargs="+", help="set files or glob patterns, e.g. 'eval/sets/*.jsonl'")
    run.add_argument("--k", type=int, default=5)
    run.add_argument("--out", type=Path, default=None, help="write the result JSON here (and RESULT.html beside)")
    run.add_argument("--html", type=Path, default=None, help="write the HTML report here")
    run.add_argument("--no-html", action="store_true", help="no HTML report beside --out")
    run.add_argument("--config", default=None,
                     help=f"preset(s), comma-separated, or 'all': {', '.join(ALL)} (default: full)")
    run.add_argument("--mode", choices=list(_MODE_PRESET), default=None,
                     help="older spelling of --config dense / lexical / full")
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    diff = sub.add_parser("diff", help="compare two result files")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    diff.add_argument("--json", action="store_true", help="print the diff as JSON")

    fb = sub.add_parser("from-feedback", help="turn the web chat's feedback log into draft cases")
    fb.add_argument("--log", type=Path, default=None, help="feedback log (default: <data dir>/feedback.jsonl)")
    fb.add_argument("--out", type=Path, default=None,
                    help="drafts file, appended to (default: eval/sets/drafts/feedback-YYYYMMDD.jsonl)")
    fb.add_argument("--sets-dir", type=Path, default=ROOT / "eval" / "sets",
                    help="questions already here (drafts included) are skipped")
    fb.add_argument("--dry-run", action="store_true", help="print the drafts instead of writing them")

    sp = sub.add_parser("spread", help="run sets in several fresh processes; print each metric's spread")
    sp.add_argument("sets", nargs="+", help="set files or glob patterns")
    sp.add_argument("--runs", type=int, default=3, help="fresh processes (default 3)")
    sp.add_argument("--k", type=int, default=5)
    sp.add_argument("--config", default=None, help="one preset (default: full)")
    sp.add_argument("--out", type=Path, default=None, help="write the spread JSON here")
    sp.add_argument("--keep", type=Path, default=None, help="keep each run's result JSON in this folder")
    sp.add_argument("--no-tags", action="store_true", help="print the per-set table only")

    gate = sub.add_parser("gate", help="run the CI gate (eval/thresholds.yaml) on the full corpus")
    gate.add_argument("--thresholds", type=Path, default=None)
    gate.add_argument("--out", type=Path, default=None, help="also write the result JSON (and HTML) here")
    gate.add_argument("--quiet", action="store_true")
    return parser


def _configs(args: argparse.Namespace) -> list[str]:
    from eval.presets import ALL, PRESETS

    if args.config and args.mode:
        raise ValueError("use --config or --mode, not both")
    if not args.config:
        return [_MODE_PRESET[args.mode or "hybrid"]]
    if args.config == "all":
        return list(ALL)
    names = [n.strip() for n in args.config.split(",") if n.strip()]
    for n in names:
        if n not in PRESETS:
            raise ValueError(f"unknown config {n!r}; choose from {', '.join(ALL)} or 'all'")
    return names


def _write(result: dict, out: Path | None, html: Path | None, no_html: bool) -> list[Path]:
    from eval.report import write_html

    written = []
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        written.append(out)
    html = html or (out.with_suffix(".html") if out and not no_html else None)
    if html:
        written.append(write_html(result, html))
    return written


def cmd_run(args: argparse.Namespace) -> int:
    """Run sets under one or more configurations; exit 0 whenever the run completed."""
    from eval.compare import markdown_table, run_configs
    from eval.runner import expand_sets

    try:
        if args.k < 1:
            raise ValueError(f"--k must be at least 1, got {args.k}")
        names = _configs(args)
        sets = expand_sets(args.sets)
        result = run_configs(names, sets, k=args.k, show_progress=not args.quiet)
        written = _write(result, args.out, args.html, args.no_html)
    except (KerjasamaError, ValueError, OSError) as exc:
        print(f"Eval gagal / failed: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"set": result["set"], "cases": result["cases"], "k": result["k"], **result["metrics"]},
                     indent=2))
    if "comparison" in result:
        print()
        print(markdown_table(result["comparison"]))
    print(result["llm_judged"]["summary"], file=sys.stderr)
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    """Print metric deltas and the cases that got better or worse."""
    from eval.diff import diff_results, format_diff, load_result

    try:
        d = diff_results(load_result(args.old), load_result(args.new), str(args.old), str(args.new))
    except ValueError as exc:
        print(f"Diff gagal / failed: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(d, ensure_ascii=False, indent=2) if args.json else format_diff(d))
    return 0


def cmd_from_feedback(args: argparse.Namespace) -> int:
    """Write draft cases from the feedback log; malformed lines are reported, never fatal."""
    from eval.feedback import append_drafts, drafts_from_log, known_questions
    from kerjasama.settings import Settings

    log_path = args.log or Settings().data_dir / "feedback.jsonl"
    if not log_path.is_file():
        print(f"Tidak ada log umpan balik / no feedback log at {log_path} (the web chat writes it).",
              file=sys.stderr)
        return 1 if args.log else 0
    out = args.out or ROOT / "eval" / "sets" / "drafts" / f"feedback-{dt.datetime.now(dt.UTC):%Y%m%d}.jsonl"
    try:
        res = drafts_from_log(log_path, known_questions(args.sets_dir, [out]))
    except OSError as exc:
        print(f"Gagal membaca / cannot read {log_path}: {exc}", file=sys.stderr)
        return 1
    if args.dry_run:
        for d in res.drafts:
            print(json.dumps(d, ensure_ascii=False))
    elif res.drafts:
        append_drafts(res.drafts, out)
    where = "(dry run)" if args.dry_run else f"to {out}"
    print(f"{len(res.drafts)} draft case(s) {where}; {len(res.duplicates)} duplicate question(s) skipped; "
          f"{len(res.malformed)} malformed line(s) skipped.", file=sys.stderr)
    for n, reason in res.malformed:
        print(f"  {log_path}:{n}: {reason}", file=sys.stderr)
    if res.drafts and not args.dry_run:
        print("Review each draft (see its 'review' note), then move it into a set without 'draft'.", file=sys.stderr)
    return 0


def cmd_spread(args: argparse.Namespace) -> int:
    """Run the sets ``--runs`` times in fresh processes and print aggregates only (never single cases)."""
    from eval.runner import expand_sets
    from eval.spread import format_spread, run_spread

    try:
        if args.runs < 1:
            raise ValueError(f"--runs must be at least 1, got {args.runs}")
        sets = [str(p) for p in expand_sets(args.sets)]
        result = run_spread(sets, runs=args.runs, k=args.k, config=args.config, keep=args.keep)
    except (KerjasamaError, ValueError, OSError) as exc:
        print(f"Spread gagal / failed: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"Spread gagal / failed: a run exited with {exc.returncode}", file=sys.stderr)
        return 1
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(format_spread(result, tags=not args.no_tags))
    return 0


def cmd_gate(args: argparse.Namespace) -> int:
    """Exit 1 when a metric crosses its threshold, printing the failing metrics and their worst cases."""
    from eval.gate import THRESHOLDS, gate_message, load_thresholds, run_gate

    try:
        gate = load_thresholds(args.thresholds or THRESHOLDS)
        result, failures = run_gate(gate=gate, show_progress=not args.quiet)
        _write(result, args.out, None, False)
    except (KerjasamaError, ValueError, OSError) as exc:
        print(f"Gate gagal dijalankan / could not run: {exc}", file=sys.stderr)
        return 2
    from eval.spread import per_set

    for name, entry in per_set(result).items():
        m = entry["metrics"]
        print(f"{name}: " + ", ".join(f"{key} {m[key]:g}" for key in m if key in
                                      {b for s in gate.sets for b in s.bounds}))
    if failures:
        blind = {s.path.stem for s in gate.sets if s.blind}
        print(gate_message(result, failures, source=gate.source, blind=blind), file=sys.stderr)
        return 1
    print(f"Eval gate passed ({result['cases']} cases).")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m eval``."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    handler = {"run": cmd_run, "diff": cmd_diff, "from-feedback": cmd_from_feedback, "gate": cmd_gate,
               "spread": cmd_spread}[args.cmd]
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
