"""The vitals trend chart on the session page and the sparkline on each live-board card."""

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from kapstone.clinical.protocols import get_protocol
from kapstone.sessions.vitals_chart import DoseMark, sparkline_svg, vitals_chart_svg

from ..factories import make_client
from .builders import dose, make_session, vitals

CHICAGO = ZoneInfo("America/Chicago")
DOSE = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)  # 13:00 in Chicago


def reading(minutes, sbp=120, dbp=80, hr=72, spo2=98, flags=()):
    return SimpleNamespace(
        taken_at=DOSE + timedelta(minutes=minutes), sbp=sbp, dbp=dbp, hr=hr, spo2=spo2, flags=list(flags)
    )


def desc(svg):
    return re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)


def test_the_limits_nearest_the_readings_are_drawn_and_every_threshold_is_described():
    protocol = get_protocol("sublingual")
    svg = vitals_chart_svg(
        [reading(-5), reading(15, sbp=185, flags=[{"parameter": "sbp"}]), reading(30)],
        protocol.thresholds,
        dose_time=DOSE,
        doses=[DoseMark(DOSE, "Dose 100 mg"), DoseMark(DOSE + timedelta(minutes=20), "Booster 50 mg")],
        zone=CHICAGO,
        key="s1",
    )
    plotted = [t for t in protocol.thresholds if t.parameter in {"sbp", "dbp", "hr", "spo2"}]
    assert plotted, "the protocol has thresholds to draw"
    drawn = svg.count('class="chart-threshold ')
    assert 4 <= drawn < len(plotted)  # the nearest limit on each side, not a stack of lines
    # The crossed SBP limit and the next one up are drawn; the labels say the level in words, so a
    # line never rests on colour alone. The far limits are in the description.
    assert "<title>SBP &gt; 180 (warning):" in svg and "<title>SBP &gt; 200 (critical):" in svg
    assert "<title>SpO2 ≤ 92 (warning):" in svg
    assert "<title>SpO2 &lt; 90 (critical):" not in svg and "SpO2 &lt; 90 (critical)" in desc(svg)
    assert all(f"({t.severity})" in desc(svg) for t in plotted)
    # Respiratory rate is not plotted, so its thresholds are not drawn.
    assert "RR " not in svg
    # The dose and the booster are marked; the flagged reading is a diamond, the others circles.
    assert svg.count('class="chart-marker chart-dose"') == 2
    assert "Booster 50 mg" in svg and "Dose 100 mg at 13:00" in desc(svg)
    assert svg.count("chart-point-flagged") == 1
    # Accessible without the picture: role, title, and the readings in words (times from the dose).
    assert 'role="img"' in svg and 'aria-labelledby="vitals-s1-title"' in svg
    assert "SBP (mmHg): 120 at \N{MINUS SIGN}5 min, 185 at +15 min, 120 at +30 min." in desc(svg)
    assert "style=" not in svg and "<script" not in svg  # strict CSP


def test_a_threshold_added_to_the_protocol_appears_without_code():
    protocol = get_protocol("sublingual")
    template = next(t for t in protocol.thresholds if t.parameter == "hr")
    low_hr = replace(
        template,
        id="bradycardia",
        comparison="<",
        limit=replace(template.limit, value=50),
        severity="warning",
    )
    svg = vitals_chart_svg([reading(0), reading(10, hr=48)], (low_hr,), dose_time=DOSE, zone=CHICAGO)
    assert "HR &lt; 50 (warning)" in svg


def test_pre_dose_thresholds_end_at_the_dose_and_after_dose_ones_start_there():
    protocol = get_protocol("sublingual")
    pre = next(t for t in protocol.thresholds if t.when == "pre_dose")
    after = next(t for t in protocol.thresholds if t.when == "after_dose" and t.parameter == pre.parameter)
    svg = vitals_chart_svg([reading(-10), reading(30)], (pre, after), dose_time=DOSE, zone=CHICAGO)
    lines = re.findall(r'<g class="chart-threshold[^"]*">.*?<line x1="([\d.]+)"[^>]*x2="([\d.]+)"', svg)
    dose_x = re.search(r'class="chart-marker chart-dose">.*?<line x1="([\d.]+)"', svg)
    assert dose_x is None  # no dose marks passed
    (pre_x1, pre_x2), (after_x1, after_x2) = lines
    assert pre_x2 == after_x1  # both meet at minute 0
    assert float(pre_x1) < float(pre_x2) < float(after_x2)
    # Before any dose, after-dose thresholds are not drawn at all.
    undosed = vitals_chart_svg([reading(-10)], (pre, after), dose_time=None, zone=CHICAGO)
    assert undosed.count('class="chart-threshold ') == 1
    assert "Minutes since the first reading" in undosed


