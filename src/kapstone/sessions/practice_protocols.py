"""The practice's protocols: the bundled ones from ``kapstone.clinical`` with the practice's overrides.

Every number comes from the clinical core; this module only reads which settings a practice changed
(``ProtocolSetting``) and rebuilds the protocol from them (``protocol_versions.build``).
"""

from kapstone.clinical.protocols import Protocol, all_protocols

from .models import ProtocolSetting
from .protocol_versions import build, override_label


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
