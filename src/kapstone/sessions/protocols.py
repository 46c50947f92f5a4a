"""The practice's protocols: the bundled ones from ``kapstone.clinical`` with the practice's overrides.

Every number comes from the clinical core; this module only stores which settings a practice changed
(``ProtocolSetting``) and rebuilds the protocol from them with ``apply_overrides``, which refuses a
value outside the protocol's bounds.
"""

import re
from functools import lru_cache

from kapstone.clinical.protocols import Protocol, all_protocols, apply_overrides, get_protocol

from .models import ProtocolSetting


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


def practice_overrides(practice, protocol_id: str) -> dict[str, str]:
    setting = ProtocolSetting.objects.filter(practice=practice, protocol_id=protocol_id).first()
    return dict(setting.overrides) if setting else {}


def practice_protocol(practice, protocol_id: str) -> Protocol:
    """The protocol as this practice runs it now (raises KeyError for an unknown protocol id)."""
    return build(protocol_id, practice_overrides(practice, protocol_id), override_label(practice))


def practice_protocols(practice) -> list[Protocol]:
    """Every bundled protocol with the practice's overrides (one query)."""
    settings = {s.protocol_id: s.overrides for s in ProtocolSetting.objects.filter(practice=practice)}
    label = override_label(practice)
    return [build(p.id, settings.get(p.id, {}), label) for p in all_protocols()]


def protocol_choices() -> list[tuple[str, str]]:
    return [(p.id, p.title) for p in all_protocols()]


def session_protocol(session) -> Protocol:
    """The protocol exactly as the session was opened with (the practice may have changed it since)."""
    version = session.protocol_version
    label = version.split("+", 1)[1].rsplit(".", 1)[0] if "+" in version else "practice"
    return build(session.protocol_id, session.protocol_overrides, label)


def route_label(protocol: Protocol) -> str:
    return protocol.route.replace("_", " ").capitalize()
