"""What must be on record before a controlled substance is planned, ordered or given: the prescriber's
current DEA registration, the client's PDMP check within the practice's interval, and for esketamine
the treatment setting's REMS certification and the client's REMS enrolment (docs/prescribing.md).

The answers come from ``kapstone.prescribing.gates``; here they become refusals of the sessions
services, with no override: a lapsed registration or a missing enrolment is not a clinical judgement.
"""

from datetime import date

from kapstone.accounts.models import User
from kapstone.clients.models import Client
from kapstone.clinical.protocols import Protocol
from kapstone.practice.models import Practice
from kapstone.prescribing import gates
from kapstone.register.models import Substance

from .supply import substance_of


def is_esketamine(protocol: Protocol) -> bool:
    return substance_of(protocol) == Substance.ESKETAMINE


def plan_refusals(practice: Practice, prescriber: User | None, client: Client, on: date) -> list[str]:
    """A dose plan is the prescriber's: their registration, and the client's PDMP check when the practice
    makes it a hard stop."""
    found = [gates.prescriber_refusal(practice, prescriber, on) if prescriber is not None else None]
    found.append(gates.pdmp_refusal(client, on))
    return [r for r in found if r]


def order_refusals(
    practice: Practice, prescriber: User | None, client: Client, protocol: Protocol, on: date, *, first: bool
) -> list[str]:
    """An order needs the prescriber's current registration; the first dose of a session also the PDMP
    check and, for esketamine, the REMS certification and enrolment."""
    found = [gates.prescriber_refusal(practice, prescriber, on) if prescriber is not None else None]
    if first:
        found += given_refusals(client, protocol, on)
    return [r for r in found if r]


def given_refusals(client: Client, protocol: Protocol, on: date) -> list[str]:
    """Before the first dose is given: the PDMP check and, for esketamine, REMS (checked again at the
    moment of giving, since an order may wait)."""
    found = [gates.pdmp_refusal(client, on)]
    if is_esketamine(protocol):
        found.append(gates.rems_refusal(client, on))
    return [r for r in found if r]
