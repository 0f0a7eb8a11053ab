"""Inline SVG charts for the HTML report (no plotting library, no scripts): bars with intervals, a histogram."""

from __future__ import annotations

from html import escape

_FONT = 'font-family="system-ui, sans-serif" font-size="12"'
BAR = "#3b6ea5"
BAR_ALT = "#c0504d"
GRID = "#d9d9d9"


def bar_chart(rows: list[tuple[str, float, list[float] | None, str]], title: str, width: int = 720,
              color: str = BAR) -> str:
    """Horizontal bars of values in 0..1, one per ``(label, value, [lo, hi] or None, annotation)``.

    The interval is drawn as a whisker; the annotation (e.g. ``"n=12"``) follows the bar's value.
    """
    row_h, top, label_w, right = 22, 30, 190, 130
    plot_w = width - label_w - right
    height = top + row_h * max(1, len(rows)) + 28
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="{escape(title)}" {_FONT}>',
           f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = label_w + tick * plot_w
        out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 24}" stroke="{GRID}"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" fill="#555">{tick:g}</text>')
    for i, (label, value, ci, note) in enumerate(rows):
        y = top + i * row_h
        v = max(0.0, min(1.0, value))
        out.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 4}" width="{v * plot_w:.1f}" height="{row_h - 8}" '
                   f'fill="{color}"><title>{escape(label)}: {value:.3f}</title></rect>')
        if ci is not None:
            x1, x2 = label_w + ci[0] * plot_w, label_w + ci[1] * plot_w
            ym = y + row_h / 2
            out.append(f'<line x1="{x1:.1f}" y1="{ym:.1f}" x2="{x2:.1f}" y2="{ym:.1f}" stroke="#222"/>')
            for x in (x1, x2):
                out.append(f'<line x1="{x:.1f}" y1="{ym - 5:.1f}" x2="{x:.1f}" y2="{ym + 5:.1f}" stroke="#222"/>')
        out.append(f'<text x="{label_w + plot_w + 8}" y="{y + 15}">{value:.3f} {escape(note)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def histogram_chart(bins: list[tuple[float, float, int]], title: str, markers: dict[str, float] | None = None,
                    width: int = 720, height: int = 220, unit: str = "ms") -> str:
    """Vertical bars of ``(lo, hi, count)`` bins, with labelled vertical markers (e.g. p50, p95)."""
    left, right, top, bottom = 44, 16, 30, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="{escape(title)}" {_FONT}>',
           f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    if not bins:
        out.append(f'<text x="{left}" y="{top + 20}">no data</text></svg>')
        return "\n".join(out)
    top_count = max(c for _, _, c in bins) or 1
    span = bins[-1][1] or 1.0
    bar_w = plot_w / len(bins)
    base = top + plot_h
    out.append(f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#555"/>')
    out.append(f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" fill="#555">{top_count}</text>')
    out.append(f'<text x="{left - 6}" y="{base}" text-anchor="end" fill="#555">0</text>')
    for i, (lo, hi, count) in enumerate(bins):
        h = plot_h * count / top_count
        x = left + i * bar_w
        out.append(f'<rect x="{x + 1:.1f}" y="{base - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                   f'fill="{BAR}"><title>{lo:g}–{hi:g} {unit}: {count}</title></rect>')
    for i in range(0, len(bins) + 1, max(1, len(bins) // 5)):
        x = left + i * bar_w
        value = span * i / len(bins)
        out.append(f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle" fill="#555">{value:.0f}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle">{escape(unit)}</text>')
    for j, (name, value) in enumerate((markers or {}).items()):
        x = left + plot_w * min(1.0, value / span)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{base}" stroke="{BAR_ALT}" '
                   f'stroke-dasharray="4 3"/>')
        out.append(f'<text x="{x + 3:.1f}" y="{top + 12 + 14 * j}" fill="{BAR_ALT}">'
                   f'{escape(name)} {value:g} {escape(unit)}</text>')
    out.append("</svg>")
    return "\n".join(out)
