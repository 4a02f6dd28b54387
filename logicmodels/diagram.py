"""The logic model as an SVG picture: columns by kind, boxes with wrapped text,
arrows for links, each indicator's status as a coloured mark. Pure function:
plain data in, SVG text out. Boxes are stacked per column, so they never
overlap however many there are."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

COLUMNS = [
    ("input", "Inputs"),
    ("activity", "Activities"),
    ("output", "Outputs"),
    ("short", "Short-term outcomes"),
    ("intermediate", "Intermediate outcomes"),
    ("long", "Long-term outcomes"),
    ("impact", "Impact"),
]
BAND = [("assumption", "Assumptions"), ("external", "External factors")]
STATUS_COLOURS = {
    "on_track": "#2e7d32",
    "at_risk": "#e08a00",
    "off_track": "#c62828",
    None: "#9aa5ad",
}
COLUMN_WIDTH = 190
BOX_WIDTH = 160
LINE_HEIGHT = 15
PADDING = 8
GAP = 12
TOP = 56
CHARS = 24


@dataclass
class Box:
    id: int
    kind: str
    text: str
    statuses: list[str | None] = field(default_factory=list)
    x: float = 0
    y: float = 0
    height: float = 0

    @property
    def lines(self) -> list[str]:
        return textwrap.wrap(self.text, CHARS)[:8] or [""]


def layout(boxes: list[Box]) -> tuple[float, float]:
    """Place boxes; returns the drawing's width and height."""
    heights = {}
    for index, (kind, _label) in enumerate(COLUMNS):
        y = TOP
        for box in (b for b in boxes if b.kind == kind):
            box.x = 20 + index * COLUMN_WIDTH
            box.y = y
            box.height = (
                len(box.lines) * LINE_HEIGHT + 2 * PADDING + (10 if box.statuses else 0)
            )
            y += box.height + GAP
        heights[kind] = y
    band_top = max(heights.values(), default=TOP) + 40
    x = 20
    y = band_top + 24
    width = 20 + len(COLUMNS) * COLUMN_WIDTH
    for kind, _label in BAND:
        for box in (b for b in boxes if b.kind == kind):
            box.height = len(box.lines) * LINE_HEIGHT + 2 * PADDING
            if x + BOX_WIDTH > width:
                x = 20
                y += 8 * LINE_HEIGHT + GAP
            box.x, box.y = x, y
            x += COLUMN_WIDTH
    bottom = max((b.y + b.height for b in boxes), default=TOP) + 30
    return width, max(bottom, band_top + 60)


def render(title: str, boxes: list[Box], links: list[tuple[int, int]]) -> str:
    width, height = layout(boxes)
    by_id = {box.id: box for box in boxes}
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height:.0f}" viewBox="0 0 {width} {height:.0f}" '
        'font-family="Liberation Sans, Arial, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#5b6770"/></marker></defs>',
        f'<rect width="{width}" height="{height:.0f}" fill="#ffffff"/>',
    ]
    for index, (_kind, label) in enumerate(COLUMNS):
        x = 20 + index * COLUMN_WIDTH
        parts.append(
            f'<text x="{x}" y="30" font-weight="bold" fill="#1d2a33">'
            f"{escape(label)}</text>"
        )
    if any(b.kind in dict(BAND) for b in boxes):
        band_y = min(b.y for b in boxes if b.kind in dict(BAND)) - 12
        parts.append(
            f'<text x="20" y="{band_y:.0f}" font-weight="bold" fill="#1d2a33">'
            "Assumptions and external factors</text>"
        )
    for source, target in links:
        a, b = by_id.get(source), by_id.get(target)
        if not a or not b:
            continue
        x1, y1 = a.x + BOX_WIDTH, a.y + a.height / 2
        x2, y2 = b.x, b.y + b.height / 2
        if x2 <= x1:  # same column or backwards: route around the left edge
            x1, x2 = a.x, b.x
            middle = min(a.x, b.x) - 14
            path = f"M{x1},{y1} C{middle},{y1} {middle},{y2} {x2},{y2}"
        else:
            middle = (x1 + x2) / 2
            path = f"M{x1},{y1} C{middle},{y1} {middle},{y2} {x2 - 2},{y2}"
        parts.append(
            f'<path d="{path}" fill="none" stroke="#5b6770" stroke-width="1.2" '
            f'marker-end="url(#arrow)" data-link="{source}-{target}"/>'
        )
    for box in boxes:
        fill = "#fff8e1" if box.kind in dict(BAND) else "#eef6f6"
        parts.append(
            f'<g data-element="{box.id}"><rect x="{box.x}" y="{box.y}" '
            f'width="{BOX_WIDTH}" height="{box.height}" rx="4" fill="{fill}" '
            'stroke="#007d7e"/>'
        )
        for number, line in enumerate(box.lines):
            baseline = box.y + PADDING + 11 + number * LINE_HEIGHT
            parts.append(
                f'<text x="{box.x + PADDING}" y="{baseline}" fill="#1d2a33">'
                f"{escape(line)}</text>"
            )
        for number, status in enumerate(box.statuses):
            colour = STATUS_COLOURS.get(status, STATUS_COLOURS[None])
            label = (status or "no check-in yet").replace("_", " ")
            parts.append(
                f'<circle cx="{box.x + PADDING + 5 + number * 14}" '
                f'cy="{box.y + box.height - 9}" r="5" fill="{colour}" '
                f'data-status="{status or "none"}"><title>Indicator: '
                f"{escape(label)}</title></circle>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)
