"""Server-rendered SVG graphs: questionnaire trajectories and the practice's outcome rates.

A pure function: no Django, no database, so a view, a template tag or a printed report can call it and
the tests run in milliseconds. The chart must work without JavaScript and under a Content Security
Policy that forbids inline styles, so it uses presentation attributes only (never ``style``) and
``chart-*`` classes a print stylesheet can target. Colour is never the only cue: every zone carries its
label, medicine sessions are dashed lines with a legend, and ``<desc>`` repeats the data in words.
"""

from __future__ import annotations

import math
import zlib
import zoneinfo
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from html import escape

from kapstone.clinical.instruments import format_score
from kapstone.clinical.instruments.model import DASH, Band, Instrument, Number

# The site's palette (kapstone.css): dark ink for text, a muted grey for axes, one accent for the data.
INK = "#1b2a3a"
MUTED = "#4f5d6b"
ACCENT = "#1f5f5b"
# Light fills so dark ink stays far above AA on every zone; reds only at the severe end (ui.md: red = out
# of range). The zone label, not the fill, carries the meaning.
BAND_FILLS = {
    "none": "#e3f1e6",
    "mild": "#fbf3cf",
    "moderate": "#fde4c4",
    "moderately_severe": "#f9d5cc",
    "severe": "#f5c6c6",
    "very_severe": "#efb5b5",
}
DIRECTION_TEXT = {"higher_is_worse": "higher = worse", "higher_is_better": "higher = better"}
# Fixed English abbreviations: strftime("%b") would follow the process locale.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FONT = 10  # px in viewBox units; band labels, ticks and the legend
TOP, BOTTOM, LEFT, RIGHT = 26, 44, 40, 8  # margins: caption above, tick labels and legend below
INSET = 10  # keeps the first and last points off the axes


def num(x: float) -> str:
    """Coordinates with at most one decimal: keeps the markup small and diffs stable."""
    text = f"{x:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def aware_time(moment: datetime) -> datetime:
    # A naive datetime would silently be read in the server's zone and land on the wrong day.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"chart times must be timezone-aware, got {moment!r}")
    return moment


def nice_step(span: float) -> float:
    raw = span / 6  # about six labelled ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw - 1e-9)


def _zones(instrument: Instrument, lo: float, hi: float) -> list[tuple[Band, float, float]]:
    """Each numeric band as a (band, bottom, top) zone, clipped to the axis.

    Integer bands leave gaps (PHQ-9 Minimal 0-4, Mild 5-9); the zones meet halfway (4.5) so the shading
    is continuous and a one-value band (RASS 0) still gets a visible strip.
    """
    bands = sorted(
        (b for b in instrument.bands if b.min is not None and b.max is not None), key=lambda b: b.min
    )
    zones = []
    for i, band in enumerate(bands):
        below = bands[i - 1] if i else None
        above = bands[i + 1] if i + 1 < len(bands) else None
        bottom = (below.max + band.min) / 2 if below and below.max < band.min else band.min
        top = (band.max + above.min) / 2 if above and band.max < above.min else band.max
        bottom, top = max(bottom, lo), min(top, hi)
        if top > bottom:
            zones.append((band, bottom, top))
    return zones


def _band_for(zones: list[tuple[Band, float, float]], value: float) -> Band | None:
    exact = next((b for b, _, _ in zones if b.min <= value <= b.max), None)
    return exact or next((b for b, bottom, top in zones if bottom <= value <= top), None)


