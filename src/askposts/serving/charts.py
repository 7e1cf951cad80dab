"""Plain SVG charts for the staff summary: no script, no external library, readable on a phone
(they scale to the screen's width), every bar titled with its number for screen readers and
for a pointer that rests on it. Everything shown is escaped."""
from __future__ import annotations

from html import escape

# A phone's width in CSS pixels, more or less: the text stays legible when the chart scales.
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 420, 200, 30, 30, 12


def stacked_weeks(weeks: list[dict], series: list[tuple[str, str, str]], title: str,
                  chart_id: str) -> str:
    """One bar a week, its parts stacked: ``series`` is (key, label, colour) bottom up."""
    totals = [sum(w[k] for k, _, _ in series) for w in weeks]
    top = max(totals + [1])
    plot_h = HEIGHT - BOTTOM - TOP
    step = (WIDTH - LEFT) / max(1, len(weeks))
    bar = max(2.0, step * 0.7)
    parts = [_axis(top)]
    for i, week in enumerate(weeks):
        x, y = LEFT + i * step + (step - bar) / 2, HEIGHT - BOTTOM
        for key, label, colour in series:
            h = plot_h * week[key] / top
            if week[key]:
                parts.append(
                    f'<rect class="barra" data-serie="{key}" data-valor="{week[key]}" '
                    f'x="{x:.1f}" y="{y - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                    f'fill="{colour}"><title>{escape(_day(week["start"]))}: '
                    f'{week[key]} {escape(label)}</title></rect>')
            y -= h
        if len(weeks) <= 6 or i % max(1, len(weeks) // 5) == 0:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'font-size="12" text-anchor="middle">{escape(_day(week["start"]))}'
                         '</text>')
    return _figure(chart_id, title, "".join(parts), _legend(series))


def hbars(items: list[tuple[str, int]], title: str, chart_id: str,
          colour: str = "#0b5394") -> str:
    """Horizontal bars, one per (label, count), in the order given."""
    if not items:
        return (f'<figure id="{chart_id}" class="grafico"><figcaption>{escape(title)}'
                '</figcaption><p class="meta">Sin datos en este periodo.</p></figure>')
    top = max(n for _, n in items) or 1
    row, label_w = 26, 150
    height = row * len(items) + 8
    parts = []
    for i, (label, n) in enumerate(items):
        y, w = 4 + i * row, (WIDTH - label_w - 60) * n / top
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" font-size="13" text-anchor="end">'
            f'{escape(_short(label))}</text><rect class="barra" data-valor="{n}" x="{label_w}" '
            f'y="{y + 3}" width="{max(w, 1):.1f}" height="{row - 8}" fill="{colour}">'
            f'<title>{escape(label)}: {n}</title></rect><text x="{label_w + w + 6:.1f}" '
            f'y="{y + 16}" font-size="13">{n}</text>')
    return _figure(chart_id, title, "".join(parts), "", height)


def _axis(top: int) -> str:
    base = HEIGHT - BOTTOM
    return (f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="#888"/>'
            f'<text x="{LEFT - 4}" y="{TOP + 4}" font-size="12" text-anchor="end">{top}</text>'
            f'<text x="{LEFT - 4}" y="{base}" font-size="12" text-anchor="end">0</text>'
            f'<line x1="{LEFT}" y1="{TOP}" x2="{WIDTH}" y2="{TOP}" stroke="#ddd"/>')


def _legend(series: list[tuple[str, str, str]]) -> str:
    return '<p class="leyenda">' + " ".join(
        f'<span><span style="display:inline-block;width:.8em;height:.8em;background:{c}">'
        f'</span> {escape(label)}</span>' for _, label, c in series) + "</p>"


def _figure(chart_id: str, title: str, body: str, after: str, height: int = HEIGHT) -> str:
    return (f'<figure id="{chart_id}" class="grafico"><figcaption>{escape(title)}</figcaption>'
            f'<svg viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
            f'aria-label="{escape(title)}" style="max-width:{WIDTH}px">{body}</svg>{after}'
            '</figure>')


def _short(label: str, most: int = 22) -> str:
    """A long title cut to fit beside its bar (the whole one is in the bar's title)."""
    return label if len(label) <= most else label[:most - 1] + "…"


def _day(iso: str) -> str:
    """«17 nov» for 2026-11-17 (the week's Monday)."""
    months = "ene feb mar abr may jun jul ago sep oct nov dic".split()
    year, month, day = iso.split("-")
    return f"{int(day)} {months[int(month) - 1]}"
