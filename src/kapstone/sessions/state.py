"""Where a medicine session stands at a moment: computed from its event times, never stored.

``with_records(queryset)`` loads what every session page needs with a fixed number of queries
(whatever the number of sessions); ``SessionState(session, now)`` then answers from those lists: the
dose time, phase, monitoring status (next check, overdue checks), the latest vitals and the amounts
given, all through ``kapstone.clinical.monitoring``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from kapstone.clinical.monitoring import MonitoringStatus, Phase, monitoring_status, session_phase
from kapstone.clinical.protocols import SEVERITIES, Protocol

from .models import Discharge, DoseAdministration, DoseOrder, MedicineSession, Observation, VitalsReading

# Flag severities that raise a safety alert (docs/severity.md). "review" (the pre-dose BP review level)
# is for the prescriber reviewing the pre-dose checklist, not an alert the care team must acknowledge.
ALERT_SEVERITIES = frozenset(SEVERITIES) - {"review"}


def severity_rank(severity: str) -> int:
    """Position in ascending urgency (review < warning < critical); -1 for no flag."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def alert_severity(flags: Iterable[dict[str, Any]]) -> str:
    """The most severe of some flag dicts' severities: the severity of the alert they raise."""
    return max((f["severity"] for f in flags), key=severity_rank)


def holding_flags(reading: VitalsReading | None) -> list[dict[str, Any]]:
    """The flags of a pre-dose reading that hold the dose (the hypertensive crisis band)."""
    return [f for f in reading.flags if f.get("holds_dose")] if reading is not None else []


def with_records(queryset: QuerySet[Any]) -> QuerySet[MedicineSession]:
    """Prefetch a session queryset's current records in time order (a fixed number of queries)."""
    # QuerySet[Any]: typed as a session queryset, django-stubs would add the prefetched lists to the
    # model a second time (they are declared on MedicineSession for every reader of SessionState).
    return queryset.select_related("client", "discharge", "discharge__discharged_by").prefetch_related(
        Prefetch("orders", queryset=DoseOrder.objects.order_by("ordered_at"), to_attr="order_list"),
        Prefetch(
            "administrations",
            queryset=DoseAdministration.objects.current().select_related("container").order_by("given_at"),
            to_attr="current_administrations",
        ),
        Prefetch(
            "vitals", queryset=VitalsReading.objects.current().order_by("taken_at"), to_attr="current_vitals"
        ),
        Prefetch(
            "observations",
            queryset=Observation.objects.current().order_by("observed_at"),
            to_attr="current_observations",
        ),
    )


def discharge_of(session: MedicineSession) -> Discharge | None:
    try:
        return session.discharge
    except Discharge.DoesNotExist:
        return None


