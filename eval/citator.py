"""Precision and recall of the citator (``ingest/citator.py``) against relations checked by hand.

``eval/citator/`` keeps the blind rounds (the latest: :data:`LATEST`): ``recall_gold-rN.jsonl`` (every relation a
checker who never saw the code found in 80 documents: ``{"file", "relations": [{"type", "target", "arguable"}]}``) and
``precision_graded-rN.jsonl`` (100 relations the miner produced, each graded ``correct`` from the text). Recall is
measured again on the current miner's output; precision is the graders' verdict on the relations of the round
(re-grading needs a person).

    python -m eval.citator data/national/relations.json [--round N]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent / "citator"
LATEST = 8  # the last round; earlier rounds stay for comparison (``--round``)


def round_files(n: int) -> tuple[Path, Path]:
    """(recall gold, graded precision sample) of round ``n``."""
    return HERE / f"recall_gold-r{n}.jsonl", HERE / f"precision_graded-r{n}.jsonl"


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson interval of a proportion k/n."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    d = 1 + z * z / n
    c = p + z * z / (2 * n)
    r = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return round((c - r) / d, 3), round((c + r) / d, 3)


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _reg_id(file: str) -> str:
    kind, year, num = file.removesuffix(".md").split("/")
    return f"{kind}-{year}-{num}"


def score(relations: dict, gold: list[dict], graded: list[dict]) -> dict:
    """Recall of ``relations`` (a ``relations.json``) on ``gold``, with and without the arguable relations, and
    the precision the graders gave."""
    mined: dict[str, set[tuple[str, str]]] = {}
    for reg in relations["regulations"]:
        mined[reg["id"]] = {(r["type"], r["target"]) for r in reg["relations"]}
    found = total = found_strict = total_strict = 0
    for row in gold:
        have = mined.get(_reg_id(row["file"]), set())
        for rel in row["relations"]:
            hit = (rel["type"], rel["target"]) in have
            found += hit
            total += 1
            if not rel.get("arguable"):
                found_strict += hit
                total_strict += 1
    right = sum(bool(g["correct"]) for g in graded)
    return {
        "recall": round(found / total, 3) if total else None, "recall_ci95": wilson(found, total),
        "recall_n": total,
        "recall_not_arguable": round(found_strict / total_strict, 3) if total_strict else None,
        "recall_not_arguable_ci95": wilson(found_strict, total_strict), "recall_not_arguable_n": total_strict,
        "precision": round(right / len(graded), 3) if graded else None, "precision_ci95": wilson(right, len(graded)),
        "precision_n": len(graded),
    }


def main(argv: list[str] | None = None) -> int:
    """Print the scores of a ``relations.json`` as one JSON object."""
    parser = argparse.ArgumentParser(prog="python -m eval.citator", description=__doc__.split("\n\n")[0])
    parser.add_argument("relations", type=Path, help="relations.json written by `make citator`")
    parser.add_argument("--round", type=int, default=LATEST, help=f"hand-check round (4 to {LATEST})")
    args = parser.parse_args(argv)
    gold, graded = round_files(args.round)
    if not gold.is_file():
        print(f"no hand-checked round {args.round} in eval/citator/", file=sys.stderr)
        return 2
    if not args.relations.is_file():
        print(f"{args.relations}: not found (run `make citator` first)", file=sys.stderr)
        return 2
    relations = json.loads(args.relations.read_text(encoding="utf-8"))
    print(json.dumps(score(relations, _rows(gold), _rows(graded))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
