"""Small statistics for evaluation reports: Wilson score intervals, a bootstrap interval, percentiles."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

Z95 = 1.959963984540054  # two-sided 95 % normal quantile


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of a proportion ``successes / n`` (95 % by default); ``None`` when ``n == 0``.

    >>> wilson(8, 10)
    (0.4902, 0.9433)
    """
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be in 0..{n}, got {successes}")
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    center = (p + z2 / (2 * n)) / denom
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return round(max(0.0, center - margin), 4), round(min(1.0, center + margin), 4)


def bootstrap_mean(values: Sequence[float], resamples: int = 2000, seed: int = 0) -> tuple[float, float] | None:
    """Percentile bootstrap 95 % interval of the mean of ``values`` (deterministic: fixed seed)."""
    if not values:
        return None
    rng = random.Random(seed)
    n = len(values)
    means = sorted(sum(rng.choice(values) for _ in range(n)) / n for _ in range(resamples))
    lo = means[int(0.025 * (resamples - 1))]
    hi = means[int(math.ceil(0.975 * (resamples - 1)))]
    return round(lo, 4), round(hi, 4)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile ``q`` (0-100) of ``values``; 0.0 for no values."""
    if not values:
        return 0.0
    s = sorted(values)
    idx = min(len(s) - 1, max(0, math.ceil(q / 100 * len(s)) - 1))
    return float(s[idx])


def latency_summary(values: Sequence[float]) -> dict[str, float]:
    """Latency percentiles (ms): p50, p90, p95, p99, max and mean."""
    if not values:
        return {"p50": 0.0, "p90": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0, "mean": 0.0}
    return {
        "p50": percentile(values, 50),
        "p90": percentile(values, 90),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": float(max(values)),
        "mean": round(sum(values) / len(values), 1),
    }


def histogram(values: Sequence[float], bins: int = 20) -> list[tuple[float, float, int]]:
    """Equal-width bins ``(lo, hi, count)`` over ``values`` (log-free, from 0 to the maximum)."""
    if not values:
        return []
    top = max(values)
    if top <= 0:
        return [(0.0, 0.0, len(values))]
    width = top / bins
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int(v / width))] += 1
    return [(round(i * width, 2), round((i + 1) * width, 2), c) for i, c in enumerate(counts)]
