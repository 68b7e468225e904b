"""The per-unit chart of the questions report (pure SVG, presentation attributes only, for the CSP)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

FONT = "system-ui, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif"
ANSWERED, OVERDUE, WAITING = "#1f7a4d", "#b42318", "#c9d6e4"


def unit_chart(rows: Sequence[tuple[str, int, int, int]], title: str, legend: tuple[str, str, str],
               width: int = 680) -> Markup:
    """Stacked bars per unit: (name, answered, overdue, assigned); the rest of assigned is waiting."""
    line, left, top = 24, 250, 46
    height = top + line * max(len(rows), 1) + 8
    most = max([assigned for *_rest, assigned in rows] + [1])
    room = width - left - 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
           f'aria-label="{escape(title)}" font-family="{FONT}" font-size="12">', f"<title>{escape(title)}</title>",
           f'<text x="0" y="16" font-size="14" font-weight="600" fill="#1d2733">{escape(title)}</text>']
    x = 0
    for colour, label in zip((ANSWERED, OVERDUE, WAITING), legend, strict=True):
        out.append(f'<rect x="{x}" y="26" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{x + 14}" y="35" fill="#1d2733">{escape(label)}</text>')
        x += 24 + 7 * len(str(label))
    for index, (name, answered, overdue, assigned) in enumerate(rows):
        y = top + index * line
        short = name if len(name) <= 38 else name[:37] + "…"
        out.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" fill="#1d2733">{escape(short)}</text>')
        offset = float(left)
        for count, colour in ((answered, ANSWERED), (overdue, OVERDUE), (assigned - answered - overdue, WAITING)):
            span = room * max(count, 0) / most
            if span:
                out.append(f'<rect x="{offset:.1f}" y="{y + 3}" width="{span:.1f}" height="15" fill="{colour}"/>')
            offset += span
        out.append(f'<text x="{offset + 5:.1f}" y="{y + 14}" fill="#1d2733">{answered}/{assigned}</text>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every piece of text above is escaped
