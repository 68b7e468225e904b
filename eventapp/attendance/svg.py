"""Server-side SVG charts (pure): horizontal bars and a heat map, presentation attributes only (CSP)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

FONT = "system-ui, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif"
BRAND = "#0b4f8a"
MUTED = "#c9d6e4"
EMPTY = "#eef1f5"


def _text(x: float, y: float, value: object, **attrs: object) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(value)}</text>'


def _clip(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


BAR_CHAR_W = 7.2  # about one character of the 13 px bar-chart font


def bar_chart(items: Sequence[tuple[str, int, int]], title: str, width: int = 640) -> Markup:
    """Attended-of-registered bars, one per (label, attended, registered).

    The label column is as wide as the longest label (up to 48 characters, then the bars get at
    least half the width): a provincial department's name is read whole, not cut after 30
    characters; a longer one is clipped with its full name as the tooltip."""
    row_h, top = 26, 30
    longest = max((len(label) for label, _, _ in items), default=10)
    label_w = int(min(max(longest, 10), 48) * BAR_CHAR_W) + 12
    width = max(width, label_w * 2)
    height = top + row_h * max(len(items), 1) + 10
    scale = max([registered for _, _, registered in items] + [1])
    bar_w = width - label_w - 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" aria-label="{escape(title)}" font-family="{FONT}" font-size="13">',
        f"<title>{escape(title)}</title>",
        _text(0, 18, title, font_weight="600", font_size="14", fill="#1d2733"),
    ]
    for i, (label, attended, registered) in enumerate(items):
        y = top + i * row_h
        full = bar_w * registered / scale
        done = bar_w * min(attended, registered or attended) / scale if registered else 0
        parts.append(f"<g><title>{escape(label)}</title>"
                     + _text(label_w - 8, y + 16, _clip(label, 48), text_anchor="end", fill="#1d2733") + "</g>")
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{full:.1f}" height="16" fill="{MUTED}"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{done:.1f}" height="16" fill="{BRAND}"/>')
        parts.append(_text(label_w + full + 6, y + 16, f"{attended}/{registered}", fill="#1d2733"))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text piece above is escaped


def heat_colour(rate: float | None) -> str:
    """White-to-brand scale for a rate in 0..1 (capped); grey when there is no rate."""
    if rate is None:
        return EMPTY
    t = max(0.0, min(rate, 1.0))
    start, end = (247, 250, 253), (11, 79, 138)
    r, g, b = (round(s + (e - s) * t) for s, e in zip(start, end, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


LEGEND_STEPS = (0.0, 0.25, 0.5, 0.75, 1.0)
CHAR_W = 6.6  # about one character of the 12 px chart font


def heat_map(row_labels: Sequence[str], col_labels: Sequence[str],
             cells: Sequence[Sequence[tuple[float | None, str] | None]], title: str, *,
             row_titles: Sequence[str] | None = None, legend: Sequence[str] | None = None) -> Markup:
    """A grid coloured by rate; each cell is (rate, text) or None (the site did not take part).

    Row labels are drawn whole (the label column is as wide as the longest, up to 48 characters);
    `row_titles` are the full names shown as tooltips; `legend` = (0 %, 100 %, not taking part)
    words under the grid with the colour scale.
    """
    cell_w, cell_h, top = 58, 24, 80
    longest = max((len(label) for label in row_labels), default=10)
    label_w = int(min(max(longest, 10), 48) * CHAR_W) + 16
    width = max(label_w + cell_w * max(len(col_labels), 1) + 10, 460 if legend else 0)
    grid_bottom = top + cell_h * max(len(row_labels), 1)
    height = grid_bottom + (44 if legend else 10)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart heat-map" aria-label="{escape(title)}" font-family="{FONT}" font-size="12">',
        f"<title>{escape(title)}</title>",
        _text(0, 16, title, font_weight="600", font_size="14", fill="#1d2733"),
    ]
    for j, label in enumerate(col_labels):
        x = label_w + j * cell_w + cell_w / 2
        parts.append(f'<text x="{x:.1f}" y="{top - 6}" transform="rotate(-40 {x:.1f} {top - 6})" '
                     f'fill="#1d2733">{escape(label)}</text>')
    for i, label in enumerate(row_labels):
        y = top + i * cell_h
        full = row_titles[i] if row_titles else label
        parts.append(f'<g><title>{escape(full)}</title>'
                     + _text(label_w - 8, y + 16, _clip(label, 48), text_anchor="end", fill="#1d2733") + "</g>")
        for j, cell in enumerate(cells[i]):
            x = label_w + j * cell_w
            rate, text = cell if cell is not None else (None, "")
            fill = heat_colour(rate) if cell is not None else "#ffffff"
            ink = "#ffffff" if rate is not None and rate > 0.55 else "#1d2733"
            parts.append(f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                         f'fill="{fill}" stroke="#dde4ee"/>')
            if text:
                parts.append(_text(x + (cell_w - 2) / 2, y + 15, text, text_anchor="middle", fill=ink))
    if legend:
        parts.append(_legend(legend, grid_bottom + 14))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text piece above is escaped


def _legend(words: Sequence[str], y: float) -> str:
    """The colour scale from 0 % to 100 % attendance, then the white "did not take part" box."""
    low, high, absent = words
    parts = ['<g class="heat-legend">', _text(0, y + 13, low, fill="#1d2733")]
    x = len(low) * CHAR_W + 8
    for step in LEGEND_STEPS:
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="28" height="18" fill="{heat_colour(step)}" stroke="#dde4ee"/>')
        x += 30
    parts.append(_text(x + 6, y + 13, high, fill="#1d2733"))
    x += 6 + len(high) * CHAR_W + 24
    parts.append(f'<rect x="{x:.1f}" y="{y}" width="28" height="18" fill="#ffffff" stroke="#dde4ee"/>')
    parts.append(_text(x + 34, y + 13, absent, fill="#1d2733"))
    parts.append("</g>")
    return "".join(parts)
