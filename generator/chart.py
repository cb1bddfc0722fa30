"""A bar chart of papers per year as inline SVG, made at build time: no script, no service.

Colours come from the theme's variables through CSS classes, so light and dark palettes both
work; the SVG carries a title and a description for screen readers, and each bar a tooltip."""

from __future__ import annotations

from collections import Counter

from markupsafe import Markup, escape

SLOT, HEIGHT, AXIS = 36, 150, 22  # a year's width, the chart's height, the axis labels' band


def year_chart(years: list[int | None], label: str) -> Markup:
    """One bar per year from the first to the last (empty years too), for the papers' years."""
    counts = Counter(y for y in years if y)
    undated = sum(1 for y in years if not y)
    if not counts:
        return Markup("")
    first, last = min(counts), max(counts)
    span = list(range(first, last + 1))
    top = max(counts.values())
    step = SLOT
    width = max(len(span) * SLOT, 4 * SLOT)
    summary = ", ".join(f"{year}: {counts[year]}" for year in span if counts[year])
    if undated:
        summary += f"; {undated} undated not shown"
    bars, ticks = [], []
    every = max(1, round(len(span) / 16))
    for i, year in enumerate(span):
        height = (HEIGHT - AXIS - 14) * counts[year] / top
        x = i * step + step * 0.15
        y = HEIGHT - AXIS - height
        bars.append(
            f'<rect class="lp-bar" x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{height:.1f}">'
            f"<title>{year}: {counts[year]}</title></rect>"
        )
        if counts[year]:
            bars.append(f'<text class="lp-bar-count" x="{x + step * 0.35:.1f}" y="{y - 3:.1f}">{counts[year]}</text>')
        if i % every == 0 or year == last:
            ticks.append(f'<text class="lp-tick" x="{x + step * 0.35:.1f}" y="{HEIGHT - 6}">{year}</text>')
    title = escape(f"{label}: papers per year")
    return Markup(
        f'<figure class="lp-chart" data-search-exclude><svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {HEIGHT}" width="{width}" height="{HEIGHT}" role="img" '
        f'aria-labelledby="lp-chart-title lp-chart-desc"><title id="lp-chart-title">{title}</title>'
        f'<desc id="lp-chart-desc">{escape(summary)}</desc>'
        f'<line class="lp-axis" x1="0" y1="{HEIGHT - AXIS}" x2="{width}" y2="{HEIGHT - AXIS}"/>'
        + "".join(bars)
        + "".join(ticks)
        + "</svg></figure>"
    )
