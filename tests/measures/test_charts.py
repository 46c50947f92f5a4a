"""The trajectory chart: a pure function, so these tests parse its SVG and need no database."""

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kapstone.clinical import get_instrument
from kapstone.clinical.outcomes import VERDICTS, OutcomeRates
from kapstone.measures.graphs import rates_chart_svg, trajectory_svg
from kapstone.measures.outcome_rates import PeriodRates

SVG = "{http://www.w3.org/2000/svg}"
UTC_ZONE = ZoneInfo("UTC")
CHICAGO = ZoneInfo("America/Chicago")
PHQ9 = get_instrument("phq9")


def at(day, hour=15, month=3, year=2026):
    return datetime(year, month, day, hour, tzinfo=UTC)


def render(*args, **kwargs):
    """Render and check what every chart must satisfy: well-formed, no inline style (CSP), accessible."""
    kwargs.setdefault("zone", UTC_ZONE)
    svg = trajectory_svg(*args, **kwargs)
    assert "style" not in svg  # neither style="" nor <style>: the Content Security Policy forbids both
    root = ET.fromstring(svg)  # noqa: S314 - our own output, and the point is to parse it strictly
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("viewBox", "").startswith("0 0 ")
    title = root.find(f"{SVG}title")
    assert title.get("id") == root.get("aria-labelledby")
    assert root.find(f"{SVG}desc").get("id") == root.get("aria-describedby")
    return svg, root


def by_class(root, cls):
    return [e for e in root.iter() if cls in (e.get("class") or "").split()]


def texts(root, cls):
    return [e.text for e in by_class(root, cls)]


def desc(root):
    return root.find(f"{SVG}desc").text


def test_y_coordinates_hand_computed_for_phq9():
    # Height 260 leaves the plot area from y=26 (top margin) to y=216 (260 - 44 bottom margin):
    # 190 px for PHQ-9's 0-27, so 27 sits at 26, 0 at 216 and 10 at 216 - 190 * 10 / 27 = 145.6.
    points = [(at(2, 0), 27), (at(3, 0), 0), (at(4, 0), 10)]
    _, root = render(PHQ9, points)
    circles = root.iter(f"{SVG}circle")
    assert [c.get("cy") for c in circles] == ["26", "216", "145.6"]
    axis = by_class(root, "chart-axis")[0]
    assert (axis.get("y1"), axis.get("y2")) == ("26", "216")
    # The first point sits at the start of the time axis: left margin 40 + inset 10.
    assert next(root.iter(f"{SVG}circle")).get("cx") == "50"


def test_y_axis_ticks_are_labelled_numbers():
    _, root = render(PHQ9, [(at(2), 10)])
    assert texts(root, "chart-tick-label")[:6] == ["0", "5", "10", "15", "20", "25"]


def test_one_shaded_zone_per_band_with_its_label_and_no_gaps():
    _, root = render(PHQ9, [(at(2), 19), (at(20), 8)])
    rects = by_class(root, "chart-band")
    assert [r.get("class") for r in rects] == [
        "chart-band chart-band-none",
        "chart-band chart-band-mild",
        "chart-band chart-band-moderate",
        "chart-band chart-band-moderately-severe",
        "chart-band chart-band-severe",
    ]
    assert texts(root, "chart-band-label") == ["Minimal", "Mild", "Moderate", "Moderately severe", "Severe"]
    assert len({r.get("fill") for r in rects}) == 5
    # Integer bands (0-4, 5-9) meet halfway at 4.5: the shading has no white strips between zones.
    for lower, upper in itertools.pairwise(rects):
        bottom_of_upper = float(upper.get("y")) + float(upper.get("height"))
        assert bottom_of_upper == pytest.approx(float(lower.get("y")), abs=0.1)
    assert float(rects[0].get("y")) == pytest.approx(216 - 190 * 4.5 / 27, abs=0.1)


