"""``kapstone restore FILE``: bring back a ``kapstone backup`` into an empty database (docs/backup.md).

Refuses a database that holds any table unless ``--force`` (which replaces what the backup holds: the
whole file on SQLite; the backup's tables on PostgreSQL, through ``pg_restore --clean``). Before
touching the database it checks the dump against the SHA-256 in the manifest; afterwards it checks
that every audit chain ends at the head the manifest names, and verifies the chains. ``--check``
checks the file only and restores nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kapstone.backup.archive import BackupError, opened_backup, restore_backup


class Command(BaseCommand):
    help = "Restore a backup file into an empty database, checking its hash and the audit chain heads."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a file written by 'kapstone backup'")
        parser.add_argument("--force", action="store_true", help="replace a database that is not empty")
        parser.add_argument("--check", action="store_true", help="check the file only; restore nothing")

    def handle(self, *args, file, force, check, **options):
        path = Path(file)
        try:
            if check:
                with opened_backup(path) as (manifest, _):
                    self.stdout.write(
                        self.style.SUCCESS(
                            f"{path} is intact: a {manifest['database_vendor']} backup of "
                            f"{manifest['created_at']} (kapstone {manifest['kapstone_version']})."
                        )
                    )
                return
            restored = restore_backup(path, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = restored.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']}: the dump matches its SHA-256, the "
                f"{len(manifest['audit_heads'])} audit chain(s) end at the manifest's heads and "
                f"{restored.events_verified} events verify."
            )
        )
        if restored.migrations_unknown:
            apps = ", ".join(sorted(restored.migrations_unknown))
            self.stderr.write(
                f"The backup comes from a newer kapstone (migrations unknown here in: {apps}); "
                f"run the kapstone version {manifest['kapstone_version']} or later on it."
            )
        elif restored.migrations_behind:
            apps = ", ".join(sorted(restored.migrations_behind))
            self.stdout.write(f"This kapstone has newer migrations ({apps}): run 'kapstone migrate'.")