def test_no_readings_is_worded():
    svg = vitals_chart_svg([], (), dose_time=None, zone=CHICAGO)
    assert "No vitals yet" in svg and 'role="img"' in svg


@given(
    st.lists(
        st.tuples(
            st.integers(-30, 240),
            st.one_of(st.none(), st.integers(70, 230)),
            st.one_of(st.none(), st.integers(30, 200)),
            st.one_of(st.none(), st.integers(70, 100)),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_any_readings_draw_inside_the_picture(rows):
    readings = [reading(m, sbp=s, dbp=(s - 30 if s else None), hr=h, spo2=o) for m, s, h, o in rows]
    svg = vitals_chart_svg(readings, get_protocol("iv_infusion").thresholds, dose_time=DOSE, zone=CHICAGO)
    width, height = map(float, re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    for cx, cy in re.findall(r'<circle class="chart-point" cx="([-\d.]+)" cy="([-\d.]+)"', svg):
        assert 0 <= float(cx) <= width and 0 <= float(cy) <= height


def test_the_sparkline_lists_the_latest_sbp_and_hr_values():
    svg = sparkline_svg([reading(m, sbp=120 + m, hr=70 + m // 5) for m in range(0, 100, 10)], key="abc")
    assert 'role="img"' in svg and 'id="spark-abc-title"' in svg
    # The latest 8 readings, oldest first, in the description.
    assert "SBP 140, 150, 160, 170, 180, 190, 200, 210" in desc(svg)
    assert svg.count("<polyline") == 2
    assert sparkline_svg([reading(0)]) == ""  # one reading is not a trend


def test_the_session_page_and_the_board_show_the_trend(world, scoped, login):
    prescriber, monitor = world.members["prescriber"], world.members["monitor"]
    target = make_client(world.practice, care_team=[prescriber, monitor])
    with time_machine.travel(DOSE + timedelta(minutes=31), tick=False):
        session = make_session(target, opened_at=DOSE - timedelta(minutes=20))
        vitals(session, monitor, at=DOSE - timedelta(minutes=5), sbp=128)
        dose(session, prescriber, monitor, at=DOSE)
        vitals(session, monitor, at=DOSE + timedelta(minutes=15), sbp=150, hr=95)
        vitals(session, monitor, at=DOSE + timedelta(minutes=30), sbp=138, hr=88)
        web = login(monitor)
        page = web.get(reverse("sessions:detail", args=[session.pk])).content.decode()
        assert 'class="chart chart-vitals"' in page and "Vitals trend" in page
        assert "SBP (mmHg): 128 at \N{MINUS SIGN}5 min, 150 at +15 min, 138 at +30 min." in page
        assert 'id="h-vitals"' in page  # the table of readings is on the same page
        card = web.get(reverse("sessions:board_cards")).content.decode()
        assert 'class="sparkline"' in card and "SBP 128, 150, 138; HR 72, 95, 88" in card


def test_a_fall_from_the_baseline_is_drawn_from_the_last_pre_dose_reading_as_the_alert_reads_it():
    fall = next(t for t in get_protocol("sublingual").thresholds if t.relative_to == "baseline")
    readings = [reading(-20, sbp=150), reading(-5, sbp=132), reading(15, sbp=95, dbp=60), reading(30)]
    svg = vitals_chart_svg(readings, [fall], dose_time=DOSE, zone=CHICAGO, key="f1")
    assert "A fall or rise is counted from the pre-dose baseline, SBP 132." in desc(svg)
    assert f"<title>SBP fall &gt; {fall.limit.value.normalize():f} (critical):" in svg
