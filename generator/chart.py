"""A bar chart of papers per year as inline SVG, made at build time: no script, no service.

Colours come from the theme's variables through CSS classes, so light and dark palettes both
work. The SVG has a title and a description, and a table of the same numbers follows it, hidden
from sight but read by screen readers (and kept when styles are off)."""

from __future__ import annotations

import hashlib
from collections import Counter

from markupsafe import Markup, escape

from .i18n import Words

SLOT, HEIGHT, AXIS = 36, 150, 22  # a year's width, the chart's height, the axis labels' band


def year_chart(years: list[int | None], label: str, words: Words | None = None) -> Markup:
    """One bar per year from the first to the last (empty years too), for the papers' years."""
    words = words or Words()
    counts = Counter(y for y in years if y)
    undated = sum(1 for y in years if not y)
    if not counts:
        return Markup("")
    first, last = min(counts), max(counts)
    span = list(range(first, last + 1))
    summary = ", ".join(f"{year}: {counts[year]}" for year in span if counts[year])
    if undated:
        summary += "; " + words("chart_undated", n=undated)
    width = max(len(span) * SLOT, 4 * SLOT)
    title = escape(words("chart_title", label=label))
    # ids unique on a page that shows two charts
    uid = "lp-chart-" + hashlib.blake2b(f"{label}\0{summary}".encode(), digest_size=4).hexdigest()
    return Markup(
        f'<figure class="lp-chart" data-search-exclude><svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {HEIGHT}" width="{width}" height="{HEIGHT}" role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc"><title id="{uid}-title">{title}</title>'
        f'<desc id="{uid}-desc">{escape(summary)}</desc>'
        f'<line class="lp-axis" x1="0" y1="{HEIGHT - AXIS}" x2="{width}" y2="{HEIGHT - AXIS}"/>'
        + _bars(span, counts)
        + "</svg>"
        + _table(span, counts, words, title)
        + "</figure>"
    )


def _bars(span: list[int], counts: Counter) -> str:
    top, every, out, ticks = max(counts.values()), max(1, round(len(span) / 16)), [], []
    for i, year in enumerate(span):
        height = (HEIGHT - AXIS - 14) * counts[year] / top
        x, y = i * SLOT + SLOT * 0.15, HEIGHT - AXIS - height
        out.append(
            f'<rect class="lp-bar" x="{x:.1f}" y="{y:.1f}" width="{SLOT * 0.7:.1f}" height="{height:.1f}">'
            f"<title>{year}: {counts[year]}</title></rect>"
        )
        if counts[year]:
            out.append(f'<text class="lp-bar-count" x="{x + SLOT * 0.35:.1f}" y="{y - 3:.1f}">{counts[year]}</text>')
        if i % every == 0 or year == span[-1]:
            ticks.append(f'<text class="lp-tick" x="{x + SLOT * 0.35:.1f}" y="{HEIGHT - 6}">{year}</text>')
    return "".join(out + ticks)


def _table(span: list[int], counts: Counter, words: Words, title: Markup) -> str:
    rows = "".join(f'<tr><th scope="row">{year}</th><td>{counts[year]}</td></tr>' for year in span if counts[year])
    return (
        f'<table class="lp-sr-only"><caption>{title}</caption><thead><tr><th scope="col">'
        f'{escape(words("year"))}</th><th scope="col">{escape(words("papers"))}</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
