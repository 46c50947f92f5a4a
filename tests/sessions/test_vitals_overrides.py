"""A practice moves the low-side thresholds and the baseline-fall threshold within their bounds, like
any other setting; the sessions it opens afterwards alert at its values."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kapstone.sessions.models import ProtocolChange
from kapstone.sessions.practice_protocols import practice_protocol

from .builders import dose, make_session, vitals

URL = reverse("sessions:protocol_edit", args=["sublingual"])


def current_values(client):
    form = client.get(URL).context["form"]
    return {name: field.initial for name, field in form.fields.items() if name != "reason"}


def test_a_practice_alerts_on_a_smaller_fall_and_a_higher_heart_rate(world, scoped, login):
    client = login(world.members["admin"])
    values = current_values(client)
    assert values["thresholds.sbp_fall_from_baseline.limit"] == "40"
    changes = {
        "thresholds.sbp_fall_from_baseline.limit": "30",
        "thresholds.bradycardia.limit": "55",
        "reason": "Medical director, 3 March",
    }
    assert client.post(URL, values | changes).status_code == 302
    assert ProtocolChange.objects.count() == 2
    protocol = practice_protocol(world.practice, "sublingual")

    session = make_session(world.client)
    session.protocol_version = protocol.version_label
    session.protocol_overrides = {o.path: f"{o.new.normalize():f}" for o in protocol.overrides}
    session.save()
    monitor, prescriber = world.members["monitor"], world.members["prescriber"]
    now = timezone.now()
    vitals(session, monitor, at=now - timedelta(minutes=20), sbp=140, dbp=85)
    dose(session, prescriber, monitor, at=now - timedelta(minutes=15))
    reading = vitals(session, monitor, at=now - timedelta(minutes=1), sbp=105, dbp=70, hr=52)
    found = {f["parameter"]: (f["threshold"], f["severity"]) for f in reading.flags}
    assert found == {"sbp": ("sbp_fall_from_baseline", "critical"), "hr": ("bradycardia", "warning")}
    assert reading.alert.severity == "critical"


def test_a_looser_low_limit_or_a_critical_rate_inside_the_warning_is_refused(world, scoped, login):
    client = login(world.members["admin"])
    values = current_values(client)
    page = client.post(
        URL, values | {"thresholds.sbp_fall_from_baseline.limit": "50", "reason": "Looser"}
    ).content.decode()
    assert (
        "thresholds.sbp_fall_from_baseline.limit = 50 mmHg is outside the protocol&#x27;s bounds 20-40"
        in page
    )
    page = client.post(
        URL, values | {"thresholds.bradycardia.limit": "40", "reason": "Looser"}
    ).content.decode()
    assert "thresholds.bradycardia.limit = 40 bpm is outside the protocol&#x27;s bounds 50-60" in page
    page = client.post(
        URL,
        values
        | {
            "thresholds.intra_sbp.limit": "195",
            "thresholds.intra_sbp_severe.limit": "185",
            "reason": "x",
        },
    ).content.decode()
    assert "thresholds.intra_sbp_severe.limit (185) must be at or above thresholds.intra_sbp.limit" in page
    assert not ProtocolChange.objects.exists()
