"""Practice outcome rates in SQL, the same numbers as the pure core; the client's trajectories use the
same baseline rule (the episode's own: last score before its first dose, else its first score)."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapstone.clinical import get_instrument, reliable_change
from kapstone.clinical.outcomes import (
    EpisodeScores,
    Score,
    outcome_instruments,
    outcome_rates,
    remission_at_12_months,
)
from kapstone.measures.models import QuestionnaireResponse
from kapstone.measures.outcome_rates import (
    OutcomeFilters,
    practice_rates,
    rates_over_time,
    twelve_month_remission,
)
from kapstone.pathway.models import Programme
from kapstone.practice.tenancy import scopes_disabled
from kapstone.sessions.models import DoseAdministration

from ..factories import make_client, make_member, make_practice
from .outcome_builders import at, episode_for, give_dose, score


def rates_by_id(practice, filters=None):
    filters = filters or OutcomeFilters()
    return {r.instrument.id: r for r in practice_rates(practice, filters)}


def pure_inputs(practice, instrument_id, *, keep=lambda response: True):
    """The same rows, read back as plain data for the pure core: one EpisodeScores per episode."""
    first_doses = {}
    for dose in DoseAdministration.objects.current().filter(practice=practice).select_related("session"):
        episode = dose.session.episode_id
        first_doses[episode] = min(first_doses.get(episode, dose.given_at), dose.given_at)
    episodes = {}
    responses = QuestionnaireResponse.objects.submitted().filter(
        practice=practice, instrument_id=instrument_id, total__isnull=False, episode__isnull=False
    )
    for response in responses:
        if keep(response):
            episodes.setdefault((response.client_id, response.episode_id), []).append(
                Score(response.submitted_at, response.pk.hex, response.total)
            )
    return [
        EpisodeScores(str(client), str(episode), first_doses.get(episode), scores)
        for (client, episode), scores in episodes.items()
    ]


# --- hand-computed examples ---------------------------------------------------------------------------


def test_the_baseline_is_the_last_score_of_the_episode_before_its_first_dose(db, scoped):
    practice = make_practice()
    person = make_client(practice)
    score(person, "phq9", 24, day=-300)  # a screener before any episode: never a baseline
    old = episode_for(person, opened_day=-200, state="closed")
    score(person, "phq9", 20, day=-190, episode=old)
    score(person, "phq9", 3, day=-100, episode=old)  # the old course's outcome, not this one's
    course = episode_for(person, opened_day=0)
    score(person, "phq9", 18, day=1, episode=course)  # intake
    score(person, "phq9", 16, day=10, episode=course)  # the last before the first dose: the baseline
    give_dose(course, day=12)
    give_dose(course, day=19)
    score(person, "phq9", 7, day=40, episode=course)

    phq9 = rates_by_id(practice)["phq9"]
    # 16 -> 7: 9 points down (more than the 5.6 needed), 56 % lower, not below 5.
    assert phq9.n == 1
    assert phq9.counts == {"improved": 1, "responded": 1, "remitted": 0, "deteriorated": 0}


def test_without_a_score_before_the_first_dose_the_intake_score_is_the_baseline(db, scoped):
    practice = make_practice()
    person = make_client(practice)
    course = episode_for(person)
    give_dose(course, day=1)
    score(person, "gad7", 16, day=2, episode=course)  # the first score of the episode
    score(person, "gad7", 12, day=9, episode=course)
    score(person, "gad7", 3, day=30, episode=course)
    gad7 = rates_by_id(practice)["gad7"]
    assert gad7.n == 1
    assert gad7.counts == {"improved": 1, "responded": 1, "remitted": 1, "deteriorated": 0}


def test_a_single_score_in_the_episode_is_no_outcome_even_with_older_scores_elsewhere(db, scoped):
    practice = make_practice()
    person = make_client(practice)
    score(person, "phq9", 22, day=-30)  # no episode
    course = episode_for(person)
    score(person, "phq9", 9, day=5, episode=course)
    assert rates_by_id(practice)["phq9"].n == 0


def test_every_outcome_instrument_is_listed_even_with_no_outcome_and_screeners_are_not(db, scoped):
    practice = make_practice()
    ids = [r.instrument.id for r in practice_rates(practice)]
    assert sorted(ids) == ["gad7", "pcl5", "phq9", "qids_sr16"]
    pcl5 = rates_by_id(practice)["pcl5"]
    # PCL-5 has no response or remission rule on file: "none on file", not 0.
    assert pcl5.n == 0 and pcl5.counts["responded"] is None and pcl5.counts["improved"] == 0


def test_filters_by_period_programme_route_and_clinician(db, scoped):
    practice = make_practice()
    therapist = make_member(practice, "therapist")
    with scopes_disabled():
        group = Programme.objects.create(
            practice=practice,
            name="Group KAP",
            protocol_id="sublingual",
            preparation_sessions=2,
            medicine_sessions=3,
            integration_within_hours=48,
            min_days_between_medicine_sessions=7,
        )
    mine = make_client(practice, care_team=[therapist])
    other = make_client(practice)
    a = episode_for(mine, programme=group)
    score(mine, "phq9", 20, day=0, episode=a)
    give_dose(a, day=2, protocol_id="intramuscular")
    score(mine, "phq9", 8, day=100, episode=a)
    b = episode_for(other)
    score(other, "phq9", 15, day=0, episode=b)
    give_dose(b, day=2)
    score(other, "phq9", 14, day=20, episode=b)

    def n(**filters):
        return rates_by_id(practice, OutcomeFilters(**filters))["phq9"].n

    assert n() == 2
    assert n(programme_id=group.pk) == 1
    assert n(route="intramuscular") == 1 and n(route="sublingual") == 1 and n(route="intravenous") == 0
    assert n(clinician_id=therapist.pk) == 1
    assert n(start=at(50)) == 1  # the newest score of `other` (day 20) is before the period
    # Up to day 50, `mine` has only the baseline: no later score yet, no outcome.
    assert n(end=at(50)) == 1


def test_remission_at_12_months_counts_closed_windows_of_an_index_above_9(db, scoped):
    practice = make_practice()
    as_of = at(800)

    def course(*scores):
        person = make_client(practice)
        episode = episode_for(person)
        for total, day in scores:
            score(person, "phq9", total, day=day, episode=episode)

    course((15, 0), (3, 360))  # remitted inside 365 +/- 60 days
    course((12, 0), (3, 200), (9, 365))  # below 5 only before the window: not remitted
    course((14, 0), (4, 305))  # the window's first day counts
    course((14, 0), (4, 426))  # a day after the window: not remitted
    course((8, 0), (2, 360))  # index not above 9: not in the denominator
    course((16, 700), (2, 710))  # the window has not closed yet: not in the denominator
    got = twelve_month_remission(practice, OutcomeFilters(), as_of=as_of)
    assert (got.remitted, got.n) == (2, 4)
    assert got == remission_at_12_months(pure_inputs(practice, "phq9"), as_of=as_of)


def test_the_client_chart_shows_the_episode_baseline_and_dose_markers(client, world, scoped):
    course = world.client.episodes.get()
    score(world.client, "phq9", 21, day=-10)  # before the episode (a screener)
    score(world.client, "phq9", 18, day=1, episode=course)
    score(world.client, "phq9", 17, day=8, episode=course)
    give_dose(course, day=10)
    score(world.client, "phq9", 9, day=40, episode=course)
    client.force_login(world.members["therapist"].user)
    explained = reliable_change("phq9", 17, 9).explanation.replace("'", "&#x27;").replace(">", "&gt;")
    for url in (
        reverse("clients:detail", args=[world.client.pk]),
        reverse("measures:client", args=[world.client.pk]),
    ):
        page = client.get(url).content.decode()
        assert explained in page  # 17 (the last before the dose) to 9, not 21 or 18
        assert "Medicine session (dashed line)" in page


def test_means_read_to_one_decimal_and_sums_as_whole_numbers(client, world, scoped):
    course = world.client.episodes.get()
    score(world.client, "ebi", 55.666666, day=3, episode=course)
    score(world.client, "phq9", 12.0, day=3, episode=course)
    client.force_login(world.members["therapist"].user)
    page = client.get(reverse("measures:client", args=[world.client.pk])).content.decode()
    assert "55.7" in page and "55.6667" not in page and "55.666" not in page
    assert "12.0" not in page


# --- the page ------------------------------------------------------------------------------------------


def test_the_outcomes_page_shows_rates_with_denominators_and_a_chart(client, world, scoped):
    course = world.client.episodes.get()
    score(world.client, "phq9", 20, day=0, episode=course)
    score(world.client, "phq9", 4, day=60, episode=course)
    client.force_login(world.members["admin"].user)
    page = client.get(reverse("measures:outcomes")).content.decode()
    assert "n = 1" in page
    assert "1 of 1 (100%)" in page  # reliable improvement, response and remission
    assert "PHQ-9 remission at 12 months" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-rates"' in page
    assert "<desc" in page and "The same rates as a table" in page


def test_the_outcomes_page_keeps_the_filters_and_rejects_bad_dates(client, world):
    client.force_login(world.members["prescriber"].user)
    page = client.get(reverse("measures:outcomes"), {"date_from": "2026-13-01", "date_to": "2026-02-01"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Enter a date as YYYY-MM-DD" in text
    assert 'value="2026-13-01"' in text and 'value="2026-02-01"' in text
    assert "outcome-rates" not in text  # no numbers for a filter that could not be read
    backwards = client.get(reverse("measures:outcomes"), {"date_from": "2026-03-01", "date_to": "2026-02-01"})
    assert "The end date is before the start date." in backwards.content.decode()


def test_the_outcomes_page_costs_the_same_queries_for_3_and_30_clients(client, db, scoped):
    counts = []
    for n in (3, 30):
        practice = make_practice()
        admin = make_member(practice, "admin")
        for i in range(n):
            person = make_client(practice, care_team=[admin])
            course = episode_for(person)
            score(person, "phq9", 20, day=0, episode=course)
            give_dose(course, day=2, user=admin.user)
            score(person, "phq9", 5 + i % 10, day=30 + i, episode=course)
            score(person, "gad7", 15, day=0, episode=course)
            score(person, "gad7", 4, day=400 + i, episode=course)
        client.force_login(admin.user)
        with CaptureQueriesContext(connection) as captured:
            filters = {"date_from": "2024-01-01", "clinician": admin.pk}
            page = client.get(reverse("measures:outcomes"), filters)
        assert page.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


# --- the SQL twin equals the pure core -----------------------------------------------------------------

INSTRUMENTS = ("phq9", "gad7", "qids_sr16")
# 0-21 lies in every one of these instruments' range.
scores_strategy = st.lists(st.tuples(st.integers(0, 540), st.integers(0, 21)), max_size=5)
episode_strategy = st.fixed_dictionaries(
    {
        "dose_day": st.one_of(st.none(), st.integers(0, 300)),
        "route": st.sampled_from(["sublingual", "intramuscular"]),
        "scores": st.dictionaries(st.sampled_from(INSTRUMENTS), scores_strategy, max_size=2),
    }
)
client_strategy = st.fixed_dictionaries(
    {
        "episodes": st.lists(episode_strategy, min_size=0, max_size=2),
        "loose": st.lists(st.tuples(st.integers(0, 540), st.integers(0, 27)), max_size=2),
    }
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    clients=st.lists(client_strategy, min_size=1, max_size=5),
    window=st.tuples(st.one_of(st.none(), st.integers(0, 540)), st.one_of(st.none(), st.integers(0, 560))),
    route=st.sampled_from([None, "sublingual", "intramuscular"]),
)
def test_the_database_rates_equal_the_clinical_core(clients, window, route, scoped):
    with transaction.atomic():
        practice = make_practice()
        routes = {}
        for spec in clients:
            person = make_client(practice)
            for total_day, total in spec["loose"]:  # scores outside any episode never count
                score(person, "phq9", total, day=total_day)
            for e in spec["episodes"]:
                course = episode_for(person)
                routes[course.pk] = None
                if e["dose_day"] is not None:
                    give_dose(course, e["dose_day"], protocol_id=e["route"])
                    give_dose(course, e["dose_day"] + 7, protocol_id=e["route"])
                    routes[course.pk] = e["route"]
                for instrument, scores in e["scores"].items():
                    for day, total in scores:
                        # Several scores on one day share a time: the row id breaks the tie.
                        score(person, instrument, total, day=day, episode=course)
        start = at(window[0]) if window[0] is not None else None
        end = at(window[1]) if window[1] is not None else None
        filters = OutcomeFilters(start=start, end=end, route=route)
        got = rates_by_id(practice, filters)
        for instrument in INSTRUMENTS:
            keep = (lambda r: routes.get(r.episode_id) == route) if route else (lambda r: True)
            expected = outcome_rates(
                get_instrument(instrument), pure_inputs(practice, instrument, keep=keep), start=start, end=end
            )
            assert (got[instrument].n, got[instrument].counts) == (expected.n, expected.counts)
        as_of = at(560)
        twelve = twelve_month_remission(practice, OutcomeFilters(start=start, route=route), as_of=as_of)
        keep = (lambda r: routes.get(r.episode_id) == route) if route else (lambda r: True)
        assert twelve == remission_at_12_months(
            pure_inputs(practice, "phq9", keep=keep), as_of=as_of, start=start
        )
        # The chart's periods add up to the table.
        series = rates_over_time(practice, practice.zone, filters)
        for instrument in outcome_instruments():
            assert sum(p.rates.n for p in series[instrument.id]) == got[instrument.id].n
        transaction.set_rollback(True)


def test_rates_per_quarter_follow_the_quarter_of_the_latest_score(db, scoped):
    practice = make_practice()
    for last_day in (10, 20, 120):
        person = make_client(practice)
        course = episode_for(person)
        score(person, "phq9", 20, day=0, episode=course)
        score(person, "phq9", 3, day=last_day, episode=course)
    series = rates_over_time(practice, practice.zone)["phq9"]
    assert [(p.label, p.rates.n, p.rates.counts["remitted"]) for p in series] == [
        ("2025 Q1", 2, 2),
        ("2025 Q2", 1, 1),
    ]
    assert at(120) - at(0) == timedelta(days=120)
