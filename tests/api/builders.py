"""API test data: a token for a member, and the header that carries it."""

from datetime import timedelta

from kapstone.api.models import ApiToken, TokenScope
from kapstone.practice.tenancy import scopes_disabled


def make_token(member, scope=TokenScope.READ_WRITE, days=30, **fields) -> tuple[ApiToken, str]:
    token = ApiToken(
        practice=member.practice, membership=member, name=fields.pop("name", "Script"), scope=scope
    )
    token.lifetime = timedelta(days=days)
    secret = token.issue_token()
    for name, value in fields.items():
        setattr(token, name, value)
    with scopes_disabled():
        token.save()
    return token, secret


def bearer(member, scope=TokenScope.READ_WRITE) -> dict[str, str]:
    """Request headers with a fresh token of ``member``."""
    return {"Authorization": f"Bearer {make_token(member, scope)[1]}"}