def _x_tick_days(first: date, last: date) -> list[date]:
    """A few readable days: daily, every 2 days or weekly for short spans, else month starts."""
    days = (last - first).days
    if days <= 35:
        step = 1 if days <= 7 else 2 if days <= 14 else 7
        return [first + timedelta(days=k) for k in range(0, days + 1, step)]
    months = (last.year - first.year) * 12 + last.month - first.month
    step = next((m for m in (1, 2, 3, 6, 12) if months <= 6 * m), 12 * math.ceil(months / 72))
    start = first.year * 12 + first.month - 1 + (first.day > 1)  # first month start on or after `first`
    ticks = (date(i // 12, i % 12 + 1, 1) for i in range(start, start + months + 1, step))
    return [d for d in ticks if d <= last]


def svg_text(x: float, y: float, text: str, cls: str, *, anchor: str = "start", extra: str = "") -> str:
    return (
        f'<text class="{cls}" x="{num(x)}" y="{num(y)}" font-size="{FONT}" fill="{INK}" '
        f'text-anchor="{anchor}"{extra}>{escape(text)}</text>'
    )


def trajectory_svg(
    instrument: Instrument,
    points: Sequence[tuple[datetime, Number]],
    markers: Sequence[tuple[datetime, str]] = (),
    *,
    zone: zoneinfo.ZoneInfo,
    width: int = 640,
    height: int = 260,
    title: str | None = None,
) -> str:
    """One self-contained ``<svg>`` of an instrument's totals over time, in the practice's time zone.

    ``points`` are ``(aware datetime, total)`` in any order; ``markers`` are ``(aware datetime, label)``
    for medicine sessions. Band zones come from the instrument; the axis from its ``total_range`` (or
    the data when it has none).
    """
    title = title or f"{instrument.short_name} over time"
    points = sorted(((aware_time(t), v) for t, v in points), key=lambda p: p[0])
    markers = sorted(((aware_time(t), str(label)) for t, label in markers), key=lambda m: m[0])
    # Several charts share a page, so ids must differ; derive them from the content to stay deterministic.
    uid = escape(f"chart-{instrument.id}-{zlib.crc32(repr((points, markers)).encode()):08x}")

    def day(moment: datetime) -> date:
        return moment.astimezone(zone).date()

    def svg(h: int, desc: str, body: list[str]) -> str:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-trajectory" role="img" '
            f'viewBox="0 0 {width} {h}" width="100%" aria-labelledby="{uid}-title" '
            f'aria-describedby="{uid}-desc" font-family="system-ui, -apple-system, Segoe UI, sans-serif">'
        )
        head_parts = [head, f'<title id="{uid}-title">{escape(title)}</title>']
        return "\n".join([*head_parts, f'<desc id="{uid}-desc">{escape(desc)}</desc>', *body, "</svg>"])

    if not points:
        # The empty state is worded, not blank, so the chart slot never looks broken.
        return svg(40, "No scores yet.", [svg_text(8, 24, "No scores yet", "chart-empty")])

    values = [float(v) for _, v in points]

    def fmt(value: float) -> str:
        # As the instrument reports it (a sum whole, an EBI mean to one decimal): one rule for every page.
        return format_score(instrument, value)

    # Y axis: the instrument's full range so charts of different clients compare at a glance; stretched
    # if a stored total falls outside it, and the data's own extent when the instrument has no range.
    if instrument.total_range:
        lo, hi = (
            min(float(instrument.total_range[0]), *values),
            max(float(instrument.total_range[1]), *values),
        )
        step = nice_step(hi - lo)
    else:
        lo, hi = min(values), max(values)
        if hi - lo < 2:
            lo, hi = (lo + hi) / 2 - 1, (lo + hi) / 2 + 1
        step = nice_step(hi - lo)
        lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    zones = _zones(instrument, lo, hi)

    # The band labels sit at the right edge of their zones, in a gutter the data never enters.
    gutter = min(max(len(b.label) for b, _, _ in zones) * 5.6 + 12, width * 0.4) if zones else 0
    plot_top, plot_bottom = TOP, height - BOTTOM
    zone_right = width - RIGHT
    x_lo, x_hi = LEFT + INSET, zone_right - gutter - INSET

    def y(value: float) -> float:
        return plot_bottom - (value - lo) / (hi - lo) * (plot_bottom - plot_top)

    # X axis: whole local days, from the first to the last score or session, so markers outside the
    # scores' span widen it and a single score still has a day to sit in.
    moments = [t for t, _ in points] + [t for t, _ in markers]
    first_day, last_day = day(min(moments)), day(max(moments))
    t_lo = datetime.combine(first_day, time(0), tzinfo=zone).timestamp()
    t_hi = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone).timestamp()

    def x(moment: datetime) -> float:
        return x_lo + (moment.timestamp() - t_lo) / (t_hi - t_lo) * (x_hi - x_lo)

    body = []
    for band, bottom, top in zones:
        cls = "chart-band-" + band.severity.replace("_", "-")
        body.append(
            f'<rect class="chart-band {cls}" x="{LEFT}" y="{num(y(top))}" width="{num(zone_right - LEFT)}" '
            f'height="{num(y(bottom) - y(top))}" fill="{BAND_FILLS.get(band.severity, "#eeeeee")}"/>'
        )
        mid = (y(bottom) + y(top)) / 2 + FONT * 0.35
        body.append(svg_text(zone_right - 4, mid, band.label, "chart-band-label", anchor="end"))

    axis = f'stroke="{MUTED}" stroke-width="1"'
    body.append(
        f'<line class="chart-axis" x1="{LEFT}" y1="{plot_top}" x2="{LEFT}" y2="{plot_bottom}" {axis}/>'
    )
    body.append(
        f'<line class="chart-axis" x1="{LEFT}" y1="{plot_bottom}" x2="{num(zone_right)}" '
        f'y2="{plot_bottom}" {axis}/>'
    )
    for k in range(math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) + 1):
        tick = round(k * step, 6)
        ty = y(tick)
        body.append(
            f'<line class="chart-tick" x1="{LEFT - 4}" y1="{num(ty)}" x2="{LEFT}" y2="{num(ty)}" {axis}/>'
        )
        label = f"{tick:g}" if float(tick).is_integer() else f"{tick:.1f}"
        body.append(svg_text(LEFT - 6, ty + FONT * 0.35, label, "chart-tick-label", anchor="end"))

    previous_year = None
    for tick_day in _x_tick_days(first_day, last_day):
        tx = x(datetime.combine(tick_day, time(12), tzinfo=zone))  # noon: the label centres on its day
        label = f"{tick_day.day} {MONTHS[tick_day.month - 1]}"
        # Years only when the span crosses one: on the first tick and wherever the year changes.
        if first_day.year != last_day.year and tick_day.year != previous_year:
            label += f" {tick_day.year}"
        previous_year = tick_day.year
        body.append(
            f'<line class="chart-tick" x1="{num(tx)}" y1="{plot_bottom}" x2="{num(tx)}" '
            f'y2="{plot_bottom + 4}" {axis}/>'
        )
        body.append(svg_text(tx, plot_bottom + 16, label, "chart-tick-label", anchor="middle"))

    # Medicine sessions: a dashed line over the whole height and a triangle on the time axis.
    for moment, label in markers:
        mx = x(moment)
        body.append(
            f'<g class="chart-marker"><title>{escape(f"{day(moment).isoformat()}: {label}")}</title>'
            f'<line x1="{num(mx)}" y1="{plot_top}" x2="{num(mx)}" y2="{plot_bottom}" stroke="{MUTED}" '
            f'stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<path d="M{num(mx - 5)} {plot_bottom}L{num(mx + 5)} {plot_bottom}'
            f'L{num(mx)} {plot_bottom - 8}Z" '
            f'fill="{MUTED}"/></g>'
        )

    coords = [(x(t), y(v)) for (t, _), v in zip(points, values, strict=True)]
    if len(points) > 1:
        line = " ".join(f"{num(px)},{num(py)}" for px, py in coords)
        body.append(
            f'<polyline class="chart-line" points="{line}" fill="none" stroke="{ACCENT}" stroke-width="2" '
            f'stroke-linejoin="round"/>'
        )
    last = len(points) - 1
    for i, ((moment, _), value, (px, py)) in enumerate(zip(points, values, coords, strict=True)):
        band = _band_for(zones, value)
        tip = f"{day(moment).isoformat()}: {fmt(value)}" + (f" ({band.label})" if band else "")
        # The latest score is what a clinician looks for first: larger, with a white ring.
        cls, r = ("chart-point chart-point-latest", 5.5) if i == last else ("chart-point", 3.5)
        body.append(
            f'<circle class="{cls}" cx="{num(px)}" cy="{num(py)}" r="{r}" fill="{ACCENT}" stroke="#ffffff" '
            f'stroke-width="1.5"><title>{escape(tip)}</title></circle>'
        )
    for i in sorted({0, last}):
        px, py = coords[i]
        ly = py - 9 if py - 9 > plot_top + FONT else py + 9 + FONT  # below the point when near the top
        halo = ' font-weight="bold" stroke="#ffffff" stroke-width="3" paint-order="stroke"'
        body.append(svg_text(px, ly, fmt(values[i]), "chart-value", anchor="middle", extra=halo))

    kind = "Mean score" if instrument.scoring.method == "mean" else "Score"
    direction = DIRECTION_TEXT.get(instrument.direction)
    caption = f"{kind} ({direction})" if direction else kind
    body.append(
        f'<text class="chart-caption" x="8" y="16" font-size="11" fill="{MUTED}">{escape(caption)}</text>'
    )
    if markers:
        ly = height - 8
        body.append(
            f'<path class="chart-legend-marker" d="M{LEFT} {ly}L{LEFT + 10} {ly}L{LEFT + 5} {ly - 8}Z" '
            f'fill="{MUTED}"/>'
        )
        body.append(svg_text(LEFT + 16, ly, "Medicine session (dashed line)", "chart-legend"))

    # The same information in words, for screen readers and anyone without the picture.
    dated = ", ".join(f"{fmt(v)} ({day(t).isoformat()})" for (t, _), v in zip(points, values, strict=True))
    start, end = day(points[0][0]).isoformat(), day(points[-1][0]).isoformat()
    desc = (
        f"1 score: {dated}." if len(points) == 1 else f"{len(points)} scores from {start} to {end}: {dated}."
    )
    latest_band = _band_for(zones, values[-1])
    if latest_band:
        desc += f" Latest: {fmt(values[-1])}, {latest_band.label}."
    if instrument.total_range:
        scale_lo, scale_hi = instrument.total_range
        desc += f" Scale {scale_lo}{DASH}{scale_hi}" + (f", {direction}." if direction else ".")
    if zones:
        ranges = [f"{b.label} {b.min}" + (f"{DASH}{b.max}" if b.max != b.min else "") for b, _, _ in zones]
        desc += " Shaded zones: " + ", ".join(ranges) + "."
    if markers:
        sessions = "; ".join(f"{day(t).isoformat()} ({label})" for t, label in markers)
        desc += f" Medicine sessions: {sessions}."
    return svg(height, desc, body)


