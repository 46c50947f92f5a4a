"""The research export: HIPAA Safe Harbor de-identified tables of consenting clients (docs/research.md).

Only clients whose research consent is current (signed and countersigned, on the newest version the
practice published: ``pathway.consent.consent_status``) are exported. Every row names people and
records by pseudonym only; dates become whole days from the start of the episode (the day it was
opened, practice time), and session times minutes from the session's first dose. No free text is
read at all: notes, intentions, journals, adverse-event descriptions and form answers never reach
this module's queries' columns.

Tables, tidy long format (one row per observation), each as CSV and Parquet:

- ``participants``: one row per client (age group at the first episode's start, ZIP prefix);
- ``scores``: one row per submitted questionnaire (instrument, total, days from start);
- ``vitals``: one row per vital sign measured (parameter, value, unit, minutes from the first dose);
- ``doses``: one row per dose given (route, mg, days from start);

plus ``summary.csv`` (people per instrument, vital and route, small cells suppressed) and
``dictionary.csv`` (every column of every file).
"""

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import transaction
from django.utils import timezone

from kapstone.audit.services import log_event
from kapstone.clients.models import Client
from kapstone.measures.models import QuestionnaireResponse
from kapstone.pathway.consent import consent_status
from kapstone.pathway.models import ConsentKind, Episode
from kapstone.practice.models import Practice
from kapstone.practice.tenancy import practice_scope
from kapstone.sessions.models import DoseAdministration, VitalsReading

from . import deidentify
from .models import ResearchKey

# (column, Parquet type, description) per table; the order is the files' column order.
COLUMNS: dict[str, list[tuple[str, pa.DataType, str]]] = {
    "participants": [
        ("participant", pa.string(), "Pseudonym of the client: keyed hash (HMAC-SHA256) of the record id"),
        (
            "age_at_start",
            pa.string(),
            'Whole years on the day the first episode opened; "90+" over 89',
        ),
        (
            "zip3",
            pa.string(),
            'First 3 ZIP digits of the address ("000" if restricted; blank if none)',
        ),
        ("episodes", pa.int64(), "Number of episodes of care exported for the participant"),
    ],
    "scores": [
        ("participant", pa.string(), "Pseudonym of the client"),
        ("episode", pa.string(), "Pseudonym of the episode of care"),
        ("instrument", pa.string(), "Questionnaire code (kapstone's instrument id, e.g. phq9)"),
        ("instrument_version", pa.string(), "Version of the instrument's scoring data"),
        ("total", pa.float64(), "Total score as scored by kapstone (blank if the instrument has none)"),
        ("days_from_start", pa.int64(), "Days from the episode's start (day 0) to submission, practice time"),
    ],
    "vitals": [
        ("participant", pa.string(), "Pseudonym of the client"),
        ("episode", pa.string(), "Pseudonym of the episode of care"),
        ("session", pa.string(), "Pseudonym of the medicine session"),
        ("session_number", pa.int64(), "Medicine session number within the episode (1, 2, ...)"),
        ("parameter", pa.string(), "sbp, dbp, hr, spo2 or rr"),
        ("value", pa.int64(), "Measured value"),
        ("unit", pa.string(), "Unit of the value (mmHg, bpm, %, breaths/min)"),
        (
            "minutes_from_dose",
            pa.int64(),
            "Whole minutes from the session's first dose (negative before it; blank if never dosed)",
        ),
        ("days_from_start", pa.int64(), "Days from the episode's start to the reading, practice time"),
    ],
    "doses": [
        ("participant", pa.string(), "Pseudonym of the client"),
        ("episode", pa.string(), "Pseudonym of the episode of care"),
        ("session", pa.string(), "Pseudonym of the medicine session"),
        ("session_number", pa.int64(), "Medicine session number within the episode"),
        ("protocol", pa.string(), "Protocol code (e.g. sublingual, esketamine_intranasal)"),
        ("route", pa.string(), "Route of administration as ordered"),
        ("mg", pa.float64(), "Amount given, mg"),
        ("days_from_start", pa.int64(), "Days from the episode's start to the dose, practice time"),
    ],
}
SUMMARY_COLUMNS = [
    ("table", "scores, vitals or doses"),
    ("measure", "Instrument, vital parameter or route"),
    ("participants", 'Number of participants with at least one row ("<11" for 1 to 10: suppressed)'),
    ("rows", 'Number of rows ("<11" when the participants cell is suppressed, so it cannot be derived)'),
]
VITALS = (("sbp", "mmHg"), ("dbp", "mmHg"), ("hr", "bpm"), ("spo2", "%"), ("rr", "breaths/min"))


