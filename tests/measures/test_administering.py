from django.core import mail
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.measures.models import QuestionnaireResponse, SafetyAlert


def answers(**items):
    return {f"item_{number[1:]}": value for number, value in items.items()}


def gad7(*values):
    return {f"item_{n}": v for n, v in enumerate(values, start=1)}


def test_staff_administer_a_gad7_and_get_the_exact_score(client, world, scoped):
    therapist = world.members["therapist"]
    client.force_login(therapist.user)
    url = reverse("measures:administer", args=[world.client.pk, "gad7"])
    page = client.get(url).content.decode()
    assert page.count('<fieldset class="question') == 7
    response = client.post(url, {**gad7(3, 3, 2, 2, 1, 1, 0), "submit": "1"})
    assert response.status_code == 302
    saved = QuestionnaireResponse.objects.get(client=world.client, instrument_id="gad7")
    assert (saved.status, saved.total, saved.band, saved.source) == ("submitted", 12, "Moderate", "staff")
    assert saved.entered_by == therapist.user
    assert AuditEvent.objects.filter(action="measures.response.submitted", client_id=world.client.pk).exists()
    follow = client.get(reverse("measures:client", args=[world.client.pk])).content.decode()
    assert "GAD-7" in follow and "<svg" in follow


def test_a_submission_with_missing_answers_is_kept_as_a_draft_and_says_which(client, world, scoped):
    client.force_login(world.members["prescriber"].user)
    url = reverse("measures:administer", args=[world.client.pk, "gad7"])
    partial = {"item_1": 2, "item_2": 1, "item_4": 0, "item_5": 1, "item_6": 0, "item_7": 3, "submit": "1"}
    page = client.post(url, partial).content.decode()
    assert "1 question still needs an answer" in page
    assert "Question 3: Please answer this question." in page
    draft = QuestionnaireResponse.objects.get(instrument_id="gad7")
    assert draft.status == "draft" and draft.answers_by_item() == {1: 2, 2: 1, 4: 0, 5: 1, 6: 0, 7: 3}
    again = client.get(url).content.decode()  # the draft comes back with what was answered
    assert 'name="item_7" value="3" required' not in again
    assert 'value="3" id="id_item_7_3" checked' in again or "checked" in again
    client.post(url, {**partial, "item_3": 1})
    draft.refresh_from_db()
    assert (draft.status, draft.total) == ("submitted", 8)


def test_an_out_of_range_answer_is_refused_clearly(client, world, scoped):
    client.force_login(world.members["therapist"].user)
    url = reverse("measures:administer", args=[world.client.pk, "gad7"])
    page = client.post(url, {**gad7(1, 1, 1, 1, 1, 1, 1), "item_2": 7, "submit": "1"}).content.decode()
    assert "Select a valid choice. 7 is not one of the available choices." in page
    assert not QuestionnaireResponse.objects.exists()


def test_phq9_item_9_raises_an_alert_the_team_sees_and_acknowledges(
    client, world, scoped, django_capture_on_commit_callbacks
):
    therapist = world.members["therapist"]
    client.force_login(therapist.user)
    url = reverse("measures:administer", args=[world.client.pk, "phq9"])
    with django_capture_on_commit_callbacks(execute=True):  # emails go out once the alert is committed
        client.post(url, {**{f"item_{n}": 1 for n in range(1, 9)}, "item_9": 1, "submit": "1"})
    alert = SafetyAlert.objects.get(client=world.client)
    assert alert.kind == "critical_item" and alert.item == 9
    # The care team is told at once by email, without clinical details.
    assert len(mail.outbox) == 1
    assert therapist.user.email in mail.outbox[0].to
    assert (
        "item" not in mail.outbox[0].body.lower() and world.client.legal_last_name not in mail.outbox[0].body
    )
    home = client.get(reverse("home:index")).content.decode()
    assert "1 open safety alert for your clients" in home
    # Staff outside the care team do not see someone else's alert.
    client.force_login(world.outsider.user)
    assert "open safety alert" not in client.get(reverse("home:index")).content.decode()

    client.force_login(therapist.user)
    ack = reverse("measures:acknowledge", args=[world.client.pk, alert.pk])
    too_short = client.post(ack, {"action_taken": "ok"}).content.decode()
    assert "at least 10 characters" in too_short
    client.post(ack, {"action_taken": "Called the client; safety plan reviewed, no intent."})
    alert.refresh_from_db()
    assert alert.acknowledged_by == therapist.user and alert.acknowledged_at is not None
    assert "open safety alert" not in client.get(reverse("home:index")).content.decode()
    assert AuditEvent.objects.filter(action="measures.alert.acknowledged", client_id=world.client.pk).exists()


def test_cssrs_skip_logic_and_risk_level_alert(client, world, scoped):
    client.force_login(world.members["therapist"].user)
    url = reverse("measures:administer", args=[world.client.pk, "cssrs_screener"])
    # Q2 "no": Q3-5 are skipped even if the form sent answers for them.
    client.post(url, {"item_1": 1, "item_2": 0, "item_3": 1, "item_6": 0, "submit": "1"})
    first = QuestionnaireResponse.objects.get(instrument_id="cssrs_screener")
    assert first.status == "submitted" and first.answers_by_item() == {1: 1, 2: 0, 6: 0}
    # Q2 "yes": Q3-5 become required.
    page = client.post(url, {"item_1": 1, "item_2": 1, "item_6": 0, "submit": "1"}).content.decode()
    assert "3 questions still need an answer" in page
    client.post(
        url, {"item_1": 1, "item_2": 1, "item_3": 1, "item_4": 0, "item_5": 0, "item_6": 0, "submit": "1"}
    )
    latest = QuestionnaireResponse.objects.filter(instrument_id="cssrs_screener").order_by("-submitted_at")[0]
    assert latest.severity == "moderate"
    assert SafetyAlert.objects.filter(response=latest, kind="risk_level").exists()


def test_alerts_cannot_be_deleted(world, scoped):
    import pytest

    alert = SafetyAlert.objects.create(
        practice=world.practice, client=world.client, kind="critical_item", summary="x"
    )
    with pytest.raises(PermissionError):
        alert.delete()
    with pytest.raises(PermissionError):
        SafetyAlert.objects.all().delete()


def test_new_clients_get_the_intake_questionnaires_of_the_plan(client, world, scoped):
    client.force_login(world.members["front_desk"].user)
    client.post(
        reverse("clients:create"),
        {"legal_first_name": "Ines", "legal_last_name": "Moreau", "date_of_birth": "1990-01-01"},
    )
    due = client.get(reverse("measures:due")).content.decode()
    for short in ("PHQ-9", "GAD-7", "C-SSRS screener"):
        assert short in due
