"""``kapstone audit verify`` and ``kapstone audit heads`` (docs/audit.md).

``verify`` exits 0 when every chain verified; 1 when at least one chain is broken (tampering, or a
restore that lost events), naming the first altered, inserted or removed event.
``heads`` prints the newest event of every chain (id, hash, time) to be published outside kapstone.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from kapstone.audit.heads import chain_heads
from kapstone.audit.verify import verify_all


class Command(BaseCommand):
    help = (
        "Check the audit trail. 'verify' walks every hash chain and names the first broken event; "
        "'heads' prints each chain's newest event and hash, to keep a copy elsewhere."
    )

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["verify", "heads"])
        parser.add_argument("--format", choices=["text", "json"], default="text", help="for 'heads'")

    def handle(self, *args, subcommand, **options):
        if subcommand == "heads":
            self.print_heads(options["format"])
            return
        count, problems = verify_all()
        if problems:
            for problem in problems:
                self.stderr.write(f"BROKEN {problem}")
            raise CommandError(
                f"Audit trail verification failed: {len(problems)} chain(s) broken.", returncode=1
            )
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {count} events verified."))

    def print_heads(self, output_format: str) -> None:
        heads = chain_heads()
        if output_format == "json":
            self.stdout.write(json.dumps([head.as_json() for head in heads], indent=2))
            return
        for head in heads:
            name = head.practice or "(no practice)"
            self.stdout.write(
                f"{head.chain}  {name}  #{head.seq}  event {head.event_id}  "
                f"{head.occurred_at.isoformat()}  {head.hash}"
            )
