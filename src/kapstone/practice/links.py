"""Secret links (staff and portal invitations, questionnaire, consent and intake links, calendar
feeds): the token is shown or emailed once, and only its SHA-256 is stored, so a copy of the database
hands out no working link (docs/links.md).

One concept, written once:

- :class:`SecretToken` holds the digest and issues tokens; :class:`SecretLink` adds the expiry. A model
  inherits one of them and says what "spent" means for it in its queryset's ``unspent()`` (an invitation
  is spent once used, a questionnaire link once the answers are in, a consent link once signed);
- ``Model.objects.by_link(token)`` is the one lookup: a live link (unspent, unexpired) or ``None``,
  whatever the practice scope;
- :func:`email_link` sends a link with its kind's subject, template and expiry wording;
- ``kapstone.practice.public_links.public_link`` is the decorator of every public link page.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Self

from django.core.mail import send_mail
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone

from .tenancy import scopes_disabled

# token_urlsafe(32) gives 43 characters; anything much longer is not one of ours and is not hashed.
MAX_TOKEN_LENGTH = 100


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh unguessable token (256 bits) and the digest to store for it."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


@dataclass(frozen=True)
class LinkKind:
    """What a kind of link says to people: its email and its "not valid" page.

    ``reason`` is the page's one sentence on how links of this kind end; it never tells whether this
    link existed, expired or was used.
    """

    name: str
    reason: str  # "Questionnaire links work until the answers are sent, for a few days at most."
    email_subject: str = ""  # "{practice}" is replaced by the practice's name
    email_template: str = ""  # extends nothing; includes "links/email_link.txt" for the link itself
    once: bool = False  # the email says the link "works once"
    ask: str = "your practice"  # who sends a new link
    sign_in: str = ""  # URL name of a sign-in page to offer, for invitations
    base_template: str = "base_client.html"


class SecretLinkQuerySet(models.QuerySet):
    def unspent(self) -> Self:
        """Links not used up. Single-use kinds narrow this (used, completed, signed); the default is
        a link usable until it expires or is replaced."""
        return self

    def live(self, now: datetime | None = None) -> Self:
        live = self.unspent().exclude(token_hash="")
        if issubclass(self.model, SecretLink):
            live = live.filter(link_expires_at__gt=now or timezone.now())
        return live


class SecretLinkManager(models.Manager.from_queryset(SecretLinkQuerySet)):
    def by_link(self, token: str, now: datetime | None = None) -> Any:
        """The live link behind ``token``, or ``None``. Runs without a practice scope: the token is
        the key, and the caller opens the link's practice scope itself."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        digest = token_digest(token)
        with scopes_disabled():
            queryset = self.get_queryset().live(now).filter(token_hash=digest)
            found = queryset.select_related(*self.model.link_related).first()
        # The digest of an unknown token says nothing an attacker can steer, so the indexed lookup
        # leaks nothing; the exact, constant-time comparison guards against a lenient collation.
        if found is None or not hmac.compare_digest(found.token_hash, digest):
            return None
        return found


class SecretToken(models.Model):
    """A long-lived secret: usable until revoked or replaced (calendar feeds)."""

    # Only the SHA-256 of the token is kept; the token itself is shown (and emailed) once.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)

    # What a public page behind the link reads, fetched with the lookup (one query).
    link_related: tuple[str, ...] = ("practice",)

    objects = SecretLinkManager()

    class Meta:
        abstract = True

    def issue_token(self, now: datetime | None = None) -> str:
        """A fresh token for this link, returned once; any earlier one stops working. Not saved."""
        token, self.token_hash = new_token()
        return token

    def end_link(self) -> None:
        """The link stops working at once (used, replaced or withdrawn). Not saved."""
        self.token_hash = ""


class SecretLink(SecretToken):
    """A secret link that expires ``link_lifetime()`` after it was issued."""

    link_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def link_lifetime(self) -> timedelta:
        raise NotImplementedError(f"{type(self).__name__} says how long its links work.")

    def issue_token(self, now: datetime | None = None) -> str:
        token = super().issue_token(now)
        self.link_expires_at = (now or timezone.now()) + self.link_lifetime()
        return token


def email_link(kind: LinkKind, link: SecretLink, url: str, *, to: str, **context: Any) -> bool:
    """Email ``url`` to ``to`` with the kind's subject and template; False when there is no address.

    The template gets the practice, the URL, the expiry (shown in the practice's time zone), whether
    the link works once, and ``context``. Link emails name the practice, never a condition, a
    treatment or an instrument.
    """
    if not to:
        return False
    practice = link.practice
    context = {
        "practice": practice,
        "url": url,
        "expires": getattr(link, "link_expires_at", None),
        "once": kind.once,
        **context,
    }
    with timezone.override(practice.zone):
        body = render_to_string(kind.email_template, context)
    send_mail(kind.email_subject.format(practice=practice.name), body, None, [to])
    return True
