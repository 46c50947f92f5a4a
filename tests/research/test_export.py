"""The research export is HIPAA Safe Harbor de-identified (docs/research.md): no name, date of birth,
address, phone, email, record number, record id or free text reaches any file; only clients with a
current research consent are in it; ages over 89 read "90+"; pseudonyms are keyed hashes, stable
under one key and different under another."""

import csv
from datetime import date, timedelta

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.utils import timezone

from kapstone import cli
from kapstone.audit.models import AuditEvent
from kapstone.integration.models import JournalEntry
from kapstone.measures.models import QuestionnaireResponse
from kapstone.pathway.models import ConsentKind, Episode
from kapstone.practice.tenancy import scopes_disabled
from kapstone.research import deidentify
from kapstone.research.models import ResearchKey
from kapstone.sessions.models import AdverseEvent
from kapstone.sessions.recording import add_note

from ..factories import make_client
from ..pathway.helpers import prepare, publish, sign_current
from ..sessions.builders import dose, make_session, request_for, vitals

# Distinctive synthetic strings: if any of them shows up in a file, the export leaks.
ALICE = {
    "legal_first_name": "Zephyrine",
    "legal_last_name": "Quillfeatherby",
    "preferred_name": "Zeffie",
    "email": "zephyrine.q@leak-check.example",
    "phone": "+1 555 013 7789",
    "address": "4471 Larkspurwhistle Lane, Springfield, IL 62704",
    "emergency_contact_name": "Ottoline Brackenridge",
    "emergency_contact_phone": "+1 555 019 2231",
}
BOB = {
    "legal_first_name": "Barnaby",
    "legal_last_name": "Nocturnewald",
    "email": "barnaby@leak-check.example",
}
FREE_TEXT = {
    "note": "Client described the velvet-tortoise vision at length",
    "adverse": "Mild nausea after the marmalade-comet episode",
    "intentions": "To befriend the quiet lighthouse keeper within",
    "journal": "Today I walked past the copper heron fountain again",
    "action": "Offered ginger tea and the periwinkle blanket",
}


def client_in_care(world, fields, *, born, research_consent):
    client = make_client(
        world.practice, care_team=[world.members["prescriber"]], date_of_birth=born, **fields
    )
    admin, monitor = world.members["admin"], world.members["monitor"]
    with scopes_disabled():
        episode = Episode.objects.create(
            practice=world.practice,
            client=client,
            state="treatment",
            opened_at=timezone.now() - timedelta(days=12),
        )
        if research_consent:
            sign_current(episode, admin, kind=ConsentKind.RESEARCH)
        prepare(episode, world.members["therapist"], intentions=FREE_TEXT["intentions"])
        at = timezone.now() - timedelta(days=3)
        session = make_session(client, opened_at=at - timedelta(minutes=15))
        dose(session, world.members["prescriber"], monitor, amount=150, at=at)
        vitals(session, monitor, at=at - timedelta(minutes=5), sbp=131, dbp=84, hr=77)
        vitals(session, monitor, at=at + timedelta(minutes=30), sbp=149, dbp=93, hr=88)
        add_note(request_for(monitor), session, text=FREE_TEXT["note"], written_at=at + timedelta(minutes=40))
        AdverseEvent.objects.create(
            practice=world.practice,
            session=session,
            recorded_by=monitor.user,
            category="nausea",
            category_label="Nausea",
            description=FREE_TEXT["adverse"],
            action_taken=FREE_TEXT["action"],
            onset_at=at + timedelta(minutes=20),
            severity="mild",
            outcome="resolved",
        )
        JournalEntry.objects.create(practice=world.practice, client=client, body=FREE_TEXT["journal"])
        QuestionnaireResponse.objects.create(
            practice=world.practice,
            client=client,
            episode=episode,
            instrument_id="phq9",
            instrument_version="1.0",
            source="staff",
            status="submitted",
            total=17,
            submitted_at=episode.opened_at + timedelta(days=2),
        )
    return client, episode, session