# --- practice outcome rates over time -------------------------------------------------------------------

# One look per verdict: colour, dash pattern and marker shape differ, so no series relies on colour alone.
RATE_SERIES = {
    "improved": ("#1f5f5b", "", "circle"),
    "responded": ("#2b4c8c", "6 3", "square"),
    "remitted": ("#5a3d8a", "2 3", "diamond"),
    "deteriorated": ("#9b2226", "10 3 2 3", "triangle"),
}


def rate_words(label: str, rate) -> str:
    """``Response 4 of 10 (40%)``: a rate always with its denominator."""
    return f"{label} {rate.count} of {rate.n} ({rate.percent or 0:.0f}%)"


def period_label(period: datetime, by: str = "quarter") -> str:
    """``2026 Q1`` for a quarter, ``Mar 2026`` for a month."""
    if by == "month":
        return f"{MONTHS[period.month - 1]} {period.year}"
    return f"{period.year} Q{(period.month - 1) // 3 + 1}"


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    r = 4
    if shape == "circle":
        return f'<circle cx="{num(x)}" cy="{num(y)}" r="{r}" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{num(x - r)}" y="{num(y - r)}" width="{2 * r}" height="{2 * r}" fill="{colour}"/>'
    if shape == "diamond":
        d = r + 1
        return (
            f'<path d="M{num(x)} {num(y - d)}L{num(x + d)} {num(y)}L{num(x)} {num(y + d)}'
            f'L{num(x - d)} {num(y)}Z" fill="{colour}"/>'
        )
    top, right, left, bottom = num(y - r - 1), num(x + r + 1), num(x - r - 1), num(y + r)
    return f'<path d="M{num(x)} {top}L{right} {bottom}L{left} {bottom}Z" fill="{colour}"/>'