def test_desc_lists_values_in_time_order_whatever_the_input_order():
    points = [(at(14, month=7), 8), (at(2), 19), (at(2, month=5), 12), (at(20), 15), (at(1, month=6), 9)]
    _, root = render(PHQ9, points)
    text = desc(root)
    assert text.startswith(
        "5 scores from 2026-03-02 to 2026-07-14: 19 (2026-03-02), 15 (2026-03-20), 12 (2026-05-02), "
        "9 (2026-06-01), 8 (2026-07-14)."
    )
    assert "Latest: 8, Mild." in text
    assert "higher = worse" in text
    xs = [float(pair.split(",")[0]) for pair in by_class(root, "chart-line")[0].get("points").split()]
    assert xs == sorted(xs)
    # Points say when, what and which band on hover; the latest one is emphasised.
    first = next(root.iter(f"{SVG}circle"))
    assert first.find(f"{SVG}title").text == "2026-03-02: 19 (Moderately severe)"
    latest = by_class(root, "chart-point-latest")
    assert len(latest) == 1 and latest[0].find(f"{SVG}title").text == "2026-07-14: 8 (Mild)"
    assert float(latest[0].get("r")) > float(by_class(root, "chart-point")[0].get("r"))
    assert texts(root, "chart-value") == ["19", "8"]


def test_direction_is_written_on_the_chart():
    _, root = render(PHQ9, [(at(2), 10)])
    assert texts(root, "chart-caption") == ["Score (higher = worse)"]
    _, root = render(get_instrument("aldrete"), [(at(2), 9)])
    assert texts(root, "chart-caption") == ["Score (higher = better)"]


def test_each_medicine_session_is_a_dashed_line_with_its_label():
    markers = [(at(10), "Dose 1: 50 mg SL"), (at(17), "Dose 2: 75 mg SL"), (at(24), "Dose 3: 100 mg SL")]
    _, root = render(PHQ9, [(at(2), 19), (at(2, month=4), 12)], markers)
    groups = by_class(root, "chart-marker")
    assert len(groups) == 3
    for group, (_, label) in zip(groups, markers, strict=True):
        lines = group.findall(f"{SVG}line")
        assert len(lines) == 1 and lines[0].get("stroke-dasharray")
        assert group.find(f"{SVG}title").text.endswith(label)
    assert "Medicine sessions: 2026-03-10 (Dose 1: 50 mg SL); 2026-03-17" in desc(root)
    assert texts(root, "chart-legend") == ["Medicine session (dashed line)"]


def test_markers_outside_the_scores_extend_the_time_axis():
    points = [(at(10), 19), (at(12), 15)]
    _, plain = render(PHQ9, points)
    _, widened = render(PHQ9, points, [(at(2), "Dose 1"), (at(20), "Dose 4")])
    marker_xs = [float(g.find(f"{SVG}line").get("x1")) for g in by_class(widened, "chart-marker")]
    point_xs = [float(c.get("cx")) for c in widened.iter(f"{SVG}circle")]
    assert marker_xs[0] < point_xs[0] < point_xs[1] < marker_xs[1]
    assert "2 Mar" in texts(widened, "chart-tick-label")
    assert "2 Mar" not in texts(plain, "chart-tick-label")


def test_dates_are_shown_in_the_practice_time_zone():
    # 03:00 UTC on 2 March is still the evening of 1 March in Chicago.
    _, root = render(PHQ9, [(datetime(2026, 3, 2, 3, tzinfo=UTC), 11)], zone=CHICAGO)
    ticks = texts(root, "chart-tick-label")
    assert "1 Mar" in ticks and "2 Mar" not in ticks
    assert next(root.iter(f"{SVG}circle")).find(f"{SVG}title").text == "2026-03-01: 11 (Moderate)"
    assert "2026-03-01" in desc(root) and "2026-03-02" not in desc(root)


def test_a_span_across_new_year_shows_the_year():
    _, root = render(PHQ9, [(at(20, month=12, year=2025), 14), (at(20, month=1), 9)])
    ticks = texts(root, "chart-tick-label")
    assert any(t.endswith("2025") for t in ticks) and any(t.endswith("2026") for t in ticks)
    _, same_year = render(PHQ9, [(at(2), 14), (at(20, month=5), 9)])
    assert not any("2026" in t for t in texts(same_year, "chart-tick-label"))


def test_labels_are_escaped():
    svg, root = render(PHQ9, [(at(2), 19)], [(at(3), 'Dose <1> & "more"')], title="PHQ-9 <&> title")
    assert "<1>" not in svg
    assert root.find(f"{SVG}title").text == "PHQ-9 <&> title"
    assert by_class(root, "chart-marker")[0].find(f"{SVG}title").text == '2026-03-03: Dose <1> & "more"'


def test_no_scores_says_so():
    _, root = render(PHQ9, [], [(at(3), "Dose 1")])
    assert texts(root, "chart-empty") == ["No scores yet"]
    assert desc(root) == "No scores yet."
    assert not list(root.iter(f"{SVG}circle"))


