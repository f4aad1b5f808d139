"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, render in any
browser (and headless Chromium) as soon as the HTML arrives.

Every mark carries data-label / data-value attributes and a <title> tooltip, so
the figures can be read by people hovering and by the browser tests. All text
goes through format_html, which escapes it.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

# The charts' font and their scaling (at most their own width) are in
# analytics/static/analytics/dashboard.css: no style attributes, so the
# Content-Security-Policy can forbid inline styles.


def _join(parts) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) or hasattr(value, "quantize"):
        return f"{value:,.0f}".replace(",", " ") if abs(value) >= 100 else f"{value:.1f}"
    return f"{value:,}".replace(",", " ")


def empty(chart_id: str, message: str = "") -> SafeString:
    message = message or gettext("No data for these dates.")
    return format_html('<p class="chart-empty" data-chart="{}">{}</p>', chart_id, message)


def hbar(chart_id: str, items: list[tuple[str, float | None, str]], *, unit: str = "", width: int = 520) -> SafeString:
    """Horizontal bars: items are (label, value, colour)."""
    if not items or not any(value for _, value, _ in items):
        return empty(chart_id)
    label_w, bar_h, gap = 150, 22, 8
    top = max((value or 0) for _, value, _ in items) or 1
    height = len(items) * (bar_h + gap) + gap
    bars = []
    for index, (label, value, colour) in enumerate(items):
        y = gap + index * (bar_h + gap)
        length = int((width - label_w - 90) * (value or 0) / top)
        text = f"{_number(value)}{unit}"
        bars.append(
            format_html(
                '<g class="bar" data-label="{label}" data-value="{raw}"><title>{label}: {text}</title>'
                '<text x="{lx}" y="{ty}" text-anchor="end">{label}</text>'
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="3" fill="{colour}"></rect>'
                '<text x="{vx}" y="{ty}">{text}</text></g>',
                label=label,
                raw="" if value is None else value,
                text=text,
                lx=label_w - 8,
                ty=y + bar_h - 7,
                x=label_w,
                y=y,
                w=max(length, 1 if value else 0),
                h=bar_h,
                colour=colour,
                vx=label_w + length + 6,
            )
        )
    return format_html(
        '<svg class="chart" data-chart="{}" viewBox="0 0 {} {}" width="{}" role="img">{}</svg>',
        chart_id,
        width,
        height,
        width,
        _join(bars),
    )


def stacked_columns(
    chart_id: str,
    columns: list[str],
    series: list[tuple[str, str, list[int]]],
    *,
    ticks: list[str] | None = None,
    width: int = 760,
    height: int = 260,
) -> SafeString:
    """Stacked columns: one per entry of ``columns`` (e.g. days); series are
    (label, colour, values aligned with columns); ``ticks`` the short labels
    under the columns (default: the column labels)."""
    ticks = ticks or columns
    totals = [sum(values[i] for _, _, values in series) for i in range(len(columns))]
    if not columns or not any(totals):
        return empty(chart_id)
    left, bottom, top_pad, legend_h = 36, 34, 10, 22
    plot_h = height - bottom - top_pad - legend_h
    plot_w = width - left - 10
    step = plot_w / len(columns)
    col_w = min(max(step * 0.7, 2), 48)
    peak = max(totals) or 1
    parts = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"></line>'
            '<text x="{}" y="{}" text-anchor="end">{}</text>',
            left,
            top_pad + plot_h,
            width - 10,
            top_pad + plot_h,
            left - 4,
            top_pad + 8,
            peak,
        )
    ]
    label_every = max(1, len(columns) // 10)
    for i, column in enumerate(columns):
        x = left + i * step + (step - col_w) / 2
        y = top_pad + plot_h
        segments = []
        for label, colour, values in series:
            value = values[i]
            if not value:
                continue
            h = plot_h * value / peak
            y -= h
            segments.append(
                format_html(
                    '<rect class="segment" x="{}" y="{}" width="{}" height="{}" fill="{}" '
                    'data-label="{}" data-value="{}"><title>{} {}: {}</title></rect>',
                    f"{x:.1f}",
                    f"{y:.1f}",
                    f"{col_w:.1f}",
                    f"{h:.1f}",
                    colour,
                    label,
                    value,
                    column,
                    label,
                    value,
                )
            )
        parts.append(
            format_html('<g class="column" data-label="{}" data-value="{}">{}</g>', column, totals[i], _join(segments))
        )
        if i % label_every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                    f"{x + col_w / 2:.1f}",
                    top_pad + plot_h + 14,
                    ticks[i],
                )
            )
    legend = []
    lx = left
    for label, colour, values in series:
        if not any(values):
            continue
        legend.append(
            format_html(
                '<rect x="{}" y="{}" width="10" height="10" fill="{}"></rect><text x="{}" y="{}">{}</text>',
                lx,
                height - 14,
                colour,
                lx + 14,
                height - 5,
                label,
            )
        )
        lx += 14 + 7 * len(label) + 16
    return format_html(
        '<svg class="chart" data-chart="{}" viewBox="0 0 {} {}" width="{}" role="img">{}{}</svg>',
        chart_id,
        width,
        height,
        width,
        _join(parts),
        _join(legend),
    )


def heat_colour(percent: float | None) -> str:
    """White (idle) through amber to deep red (full)."""
    if percent is None:
        return "#f5f5f5"
    p = max(0.0, min(float(percent), 100.0)) / 100
    red, green, blue = 255, int(243 - 170 * p), int(224 - 200 * p)
    return f"#{red:02x}{green:02x}{blue:02x}"


def heatmap(
    chart_id: str, rows: list[tuple[str, list[float | None]]], columns: list[str], *, cell_w: int = 80, cell_h: int = 28
) -> SafeString:
    """Rows (e.g. rooms) × columns (e.g. weekdays); cells are percentages."""
    if not rows:
        return empty(chart_id)
    label_w, head_h = 130, 22
    width = label_w + cell_w * len(columns) + 4
    height = head_h + cell_h * len(rows) + 4
    parts = [
        format_html('<text x="{}" y="{}" text-anchor="middle">{}</text>', label_w + i * cell_w + cell_w / 2, 15, c)
        for i, c in enumerate(columns)
    ]
    for r, (label, values) in enumerate(rows):
        y = head_h + r * cell_h
        parts.append(format_html('<text x="{}" y="{}" text-anchor="end">{}</text>', label_w - 8, y + cell_h - 9, label))
        for c, value in enumerate(values):
            text = "—" if value is None else f"{value:.0f}%"
            parts.append(
                format_html(
                    '<g class="cell" data-label="{} {}" data-value="{}"><title>{}, {}: {}</title>'
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#fff"></rect>'
                    '<text x="{}" y="{}" text-anchor="middle">{}</text></g>',
                    label,
                    columns[c],
                    "" if value is None else f"{value:.1f}",
                    label,
                    columns[c],
                    text,
                    label_w + c * cell_w,
                    y,
                    cell_w,
                    cell_h,
                    heat_colour(value),
                    label_w + c * cell_w + cell_w / 2,
                    y + cell_h - 9,
                    text,
                )
            )
    return format_html(
        '<svg class="chart" data-chart="{}" viewBox="0 0 {} {}" width="{}" role="img">{}</svg>',
        chart_id,
        width,
        height,
        width,
        _join(parts),
    )
