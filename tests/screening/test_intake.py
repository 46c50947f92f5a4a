"""The intake: staff drafts and completion, the client's own link, the screeners."""

import re
from datetime import timedelta

import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.measures.models import Assignment
from kapstone.screening import services
from kapstone.screening.intake_facts import SCREENERS, intake_specs, missing_answers
from kapstone.screening.models import Intake

from .builders import CLEAN_ANSWERS, submit_screener


def post_data(answers, **extra):
    """Form data for the staff intake form from fact answers."""
    data = {}
    for key, value in answers.items():
        if isinstance(value, bool):
            data[key] = "yes" if value else "no"
        elif isinstance(value, list):
            if value:
                data[key] = value
            else:
                data[f"{key}__none"] = "on"
        else:
            data[key] = value
    data.update(extra)
    return data


def intake_url(world):
    return reverse("screening:intake", args=[world.client.pk])


def test_the_intake_asks_exactly_the_fact_catalogue(client, world, scoped):
    client.force_login(world.members["therapist"].user)
    page = client.get(intake_url(world)).content.decode()
    for spec in intake_specs():
        assert f'id="fact-{spec.key}"' in page
    assert 'id="fact-age"' not in page and 'id="fact-phq9_total"' not in page and 'id="fact-bmi"' not in page
    assert "Systolic blood pressure (mmHg)" in page and "Plausible range 50 to 300 mmHg." in page


def test_a_partial_intake_is_a_draft_that_lists_what_is_missing(client, world, scoped):
    therapist = world.members["therapist"]
    client.force_login(therapist.user)
    response = client.post(
        intake_url(world), post_data({"sbp": 150, "dbp": 95, "hypertension": True}, save="1")
    )
    assert response.status_code == 302
    intake = Intake.objects.get(client=world.client)
    assert intake.answers == {"sbp": 150, "dbp": 95, "hypertension": True} and not intake.is_complete
    assert intake.updated_by == therapist.user
    overview = client.get(reverse("screening:client", args=[world.client.pk])).content.decode()
    assert "answers still missing" in overview and "Hypertension controlled" in overview  # follow-up asked
    assert AuditEvent.objects.filter(action="screening.intake.saved", client_id=world.client.pk).exists()


def test_marking_complete_with_answers_missing_marks_each_field_and_keeps_the_answers(client, world, scoped):
    client.force_login(world.members["prescriber"].user)
    answers = {**CLEAN_ANSWERS}
    del answers["pregnant"]
    page = client.post(intake_url(world), post_data(answers, complete="1")).content.decode()
    assert "Pregnant or possibly pregnant: Answer this to complete the intake." in page
    assert 'name="sbp" value="122"' in page
    intake = Intake.objects.get(client=world.client)
    assert not intake.is_complete and intake.answers["sbp"] == 122
    response = client.post(intake_url(world), post_data(CLEAN_ANSWERS, complete="1"))
    intake.refresh_from_db()
    assert response.status_code == 302 and intake.is_complete
    assert intake.completed_by == world.members["prescriber"].user


def test_follow_up_questions_are_required_only_when_opened(
    client, world, scoped, django_assert_max_num_queries
):
    assert [s.key for s in missing_answers({**CLEAN_ANSWERS, "hypertension": True})] == [
        "hypertension_controlled"
    ]
    assert missing_answers({**CLEAN_ANSWERS, "seizure_disorder": False}) == []
    intake = services.start_intake(None, world.client, services.current_episode(world.client))
    services.save_intake(None, intake, {"hypertension": True, "hypertension_controlled": False})
    services.save_intake(None, intake, {"hypertension": False})
    intake.refresh_from_db()
    assert intake.answers == {"hypertension": False}  # an answer to a question no longer asked is dropped


def test_an_implausible_reading_is_refused_with_its_range(client, world, scoped):
    client.force_login(world.members["monitor"].user)
    page = client.post(
        intake_url(world), post_data({"sbp": 400, "weight_kg": 70.25}, save="1")
    ).content.decode()
    assert "Ensure this value is less than or equal to 300." in page
    assert "Ensure that there are no more than 1 decimal place." in page
    assert 'value="400"' in page
    assert not Intake.objects.exists()


def test_a_medicine_list_is_either_none_or_classes(client, world, scoped):
    client.force_login(world.members["therapist"].user)
    page = client.post(
        intake_url(world),
        {"medication_classes": ["benzodiazepine"], "medication_classes__none": "on", "save": "1"},
    ).content.decode()
    assert "Either tick &#x27;None of these&#x27; or choose from the list, not both." in page
    client.post(intake_url(world), {"medication_classes": ["opioid", "benzodiazepine"], "save": "1"})
    assert Intake.objects.get().answers["medication_classes"] == ["opioid", "benzodiazepine"]
    client.post(intake_url(world), {"medication_classes__none": "on", "save": "1"})
    assert Intake.objects.get().answers["medication_classes"] == []


