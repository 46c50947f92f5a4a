"""``kapstone outcomes --practice SLUG [--from DATE --to DATE] --format json|csv``: the practice
outcomes table (per outcome instrument n, and count and % of each verdict; the 12-month remission row)
for scripts and reports. The same numbers as the outcomes page. Aggregate data only, audited as an
export (``measures.outcomes.exported``).
"""

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from kapstone.audit.services import log_event
from kapstone.measures.outcome_forms import OutcomeFilterForm
from kapstone.measures.outcome_rates import (
    EXPORT_COLUMNS,
    export_rows,
    practice_rates,
    twelve_month_remission,
)
from kapstone.practice.models import Practice
from kapstone.practice.tenancy import practice_scope


class Command(BaseCommand):
    help = "Print a practice's outcome rates (n, count and % per verdict, 12-month remission) as JSON or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--practice", required=True, help="The practice's slug.")
        parser.add_argument("--from", dest="date_from", default="", help="First day (YYYY-MM-DD), inclusive.")
        parser.add_argument("--to", dest="date_to", default="", help="Last day (YYYY-MM-DD), inclusive.")
        parser.add_argument("--format", choices=("json", "csv"), default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            practice = Practice.objects.get(slug=options["practice"])
        except Practice.DoesNotExist:
            raise CommandError(f"No practice with the slug {options['practice']!r}.") from None
        now = timezone.now()
        with practice_scope(practice), transaction.atomic():
            form = OutcomeFilterForm(
                {"date_from": options["date_from"], "date_to": options["date_to"]}, practice=practice
            )
            if not form.is_valid():
                problems = "; ".join(
                    f"--{name.removeprefix('date_')}: {' '.join(str(error) for error in errors)}"
                    for name, errors in form.errors.items()
                )
                raise CommandError(problems)
            filters = form.filters()
            rows = export_rows(
                practice_rates(practice, filters), twelve_month_remission(practice, filters, as_of=now)
            )
            log_event(
                None,
                "measures.outcomes.exported",
                practice=practice,
                data={"format": options["format"], "from": options["date_from"], "to": options["date_to"]},
            )
        if options["format"] == "csv":
            writer = csv.DictWriter(self.stdout, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        else:
            report = {
                "practice": practice.slug,
                "from": options["date_from"] or None,
                "to": options["date_to"] or None,
                "generated_at": now.isoformat(),
                "rows": rows,
            }
            self.stdout.write(json.dumps(report, indent=2))
