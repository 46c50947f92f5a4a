"""Backing up and restoring kapstone's database, whole, while the server runs (docs/backup.md).

A backup is one tar file: ``manifest.json`` and the database dump (``database.sqlite3``, a copy made
with SQLite's online backup API, or ``database.pgdump``, ``pg_dump --format=custom``). The manifest
names the kapstone version, the migrations applied per app, the time, the database vendor, every
audit chain's head (``kapstone audit heads``) and the dump's SHA-256. The heads are read in the same
snapshot as the dump, so a restore can prove it brought back exactly the trail that was copied.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

from kapstone.audit.heads import chain_heads
from kapstone.audit.services import log_event
from kapstone.audit.verify import verify_all

FORMAT = 1
MANIFEST = "manifest.json"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore refused, with a message for the operator."""


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    events_verified: int
    migrations_behind: dict[str, list[str]]  # app -> this code's newer migrations: run migrate
    migrations_unknown: dict[str, list[str]]  # app -> in the backup, unknown to this kapstone


def kapstone_version() -> str:
    try:
        return version("kapstone")
    except PackageNotFoundError:
        return "unknown"


def migration_heads(connection: BaseDatabaseWrapper) -> dict[str, list[str]]:
    """Per app, the applied migrations no other applied migration of that app depends on."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied = set(loader.applied_migrations or {})
    heads: dict[str, list[str]] = {}
    for app, name in sorted(applied):
        node = loader.graph.node_map.get((app, name))
        children = node.children if node is not None else set()
        if not any(child[0] == app and child in applied for child in children):
            heads.setdefault(app, []).append(name)
    return heads


def code_migration_heads() -> dict[str, list[str]]:
    """Per app, the newest migrations this code has (whatever the database applied)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    heads: dict[str, list[str]] = {}
    for app, name in sorted(loader.graph.leaf_nodes()):
        heads.setdefault(app, []).append(name)
    return heads


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- Backup ----------------------------------------------------------------------------------------


def make_backup(out: Path, *, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Copy the database to ``out`` (a tar file, mode 0600: it holds every client's record) and
    return its manifest. Safe while the server runs: the copy is one consistent snapshot."""
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DUMPS:
        raise BackupError(f"kapstone backs up SQLite and PostgreSQL, not {vendor}.")
    if connection.in_atomic_block:
        raise BackupError("A backup takes its own snapshot; run it outside a transaction.")
    out = out.resolve()
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent} is not a directory.")
    # The backup is itself a read of every record: say so in the trail first, so the copy holds it.
    log_event(None, "backup.database.copied", data={"vendor": vendor, "file": out.name})
    with tempfile.TemporaryDirectory(prefix="kapstone-backup-") as scratch:
        dump = Path(scratch) / DUMPS[vendor]
        copy = _copy_sqlite if vendor == "sqlite" else _copy_postgresql
        heads, migrations = copy(connection, dump)
        manifest = {
            "format": FORMAT,
            "kapstone_version": kapstone_version(),
            "created_at": datetime.now(UTC).isoformat(),
            "database_vendor": vendor,
            "migrations": migrations,
            "audit_heads": heads,
            "dump": {"name": dump.name, "bytes": dump.stat().st_size, "sha256": sha256_of(dump)},
        }
        _write_archive(out, manifest, dump)
    return manifest


def _snapshot_facts(connection: BaseDatabaseWrapper) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    return [head.as_json() for head in chain_heads()], migration_heads(connection)


def _copy_sqlite(
    connection: BaseDatabaseWrapper, dump: Path
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    connection.ensure_connection()
    raw: sqlite3.Connection = connection.connection
    # A plain deferred read transaction, not Django's atomic(): kapstone's SQLite transactions are
    # IMMEDIATE (a write lock), and the backup API cannot read a database its own connection holds
    # the write lock of. Under the read transaction the heads and the copy see the same snapshot.
    raw.execute("BEGIN")
    try:
        facts = _snapshot_facts(connection)
        target = sqlite3.connect(dump)
        try:
            raw.backup(target)
        finally:
            target.close()
    finally:
        raw.execute("ROLLBACK")
    return facts


def pg_environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """libpq's environment for Django's connection settings: the password travels in PGPASSWORD,
    never on a command line (which every user of the machine can read in the process list)."""
    settings = connection.settings_dict
    env = dict(os.environ)
    for variable, value in {
        "PGHOST": settings.get("HOST"),
        "PGPORT": settings.get("PORT"),
        "PGUSER": settings.get("USER"),
        "PGPASSWORD": settings.get("PASSWORD"),
        "PGDATABASE": settings.get("NAME"),
        "PGSSLMODE": (settings.get("OPTIONS") or {}).get("sslmode"),
    }.items():
        if value:
            env[variable] = str(value)
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed. Install the PostgreSQL client tools of your server's version "
            "(Debian and Ubuntu: apt-get install postgresql-client)."
        )
    return path


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")


def _copy_postgresql(
    connection: BaseDatabaseWrapper, dump: Path
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    pg_dump = _pg_tool("pg_dump")
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # One snapshot for the heads read here and for pg_dump, which joins it (--snapshot) while
        # this transaction stays open; writers go on meanwhile.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        facts = _snapshot_facts(connection)
        command = [pg_dump, "--format=custom", f"--file={dump}", f"--snapshot={snapshot}"]
        _run(command, pg_environment(connection), "pg_dump")
    return facts


def _write_archive(out: Path, manifest: dict[str, Any], dump: Path) -> None:
    """Write the archive beside ``out`` and move it into place, so a failed backup never leaves a
    half-written file under the name of a good one."""
    partial = out.with_name(f".{out.name}.partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file, tarfile.open(fileobj=file, mode="w") as archive:
            body = json.dumps(manifest, indent=2).encode() + b"\n"
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(body), 0o600, int(datetime.now(UTC).timestamp())
            archive.addfile(info, io.BytesIO(body))
            info = archive.gettarinfo(dump, arcname=dump.name)
            info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
            with dump.open("rb") as body_file:
                archive.addfile(info, body_file)
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


# --- Restore ---------------------------------------------------------------------------------------


@contextmanager
def opened_backup(path: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    """The manifest and the dump (extracted to a private scratch directory), its hash checked."""
    try:
        archive = tarfile.open(path, mode="r")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{path} is not a kapstone backup: {error}") from None
    with archive, tempfile.TemporaryDirectory(prefix="kapstone-restore-") as scratch:
        manifest = _read_manifest(archive, path)
        name = manifest["dump"]["name"]
        if name not in DUMPS.values():
            raise BackupError(f"The manifest of {path} names an unknown dump {name!r}.")
        member = archive.extractfile(name) if name in archive.getnames() else None
        if member is None:
            raise BackupError(f"{path} has no {name}: the file is incomplete.")
        dump = Path(scratch) / name  # a fixed name, never a path taken from the archive
        with member, dump.open("wb") as file:
            shutil.copyfileobj(member, file, CHUNK)
        if sha256_of(dump) != manifest["dump"]["sha256"]:
            raise BackupError(
                f"The database dump in {path} does not match the SHA-256 in its manifest: the file is "
                "damaged or was changed. Nothing was restored."
            )
        yield manifest, dump


def _read_manifest(archive: tarfile.TarFile, path: Path) -> dict[str, Any]:
    member = archive.extractfile(MANIFEST) if MANIFEST in archive.getnames() else None
    if member is None:
        raise BackupError(f"{path} has no {MANIFEST}: it is not a kapstone backup.")
    try:
        manifest = json.load(member)
    except ValueError:
        raise BackupError(f"The manifest of {path} is not valid JSON.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is a backup format this kapstone does not read.")
    return manifest


def existing_tables(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def restore_backup(path: Path, *, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> Restored:
    """Restore ``path`` into the configured database, which must be empty unless ``force``; then
    check that the audit chains end where the manifest says and verify them."""
    connection = connections[using]
    with opened_backup(path) as (manifest, dump):
        vendor = manifest["database_vendor"]
        if vendor != connection.vendor:
            raise BackupError(
                f"{path} is a {vendor} backup and the configured database is {connection.vendor}; "
                f"point DATABASE_URL at a {vendor} database."
            )
        if connection.in_atomic_block:
            raise BackupError("A restore replaces the database; run it outside a transaction.")
        tables = existing_tables(connection)
        if tables and not force:
            shown = ", ".join(tables[:3]) + (", ..." if len(tables) > 3 else "")
            raise BackupError(
                f"The database {connection.settings_dict['NAME']} is not empty ({len(tables)} tables: "
                f"{shown}). Restore into an empty database, or pass --force to replace its contents "
                "with the backup's."
            )
        if vendor == "sqlite":
            _restore_sqlite(connection, dump)
        else:
            _restore_postgresql(connection, dump, clean=bool(tables))
    connection.close()  # the next query reads the restored database afresh
    restored_heads = [head.as_json() for head in chain_heads()]
    if restored_heads != manifest["audit_heads"]:
        raise BackupError(
            "The restored audit chains do not end where the manifest says: "
            f"{_heads_difference(manifest['audit_heads'], restored_heads)}. Do not use this database."
        )
    count, problems = verify_all()
    if problems:
        raise BackupError(f"The restored audit trail does not verify: {problems[0]}")
    log_event(
        None,
        "backup.database.restored",
        data={"backup_created_at": manifest["created_at"], "dump_sha256": manifest["dump"]["sha256"]},
    )
    behind, unknown = _compare_migrations(manifest["migrations"], code_migration_heads())
    return Restored(manifest, count, behind, unknown)


def _restore_sqlite(connection: BaseDatabaseWrapper, dump: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        # Copies every page: the target becomes the backup, whatever it held (hence --force).
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_postgresql(connection: BaseDatabaseWrapper, dump: Path, *, clean: bool) -> None:
    pg_restore = _pg_tool("pg_restore")
    env = pg_environment(connection)
    connection.close()  # no session of ours holds a lock on a table pg_restore drops
    command = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if clean:
        command += ["--clean", "--if-exists"]
    _run([*command, f"--dbname={env['PGDATABASE']}", str(dump)], env, "pg_restore")


def _heads_difference(expected: list[dict[str, Any]], found: list[dict[str, Any]]) -> str:
    wanted = {head["chain"]: head for head in expected}
    got = {head["chain"]: head for head in found}
    for chain in sorted(wanted.keys() | got.keys()):
        if wanted.get(chain) != got.get(chain):
            before = wanted.get(chain, {}).get("seq", "no event")
            after = got.get(chain, {}).get("seq", "no event")
            return f"chain {chain} should end at #{before}, ends at #{after}"
    return "the chains differ"


def _compare_migrations(
    backup: dict[str, list[str]], code: dict[str, list[str]]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(apps whose newest migrations the backup lacks, migrations of the backup this code lacks)."""
    known = MigrationLoader(None, ignore_no_migrations=True).graph.nodes
    unknown = {app: [n for n in names if (app, n) not in known] for app, names in backup.items()}
    unknown = {app: names for app, names in unknown.items() if names}
    behind = {
        app: names
        for app, names in code.items()
        if app not in unknown and set(names) != set(backup.get(app, []))
    }
    return behind, unknown
