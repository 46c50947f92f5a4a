"""Server-rendered SVG of one session's vitals: the trend chart on the session page and the sparkline
on each live-board card.

Pure drawing, like ``kapstone.measures.graphs`` (whose primitives it shares): no database, no Django.
It reads duck-typed readings (``taken_at``, ``sbp``, ``dbp``, ``hr``, ``spo2``, ``flags``) and the
protocol's ``thresholds`` (``kapstone.clinical.protocols.Threshold``) and draws every threshold the
protocol has for a plotted parameter, whatever it is (high or low, pre-dose or after the dose), so a
threshold added to the protocol data appears without a change here. Presentation attributes only (no
``style``), so it works under the strict CSP; colour is never the only cue: each threshold line is
labelled with its comparison, value and severity, flagged readings are drawn as diamonds, and
``<desc>`` repeats the data in words (the Vitals table on the same page lists every reading).
"""

from __future__ import annotations

import math
import zlib
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal
from html import escape

from kapstone.clinical.monitoring import Reading, ReadingContext
from kapstone.measures.graphs import ACCENT, FONT, INK, MUTED, aware_time, nice_step, num, svg_text

# Threshold lines: dotted for a pre-dose review level, dashed for a warning, solid for critical.
# Dark enough for 3:1 against white (WCAG non-text contrast); the label carries the meaning.
THRESHOLD_STYLE = {
    "review": ("#5b4a00", "2 3"),
    "warning": ("#8a4b00", "6 3"),
    "critical": ("#a3161b", ""),
}
SECOND = "#6b3fa0"  # the second series of a panel (diastolic BP), drawn dashed as well as in its colour
LEFT, RIGHT, TOP = 46, 150, 50  # right margin holds the threshold labels
PANEL_HEIGHT, PANEL_GAP, AXIS_SPACE = 104, 22, 40
MIN_SPAN_MINUTES = 30  # a chart of one reading still shows half an hour
SPARK_READINGS = 8  # the live-board sparkline shows the latest readings only (display choice)
PARAMETER_WORDS = {"sbp": "SBP", "dbp": "DBP", "hr": "HR", "spo2": "SpO2", "rr": "RR"}
COMPARISON_WORDS = {">": ">", ">=": "≥", "<": "<", "<=": "≤"}


@dataclass(frozen=True)
class Series:
    key: str  # reading attribute
    label: str
    colour: str
    dash: str = ""


@dataclass(frozen=True)
class Panel:
    title: str
    unit: str
    series: tuple[Series, ...]


PANELS = (
    Panel(
        "Blood pressure",
        "mmHg",
        (Series("sbp", "SBP", ACCENT), Series("dbp", "DBP", SECOND, "5 3")),
    ),
    Panel("Heart rate", "bpm", (Series("hr", "HR", ACCENT),)),
    Panel("SpO2", "%", (Series("spo2", "SpO2", ACCENT),)),
)


@dataclass(frozen=True)
class DoseMark:
    at: datetime
    label: str  # "Dose 100 mg", "Booster 50 mg"


def dose_marks(administrations: Sequence, orders: Sequence) -> list[DoseMark]:
    """A mark per dose given: "Dose 100 mg" or "Booster 50 mg" (``DoseOrder.kind``) at its time."""
    kinds = {o.pk: o.kind for o in orders}
    return [
        DoseMark(
            a.given_at,
            f"{'Booster' if kinds.get(a.order_id) == 'booster' else 'Dose'} "
            f"{Decimal(a.amount_mg).normalize():f} mg",
        )
        for a in administrations
    ]


def _minutes(moment: datetime, origin: datetime) -> float:
    return (aware_time(moment) - origin).total_seconds() / 60


def _signed(minutes: float) -> str:
    whole = round(minutes)
    return f"+{whole}" if whole > 0 else str(whole).replace("-", "\N{MINUS SIGN}")


_MEASURED = tuple(f.name for f in fields(Reading) if f.name != "taken_at")


def _baseline(readings: Sequence, parameter: str, dose_time: datetime | None) -> int | Decimal | None:
    """The client's pre-dose baseline of ``parameter``, exactly as ``check_vitals`` finds it (MAP
    included), so a line drawn from it sits where the flag was raised."""
    if dose_time is None:
        return None
    context = ReadingContext(
        dose_time,
        tuple(
            Reading(taken_at=r.taken_at, **{name: getattr(r, name, None) for name in _MEASURED})
            for r in readings
        ),
    )
    return context.baseline(parameter, before=dose_time + timedelta(microseconds=1))