@dataclass
class ExportResult:
    directory: Path
    participants: int
    rows: dict[str, int]
    files: list[str] = field(default_factory=list)


def research_key(practice: Practice) -> ResearchKey:
    """The practice's key, made (and audited) on the first export."""
    key, created = ResearchKey.objects.get_or_create(practice=practice)
    if created:
        log_event(None, "research.key.created", practice=practice)
    return key


def consenting_clients(practice: Practice) -> list[Client]:
    """Clients whose research consent is current: signed and countersigned, on the newest version."""
    chosen = []
    # Only what the export needs of the record: no name, phone or email is even fetched.
    clients = Client.objects.filter(practice=practice).only("id", "practice", "date_of_birth", "address")
    for client in clients.order_by("pk"):
        episode = client.episodes.order_by("-opened_at").first()
        if episode is not None and consent_status(episode)[ConsentKind.RESEARCH].is_current:
            chosen.append(client)
    return chosen


class _Days:
    """Whole days from an episode's start, counted on the practice's calendar."""

    def __init__(self, practice: Practice, episodes: list[Episode]):
        self.zone = practice.zone
        self.starts = {e.pk: timezone.localdate(e.opened_at, self.zone) for e in episodes}

    def __call__(self, episode_id: Any, moment: datetime) -> int:
        return (timezone.localdate(moment, self.zone) - self.starts[episode_id]).days


def _episode_at(episodes: list[Episode], moment: datetime) -> Episode:
    """The newest episode opened by ``moment`` (the first one for anything earlier)."""
    opened = [e for e in episodes if e.opened_at <= moment]
    return opened[-1] if opened else episodes[0]


