"""A protocol as a practice or a session runs it: the bundled protocol from ``kapstone.clinical`` with
overrides applied (``apply_overrides`` refuses a value outside the protocol's bounds). Pure: no query.

The practice's current overrides are read in ``practice_protocols``. A session keeps the overrides it
was opened with, so ``MedicineSession.protocol`` is rebuilt here, and the models never import the
module that reads the practice's settings from them.
"""

import re
from functools import lru_cache

from kapstone.clinical.protocols import Protocol, all_protocols, apply_overrides, get_protocol


def override_label(practice) -> str:
    """The practice's part of an overridden protocol's version label (letters, digits, hyphens)."""
    label = re.sub(r"[^a-z0-9]+", "-", practice.slug.lower()).strip("-")
    return label or "practice"


@lru_cache(maxsize=256)
def _built(protocol_id: str, overrides: tuple[tuple[str, str], ...], label: str) -> Protocol:
    base = get_protocol(protocol_id)
    return apply_overrides(base, dict(overrides), label=label) if overrides else base


def build(protocol_id: str, overrides: dict, label: str) -> Protocol:
    return _built(protocol_id, tuple(sorted((k, str(v)) for k, v in overrides.items())), label)


def session_protocol(protocol_id: str, overrides: dict, version: str) -> Protocol:
    """The protocol exactly as a session was opened with it (the practice may have changed it since)."""
    label = version.split("+", 1)[1].rsplit(".", 1)[0] if "+" in version else "practice"
    return build(protocol_id, overrides, label)


def protocol_choices() -> list[tuple[str, str]]:
    return [(p.id, p.title) for p in all_protocols()]


def route_label(protocol: Protocol) -> str:
    return protocol.route.replace("_", " ").capitalize()
