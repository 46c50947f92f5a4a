"""Secret links (staff and portal invitations, questionnaire, consent and intake links, calendar
feeds): the token is shown or emailed once, and only its SHA-256 is stored, so a copy of the database
hands out no working link."""

import hashlib
import secrets


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh unguessable token and the digest to store for it."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)
