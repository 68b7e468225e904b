"""Server-side SVG charts of evaluation results, drawn like the attendance charts (attendance.svg):
pure functions, presentation attributes only (the CSP allows no inline style), every text escaped."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from eventapp.attendance.svg import BRAND, FONT, MUTED
from eventapp.evaluations.models import RATING_MAX

INK = "#1d2733"
ROW, LABEL_CHARS = 26, 30
CHAR_W = 7.2  # about one character of the 13 px chart font: labels are clipped to fit their column


def _label(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _top(show_title: bool) -> int:
    return 30 if show_title else 4


def _svg(width: int, rows: int, title: str, body: list[str], show_title: bool) -> Markup:
    """The chart's frame; the title is always its accessible name, drawn only when asked (a
    question's chart sits under the question, which says it already)."""
    height = _top(show_title) + ROW * max(rows, 1) + 6
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart chart-bars" '
            f'aria-label="{escape(title)}" font-family="{FONT}" font-size="13"><title>{escape(title)}</title>')
    if show_title:
        head += f'<text x="0" y="18" font-weight="600" font-size="14" fill="{INK}">{escape(title)}</text>'
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every text piece is escaped


def count_bars(items: Sequence[tuple[str, int]], title: str, width: int = 640, *,
               show_title: bool = False) -> Markup:
    """How many respondents gave each answer (a rating's 5 to 1, or a choice's options), with shares."""
    total = sum(n for _, n in items) or 1
    label_w = 240
    limit = int((label_w - 12) / CHAR_W)
    bar_w = width - label_w - 90
    top = max((n for _, n in items), default=0) or 1
    body = []
    for i, (label, n) in enumerate(items):
        y = _top(show_title) + i * ROW
        length = bar_w * n / top
        body.append(f'<g><title>{escape(label)}</title><text x="{label_w - 8}" y="{y + 16}" text-anchor="end" '
                    f'fill="{INK}">{escape(_label(label, limit))}</text></g>')
        body.append(f'<rect x="{label_w}" y="{y + 4}" width="{bar_w:.1f}" height="16" fill="{MUTED}" opacity="0.35"/>')
        body.append(f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="16" fill="{BRAND}"/>')
        body.append(f'<text x="{label_w + bar_w + 6}" y="{y + 16}" fill="{INK}">{n} ({round(100 * n / total)}%)</text>')
    return _svg(width, len(items), title, body, show_title)


def score_bars(items: Sequence[tuple[str, float | None, int]], title: str, width: int = 640, *,
               show_title: bool = True) -> Markup:
    """Average ratings out of 5, one bar per (label, average, respondents); "—" without answers."""
    label_w = 280
    limit = int((label_w - 12) / CHAR_W)
    bar_w = width - label_w - 90
    body = []
    for i, (label, average, n) in enumerate(items):
        y = _top(show_title) + i * ROW
        body.append(f'<g><title>{escape(label)}</title><text x="{label_w - 8}" y="{y + 16}" text-anchor="end" '
                    f'fill="{INK}">{escape(_label(label, limit))}</text></g>')
        body.append(f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="16" fill="{MUTED}" opacity="0.35"/>')
        if average is not None:
            body.append(f'<rect x="{label_w}" y="{y + 4}" width="{bar_w * average / RATING_MAX:.1f}" height="16" '
                        f'fill="{BRAND}"/>')
        shown = f"{average:.1f}/5 ({n})" if average is not None else "—"
        body.append(f'<text x="{label_w + bar_w + 6}" y="{y + 16}" fill="{INK}">{escape(shown)}</text>')
    return _svg(width, len(items), title, body, show_title)
