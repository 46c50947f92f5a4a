from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.clients.models import CareTeamMember, Client
from kapstone.pathway.models import Episode

from ..factories import make_client, make_member, make_practice

NEW_CLIENT = {
    "legal_first_name": "Avery",
    "legal_last_name": "Quintero",
    "preferred_name": "Ave",
    "pronouns": "they/them",
    "date_of_birth": "1988-04-02",
    "email": "avery@example.test",
    "phone": "+1 555 010 0142",
    "emergency_contact_name": "Robin Quintero",
    "emergency_contact_relationship": "sibling",
    "emergency_contact_phone": "+1 555 010 0143",
}


def test_creating_a_client_numbers_it_puts_the_creator_on_the_team_and_opens_an_episode(
    client, world, scoped
):
    front_desk = world.members["front_desk"]
    client.force_login(front_desk.user)
    response = client.post(reverse("clients:create"), NEW_CLIENT)
    created = Client.objects.get(legal_last_name="Quintero")
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:detail", args=[created.pk])
    assert created.practice == world.practice
    assert created.record_number == "K-00001"
    assert CareTeamMember.objects.filter(client=created, membership=front_desk, role="coordinator").exists()
    assert Episode.objects.get(client=created).state == "referred"
    actions = set(AuditEvent.objects.filter(client_id=created.pk).values_list("action", flat=True))
    assert {"clients.client.created", "clients.care_team.added", "pathway.episode.opened"} <= actions


def test_record_numbers_count_up_per_practice(client, world, scoped):
    client.force_login(world.members["admin"].user)
    for last_name in ("First", "Second"):
        client.post(reverse("clients:create"), {**NEW_CLIENT, "legal_last_name": last_name})
    client.force_login(world.other_members["admin"].user)
    client.post(reverse("clients:create"), {**NEW_CLIENT, "legal_last_name": "Elsewhere"})
    numbers = dict(
        Client.objects.filter(legal_first_name="Avery").values_list("legal_last_name", "record_number")
    )
    assert numbers == {"First": "K-00001", "Second": "K-00002", "Elsewhere": "K-00001"}


def test_bad_input_is_refused_with_a_clear_message_and_nothing_typed_is_lost(client, world, scoped):
    client.force_login(world.members["therapist"].user)
    bad = {**NEW_CLIENT, "date_of_birth": "2999-01-01", "emergency_contact_phone": ""}
    response = client.post(reverse("clients:create"), bad)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The date of birth cannot be in the future." in page
    assert "Add a phone number for the emergency contact." in page
    assert 'value="Quintero"' in page and 'value="Robin Quintero"' in page
    assert not Client.objects.filter(legal_last_name="Quintero").exists()


def test_editing_records_which_fields_changed_but_not_their_values(client, world, scoped):
    client.force_login(world.members["therapist"].user)
    url = reverse("clients:edit", args=[world.client.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(phone="+1 555 010 0199", date_of_birth="1985-06-15")
    response = client.post(url, data)
    assert response.status_code == 302
    world.client.refresh_from_db()
    assert world.client.phone == "+1 555 010 0199"
    event = AuditEvent.objects.get(action="clients.client.updated")
    assert event.data == {"fields": ["phone"]}
    assert "0199" not in str(event.data)


def test_search_finds_by_any_name_or_record_number_and_pages(client, db, scoped):
    practice = make_practice()
    admin = make_member(practice, "admin")
    for n in range(30):
        make_client(
            practice, legal_first_name=f"Person{n:02d}", legal_last_name="Sample", record_number=f"R-{n:03d}"
        )
    make_client(
        practice,
        legal_first_name="Marguerite",
        legal_last_name="Okoye",
        preferred_name="Daisy",
        record_number="R-900",
    )
    client.force_login(admin.user)
    url = reverse("clients:list")
    assert [c.record_number for c in client.get(url, {"q": "daisy"}).context["page"]] == ["R-900"]
    assert [c.record_number for c in client.get(url, {"q": "okoye marg"}).context["page"]] == ["R-900"]
    assert [c.record_number for c in client.get(url, {"q": "r-900"}).context["page"]] == ["R-900"]
    first = client.get(url, {"q": "sample"})
    assert first.context["page"].paginator.count == 30
    assert len(first.context["page"]) == 25
    second = client.get(url, {"q": "sample", "page": 2})
    assert len(second.context["page"]) == 5
    assert "q=sample&amp;page=1" in second.content.decode()
    assert "No client matches" in client.get(url, {"q": "zzz"}).content.decode()


def test_the_list_shows_only_the_care_teams_clients_to_non_admins(client, world, scoped):
    client.force_login(world.members["therapist"].user)
    shown = {c.pk for c in client.get(reverse("clients:list")).context["page"]}
    assert shown == {world.client.pk}
    client.force_login(world.members["admin"].user)
    shown = {c.pk for c in client.get(reverse("clients:list")).context["page"]}
    assert shown == {world.client.pk, world.unassigned_client.pk}


def test_adding_and_removing_care_team_members(client, world, scoped):
    therapist = world.members["therapist"]
    client.force_login(therapist.user)
    url = reverse("clients:care_team", args=[world.client.pk])
    response = client.post(url, {"membership": world.outsider.pk, "role": "lead_therapist"})
    assert response.status_code == 302
    added = CareTeamMember.objects.get(client=world.client, membership=world.outsider)
    assert added.role == "lead_therapist"
    client.post(reverse("clients:care_team_remove", args=[world.client.pk, added.pk]))
    assert not CareTeamMember.objects.filter(pk=added.pk).exists()
    assert AuditEvent.objects.filter(action="clients.care_team.removed", client_id=world.client.pk).exists()


def test_staff_of_another_practice_cannot_join_a_care_team(client, world, scoped):
    client.force_login(world.members["admin"].user)
    url = reverse("clients:care_team", args=[world.client.pk])
    response = client.post(url, {"membership": world.other_members["therapist"].pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not CareTeamMember.objects.filter(membership=world.other_members["therapist"]).exists()


def test_the_last_care_team_member_cannot_be_removed(client, world, scoped):
    client.force_login(world.members["admin"].user)
    only_member = world.unassigned_client.care_team.get()
    response = client.post(
        reverse("clients:care_team_remove", args=[world.unassigned_client.pk, only_member.pk]), follow=True
    )
    assert "A client needs at least one care-team member" in response.content.decode()
    assert CareTeamMember.objects.filter(pk=only_member.pk).exists()


def test_front_desk_sees_demographics_but_no_clinical_sections(client, world, scoped):
    client.force_login(world.members["front_desk"].user)
    page = client.get(reverse("clients:detail", args=[world.client.pk])).content.decode()
    assert world.client.legal_name in page
    assert "Clinical sections are not shown for your role." in page
    assert "Medicine sessions" not in page