@pytest.fixture
def practice_data(world, scoped):
    admin = world.members["admin"]
    with scopes_disabled():
        publish(admin)
        publish(admin, kind=ConsentKind.RESEARCH, text="My de-identified data may be used for research.")
    today = world.practice.today()
    # 93 years old at the episode's start (born 93 years and a few weeks before it).
    born = date(today.year - 93, 1, 1) if today.month > 2 else date(today.year - 94, 6, 1)
    alice = client_in_care(world, ALICE, born=born, research_consent=True)
    bob = client_in_care(world, BOB, born=date(1979, 4, 23), research_consent=False)
    return alice, bob


def export(world, out):
    call_command("research", "export", practice=world.practice.slug, out=str(out))
    return out


def test_kapstone_export_research_is_the_research_apps_command(capsys):
    # --help: the routing is proven without running a command (which closes the test's connection).
    with pytest.raises(SystemExit):
        cli.main(["export", "research", "--help"])
    assert "de-identified research export" in capsys.readouterr().out


def read_csv(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def every_file_as_text(out):
    """Each file's raw bytes (as text) and, for Parquet, its decoded values too (pages are compressed)."""
    texts = {}
    for path in sorted(out.iterdir()):
        text = path.read_bytes().decode("utf-8", errors="replace")
        if path.suffix == ".parquet":
            text += "\n" + str(pq.read_table(path).to_pylist())
        texts[path.name] = text
    return texts


def test_no_identifier_or_free_text_reaches_any_file(world, practice_data, tmp_path):
    (alice, episode, session), (bob, *_) = practice_data
    out = export(world, tmp_path / "export")
    texts = every_file_as_text(out)
    assert set(texts) == {
        *(f"{t}.{ext}" for t in ("participants", "scores", "vitals", "doses") for ext in ("csv", "parquet")),
        "summary.csv",
        "dictionary.csv",
    }
    with scopes_disabled():
        secret = ResearchKey.objects.get(practice=world.practice).secret
    forbidden = [
        *ALICE.values(),
        *BOB.values(),
        *FREE_TEXT.values(),
        "Larkspurwhistle",
        "62704",
        "0137789",
        "555 013",
        alice.record_number,
        bob.record_number,
        str(alice.pk),
        str(alice.pk).replace("-", ""),
        str(episode.pk),
        str(session.pk),
        alice.date_of_birth.isoformat(),
        alice.date_of_birth.strftime("%m/%d/%Y"),
        timezone.localdate(episode.opened_at, world.practice.zone).isoformat(),
        secret,
    ]
    for name, text in texts.items():
        for needle in forbidden:
            assert needle.casefold() not in text.casefold(), f"{needle!r} leaked into {name}"


def test_only_clients_with_a_current_research_consent_are_exported(world, practice_data, tmp_path):
    (alice, _episode, session), (bob, *_) = practice_data
    out = export(world, tmp_path)
    secret = ResearchKey.objects.get(practice=world.practice).secret
    [participant] = read_csv(out / "participants.csv")
    assert participant["participant"] == deidentify.pseudonym(secret, "client", alice.pk)
    absent = deidentify.pseudonym(secret, "client", bob.pk)
    assert all(absent not in text for text in every_file_as_text(out).values())
    assert participant["age_at_start"] == "90+"
    assert participant["zip3"] == "627"

    scores = read_csv(out / "scores.csv")
    assert [(s["instrument"], s["total"], s["days_from_start"]) for s in scores] == [("phq9", "17.0", "2")]
    [given] = read_csv(out / "doses.csv")
    assert (given["route"], given["mg"], given["session_number"]) == (
        session.orders.get().route,
        "150.0",
        "1",
    )
    assert int(given["days_from_start"]) in (8, 9, 10)  # 12 days after opening, less 3, on the calendar
    rows = read_csv(out / "vitals.csv")
    hr = {(r["value"], r["unit"], r["minutes_from_dose"]) for r in rows if r["parameter"] == "hr"}
    assert hr == {("77", "bpm", "-5"), ("88", "bpm", "30")}
    assert {r["parameter"] for r in rows} == {"sbp", "dbp", "hr", "spo2", "rr"}
    table = pq.read_table(out / "vitals.parquet").to_pylist()
    assert (
        len(table) == len(rows)
        and {"parameter": "sbp", "value": 149}.items() <= next(r for r in table if r["value"] == 149).items()
    )


def test_an_outdated_research_consent_leaves_the_client_out(world, practice_data, tmp_path):
    with scopes_disabled():
        # A newer version of the research consent: the earlier signature is no longer current.
        publish(world.members["admin"], kind=ConsentKind.RESEARCH, text="Version 2 of the research consent.")
    out = export(world, tmp_path)
    assert read_csv(out / "participants.csv") == []
    assert read_csv(out / "doses.csv") == []


def test_pseudonyms_are_stable_under_one_key_and_change_with_another(world, practice_data, tmp_path):
    first = read_csv(export(world, tmp_path / "a") / "doses.csv")
    again = read_csv(export(world, tmp_path / "b") / "doses.csv")
    assert first == again
    with scopes_disabled():
        key = ResearchKey.objects.get(practice=world.practice)
        key.secret = "0" * 64
        key.save()
    other = read_csv(export(world, tmp_path / "c") / "doses.csv")
    for column in ("participant", "episode", "session"):
        assert other[0][column] != first[0][column]
    assert deidentify.pseudonym("k1", "client", "x") == deidentify.pseudonym("k1", "client", "x")
    assert deidentify.pseudonym("k1", "client", "x") != deidentify.pseudonym("k2", "client", "x")
    assert deidentify.pseudonym("k1", "client", "x") != deidentify.pseudonym("k1", "episode", "x")


def test_the_export_is_audited_with_counts_only_and_the_key_is_made_once(world, practice_data, tmp_path):
    export(world, tmp_path / "a")
    export(world, tmp_path / "b")
    with scopes_disabled():
        assert ResearchKey.objects.filter(practice=world.practice).count() == 1
        assert AuditEvent.objects.filter(action="research.key.created").count() == 1
        events = AuditEvent.objects.filter(action="research.export.written").order_by("pk")
        assert events.count() == 2
        data = events[0].data
    assert data["participants"] == 1 and data["rows"]["doses"] == 1
    assert data["zip3_restricted_list_confirmed"] is False


def test_the_dictionary_describes_every_column_and_small_cells_are_suppressed(world, practice_data, tmp_path):
    out = export(world, tmp_path)
    described = {
        (r["file"].split(" ")[0].removesuffix(".csv"), r["column"]) for r in read_csv(out / "dictionary.csv")
    }
    assert all(r["description"] for r in read_csv(out / "dictionary.csv"))
    for path in out.glob("*.csv"):
        if path.name == "dictionary.csv":
            continue
        with path.open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert {(path.stem, column) for column in header} <= described, path.name
    summary = read_csv(out / "summary.csv")
    assert summary and all(r["participants"] == "<11" and r["rows"] == "<11" for r in summary)
    assert deidentify.cell(0) == "0" and deidentify.cell(10) == "<11" and deidentify.cell(11) == "11"


def test_age_and_zip_rules():
    assert deidentify.age_group(date(1930, 5, 2), date(2020, 5, 1)) == "89"
    assert deidentify.age_group(date(1930, 5, 2), date(2020, 5, 2)) == "90+"
    assert deidentify.age_group(date(1927, 1, 1), date(2020, 6, 1)) == "90+"
    assert deidentify.zip3("12 Elm St, Austin, TX 78701-1234") == "787"
    assert deidentify.zip3("No postcode here") == ""
    assert deidentify.zip3("Flat 12345, 99 Road, Portland OR 97201") == "972"  # the last ZIP-like group
