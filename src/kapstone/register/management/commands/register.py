"""``kapstone register``: check the controlled-substance register, print its reports, send reminders.

kapstone register check --practice SLUG
    Verify the chain of entries, recompute every balance from the entries, and look for counts
    not explained and reporting deadlines passed. Exit status 1 and one line per problem.
kapstone register report --practice SLUG --kind administrations --from DATE --to DATE [--format csv]
    Write a report for the period (dates in the practice's time zone) to standard output;
    ``--format pdf --out FILE`` writes it as a PDF to FILE instead (docs/documents.md).
kapstone register remind [--today DATE]
    Email the admins of every practice about theft or loss reports due by tomorrow or overdue
    (once a day; for cron).
"""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kapstone.audit.services import log_event
from kapstone.practice.models import Practice
from kapstone.practice.tenancy import practice_scope

from ... import reports
from ...tasks import send_task_reminders
from ...verify import check_register


def a_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date such as 2026-01-31.") from error


class Command(BaseCommand):
    help = "The controlled-substance register: 'check' verifies it, 'report' prints a log, 'remind' emails."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        check = sub.add_parser("check", help="verify chain, balances and counts")
        check.add_argument("--practice", required=True, help="the practice's slug")
        report = sub.add_parser("report", help="write a report to standard output")
        report.add_argument("--practice", required=True, help="the practice's slug")
        report.add_argument("--kind", required=True, choices=sorted(reports.REPORTS))
        report.add_argument("--from", dest="start", required=True, type=a_date)
        report.add_argument("--to", dest="end", required=True, type=a_date)
        report.add_argument("--format", choices=["csv", "text", "pdf"], default="csv")
        report.add_argument("--out", type=Path, default=None, help="the file a PDF is written to")
        remind = sub.add_parser("remind", help="email admins about theft or loss reporting due")
        remind.add_argument("--today", type=a_date, default=None)

    def practice(self, slug: str) -> Practice:
        practice = Practice.objects.filter(slug=slug).first()
        if practice is None:
            raise CommandError(f"No practice with the slug {slug!r}.")
        return practice

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "remind":
            today = options["today"]
            sent = send_task_reminders.call(today.isoformat() if today else None)
            self.stdout.write(f"Reminders sent to {sent} practice(s).")
            return
        practice = self.practice(options["practice"])
        with practice_scope(practice):
            if subcommand == "check":
                self.check_register(practice)
            else:
                self.report(practice, options)

    def check_register(self, practice: Practice) -> None:
        problems = check_register(practice)
        for problem in problems:
            self.stderr.write(f"PROBLEM {problem}")
        if problems:
            raise CommandError(
                f"The register of {practice.name} has {len(problems)} problem(s).", returncode=1
            )
        self.stdout.write(self.style.SUCCESS(f"The register of {practice.name} is whole."))

    def report(self, practice: Practice, options: dict[str, Any]) -> None:
        if (options["format"] == "pdf") != (options["out"] is not None):
            raise CommandError("A PDF is written to a file: give --format pdf with --out FILE.")
        try:
            report = reports.build(options["kind"], practice, options["start"], options["end"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        log_event(
            action="register.report.exported",
            practice=practice,
            data={
                "kind": report.kind,
                "from": str(options["start"]),
                "to": str(options["end"]),
                "via": "cli",
                **({"format": "pdf"} if options["format"] == "pdf" else {}),
            },
        )
        if options["format"] == "pdf":
            out: Path = options["out"]
            out.write_bytes(report.pdf(practice, options["start"], options["end"]))
            self.stdout.write(f"Wrote {report.title.lower()} to {out}.")
            return
        if options["format"] == "csv":
            report.write_csv(self.stdout)
            return
        self.stdout.write(report.title)
        for row in report.rows:
            self.stdout.write("  ".join(row))