def test_changing_a_completed_intake_makes_it_a_draft_again(client, world, scoped):
    client.force_login(world.members["therapist"].user)
    client.post(intake_url(world), post_data(CLEAN_ANSWERS, complete="1"))
    client.post(intake_url(world), post_data({**CLEAN_ANSWERS, "sbp": 141}, save="1"))
    intake = Intake.objects.get()
    assert not intake.is_complete and intake.answers["sbp"] == 141
    event = AuditEvent.objects.get(action="screening.intake.reopened")
    assert event.data == {"fields": ["sbp"]}  # field names only, never values


def issue_link(client, world, email=True):
    client.force_login(world.members["therapist"].user)
    page = client.post(
        reverse("screening:intake_link", args=[world.client.pk]), {"email": "1"} if email else {}
    ).content.decode()
    client.logout()
    return re.search(r'<code id="intake-link">http://testserver(/intake/[^<]+/)</code>', page).group(1)


def client_answers(**changes):
    data = {}
    for spec in intake_specs("client"):
        value = CLEAN_ANSWERS.get(spec.key)
        if value is not None:
            data[spec.key] = "yes" if value else "no"
    data["medications_text"] = "sertraline 100 mg daily"
    data.update(changes)
    return data


def test_the_client_answers_their_part_through_a_one_time_link(client, world, scoped):
    world.client.email = "client@example.test"
    world.client.save()
    link = issue_link(client, world)
    assert mail.outbox[-1].to == ["client@example.test"] and link in mail.outbox[-1].body
    assert "ketamine" not in mail.outbox[-1].subject.lower()
    page = client.get(link).content.decode()
    assert "Have you ever been told you have an aneurysm" in page
    assert "Systolic" not in page and "Active psychosis" not in page  # clinician facts stay with staff
    assert "If you need help now" in page
    # Half done, saved for later.
    client.post(link, {"hypertension": "no", "save": "1"})
    assert 'value="no" id="id_hypertension_1" checked' in client.get(link).content.decode()
    missing = client.post(link, {**client_answers(pregnant=""), "submit": "1"}).content.decode()
    assert "1 question still needs an answer" in missing and "Please answer this question." in missing
    done = client.post(link, {**client_answers(), "submit": "1"}).content.decode()
    assert "your answers were sent" in done
    intake = Intake.objects.get()
    assert intake.client_submitted_at is not None and intake.medications_text == "sertraline 100 mg daily"
    assert intake.answers["pregnant"] is False and "sbp" not in intake.answers
    # The client's part is locked; staff verify and complete the rest.
    client.post(link, {**client_answers(pregnant="yes"), "submit": "1"})
    assert Intake.objects.get().answers["pregnant"] is False
    assert AuditEvent.objects.filter(action="screening.intake.client_submitted").exists()
    assert AuditEvent.objects.filter(action="screening.intake_link.opened").exists()


def test_the_link_leads_the_client_to_their_screeners(client, world, scoped):
    link = issue_link(client, world, email=False)
    client.force_login(world.members["therapist"].user)
    client.post(reverse("screening:assign_screeners", args=[world.client.pk]))
    client.logout()
    client.post(link, {**client_answers(), "submit": "1"})
    hub = client.get(link).content.decode()
    assert "Next: 8 short questionnaires" in hub
    assignment = Assignment.objects.get(client=world.client, instrument_id="pcl5")
    start = reverse("screening:intake_questionnaire", args=[link.split("/")[2], assignment.pk])
    response = client.post(start)
    assert response.status_code == 302 and response["Location"].startswith("/q/")
    assert "PTSD Checklist" in client.get(response["Location"]).content.decode()
    assert client.get(start).status_code == 405


def test_intake_links_expire_and_are_replaced(client, world, scoped):
    old = issue_link(client, world, email=False)
    new = issue_link(client, world, email=False)
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=world.practice.questionnaire_link_days + 1)):
        assert client.get(new).status_code == 404
    assert client.get(reverse("screening:intake_form", args=["x" * 43])).status_code == 404


def test_assigning_screeners_skips_those_done_or_already_assigned(client, world, scoped):
    submit_screener(world.client, "phq9")
    client.force_login(world.members["therapist"].user)
    client.post(reverse("screening:assign_screeners", args=[world.client.pk]))
    assigned = set(
        Assignment.objects.open().filter(client=world.client).values_list("instrument_id", flat=True)
    )
    assert assigned == set(SCREENERS) - {"phq9"}
    client.post(reverse("screening:assign_screeners", args=[world.client.pk]))
    assert Assignment.objects.filter(client=world.client).count() == len(SCREENERS) - 1
    page = client.get(reverse("screening:client", args=[world.client.pk])).content.decode()
    assert page.count("Assigned</span>") == 7 and "Minimal" in page