def build_tables(practice: Practice, secret: str) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows for the practice's consenting clients, pseudonymised with ``secret``."""
    clients = consenting_clients(practice)
    episodes_of: dict[Any, list[Episode]] = defaultdict(list)
    for episode in Episode.objects.filter(client__in=clients).order_by("opened_at"):
        episodes_of[episode.client_id].append(episode)
    days = _Days(practice, [e for group in episodes_of.values() for e in group])

    def p(kind: str, record_id: Any) -> str:
        return deidentify.pseudonym(secret, kind, record_id)

    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in COLUMNS}
    for client in clients:
        episodes = episodes_of[client.pk]
        first_day = days.starts[episodes[0].pk] if episodes else practice.today()
        tables["participants"].append(
            {
                "participant": p("client", client.pk),
                "age_at_start": deidentify.age_group(client.date_of_birth, first_day),
                "zip3": deidentify.zip3(client.address),
                "episodes": len(episodes),
            }
        )
    responses = (
        QuestionnaireResponse.objects.submitted()
        .filter(client__in=clients, submitted_at__isnull=False)
        .only("client_id", "episode_id", "instrument_id", "instrument_version", "total", "submitted_at")
        .order_by("submitted_at")
    )
    for response in responses:
        episodes = episodes_of[response.client_id]
        if not episodes:
            continue
        assert response.submitted_at is not None  # filtered above
        episode = next((e for e in episodes if e.pk == response.episode_id), None) or _episode_at(
            episodes, response.submitted_at
        )
        tables["scores"].append(
            {
                "participant": p("client", response.client_id),
                "episode": p("episode", episode.pk),
                "instrument": response.instrument_id,
                "instrument_version": response.instrument_version,
                "total": response.total,
                "days_from_start": days(episode.pk, response.submitted_at),
            }
        )
    doses = (
        DoseAdministration.objects.current()
        .filter(session__client__in=clients)
        .select_related("order", "session")
        .only(
            "given_at",
            "amount_mg",
            "order__route",
            "session__id",
            "session__client_id",
            "session__episode_id",
            "session__number",
            "session__protocol_id",
        )
        .order_by("given_at")
    )
    first_dose: dict[Any, datetime] = {}
    for given in doses:
        session = given.session
        first_dose.setdefault(session.pk, given.given_at)
        tables["doses"].append(
            {
                "participant": p("client", session.client_id),
                "episode": p("episode", session.episode_id),
                "session": p("session", session.pk),
                "session_number": session.number,
                "protocol": session.protocol_id,
                "route": given.order.route,
                "mg": float(given.amount_mg),
                "days_from_start": days(session.episode_id, given.given_at),
            }
        )
    readings = (
        VitalsReading.objects.current()
        .filter(session__client__in=clients)
        .select_related("session")
        .only(
            "taken_at",
            *(name for name, _ in VITALS),
            "session__id",
            "session__client_id",
            "session__episode_id",
            "session__number",
        )
        .order_by("taken_at")
    )
    for reading in readings:
        session = reading.session
        dosed = first_dose.get(session.pk)
        minutes = int((reading.taken_at - dosed).total_seconds() // 60) if dosed else None
        for parameter, unit in VITALS:
            value = getattr(reading, parameter)
            if value is None:
                continue
            tables["vitals"].append(
                {
                    "participant": p("client", session.client_id),
                    "episode": p("episode", session.episode_id),
                    "session": p("session", session.pk),
                    "session_number": session.number,
                    "parameter": parameter,
                    "value": value,
                    "unit": unit,
                    "minutes_from_dose": minutes,
                    "days_from_start": days(session.episode_id, reading.taken_at),
                }
            )
    return tables


def summary_rows(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, str]]:
    """People and rows per instrument, vital and route, each cell under 11 people suppressed."""
    measure_of = {"scores": "instrument", "vitals": "parameter", "doses": "route"}
    out = []
    for table, column in measure_of.items():
        people: dict[str, set[str]] = defaultdict(set)
        rows: dict[str, int] = defaultdict(int)
        for row in tables[table]:
            people[row[column]].add(row["participant"])
            rows[row[column]] += 1
        for measure in sorted(people):
            n = len(people[measure])
            suppressed = 0 < n < deidentify.SMALL_CELL
            out.append(
                {
                    "table": table,
                    "measure": measure,
                    "participants": deidentify.cell(n),
                    "rows": deidentify.SUPPRESSED if suppressed else str(rows[measure]),
                }
            )
    return out


def dictionary_rows() -> list[dict[str, str]]:
    rows = [
        {"file": f"{table}.csv / {table}.parquet", "column": name, "type": str(kind), "description": text}
        for table, columns in COLUMNS.items()
        for name, kind, text in columns
    ]
    rows += [
        {"file": "summary.csv", "column": name, "type": "string", "description": text}
        for name, text in SUMMARY_COLUMNS
    ]
    return rows


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in rows)


def write_export(practice: Practice, out: Path) -> ExportResult:
    """Write every file into ``out`` (made if missing) and audit the export (counts only)."""
    out.mkdir(parents=True, exist_ok=True)
    with practice_scope(practice), transaction.atomic():
        secret = research_key(practice).secret
        tables = build_tables(practice, secret)
        files = []
        for table, columns in COLUMNS.items():
            names = [name for name, _, _ in columns]
            _write_csv(out / f"{table}.csv", names, tables[table])
            schema = pa.schema([(name, kind) for name, kind, _ in columns])
            pq.write_table(pa.Table.from_pylist(tables[table], schema=schema), out / f"{table}.parquet")
            files += [f"{table}.csv", f"{table}.parquet"]
        _write_csv(out / "summary.csv", [name for name, _ in SUMMARY_COLUMNS], summary_rows(tables))
        _write_csv(out / "dictionary.csv", ["file", "column", "type", "description"], dictionary_rows())
        files += ["summary.csv", "dictionary.csv"]
        result = ExportResult(
            out, len(tables["participants"]), {name: len(rows) for name, rows in tables.items()}, files
        )
        log_event(
            None,
            "research.export.written",
            practice=practice,
            data={
                "participants": result.participants,
                "rows": result.rows,
                "files": files,
                "zip3_restricted_list_confirmed": deidentify.RESTRICTED_ZIP3_CONFIRMED,
            },
        )
    return result
