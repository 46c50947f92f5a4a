"""A practice adjusts a protocol within its bounds; every change is kept and audited."""

from decimal import Decimal

from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.sessions.models import ProtocolChange, ProtocolSetting
from kapstone.sessions.practice_protocols import practice_protocol


def current_values(client, protocol_id):
    form = client.get(reverse("sessions:protocol_edit", args=[protocol_id])).context["form"]
    return {name: field.initial for name, field in form.fields.items() if name != "reason"}


def test_an_admin_adjusts_a_setting_within_its_bounds(world, scoped, login):
    client = login(world.members["admin"])
    values = current_values(client, "iv_infusion")
    assert values["dose.maximum"] == "0.75"
    response = client.post(
        reverse("sessions:protocol_edit", args=["iv_infusion"]),
        values | {"dose.maximum": "0.6", "reason": "Medical director, 3 March"},
        follow=True,
    )
    assert "Saved 1 change(s) to Intravenous ketamine infusion." in response.content.decode()
    protocol = practice_protocol(world.practice, "iv_infusion")
    assert protocol.dose.maximum.value == Decimal("0.6") and protocol.version_label.startswith(
        "iv_infusion@1.0.0+"
    )
    change = ProtocolChange.objects.get()
    assert (change.path, change.old_value, change.new_value, change.unit) == (
        "dose.maximum",
        "0.75",
        "0.6",
        "mg/kg",
    )
    event = AuditEvent.objects.get(action="sessions.protocol.changed")
    assert event.data["setting"] == "dose.maximum" and event.data["new"] == "0.6"
    page = client.get(reverse("sessions:protocols")).content.decode()
    assert "dose.maximum: 0.75 → 0.6" in page and "Medical director, 3 March" in page


def test_a_value_outside_the_bounds_is_refused_naming_them(world, scoped, login):
    client = login(world.members["admin"])
    values = current_values(client, "iv_infusion")
    page = client.post(
        reverse("sessions:protocol_edit", args=["iv_infusion"]),
        values | {"dose.maximum": "1.5", "reason": "Try"},
    ).content.decode()
    assert "iv_infusion: dose.maximum = 1.5 mg/kg is outside the protocol&#x27;s bounds 0.1-1.0 mg/kg" in page
    assert not ProtocolSetting.objects.exists() and not ProtocolChange.objects.exists()


def test_an_inconsistent_set_is_refused_and_a_reason_is_required(world, scoped, login):
    client = login(world.members["admin"])
    url = reverse("sessions:protocol_edit", args=["sublingual"])
    values = current_values(client, "sublingual")
    page = client.post(url, values | {"dose.maximum": "60"}).content.decode()
    assert "This field is required." in page
    page = client.post(url, values | {"dose.maximum": "60", "reason": "Lower ceiling"}).content.decode()
    assert "these overrides make the protocol inconsistent" in page
    assert not ProtocolChange.objects.exists()


def test_setting_a_value_back_removes_the_override(world, scoped, login):
    client = login(world.members["admin"])
    url = reverse("sessions:protocol_edit", args=["sublingual"])
    values = current_values(client, "sublingual")
    client.post(url, values | {"observation.minimum_minutes": "150", "reason": "Longer sessions"})
    assert ProtocolSetting.objects.get().overrides == {"observation.minimum_minutes": "150"}
    client.post(
        url, current_values(client, "sublingual") | {"observation.minimum_minutes": "120", "reason": "Back"}
    )
    assert ProtocolSetting.objects.get().overrides == {}
    assert ProtocolChange.objects.count() == 2
    assert practice_protocol(world.practice, "sublingual").version_label == "sublingual@1.0.0"
