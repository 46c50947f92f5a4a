"""The scheduling rules that depend on the episode's programme and protocol.

Clinical numbers come from ``kapstone.clinical`` (the protocol's observation time) or from the
episode's programme; nothing clinical is decided here. The programme model belongs to the pathway
app, so it is read defensively (``getattr``): an episode without one, or a programme without the
field, falls back to the documented default.
"""

from dataclasses import dataclass
from datetime import timedelta

from kapstone.clinical.monitoring import observation_end_minutes
from kapstone.clinical.protocols import Protocol, get_protocol

from .models import AppointmentKind, SchedulingSettings

# An episode without a programme (or a programme without a protocol) is dosed by this protocol.
DEFAULT_PROTOCOL_ID = "sublingual"
# The example programme: "6 medicine sessions each followed by integration within 72 h".
# Used only when the episode's programme does not say (``integration_within_hours``).
DEFAULT_INTEGRATION_WITHIN_HOURS = 72


def programme_of(episode):
    return getattr(episode, "programme", None) if episode is not None else None


def protocol_for(episode) -> Protocol:
    """The protocol of the episode's programme, else :data:`DEFAULT_PROTOCOL_ID` (sublingual).

    The programme may name its protocol as ``protocol_id`` or ``protocol`` (a protocol id string);
    an unknown id falls back to the default rather than refusing to book.
    """
    programme = programme_of(episode)
    for attribute in ("protocol_id", "protocol"):
        value = getattr(programme, attribute, None) if programme is not None else None
        if isinstance(value, str) and value:
            try:
                return get_protocol(value)
            except KeyError:
                break
    return get_protocol(DEFAULT_PROTOCOL_ID)


@dataclass(frozen=True)
class MedicineLength:
    check_in: int  # minutes before the dose (practice setting)
    observation: int  # minutes from the dose to the end of the protocol's minimum observation
    protocol: Protocol

    @property
    def total(self) -> int:
        return self.check_in + self.observation

    def explain(self) -> str:
        return (
            f"{self.total} min: {self.check_in} min check-in before the dose + {self.observation} min "
            f"from the dose to the end of the {self.protocol.title} protocol's minimum observation"
        )


def medicine_length(episode, settings: SchedulingSettings) -> MedicineLength:
    """A medicine appointment's usual length.

    Rule: the practice's check-in time before the dose (``medicine_check_in_minutes``) plus
    ``observation_end_minutes(protocol)``, the minutes from the dose until the protocol's minimum
    observation has passed. For protocols that count observation from the end of an infusion, that
    already includes the protocol's infusion (dosing) time. The protocol is the episode programme's,
    else sublingual (see :func:`protocol_for`). With the defaults: sublingual 30 + 120 = 150 min.
    """
    protocol = protocol_for(episode)
    return MedicineLength(settings.medicine_check_in_minutes, observation_end_minutes(protocol), protocol)


def minimum_medicine_minutes(episode) -> int:
    """A medicine appointment must last at least until the protocol's minimum observation ends."""
    return observation_end_minutes(protocol_for(episode))


def default_minutes(kind: str, episode, settings: SchedulingSettings) -> int:
    if kind == AppointmentKind.MEDICINE:
        return medicine_length(episode, settings).total
    return settings.usual_minutes(kind)


def integration_window(episode) -> timedelta:
    """How soon after a medicine appointment an integration appointment is due.

    The programme's ``integration_within_hours`` when it has one, else
    :data:`DEFAULT_INTEGRATION_WITHIN_HOURS`.
    """
    hours = getattr(programme_of(episode), "integration_within_hours", None)
    if not isinstance(hours, int) or isinstance(hours, bool) or hours <= 0:
        hours = DEFAULT_INTEGRATION_WITHIN_HOURS
    return timedelta(hours=hours)
