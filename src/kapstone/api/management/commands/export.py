"""``kapstone export fhir --practice SLUG --out DIR``: every client of a practice as FHIR Bulk Data
NDJSON, one ``<Type>.ndjson`` per resource type (docs/fhir.md).

Streams record by record (flat memory); shows a progress bar only when standard error is a terminal,
so cron logs stay clean. The export is audited (``api.fhir.bulk.exported``, the counts per type).
Psychotherapy notes are never exported.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kapstone.audit.services import log_event
from kapstone.clients.models import Client
from kapstone.practice.models import Practice
from kapstone.practice.tenancy import practice_scope

from ...fhir import bulk

BAR = 30


def progress_bar(done: int, total: int) -> None:
    share = done / total if total else 1.0
    filled = round(BAR * share)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} records")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


class Command(BaseCommand):
    help = "Export a practice's records: 'fhir' writes FHIR R4 Bulk Data NDJSON files."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="format", required=True)
        fhir = sub.add_parser("fhir", help="one NDJSON file per FHIR resource type")
        fhir.add_argument("--practice", required=True, help="the practice's slug")
        fhir.add_argument("--out", required=True, type=Path, help="the folder the files are written to")

    def handle(self, *args: Any, **options: Any) -> None:
        practice = Practice.objects.filter(slug=options["practice"]).first()
        if practice is None:
            raise CommandError(f"No practice with the slug {options['practice']!r}.")
        out: Path = options["out"]
        if out.exists() and not out.is_dir():
            raise CommandError(f"{out} is a file: --out names a folder.")
        with practice_scope(practice):
            clients = Client.objects.filter(practice=practice)
            counts = bulk.export(clients, out, progress_bar if sys.stderr.isatty() else None)
            log_event(
                None,
                "api.fhir.bulk.exported",
                practice=practice,
                data={"via": "command", "resources": dict(sorted(counts.items()))},
            )
        for resource_type, count in sorted(counts.items()):
            self.stdout.write(f"{resource_type}.ndjson: {count}")
        self.stdout.write(self.style.SUCCESS(f"Wrote {sum(counts.values())} resources to {out}."))
