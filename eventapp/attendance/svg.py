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


def bar_chart(items: Sequence[tuple[str, int, int]], title: str, width: int = 640) -> Markup:
    """Attended-of-registered bars, one per (label, attended, registered)."""
    row_h, label_w, top = 26, 220, 30
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
        parts.append(_text(label_w - 8, y + 16, _clip(label, 30), text_anchor="end", fill="#1d2733"))
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


def heat_map(row_labels: Sequence[str], col_labels: Sequence[str],
             cells: Sequence[Sequence[tuple[float | None, str] | None]], title: str) -> Markup:
    """A grid coloured by rate; each cell is (rate, text) or None (the site did not take part)."""
    cell_w, cell_h, label_w, top = 58, 24, 200, 80
    width = label_w + cell_w * max(len(col_labels), 1) + 10
    height = top + cell_h * max(len(row_labels), 1) + 10
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
        parts.append(_text(label_w - 8, y + 16, _clip(label, 28), text_anchor="end", fill="#1d2733"))
        for j, cell in enumerate(cells[i]):
            x = label_w + j * cell_w
            rate, text = cell if cell is not None else (None, "")
            fill = heat_colour(rate) if cell is not None else "#ffffff"
            ink = "#ffffff" if rate is not None and rate > 0.55 else "#1d2733"
            parts.append(f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                         f'fill="{fill}" stroke="#dde4ee"/>')
            if text:
                parts.append(_text(x + (cell_w - 2) / 2, y + 15, text, text_anchor="middle", fill=ink))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text piece above is escaped