@dataclass
class SessionState:
    session: MedicineSession
    now: datetime

    @cached_property
    def protocol(self) -> Protocol:
        return self.session.protocol

    @property
    def orders(self) -> list[DoseOrder]:
        return self.session.order_list

    @property
    def administrations(self) -> list[DoseAdministration]:
        return self.session.current_administrations

    @property
    def vitals(self) -> list[VitalsReading]:
        return self.session.current_vitals

    @property
    def observations(self) -> list[Observation]:
        return self.session.current_observations

    @cached_property
    def discharge(self) -> Discharge | None:
        return discharge_of(self.session)

    @property
    def discharged_at(self) -> datetime | None:
        return self.discharge.discharged_at if self.discharge else None

    @cached_property
    def dose_time(self) -> datetime | None:
        """The first dose actually given (IV: the start of the infusion)."""
        return self.administrations[0].given_at if self.administrations else None

    @cached_property
    def initial_order(self) -> DoseOrder | None:
        """The order the first dose was given from; before the dose, the newest dose order."""
        if self.administrations:
            order_id = self.administrations[0].order_id
            return next((o for o in self.orders if o.pk == order_id), None)
        initial = [o for o in self.orders if o.kind == DoseOrder.Kind.INITIAL]
        return initial[-1] if initial else None

    @cached_property
    def infusion_minutes(self) -> int | None:
        if self.protocol.infusion is None:
            return None
        order = self.initial_order
        return order.infusion_minutes if order and order.infusion_minutes else None

    @property
    def given_mg(self) -> Decimal:
        return sum((a.amount_mg for a in self.administrations), Decimal(0))

    def given_for(self, order: DoseOrder) -> Decimal:
        return sum((a.amount_mg for a in self.administrations if a.order_id == order.pk), Decimal(0))

    @property
    def boosters_given(self) -> int:
        given = {a.order_id for a in self.administrations}
        return sum(1 for o in self.orders if o.kind == DoseOrder.Kind.BOOSTER and o.pk in given)

    @property
    def minutes_since_dose(self) -> int | None:
        if self.dose_time is None:
            return None
        return int((self.now - self.dose_time).total_seconds() // 60)

    @cached_property
    def phase(self) -> Phase:
        return session_phase(
            self.protocol,
            self.now,
            dose_time=self.dose_time,
            discharged_at=self.discharged_at,
            infusion_minutes=self.infusion_minutes,
        )

    @cached_property
    def status(self) -> MonitoringStatus:
        return monitoring_status(
            self.protocol,
            self.dose_time,
            [v.taken_at for v in self.vitals],
            self.now,
            discharged_at=self.discharged_at,
            infusion_minutes=self.infusion_minutes,
        )

    @property
    def latest_vitals(self) -> VitalsReading | None:
        past = [v for v in self.vitals if v.taken_at <= self.now]
        return past[-1] if past else None

    @property
    def baseline_vitals(self) -> VitalsReading | None:
        before = [v for v in self.vitals if self.dose_time is None or v.taken_at <= self.dose_time]
        return before[-1] if before else None

    @property
    def overdue_at(self) -> datetime | None:
        """When the next check turns overdue (its due time plus the protocol's grace)."""
        if self.status.next_due_at is None:
            return None
        return self.status.next_due_at + timedelta(minutes=self.protocol.monitoring.grace_minutes.as_int)

    @property
    def is_overdue(self) -> bool:
        # A discharged session owes no check: answered before the schedule is rebuilt, so a chart of
        # past sessions costs nothing more as the history grows.
        return self.phase != Phase.DISCHARGED and bool(self.status.overdue)

    @property
    def is_due(self) -> bool:
        """A check after the dose is due now (the pre-dose baseline ranks with the waiting clients)."""
        if self.dose_time is None or self.phase == Phase.DISCHARGED:
            return False
        return any(c.status == "due" for c in self.status.checks)

    @property
    def latest_flagged(self) -> bool:
        latest = self.latest_vitals
        return bool(latest and any(f["severity"] in ALERT_SEVERITIES for f in latest.flags))

    def blood_pressure_at(self, moment: datetime) -> VitalsReading | None:
        """The newest reading with a blood pressure at or before ``moment`` (a dose's given time)."""
        readings = [v for v in self.vitals if v.taken_at <= moment and v.sbp is not None]
        return readings[-1] if readings else None

    def dose_hold_at(self, moment: datetime) -> tuple[VitalsReading, list[dict]] | None:
        """Before the first dose: the newest BP at or before ``moment`` and its flags that hold the dose
        (None once dosed, or when that reading is below the crisis band)."""
        if self.dose_time is not None:
            return None
        reading = self.blood_pressure_at(moment)
        hold = holding_flags(reading)
        return (reading, hold) if reading is not None and hold else None

    def dose_hold_message_at(self, moment: datetime) -> str:
        """Why a first dose given at ``moment`` cannot be recorded ("" when nothing holds it). Only a
        newer pre-dose reading below the crisis band lifts the hold; there is no override."""
        held = self.dose_hold_at(moment)
        if held is None:
            return ""
        reading, hold = held
        when = timezone.localtime(reading.taken_at, self.session.practice.zone).strftime("%H:%M")
        return (
            f"Do not dose: the newest pre-dose blood pressure ({reading.bp} mmHg at {when}) is in the "
            f"hypertensive crisis band. {hold[0]['message']} The prescribers have been alerted. Repeat "
            "the reading: the dose can be recorded once a newer pre-dose reading is below the band."
        )

    @property
    def dose_hold_message(self) -> str:
        return self.dose_hold_message_at(self.now)
