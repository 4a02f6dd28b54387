"""Server-rendered SVG charts: plain data in, accessible SVG markup out.

Each chart carries a <title> and <desc> and sits beside a table with the same
numbers, so it reads without colour or sight."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#007d7e", "#e27d2f", "#5b4ea3", "#c0392b", "#2e86c1", "#7d8c2d"]
INK = "#1d2a33"
GRID = "#d9dde0"


def _fmt(value: float, unit: str) -> str:
    text = (
        f"{value:.1f}".rstrip("0").rstrip(".")
        if isinstance(value, float)
        else str(value)
    )
    return f"{text}{unit}"


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, float | None]],
    *,
    unit: str = "",
    max_value: float | None = None,
    colour: str = PALETTE[0],
    label_width: int = 230,
    width: int = 640,
) -> SafeString:
    """Horizontal bars, one per row; None draws as 'hidden'."""
    bar_height, gap, top = 22, 8, 8
    height = top + len(rows) * (bar_height + gap) + 8
    values = [v for _, v in rows if v is not None]
    scale_max = max_value or (max(values) if values else 1) or 1
    plot = width - label_width - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} '
        f'{max(height, 40)}" width="100%" style="max-width:{width}px" '
        f'font-family="system-ui, sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
        "<desc>"
        + escape("; ".join(f"{label}: {_desc(v, unit)}" for label, v in rows))
        + "</desc>",
    ]
    if not rows:
        parts.append(
            f'<text x="0" y="24" fill="{INK}">Nothing to show yet.</text></svg>'
        )
        return mark_safe("".join(parts))  # noqa: S308 - every text is escaped
    for index, (label, value) in enumerate(rows):
        y = top + index * (bar_height + gap)
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" '
            f'fill="{INK}">{escape(short)}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{plot}" height="{bar_height}" '
            f'fill="{GRID}" opacity="0.35"/>'
        )
        if value is None:
            parts.append(
                f'<text x="{label_width + 6}" y="{y + 15}" fill="#5b6770">'
                "hidden (fewer than 3 answers)</text>"
            )
            continue
        length = max(0.0, min(1.0, value / scale_max)) * plot
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" '
            f'height="{bar_height}" fill="{colour}" rx="2"/>'
        )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + 15}" '
            f'fill="{INK}">{escape(_fmt(value, unit))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped


def line_chart(
    title: str,
    x_labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    y_min: float = 1,
    y_max: float = 5,
    width: int = 760,
    height: int = 260,
) -> SafeString:
    """Lines over time (e.g. health-check rounds); gaps where a value is hidden."""
    left, right, top, bottom = 80, 270, 12, 40
    plot_w = width - left - right
    plot_h = height - top - bottom
    count = max(len(x_labels), 1)

    def x(i):
        return left + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(v):
        return top + plot_h - (v - y_min) / (y_max - y_min) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} '
        f'{height}" width="100%" style="max-width:{width}px" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        "<desc>"
        + escape(
            "; ".join(
                f"{name}: "
                + ", ".join(
                    f"{lbl} {_desc(v, '')}"
                    for lbl, v in zip(x_labels, values, strict=False)
                )
                for name, values in series.items()
            )
        )
        + "</desc>",
    ]
    for tick in range(int(y_min), int(y_max) + 1):
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 8}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'fill="{INK}">{tick}</text>'
        )
    for i, label in enumerate(x_labels):
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - 14}" text-anchor="middle" '
            f'fill="{INK}">{escape(label[:24])}</text>'
        )
    for n, (name, values) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        points = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" '
                'stroke-width="2.5"/>'
            )
        for px, py in points:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{colour}"/>')
        legend_y = top + 16 + n * 20
        parts.append(
            f'<rect x="{left + plot_w + 16}" y="{legend_y - 10}" width="12" '
            f'height="12" fill="{colour}"/><text x="{left + plot_w + 34}" '
            f'y="{legend_y}" fill="{INK}">{escape(name[:38])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped


def _desc(value, unit):
    return "hidden" if value is None else _fmt(value, unit)
