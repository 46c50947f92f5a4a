"""The public pages: the practice's page about KAP and the "reach out" form."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.screening.models import AboutPage, Inquiry, RateLimitBucket
from kapstone.screening.ratelimit import forget_idle_buckets, take_token


def form_data(**changes):
    data = {
        "name": "Robin  Example",
        "email": "robin@example.test",
        "phone": "",
        "preferred_contact": "email",
        "reason": "Depression for many years; two medicines did not help.",
        "check_adult": "yes",
        "check_blood_pressure": "unsure",
        "website": "",
    }
    data.update(changes)
    return data


def reach_out(world):
    return reverse("screening:reach_out", args=[world.practice.slug])


def test_the_about_page_explains_kap_and_cites_its_evidence(client, world, scoped):
    page = client.get(reverse("screening:about", args=[world.practice.slug])).content.decode()
    for heading in ("The three phases", "Who it may help", "Who it is not for", "What screening involves"):
        assert heading in page
    assert "Zorumski CF" in page and "Wilkinson ST" in page  # evidence cited in full
    assert reverse("screening:reach_out", args=[world.practice.slug]) in page
    assert "988" in page  # the crisis resources are on every public page


def test_a_practice_rewrites_its_page_and_the_text_is_never_markup(client, world, scoped):
    client.force_login(world.members["admin"].user)
    edit = reverse("screening:about_edit")
    assert "Showing kapstone's default text" in client.get(edit).content.decode()
    data = {
        "intro": "We are <b>Riverbend</b>.\n\n- first point\n- second point",
        "phases": "Prep, medicine, integration.",
        "who_may_help": "Adults with depression.",
        "who_not_for": "Under 18.",
        "screening": "A call, forms, a visit.",
        "evidence_ids": ["ly-2018"],
    }
    assert client.post(edit, data).status_code == 302
    client.logout()
    page = client.get(reverse("screening:about", args=[world.practice.slug])).content.decode()
    assert "We are &lt;b&gt;Riverbend&lt;/b&gt;." in page and "<b>Riverbend" not in page
    assert "<li>first point</li><li>second point</li>" in page
    assert "Ly C" in page and "Zorumski" not in page
    assert AboutPage.objects.get(practice=world.practice).updated_by == world.members["admin"].user
    assert AuditEvent.objects.filter(action="screening.about.updated").exists()


def test_an_unknown_practice_has_no_public_pages(client, db):
    assert client.get(reverse("screening:about", args=["nobody"])).status_code == 404
    assert client.get(reverse("screening:reach_out", args=["nobody"])).status_code == 404


def test_a_visitor_reaches_out_and_is_told_only_that_a_clinician_will_review(client, world, scoped):
    response = client.post(reach_out(world), form_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("screening:reach_out_sent", args=[world.practice.slug])
    inquiry = Inquiry.objects.get()
    assert (inquiry.practice, inquiry.name, inquiry.status) == (world.practice, "Robin Example", "new")
    assert inquiry.self_check == {"adult": "yes", "blood_pressure": "unsure"}
    sent = client.get(response["Location"]).content.decode()
    assert "A clinician will review this" in sent
    for verdict in ("eligible", "not a candidate", "you qualify", "approved"):
        assert verdict not in sent.lower()
    event = AuditEvent.objects.get(action="screening.inquiry.received")
    assert event.actor is None and event.practice == world.practice


def test_the_front_desk_hears_of_a_new_inquiry_without_any_details(
    client, world, scoped, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reach_out(world), form_data())
    message = mail.outbox[-1]
    assert set(message.to) == {world.members["front_desk"].user.email, world.members["admin"].user.email}
    assert "Robin" not in message.body and "Depression" not in message.body


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "", "phone": ""}, "email", "Give an email address or a phone number"),
        ({"preferred_contact": "text"}, "phone", "Add your phone number, or choose another way"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        (
            {"phone": "call me", "preferred_contact": "phone"},
            "phone",
            "Enter a phone number of 7 to 20 digits",
        ),
        ({"reason": ""}, "reason", "This field is required."),
        ({"reason": "x" * 1001}, "reason", "at most 1000 characters"),
        ({"preferred_contact": ""}, "preferred_contact", "This field is required."),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_typed_is_lost(
    client, world, scoped, changes, field, message
):
    response = client.post(reach_out(world), form_data(**changes))
    page = response.content.decode()
    assert response.status_code == 200 and not Inquiry.objects.exists()
    assert message in page
    assert f'href="#id_{field}"' in page  # the summary links to the field
    assert 'value="Robin  Example"' in page or 'value="Robin Example"' in page


def test_a_bot_filling_the_honeypot_sees_success_and_nothing_is_kept(client, world, scoped):
    response = client.post(reach_out(world), form_data(website="http://spam.example"))
    assert response.status_code == 302 and "sent" in response["Location"]
    assert not Inquiry.objects.exists() and not mail.outbox


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client, world, scoped):
    page = client.get(reach_out(world)).content.decode()
    assert '<div class="hp" aria-hidden="true">' in page
    assert 'name="website"' in page and 'tabindex="-1"' in page


def test_the_form_needs_its_csrf_token(world, scoped):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reach_out(world), form_data()).status_code == 403
    assert not Inquiry.objects.exists()


@override_settings(KAPSTONE_INQUIRY_RATE_LIMIT=(2, 3600))
def test_inquiries_are_rate_limited_per_address_and_the_bucket_refills(client, world, scoped):
    for _ in range(2):
        assert client.post(reach_out(world), form_data()).status_code == 302
    limited = client.post(reach_out(world), form_data(reason="Third try, please."))
    page = limited.content.decode()
    assert limited.status_code == 429 and "Too many messages" in page
    assert "Third try, please." in page  # nothing typed is lost
    assert Inquiry.objects.count() == 2
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post(reach_out(world), form_data()).status_code == 302
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert client.post(reach_out(world), form_data()).status_code == 302
    assert Inquiry.objects.count() == 4
    assert not RateLimitBucket.objects.filter(key__contains="127.0.0.1").exists()  # addresses are hashed


def test_the_token_bucket(db):
    start = timezone.now()
    assert [take_token("t", "1.2.3.4", 3, 60, start) for _ in range(4)] == [True, True, True, False]
    assert take_token("t", "1.2.3.4", 3, 60, start + timedelta(seconds=19)) is False
    assert take_token("t", "1.2.3.4", 3, 60, start + timedelta(seconds=21)) is True
    assert take_token("other-scope", "1.2.3.4", 3, 60, start) is True
    assert forget_idle_buckets(60, start + timedelta(seconds=200)) == 2
