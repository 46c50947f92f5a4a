"""`kapstone backup` copies the running database with a manifest; `kapstone restore` brings it back
into a fresh database with every row and the same audit chain heads, on the suite's database (SQLite,
or PostgreSQL when DATABASE_URL points there). The restore runs as a real command in its own process,
against a database that is not the test database."""

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from kapstone.audit.heads import chain_heads
from kapstone.audit.models import AuditEvent
from kapstone.clients.models import Client
from kapstone.practice.tenancy import scopes_disabled
from tests.conftest import build_world

REPO = Path(__file__).resolve().parents[2]
NEW_CLIENT = {
    "legal_first_name": "Rowan",
    "legal_last_name": "Backupson",
    "date_of_birth": "1990-02-03",
    "email": "rowan@example.test",
    "phone": "+1 555 010 0199",
    "emergency_contact_name": "Sam Backupson",
    "emergency_contact_relationship": "partner",
    "emergency_contact_phone": "+1 555 010 0198",
}


class FreshDatabase:
    """An empty database of the suite's vendor, outside the test database: its URL and its rows."""

    def __init__(self, tmp_path: Path):
        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            self.path = tmp_path / "restored.sqlite3"
            self.url = f"sqlite:///{self.path}"
            return
        settings = connection.settings_dict
        self.name = f"kapstone_restore_{uuid.uuid4().hex[:12]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{self.name}"')
        self.conninfo = psycopg.conninfo.make_conninfo(
            host=settings["HOST"] or "",
            port=str(settings["PORT"] or ""),
            user=settings["USER"] or "",
            password=settings["PASSWORD"] or "",
            dbname=self.name,
        )
        self.url = "postgres://{}:{}@{}:{}/{}".format(
            settings["USER"] or "", settings["PASSWORD"] or "", settings["HOST"], settings["PORT"], self.name
        )

    def query(self, sql: str) -> list[tuple]:
        if self.vendor == "sqlite":
            with sqlite3.connect(self.path) as db:
                return db.execute(sql).fetchall()
        with psycopg.connect(self.conninfo) as db:
            return db.execute(sql).fetchall()

    def chain_ends(self) -> dict[str, tuple[int, int, str]]:
        """chain -> (sequence number, event id, hash) of its newest event, read with plain SQL."""
        rows = self.query(
            "SELECT e.chain, e.seq, e.id, e.hash FROM audit_chainhead h "
            "JOIN audit_auditevent e ON e.chain = h.chain AND e.seq = h.seq"
        )
        return {chain: (seq, pk, digest) for chain, seq, pk, digest in rows}

    def row_counts(self) -> dict[str, int]:
        if self.vendor == "sqlite":
            with sqlite3.connect(self.path) as db:
                tables = [
                    name
                    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                    if not name.startswith("sqlite_")
                ]
                return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
        with psycopg.connect(self.conninfo) as db:
            tables = [
                name
                for (name,) in db.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                )
            ]
            return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608

    def drop(self) -> None:
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def fresh(transactional_db, tmp_path):
    database = FreshDatabase(tmp_path)
    yield database
    database.drop()


def kapstone(database: FreshDatabase, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run a kapstone command in its own process on ``database``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAPSTONE_", "DJANGO_", "DATABASE_URL"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "kapstone.settings",
        "KAPSTONE_ENVIRONMENT": "test",
        "KAPSTONE_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": database.url,
    }
    return subprocess.run(
        [sys.executable, "-m", "kapstone.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def source_row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from the schema
            counts[table] = cursor.fetchone()[0]
    return counts


def manifest_of(path: Path) -> dict:
    with tarfile.open(path) as archive:
        return json.load(archive.extractfile("manifest.json"))


@pytest.fixture
def backed_up(fresh, tmp_path, client):
    """Records made through kapstone's pages (a new client, a read of their chart), then a backup of
    the test database: (the backup file, the rows per table, the heads, then)."""
    world = build_world()
    client.force_login(world.members["front_desk"].user)
    assert client.post(reverse("clients:create"), NEW_CLIENT).status_code == 302
    with scopes_disabled():
        created = Client.objects.get(legal_last_name="Backupson")
    assert client.get(reverse("clients:detail", args=[created.pk])).status_code == 200
    with scopes_disabled():
        assert AuditEvent.objects.filter(client_id=created.pk, action="clients.chart.viewed").exists()
    out = tmp_path / "kapstone.backup"
    call_command("backup", out=str(out), verbosity=0)
    return out, source_row_counts(), [head.as_json() for head in chain_heads()]


def test_a_backup_restores_into_a_fresh_database_with_every_row_and_the_same_audit_heads(
    backed_up, fresh, tmp_path
):
    out, rows, heads = backed_up
    manifest = manifest_of(out)
    assert manifest["database_vendor"] == connection.vendor
    assert manifest["audit_heads"] == heads  # read in the dump's own snapshot
    assert manifest["migrations"]["clients"] and manifest["kapstone_version"]
    assert oct(out.stat().st_mode & 0o777) == "0o600"  # it holds every client's record

    restored = kapstone(fresh, tmp_path, "restore", str(out))
    assert restored.returncode == 0, restored.stderr
    assert "end at the manifest's heads" in restored.stdout
    # Not twice: a database that holds anything is refused unless --force.
    again = kapstone(fresh, tmp_path, "restore", str(out))
    assert again.returncode != 0
    assert "is not empty" in again.stderr and "--force" in again.stderr
    forced = kapstone(fresh, tmp_path, "restore", "--force", str(out))
    assert forced.returncode == 0, forced.stderr

    # Every row is back; the restore adds one event of its own, at the end of the system chain.
    assert fresh.row_counts() == rows | {"audit_auditevent": rows["audit_auditevent"] + 1}
    ends = fresh.chain_ends()
    for head in heads:
        if head["chain"] != "system":
            assert ends[head["chain"]] == (head["seq"], head["event_id"], head["hash"])
    assert ends["system"][0] == next(h["seq"] for h in heads if h["chain"] == "system") + 1
    assert fresh.query("SELECT action FROM audit_auditevent ORDER BY id DESC LIMIT 1") == [
        ("backup.database.restored",)
    ]


def test_a_changed_dump_is_refused_before_anything_is_restored(backed_up, tmp_path):
    out, rows, _ = backed_up
    changed = tmp_path / "changed.backup"
    with tarfile.open(out) as original, tarfile.open(changed, "w") as copy:
        for member in original.getmembers():
            body = original.extractfile(member).read()
            if member.name != "manifest.json":
                body = body[:-1] + bytes([body[-1] ^ 1])
            copy.addfile(member, io.BytesIO(body))
    with pytest.raises(CommandError, match="does not match the SHA-256"):
        call_command("restore", str(changed), check=True)
    with pytest.raises(CommandError, match="Nothing was restored"):
        call_command("restore", str(changed), force=True)
    assert source_row_counts() == rows
    checked = io.StringIO()
    call_command("restore", str(out), check=True, stdout=checked)
    assert "is intact" in checked.getvalue()


def test_a_restore_into_a_database_in_use_is_refused(backed_up):
    out, rows, _ = backed_up
    with pytest.raises(CommandError, match=r"is not empty \(\d+ tables.*pass --force"):
        call_command("restore", str(out))
    assert source_row_counts() == rows


def test_a_backup_never_overwrites_a_file(backed_up):
    out, _, _ = backed_up
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", out=str(out), verbosity=0)
