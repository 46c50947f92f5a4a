"""HIPAA Safe Harbor rules (45 CFR 164.514(b)(2), source hipaa-safe-harbor; docs/research.md), as pure
functions.

Pseudonyms are keyed hashes of kapstone's own record ids: HMAC-SHA256 with the practice's research
key, so the same record has the same pseudonym in every export while the key is kept, and nobody
without the key can compute or reverse one.
"""

import hashlib
import hmac
import re
from datetime import date

# Ages over 89 are one group (Safe Harbor item 3).
OLDEST_AGE = 89
OLDEST_GROUP = "90+"

# 3-digit ZIP prefixes whose area holds 20,000 people or fewer print as "000" (item 2). HHS publishes
# the list from census data; the source (hipaa-safe-harbor) as kapstone holds it does not give it, so
# this set is empty and the rule is UNCONFIRMED (docs/research.md, "Unconfirmed"): fill it from the
# current HHS list before a practice shares an export that carries zip3.
RESTRICTED_ZIP3: frozenset[str] = frozenset()
RESTRICTED_ZIP3_CONFIRMED = False

# A US ZIP code as the last 5-digit group of a free-text address, with an optional +4.
_ZIP = re.compile(r"(?<!\d)(\d{5})(?:-\d{4})?(?!\d)")

# Pseudonyms are cut to 20 hex digits (80 bits): no collision among a practice's records in practice.
PSEUDONYM_LENGTH = 20

# Aggregate cells counting fewer people than this are suppressed.
SMALL_CELL = 11
SUPPRESSED = "<11"


def pseudonym(secret: str, kind: str, record_id: object) -> str:
    """The keyed hash of one record id; ``kind`` (client, episode, session) keeps kinds apart."""
    message = f"{kind}:{record_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def age_group(born: date, on: date) -> str:
    """Whole years on ``on``, or "90+" past 89."""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return OLDEST_GROUP if age > OLDEST_AGE else str(age)


def zip3(address: str) -> str:
    """The first 3 digits of the address's ZIP code ("000" for a restricted prefix), or "" if none."""
    found = _ZIP.findall(address or "")
    if not found:
        return ""
    prefix = found[-1][:3]
    return "000" if prefix in RESTRICTED_ZIP3 else prefix


def cell(count: int) -> str:
    """A count for an aggregate table: "<11" for 1 to 10 people, else the number."""
    return SUPPRESSED if 0 < count < SMALL_CELL else str(count)
