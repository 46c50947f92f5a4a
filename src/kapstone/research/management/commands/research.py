"""``kapstone research export --practice SLUG --out DIR``: the de-identified research export
(HIPAA Safe Harbor; docs/research.md), audited as ``research.export.written``.

Named ``research`` rather than ``research export``: ``kapstone export`` is the API's FHIR export
command, and Django runs one command per name."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kapstone.practice.models import Practice
from kapstone.research.export import write_export


class Command(BaseCommand):
    help = "Write a de-identified research export of the clients who consented to research use."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export"], help="export: write the de-identified files.")
        parser.add_argument("--practice", required=True, help="The practice's slug.")
        parser.add_argument("--out", required=True, help="Directory for the files (made if missing).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            practice = Practice.objects.get(slug=options["practice"])
        except Practice.DoesNotExist:
            raise CommandError(f"No practice with the slug {options['practice']!r}.") from None
        out = Path(options["out"])
        if out.exists() and not out.is_dir():
            raise CommandError(f"--out {out} exists and is not a directory.")
        result = write_export(practice, out)
        self.stdout.write(
            f"Wrote {len(result.files)} files to {out}: {result.participants} participants, "
            + ", ".join(f"{n} {table} rows" for table, n in result.rows.items() if table != "participants")
            + "."
        )
