"""The practice's research key: the secret behind the export's pseudonyms (docs/research.md)."""

import secrets

from django.db import models
from django.utils import timezone

from kapstone.practice.tenancy import PracticeScopedModel


def new_secret() -> str:
    return secrets.token_hex(32)  # 256 random bits, as long as an HMAC-SHA256 digest


class ResearchKey(PracticeScopedModel):
    """One per practice, made on the first export. The secret never leaves the database: without it a
    pseudonym cannot be traced back to a record (Safe Harbor allows a re-identification code that is
    not derived from the person's data and whose key is not disclosed: source hipaa-safe-harbor, item 18)."""

    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["practice"], name="research_key_one_per_practice")]

    def __str__(self) -> str:
        return f"Research key of practice {self.practice_id}"
