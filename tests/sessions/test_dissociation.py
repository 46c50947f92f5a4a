"""The clinician-rated dissociation level: recorded beside MOAA/S and RASS, worded by the practice."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.clinical import get_instrument, score
from kapstone.sessions import recording, scales
from kapstone.sessions.models import Observation

from ..factories import make_client
from .builders import dose, make_session, request_for

DOSE = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)


def test_the_dissociation_scale_is_our_own_design_and_ships_no_cadss_wording():
    instrument = get_instrument("dissociation_level")
    assert instrument.kind == "observation"
    assert [o.value for o in instrument.items[0].options] == [0, 1, 2, 3]
    assert not instrument.licence.wording_reproduced and instrument.licence.unconfirmed
    assert all(b.unconfirmed for b in instrument.bands)
    assert [score("dissociation_level", {1: v}).band for v in range(4)] == [
        "None",
        "Mild",
        "Moderate",
        "Severe",
    ]
    with pytest.raises(ValueError):
        score("dissociation_level", {1: 4})


@pytest.fixture
def dosed(world, scoped):
    prescriber, monitor = world.members["prescriber"], world.members["monitor"]
    target = make_client(world.practice, care_team=[prescriber, monitor])
    with time_machine.travel(DOSE + timedelta(minutes=40), tick=False):
        session = make_session(target, opened_at=DOSE - timedelta(minutes=20))
        dose(session, prescriber, monitor, at=DOSE)
        yield session


def test_dissociation_is_rated_on_the_observation_page_and_shown_in_the_record(world, dosed, login):
    web = login(world.members["monitor"])
    url = reverse("sessions:observation", args=[dosed.pk])
    page = web.get(url).content.decode()
    assert "Clinician-rated dissociation level" in page and "MOAA/S" in page and "RASS" in page
    response = web.post(
        url,
        {
            "scale": "dissociation_level",
            "dissociation_level-observed_at": "13:30",
            "dissociation_level-value": "2",
        },
    )
    assert response.status_code == 302
    record = Observation.objects.get(scale="dissociation_level")
    assert (record.value, record.band, record.flags, record.alert_id) == (2, "Moderate", [], None)
    detail = web.get(reverse("sessions:detail", args=[dosed.pk])).content.decode()
    assert "Dissociation" in detail and "2 (Moderate)" in detail
    summary = web.get(reverse("sessions:summary", args=[dosed.pk])).content.decode()
    assert "Latest dissociation" in summary and "2 (Moderate)" in summary
    discharge = web.get(reverse("sessions:discharge", args=[dosed.pk])).content.decode()
    assert "Latest dissociation rating: <strong>2 (Moderate)</strong> at 13:30" in discharge


def test_the_discharge_page_says_when_dissociation_was_never_rated(world, dosed, login):
    page = (
        login(world.members["monitor"]).get(reverse("sessions:discharge", args=[dosed.pk])).content.decode()
    )
    assert "No dissociation rating recorded in this session" in page


def test_an_admin_rewords_the_levels_and_a_rating_keeps_the_words_it_was_given(world, dosed, login):
    admin = login(world.members["admin"])
    url = reverse("sessions:scale_labels", args=["dissociation_level"])
    too_long = admin.post(url, {"level_1": "x" * 81})
    assert too_long.status_code == 200 and "at most 80 characters" in too_long.content.decode()
    words = "1 mild: floaty, answers questions normally"
    assert admin.post(url, {"level_1": words, "level_2": ""}).status_code == 302
    assert scales.practice_labels(world.practice, "dissociation_level") == {"1": words}
    assert AuditEvent.objects.filter(action="sessions.scale_labels.changed").exists()
    assert words in admin.get(reverse("sessions:protocols")).content.decode()

    monitor = login(world.members["monitor"])
    form_page = monitor.get(reverse("sessions:observation", args=[dosed.pk])).content.decode()
    assert "floaty" in form_page and "2 moderate: clearly absorbed" in form_page  # untouched level
    with time_machine.travel(DOSE + timedelta(minutes=40), tick=False):
        record = recording.record_observation(
            request_for(world.members["monitor"]),
            dosed,
            observed_at=DOSE + timedelta(minutes=35),
            scale="dissociation_level",
            value=1,
        )
    assert record.band == words
    scales.save_labels(request_for(world.members["admin"]), world.practice, "dissociation_level", {1: ""})
    record.refresh_from_db()
    assert record.band == words  # the record keeps what the clinician read


def test_published_scales_cannot_be_reworded(world, scoped, login):
    assert (
        login(world.members["admin"]).get(reverse("sessions:scale_labels", args=["moaas"])).status_code == 404
    )
    with pytest.raises(scales.ScaleError):
        scales.save_labels(request_for(world.members["admin"]), world.practice, "rass", {0: "calm"})


def test_the_board_dialog_rates_dissociation_with_or_without_vitals(world, dosed, login):
    web = login(world.members["monitor"])
    board = web.get(reverse("sessions:board")).content.decode()
    assert 'name="dialog-dissociation_level"' in board and 'name="dialog-moaas"' in board
    url = reverse("sessions:vitals", args=[dosed.pk])
    json = {"HTTP_ACCEPT": "application/json"}
    with time_machine.travel(DOSE + timedelta(minutes=40), tick=False):
        alone = web.post(url, {"dialog-taken_at": "13:38", "dialog-dissociation_level": "1"}, **json)
        assert alone.status_code == 200 and alone.json()["ok"]
        both = web.post(
            url,
            {
                "dialog-taken_at": "13:39",
                "dialog-sbp": "130",
                "dialog-dbp": "80",
                "dialog-dissociation_level": "0",
            },
            **json,
        )
        assert both.json()["ok"]
        nothing = web.post(url, {"dialog-taken_at": "13:39"}, **json)
        assert nothing.status_code == 400 and "Enter at least one value." in str(nothing.json()["errors"])
        bad = web.post(
            url,
            {"dialog-taken_at": "13:39", "dialog-sbp": "130", "dialog-dbp": "80", "dialog-rass": "9"},
            **json,
        )
        assert bad.status_code == 400 and "RASS" in str(bad.json()["errors"])
    rated = Observation.objects.filter(session=dosed, scale="dissociation_level").order_by("observed_at")
    assert [(o.value, o.band) for o in rated] == [(1, "Mild"), (0, "None")]
    assert dosed.vitals.count() == 1  # the refused post saved nothing