def threshold_line(th, readings: Sequence, dose_time: datetime | None) -> tuple[float, str] | None:
    """Where a threshold sits on its parameter's axis, and its label; None when it cannot be drawn.

    An absolute threshold is its limit. A change from the baseline ("fall_greater_than",
    "rise_greater_than") is drawn at baseline - limit (or + limit), and only once there is a baseline.
    """
    parameter = PARAMETER_WORDS.get(th.parameter, th.parameter)
    limit = Decimal(th.limit.value)
    text = f"{limit.normalize():f}"
    if th.relative_to is None:
        return float(
            limit
        ), f"{parameter} {COMPARISON_WORDS.get(th.comparison, th.comparison)} {text} ({th.severity})"
    base = _baseline(readings, th.parameter, dose_time)
    if base is None:
        return None
    falling = th.comparison.startswith("fall")
    value = float(base) - float(limit) if falling else float(base) + float(limit)
    change = "fall" if falling else "rise"
    # Short enough for the margin; the line's tooltip and the description give the baseline.
    return value, f"{parameter} {change} > {text} ({th.severity})"


def nearest_lines(lines: Sequence, values: dict[str, list]) -> list:
    """The threshold lines worth drawing: per parameter and direction, the nearest limit beyond the
    readings (the one the next reading would cross) and every limit the readings already crossed.

    Drawing all of them would squeeze the readings into a sliver between 40 and 200 mmHg under a
    stack of labels; the rest are listed in the chart's description.
    """
    keep: list = []
    nearest: dict[tuple[str, str, str], tuple[float, object]] = {}
    for th, (value, label) in lines:
        seen = values.get(th.parameter)
        if not seen:
            continue
        low, high = float(min(seen)), float(max(seen))
        rising = th.comparison.startswith((">", "rise"))
        crossed = value <= high if rising else value >= low
        if crossed:
            keep.append((th, (value, label)))
            continue
        key = (th.parameter, th.when, "high" if rising else "low")
        distance = value - high if rising else low - value
        if key not in nearest or distance < nearest[key][0]:
            nearest[key] = (distance, (th, (value, label)))
    keep += [line for _, line in nearest.values()]
    return [line for line in lines if line in keep]


def spread(labels: Sequence[tuple[float, str]], top: float, bottom: float, gap: float) -> list:
    """Label positions at least ``gap`` apart and within ``top``..``bottom``, each as near its line as
    that allows (pushed down from the top, then back up from the bottom)."""
    placed = sorted(labels)
    ys = [y for y, _ in placed]
    for i in range(len(ys)):
        ys[i] = max(ys[i], top if i == 0 else ys[i - 1] + gap)
    for i in reversed(range(len(ys))):
        ys[i] = min(ys[i], bottom if i == len(ys) - 1 else ys[i + 1] - gap)
    return [(y, label) for y, (_, label) in zip(ys, placed, strict=True)]


def _flagged(reading, key: str) -> bool:
    return any(f.get("parameter") == key for f in (getattr(reading, "flags", None) or []))


