"""``kapstone audit verify``: prove the audit trail is intact, or name the first bad event.

Exit status 0 means every chain verified; 1 means at least one chain is broken (tampering, or a
restore that lost events) and the output names the first altered, inserted or removed event.
"""

from django.core.management.base import BaseCommand, CommandError

from kapstone.audit.verify import verify_all


class Command(BaseCommand):
    help = "Check the audit trail. 'verify' walks every hash chain and names the first broken event."

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["verify"])

    def handle(self, *args, subcommand, **options):
        count, problems = verify_all()
        if problems:
            for problem in problems:
                self.stderr.write(f"BROKEN {problem}")
            raise CommandError(
                f"Audit trail verification failed: {len(problems)} chain(s) broken.", returncode=1
            )
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {count} events verified."))