def rates_chart_svg(
    instrument: Instrument,
    periods: Sequence,
    *,
    by: str = "quarter",
    width: int = 640,
    height: int = 240,
) -> str:
    """Each verdict's rate (% of n) per month or quarter of the latest score, as one ``<svg>``.

    ``periods`` are ``PeriodRates`` (``.period``, ``.rates``) oldest first. A verdict the instrument has
    no constant for is left out. ``<desc>`` says every rate with its denominator in words, and the page
    shows the same numbers as a table.
    """
    title = f"{instrument.short_name} outcome rates by {by}"
    content = repr([(p.period, p.rates.counts, p.rates.n) for p in periods]).encode()
    uid = escape(f"rates-{instrument.id}-{zlib.crc32(content):08x}")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-rates" role="img" '
        f'viewBox="0 0 {width} {{h}}" width="100%" aria-labelledby="{uid}-title" '
        f'aria-describedby="{uid}-desc" '
        f'font-family="system-ui, -apple-system, Segoe UI, sans-serif">'
    )

    def svg(h: int, desc: str, body: list[str]) -> str:
        return "\n".join(
            [
                head.replace("{h}", str(h)),
                f'<title id="{uid}-title">{escape(title)}</title>',
                f'<desc id="{uid}-desc">{escape(desc)}</desc>',
                *body,
                "</svg>",
            ]
        )

    if not periods:
        return svg(
            40, "No outcomes in this period.", [svg_text(8, 24, "No outcomes in this period", "chart-empty")]
        )

    verdicts = [v for v in RATE_SERIES if periods[0].rates.counts.get(v) is not None]
    labels = {v: label for v, label, _ in periods[0].rates.rates}
    plot_top, plot_bottom = TOP, height - BOTTOM - 14
    x_lo, x_hi = LEFT + 24, width - RIGHT - 24

    def x(i: int) -> float:
        return (x_lo + x_hi) / 2 if len(periods) == 1 else x_lo + i * (x_hi - x_lo) / (len(periods) - 1)

    def y(percent: float) -> float:
        return plot_bottom - percent / 100 * (plot_bottom - plot_top)

    axis = f'stroke="{MUTED}" stroke-width="1"'
    body = [
        f'<text class="chart-caption" x="8" y="16" font-size="11" fill="{MUTED}">'
        "% of clients with a baseline and a later score (n)</text>",
        f'<line class="chart-axis" x1="{LEFT}" y1="{plot_top}" x2="{LEFT}" y2="{plot_bottom}" {axis}/>',
        f'<line class="chart-axis" x1="{LEFT}" y1="{plot_bottom}" x2="{width - RIGHT}" '
        f'y2="{plot_bottom}" {axis}/>',
    ]
    for tick in range(0, 101, 25):
        ty = y(tick)
        body.append(
            f'<line class="chart-grid" x1="{LEFT}" y1="{num(ty)}" x2="{width - RIGHT}" y2="{num(ty)}" '
            'stroke="#e2e6ea" stroke-width="1"/>'
        )
        body.append(svg_text(LEFT - 6, ty + FONT * 0.35, f"{tick}%", "chart-tick-label", anchor="end"))
    for i, p in enumerate(periods):
        body.append(
            svg_text(x(i), plot_bottom + 14, period_label(p.period, by), "chart-tick-label", anchor="middle")
        )
        body.append(svg_text(x(i), plot_bottom + 26, f"n = {p.rates.n}", "chart-tick-label", anchor="middle"))
    for k, verdict in enumerate(verdicts):
        colour, dash, shape = RATE_SERIES[verdict]
        # Equal rates would hide each other's markers: each series sits a few units to the side.
        shift = (k - (len(verdicts) - 1) / 2) * 6
        points = [(x(i) + shift, y(p.rates.rate(verdict).percent or 0)) for i, p in enumerate(periods)]
        group = [f'<g class="chart-series chart-series-{verdict}">']
        if len(points) > 1:
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            line = " ".join(f"{num(px)},{num(py)}" for px, py in points)
            group.append(
                f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"{dashes}/>'
            )
        for (px, py), p in zip(points, periods, strict=True):
            rate = p.rates.rate(verdict)
            tip = f"{period_label(p.period, by)}: {rate_words(labels[verdict], rate)}"
            group.append(f"<g><title>{escape(tip)}</title>{_marker(shape, px, py, colour)}</g>")
        group.append("</g>")
        body.extend(group)
    # Legend: the marker and the words, in one row under the axis.
    lx, ly = LEFT, height - 8
    for verdict in verdicts:
        colour, _dash, shape = RATE_SERIES[verdict]
        body.append(_marker(shape, lx + 4, ly - 4, colour))
        body.append(svg_text(lx + 12, ly, labels[verdict], "chart-legend"))
        lx += 12 + len(labels[verdict]) * 5.6 + 16

    parts = []
    for p in periods:
        said = ", ".join(rate_words(labels[v], p.rates.rate(v)) for v in verdicts)
        parts.append(f"{period_label(p.period, by)}: n = {p.rates.n}; {said}.")
    return svg(height, " ".join(parts), body)