def vitals_chart_svg(
    readings: Sequence,
    thresholds: Sequence,
    *,
    dose_time: datetime | None,
    doses: Sequence[DoseMark] = (),
    zone: zoneinfo.ZoneInfo,
    width: int = 680,
    title: str = "Vitals since the dose",
    key: str = "",
) -> str:
    """One ``<svg>``: a panel each for BP (SBP and DBP), HR and SpO2 against minutes since the first dose
    (before the dose, since the first reading), with the protocol's thresholds and the doses marked."""
    readings = sorted(readings, key=lambda r: aware_time(r.taken_at))
    # Ids must differ between charts on one page: ``key`` (the session), else derived from the content.
    digest = f"{zlib.crc32(repr([(r.taken_at, r.sbp, r.hr) for r in readings]).encode()):08x}"
    uid = escape(f"vitals-{key or digest}")

    def svg(height: int, desc: str, body: list[str]) -> str:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-vitals" role="img" '
            f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="{uid}-title" '
            f'aria-describedby="{uid}-desc" font-family="system-ui, -apple-system, Segoe UI, sans-serif">'
        )
        return "\n".join(
            [
                head,
                f'<title id="{uid}-title">{escape(title)}</title>',
                f'<desc id="{uid}-desc">{escape(desc)}</desc>',
                *body,
                "</svg>",
            ]
        )

    if not readings:
        return svg(40, "No vitals recorded yet.", [svg_text(8, 24, "No vitals yet", "chart-empty")])

    origin = aware_time(dose_time) if dose_time else aware_time(readings[0].taken_at)
    since = "the dose" if dose_time else "the first reading"
    moments = [_minutes(r.taken_at, origin) for r in readings] + [_minutes(d.at, origin) for d in doses]
    x_min = min(0.0, *moments)
    x_max = max(*moments, x_min + MIN_SPAN_MINUTES)
    step = nice_step(x_max - x_min)
    x_min, x_max = math.floor(x_min / step) * step, math.ceil(x_max / step) * step
    plot_right = width - RIGHT

    def x(minutes: float) -> float:
        return LEFT + (minutes - x_min) / (x_max - x_min) * (plot_right - LEFT)

    axis = f'stroke="{MUTED}" stroke-width="1"'
    body: list[str] = []
    words: list[str] = []
    top = TOP
    for panel in PANELS:
        keys = {s.key for s in panel.series}
        own = [th for th in thresholds if th.parameter in keys]
        if not dose_time:
            own = [th for th in own if th.when != "after_dose"]
        values = [getattr(r, s.key) for r in readings for s in panel.series if getattr(r, s.key) is not None]
        every_line = [
            (th, line) for th in own if (line := threshold_line(th, readings, dose_time)) is not None
        ]
        by_parameter = {key: [v for r in readings if (v := getattr(r, key)) is not None] for key in keys}
        lines = nearest_lines(every_line, by_parameter)
        limits = [value for _, (value, _) in lines]
        bottom = top + PANEL_HEIGHT
        body.append(
            f'<text class="chart-panel-title" x="{LEFT}" y="{top - 8}" font-size="11" font-weight="bold" '
            f'fill="{INK}">{escape(panel.title)} ({escape(panel.unit)})</text>'
        )
        if not values:
            body.append(svg_text(LEFT + 8, top + 24, "Not recorded", "chart-empty"))
            words.append(f"{panel.title}: not recorded.")
            top = bottom + PANEL_GAP
            continue
        lo, hi = min([*values, *limits]), max([*values, *limits])
        if hi - lo < 10:
            lo, hi = (lo + hi) / 2 - 5, (lo + hi) / 2 + 5
        y_step = nice_step(hi - lo)
        lo, hi = math.floor(lo / y_step) * y_step, math.ceil(hi / y_step) * y_step

        def y(
            value: float, lo: float = lo, hi: float = hi, bottom: float = bottom, top: float = top
        ) -> float:
            return bottom - (value - lo) / (hi - lo) * (bottom - top)

        body.append(
            f'<line class="chart-axis" x1="{LEFT}" y1="{top}" x2="{LEFT}" y2="{bottom}" {axis}/>'
            f'<line class="chart-axis" x1="{LEFT}" y1="{bottom}" x2="{plot_right}" y2="{bottom}" {axis}/>'
        )
        for k in range(round(lo / y_step), round(hi / y_step) + 1):
            tick = k * y_step
            ty = y(tick)
            body.append(
                f'<line class="chart-tick" x1="{LEFT - 4}" y1="{num(ty)}" x2="{LEFT}" y2="{num(ty)}" {axis}/>'
            )
            body.append(svg_text(LEFT - 6, ty + FONT * 0.35, f"{tick:g}", "chart-tick-label", anchor="end"))

        labels: list[tuple[float, str]] = []
        for th, (value, label) in lines:
            colour, dash = THRESHOLD_STYLE.get(th.severity, (MUTED, "4 2"))
            start, end = x_min, x_max
            if dose_time and th.when == "pre_dose":
                end = min(0.0, x_max)
            elif dose_time and (th.when == "after_dose" or th.relative_to is not None):
                start = max(0.0, x_min)  # a change from the baseline only means something after the dose
            if end <= start:
                continue
            ty = y(value)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            body.append(
                f'<g class="chart-threshold chart-threshold-{escape(th.severity)}"><title>{escape(label)}: '
                f"{escape(th.message)}</title>"
                f'<line x1="{num(x(start))}" y1="{num(ty)}" x2="{num(x(end))}" y2="{num(ty)}" '
                f'stroke="{colour}" stroke-width="1.5"{dash_attr}/></g>'
            )
            labels.append((ty, label))
        # Labels sit in the right margin, pushed apart where two limits are close (DBP 110 and 120),
        # and kept beside their own panel.
        for ty, label in spread(labels, top, bottom, FONT + 1):
            body.append(svg_text(plot_right + 6, ty + FONT * 0.35, label, "chart-threshold-label"))

        for series in panel.series:
            pts = [
                (x(_minutes(r.taken_at, origin)), y(getattr(r, series.key)), r)
                for r in readings
                if getattr(r, series.key) is not None
            ]
            dash_attr = f' stroke-dasharray="{series.dash}"' if series.dash else ""
            if len(pts) > 1:
                line = " ".join(f"{num(px)},{num(py)}" for px, py, _ in pts)
                body.append(
                    f'<polyline class="chart-line chart-line-{series.key}" points="{line}" fill="none" '
                    f'stroke="{series.colour}" stroke-width="2"{dash_attr} stroke-linejoin="round"/>'
                )
            for px, py, r in pts:
                value = getattr(r, series.key)
                minutes = _minutes(r.taken_at, origin)
                clock = aware_time(r.taken_at).astimezone(zone).strftime("%H:%M")
                flagged = _flagged(r, series.key)
                tip = f"{clock} ({_signed(minutes)} min): {series.label} {value} {panel.unit}"
                tip += " (flagged)" if flagged else ""
                if flagged:  # a diamond, so a flag never rests on colour alone
                    shape = (
                        f'<path class="chart-point chart-point-flagged" d="M{num(px)} {num(py - 6)}'
                        f'L{num(px + 6)} {num(py)}L{num(px)} {num(py + 6)}L{num(px - 6)} {num(py)}Z" '
                        f'fill="{THRESHOLD_STYLE["critical"][0]}" stroke="#ffffff" stroke-width="1">'
                    )
                    body.append(f"{shape}<title>{escape(tip)}</title></path>")
                else:
                    body.append(
                        f'<circle class="chart-point" cx="{num(px)}" cy="{num(py)}" r="3.5" '
                        f'fill="{series.colour}" stroke="#ffffff" stroke-width="1">'
                        f"<title>{escape(tip)}</title></circle>"
                    )
            listed = ", ".join(
                f"{getattr(r, series.key)} at {_signed(_minutes(r.taken_at, origin))} min"
                for r in readings
                if getattr(r, series.key) is not None
            )
            words.append(f"{series.label} ({panel.unit}): {listed}.")
        if len(panel.series) > 1:  # legend: the series differ by dash as well as colour
            lx = LEFT + 150
            for i, series in enumerate(panel.series):
                dash_attr = f' stroke-dasharray="{series.dash}"' if series.dash else ""
                ly = top - 8
                body.append(
                    f'<line class="chart-legend-line" x1="{lx + i * 56}" y1="{ly - 3}" '
                    f'x2="{lx + i * 56 + 16}" y2="{ly - 3}" stroke="{series.colour}" '
                    f'stroke-width="2"{dash_attr}/>'
                )
                body.append(svg_text(lx + i * 56 + 20, ly, series.label, "chart-legend"))
        if every_line:
            words.append(
                f"{panel.title} thresholds: " + "; ".join(label for _, (_, label) in every_line) + "."
            )
            for parameter in sorted({th.parameter for th, _ in every_line if th.relative_to is not None}):
                base = _baseline(readings, parameter, dose_time)
                words.append(
                    f"A fall or rise is counted from the pre-dose baseline, "
                    f"{PARAMETER_WORDS.get(parameter, parameter)} {base}."
                )
        top = bottom + PANEL_GAP

    plot_bottom = top - PANEL_GAP
    for k in range(round(x_min / step), round(x_max / step) + 1):
        minutes = k * step
        tx = x(minutes)
        body.append(
            f'<line class="chart-tick" x1="{num(tx)}" y1="{plot_bottom}" x2="{num(tx)}" '
            f'y2="{plot_bottom + 4}" {axis}/>'
        )
        body.append(svg_text(tx, plot_bottom + 16, _signed(minutes), "chart-tick-label", anchor="middle"))
    body.append(
        svg_text(
            (LEFT + plot_right) / 2,
            plot_bottom + 32,
            f"Minutes since {since}",
            "chart-axis-label",
            anchor="middle",
        )
    )
    for i, mark in enumerate(sorted(doses, key=lambda d: d.at)):
        mx = x(_minutes(mark.at, origin))
        clock = aware_time(mark.at).astimezone(zone).strftime("%H:%M")
        body.append(
            f'<g class="chart-marker chart-dose"><title>{escape(f"{mark.label} at {clock}")}</title>'
            f'<line x1="{num(mx)}" y1="{TOP - 4}" x2="{num(mx)}" y2="{plot_bottom}" stroke="{INK}" '
            f'stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<path d="M{num(mx - 5)} {plot_bottom}L{num(mx + 5)} {plot_bottom}'
            f'L{num(mx)} {plot_bottom - 8}Z" '
            f'fill="{INK}"/></g>'
        )
        body.append(
            svg_text(mx + 3, 12 + (i % 2) * 11, mark.label, "chart-dose-label", extra=' font-weight="bold"')
        )
    dosed = "; ".join(
        f"{d.label} at {aware_time(d.at).astimezone(zone).strftime('%H:%M')}"
        for d in sorted(doses, key=lambda d: d.at)
    )
    desc = f"{len(readings)} reading{'s' if len(readings) != 1 else ''}, minutes since {since}. "
    desc += " ".join(words)
    desc += f" Doses: {dosed}." if dosed else " No dose given yet."
    return svg(plot_bottom + AXIS_SPACE, desc, body)


