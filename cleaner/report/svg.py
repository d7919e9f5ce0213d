"""Charts as inline SVG: small pure functions from numbers to markup, no library, no
script. Every label is escaped (labels may come from the corpus: a rule id is the
project's, a language code or a site is not). Colours and fonts come from the page's
stylesheet (classes ``bar``, ``axis``, ``label``), so the charts follow it.

Why hand-written: the report must open offline with nothing but the file, the charts
are bars (two shapes), and a plotting library (matplotlib, plotly, vega) would add a
dependency of tens of MB, or a script of megabytes inlined in every page, for them.
"""

from __future__ import annotations

from html import escape

#: Pixels per bar row, and the label column's width, of a horizontal bar chart.
ROW = 22
LABEL = 260


def _q(value: object) -> str:
    return escape(str(value), quote=True)


def hbars(items: list[tuple[str, int]], *, title: str, width: int = 720, unit: str = "") -> str:
    """Horizontal bars, one row per ``(label, value)`` in the order given, the value
    written after each bar. Empty when there is nothing to draw."""
    if not items:
        return ""
    top = max(value for _, value in items) or 1
    span = width - LABEL - 90
    height = ROW * len(items) + 6
    rows = []
    for i, (label, value) in enumerate(items):
        y = i * ROW + 3
        length = max(value, 0) / top * span
        rows.append(
            f'<text class="label" x="{LABEL - 6}" y="{y + 15}" text-anchor="end">{_q(_short(label))}</text>'
            f'<rect class="bar" x="{LABEL}" y="{y + 3}" width="{length:.1f}" height="{ROW - 6}">'
            f"<title>{_q(label)}: {value:,}{_q(unit)}</title></rect>"
            f'<text class="value" x="{LABEL + length + 4:.1f}" y="{y + 15}">{value:,}{_q(unit)}</text>'
        )
    return (f'<svg class="chart" role="img" aria-label="{_q(title)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>')


def columns(counts: list[int], labels: list[str], *, title: str, width: int = 720, height: int = 200) -> str:
    """Vertical bars (a histogram): ``counts[i]`` above ``labels[i]``, the count on each bar."""
    if not counts:
        return ""
    top = max(counts) or 1
    base = height - 24
    slot = (width - 20) / len(counts)
    parts = [f'<line class="axis" x1="10" y1="{base}" x2="{width - 10}" y2="{base}"/>']
    for i, (count, label) in enumerate(zip(counts, labels)):
        x = 10 + i * slot
        tall = count / top * (base - 20)
        parts.append(
            f'<rect class="bar" x="{x + 3:.1f}" y="{base - tall:.1f}" width="{slot - 6:.1f}" height="{tall:.1f}">'
            f"<title>{_q(label)}: {count:,}</title></rect>"
            f'<text class="value" x="{x + slot / 2:.1f}" y="{base - tall - 4:.1f}" text-anchor="middle">{count:,}</text>'
            f'<text class="label" x="{x + slot / 2:.1f}" y="{base + 16}" text-anchor="middle">{_q(label)}</text>'
        )
    return (f'<svg class="chart" role="img" aria-label="{_q(title)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>')


def _short(label: str, most: int = 38) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"
