"""People who sign in (staff now, clients through the portal later), identified by email."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone

from kapstone.practice.links import LinkKind, SecretLink, SecretLinkManager, SecretLinkQuerySet


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # None gives an unusable password: the invitation sets it
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


# The staff member's invitation link (docs/links.md); the portal's invitation is the same model.
STAFF_INVITATION = LinkKind(
    name="staff invitation",
    reason="Invitation links work once and expire after a few days.",
    email_subject="You are invited to {practice} on kapstone",
    email_template="practice/email/invitation.txt",
    once=True,
    ask="your practice admin",
    sign_in="accounts:login",
    base_template="base_public.html",
)


class InvitationQuerySet(SecretLinkQuerySet):
    def unspent(self) -> "InvitationQuerySet":
        return self.filter(used_at__isnull=True)


class Invitation(SecretLink):
    """A one-time link that lets an invited person (staff, or a client for the portal) set their
    password. Only the SHA-256 of the token is stored, so a database leak does not hand out accounts.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    practice = models.ForeignKey("practice.Practice", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    link_expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = SecretLinkManager.from_queryset(InvitationQuerySet)()
    link_related = ("user", "practice")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.user} to {self.practice}"

    def link_lifetime(self) -> timedelta:
        return timedelta(days=settings.KAPSTONE_INVITATION_DAYS)

    @classmethod
    def issue(cls, *, user, practice, created_by) -> tuple["Invitation", str]:
        """A new invitation and its token (shown or emailed once)."""
        invitation = cls(user=user, practice=practice, created_by=created_by)
        token = invitation.issue_token()
        invitation.save()
        return invitation, token

    def mark_used(self) -> bool:
        """The link stops working once the password is set. False when it was already used: of two
        sends of the form at the same moment, the second's UPDATE waits for the first's row lock,
        then finds ``used_at`` set and changes nothing, so only the first sets a password."""
        used_at = timezone.now()
        claimed = type(self).objects.filter(pk=self.pk, used_at__isnull=True).update(used_at=used_at)
        if claimed:
            self.used_at = used_at
        return bool(claimed)
