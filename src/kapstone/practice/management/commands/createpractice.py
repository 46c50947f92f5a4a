"""``kapstone createpractice``: set up a new practice and its first admin on a fresh installation.

The admin gets a one-time link to choose their own password (no password ever passes through the
command line or shell history). Use ``--dry-run`` to see what would be created.
"""

import zoneinfo

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils.text import slugify

from kapstone.accounts.models import Invitation
from kapstone.audit.services import log_event
from kapstone.practice.models import Membership, Practice, Role


class Command(BaseCommand):
    help = "Create a practice and invite its first admin (prints a one-time password link)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="the practice's name")
        parser.add_argument("--time-zone", required=True, help="e.g. America/Chicago")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True)
        parser.add_argument(
            "--site-url", default="", help="e.g. https://kap.example.org, to print a full link"
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, name, time_zone, admin_email, admin_name, site_url, dry_run, **options):
        if time_zone not in zoneinfo.available_timezones():
            raise CommandError(f"{time_zone!r} is not a time zone name such as America/Chicago.")
        slug = slugify(name)
        if Practice.objects.filter(slug=slug).exists():
            raise CommandError(f"A practice called {name!r} already exists.")
        if dry_run:
            self.stdout.write(f"Would create practice {name!r} ({time_zone}) with admin {admin_email}.")
            return
        users = get_user_model().objects
        with transaction.atomic():
            practice = Practice.objects.create(name=name, slug=slug, time_zone=time_zone)
            user = users.filter(email__iexact=admin_email).first() or users.create_user(
                admin_email, full_name=admin_name
            )
            membership = Membership.objects.create(practice=practice, user=user, role=Role.ADMIN)
            log_event(
                action="practice.staff.invited", obj=membership, practice=practice, data={"role": "admin"}
            )
            link = None
            if not user.has_usable_password():
                _, token = Invitation.issue(user=user, practice=practice, created_by=user)
                link = site_url.rstrip("/") + reverse("accounts:invitation", args=[token])
        self.stdout.write(self.style.SUCCESS(f"Created {name} with {admin_email} as admin."))
        if link:
            self.stdout.write(f"The admin sets a password (once, within a few days) at:\n  {link}")