def test_a_single_score():
    _, root = render(PHQ9, [(at(2), 19)])
    circles = list(root.iter(f"{SVG}circle"))
    assert len(circles) == 1 and "chart-point-latest" in circles[0].get("class")
    assert not by_class(root, "chart-line")
    assert texts(root, "chart-value") == ["19"]
    assert texts(root, "chart-tick-label")[-1] == "2 Mar"
    assert desc(root).startswith("1 score: 19 (2026-03-02).")


def test_all_scores_at_the_same_moment():
    _, root = render(PHQ9, [(at(2), 19), (at(2), 12)])
    circles = list(root.iter(f"{SVG}circle"))
    assert len(circles) == 2 and circles[0].get("cx") == circles[1].get("cx")
    assert desc(root).startswith("2 scores from 2026-03-02 to 2026-03-02: 19 (2026-03-02), 12 (2026-03-02).")


def test_float_totals_show_one_decimal():
    ebi = get_instrument("ebi")  # a mean score from 0 to 100
    _, root = render(ebi, [(at(2), 47.5), (at(9), 50), (at(16), 62.25)])
    assert texts(root, "chart-value") == ["47.5", "62.3"]  # rounded half up, as by hand
    titles = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]
    assert titles == ["2026-03-02: 47.5", "2026-03-09: 50.0", "2026-03-16: 62.3"]
    assert texts(root, "chart-caption") == ["Mean score"]
    assert not by_class(root, "chart-band")  # EBI has no bands


def test_whole_number_floats_on_a_sum_score_stay_whole():
    _, root = render(PHQ9, [(at(2), 19.0), (at(9), 12.0)])
    assert texts(root, "chart-value") == ["19", "12"]


def test_an_instrument_without_a_range_uses_the_data():
    cssrs = get_instrument("cssrs_screener")  # triage: no numeric total range, no numeric bands
    _, root = render(cssrs, [(at(2), 1), (at(9), 3)])
    ys = [float(c.get("cy")) for c in root.iter(f"{SVG}circle")]
    assert all(26 <= y <= 216 for y in ys) and ys[0] > ys[1]


def test_coordinates_have_at_most_one_decimal():
    svg, _ = render(PHQ9, [(at(2, 7), 19), (at(13, 11), 13), (at(29, 23), 7)], [(at(5, 9), "Dose 1")])
    numbers = re.findall(r'(?:x|y|x1|x2|y1|y2|cx|cy|width|height)="(-?[\d.]+)"', svg)
    assert numbers and all(len(n.partition(".")[2]) <= 1 for n in numbers)


def test_charts_on_one_page_get_distinct_ids():
    _, first = render(PHQ9, [(at(2), 19)])
    _, second = render(PHQ9, [(at(2), 18)])
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        trajectory_svg(PHQ9, [(datetime(2026, 3, 2) + timedelta(hours=1), 19)], zone=UTC_ZONE)


# --- practice outcome rates over time -------------------------------------------------------------------


def period_rates(month, n, **counts):
    phq9 = get_instrument("phq9")
    rates = OutcomeRates(phq9, n, {v: counts.get(v, 0) for v in VERDICTS})
    return PeriodRates(datetime(2026, month, 1, tzinfo=UTC), rates)


def test_the_rates_chart_says_every_rate_with_its_denominator():
    periods = [period_rates(1, 4, improved=2, responded=1), period_rates(4, 5, improved=5, remitted=1)]
    svg = rates_chart_svg(get_instrument("phq9"), periods)
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.get("role") == "img"
    assert root.find("s:title", ns).text == "PHQ-9 outcome rates by quarter"
    desc = root.find("s:desc", ns).text
    assert "2026 Q1: n = 4; Reliable improvement 2 of 4 (50%), Response 1 of 4 (25%)" in desc
    assert "2026 Q2: n = 5; Reliable improvement 5 of 5 (100%)" in desc
    assert "n = 4" in svg and "n = 5" in svg
    # Not colour alone: four legend entries with words, and a different marker shape per verdict.
    for label in ("Reliable improvement", "Response", "Remission", "Reliable deterioration"):
        assert f">{label}</text>" in svg
    assert "style=" not in svg  # CSP: presentation attributes only


def test_the_rates_chart_has_a_worded_empty_state():
    svg = rates_chart_svg(get_instrument("gad7"), [])
    assert "No outcomes in this period" in svg
    ET.fromstring(svg)  # noqa: S314 - our own output: it must parse