def sparkline_svg(readings: Sequence, *, key: str = "", width: int = 168, height: int = 40) -> str:
    """A small trend of systolic BP and heart rate (the latest readings), each on its own scale."""
    readings = sorted(
        (r for r in readings if r.sbp is not None or r.hr is not None), key=lambda r: aware_time(r.taken_at)
    )[-SPARK_READINGS:]
    if len(readings) < 2:
        return ""
    digest = f"{zlib.crc32(repr([(r.taken_at, r.sbp, r.hr) for r in readings]).encode()):08x}"
    uid = escape(f"spark-{key or digest}")
    label_w, value_w = 30, 30
    x0, x1 = label_w, width - value_w
    rows = (
        ("sbp", "SBP", ACCENT, "", 2, height / 2 - 2),
        ("hr", "HR", SECOND, "4 2", height / 2 + 2, height - 2),
    )
    body, words = [], []
    n = len(readings)
    for key, label, colour, dash, top, bottom in rows:
        pts = [(i, getattr(r, key)) for i, r in enumerate(readings) if getattr(r, key) is not None]
        if not pts:
            continue
        values = [v for _, v in pts]
        lo, hi = min(values), max(values)
        span = hi - lo or 1
        coords = [
            (
                x0 + i / (n - 1) * (x1 - x0),
                bottom - (v - lo) / span * (bottom - top) if hi > lo else (top + bottom) / 2,
            )
            for i, v in pts
        ]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        if len(coords) > 1:
            line = " ".join(f"{num(px)},{num(py)}" for px, py in coords)
            body.append(
                f'<polyline class="spark-line spark-{key}" points="{line}" fill="none" stroke="{colour}" '
                f'stroke-width="1.5"{dash_attr}/>'
            )
        px, py = coords[-1]
        body.append(f'<circle cx="{num(px)}" cy="{num(py)}" r="2.5" fill="{colour}"/>')
        mid = (top + bottom) / 2 + 3.5
        body.append(
            f'<text x="0" y="{num(mid)}" font-size="9" fill="{INK}">{label}</text>'
            f'<text x="{width}" y="{num(mid)}" font-size="9" fill="{INK}" '
            f'text-anchor="end">{values[-1]}</text>'
        )
        words.append(f"{label} {', '.join(str(v) for v in values)}")
    desc = f"Last {n} readings, oldest first: " + "; ".join(words) + "."
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" role="img" '
        f'viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{uid}-title" aria-describedby="{uid}-desc" '
        f'font-family="system-ui, -apple-system, Segoe UI, sans-serif">'
        f'<title id="{uid}-title">Trend of systolic BP and heart rate</title>'
        f'<desc id="{uid}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )
