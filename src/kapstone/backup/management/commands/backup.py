"""``kapstone backup --out FILE``: a consistent copy of the whole database, taken while the server
runs (docs/backup.md).

SQLite is copied with its online backup API, PostgreSQL with ``pg_dump --format=custom`` (connection
details from ``DATABASE_URL``; the password goes to pg_dump in ``PGPASSWORD``, never on its command
line). FILE is a tar holding the dump and ``manifest.json``: kapstone's version, the migrations
applied per app, the time, the database vendor, every audit chain's head and the dump's SHA-256.
FILE holds every client's record: it is written with mode 0600; keep it as safe as the database.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kapstone.backup.archive import BackupError, make_backup


class Command(BaseCommand):
    help = "Copy the whole database, consistently and while the server runs, to a backup file."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="the backup file to write (an existing one is kept)")

    def handle(self, *args, out, **options):
        path = Path(out)
        if path.exists():
            raise CommandError(f"{path} exists already; choose a new name or remove it first.")
        try:
            manifest = make_backup(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if options["verbosity"] >= 1:
            dump = manifest["dump"]
            self.stdout.write(
                self.style.SUCCESS(
                    f"Backed up the {manifest['database_vendor']} database to {path} "
                    f"({dump['bytes']} bytes, SHA-256 {dump['sha256']}), "
                    f"{len(manifest['audit_heads'])} audit chain(s)."
                )
            )
