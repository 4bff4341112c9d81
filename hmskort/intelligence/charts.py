"""A tiny server-side SVG renderer for bar and line charts.

Accessible by construction: every chart is an `<svg role="img">` with a
`<title>` and a `<desc>` (referenced by aria-labelledby), and the page shows the
same numbers in a table under it (`Chart.table_rows`). No JavaScript.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

#: Colour-blind-safe palette (Okabe-Ito), dark enough against white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

_ids = itertools.count(1)

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 60, 16, 16, 64


@dataclass
class Chart:
    title: str
    desc: str
    categories: Sequence[str]
    series: Sequence[tuple[str, Sequence[float]]]
    kind: str = "bar"  # "bar" or "line"
    unit: str = ""
    category_header: str = ""
    chart_id: str = field(default_factory=lambda: f"chart-{next(_ids)}")

    @property
    def empty(self) -> bool:
        return not self.series or not any(any(v) for _n, v in self.series)

    @property
    def table_headers(self) -> list[str]:
        return [self.category_header, *(name for name, _v in self.series)]

    @property
    def table_rows(self) -> list[list]:
        return [
            [category, *(_fmt(values[i]) for _n, values in self.series)]
            for i, category in enumerate(self.categories)
        ]

    def svg(self) -> SafeString:
        return mark_safe(render_svg(self))  # noqa: S308 - every text is escaped


def _fmt(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return f"{int(value):,}".replace(",", "\u00a0")


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def render_svg(chart: Chart) -> str:
    cid = escape(chart.chart_id)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    top_value = _nice_max(max((max(v, default=0) for _n, v in chart.series), default=0))
    n = max(len(chart.categories), 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="chart" role="img" aria-labelledby="{cid}-title {cid}-desc" id="{cid}">',
        f'<title id="{cid}-title">{escape(chart.title)}</title>',
        f'<desc id="{cid}-desc">{escape(chart.desc)}</desc>',
    ]
    # Axes and gridlines (4 steps).
    for i in range(5):
        value = top_value * i / 4
        y = TOP + plot_h - plot_h * i / 4
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#c8c8c8" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{escape(_fmt(value))}</text>"
        )
    slot = plot_w / n
    label_every = max(1, math.ceil(n / 12))
    for i, category in enumerate(chart.categories):
        if i % label_every:
            continue
        x = LEFT + slot * (i + 0.5)
        out.append(
            f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" font-size="11">'
            f"{escape(str(category))}</text>"
        )
    k = max(len(chart.series), 1)
    for s, (name, values) in enumerate(chart.series):
        colour = PALETTE[s % len(PALETTE)]
        if chart.kind == "line":
            points = [
                (LEFT + slot * (i + 0.5), TOP + plot_h - plot_h * (v / top_value))
                for i, v in enumerate(values)
            ]
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            out.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{path}">'
                f"<title>{escape(name)}</title></polyline>"
            )
            for (x, y), v, category in zip(points, values, chart.categories, strict=False):
                out.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                    f"<title>{escape(name)} {escape(str(category))}: {escape(_fmt(v))}</title>"
                    "</circle>"
                )
        else:
            bar_w = slot * 0.8 / k
            for i, (v, category) in enumerate(zip(values, chart.categories, strict=False)):
                h = plot_h * (v / top_value)
                x = LEFT + slot * i + slot * 0.1 + bar_w * s
                out.append(
                    f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w:.1f}" '
                    f'height="{h:.1f}" fill="{colour}">'
                    f"<title>{escape(name)} {escape(str(category))}: {escape(_fmt(v))}</title>"
                    "</rect>"
                )
    # Legend.
    x = LEFT
    for s, (name, _values) in enumerate(chart.series):
        colour = PALETTE[s % len(PALETTE)]
        y = HEIGHT - 20
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="{y}" font-size="12">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    out.append("</svg>")
    return "".join(out)
