"""The live board: every medicine session of today, one card each, most urgent first.

One fixed set of queries loads every session with its records (``state.with_records``) and the open
safety alerts of their clients, so a board refresh costs the same whatever the number of sessions.
Each card carries the event times (dose, next check due, overdue from) so the page's script can count
time without asking the server; the server recomputes everything on each refresh.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cached_property

from django.db.models import Q

from kapstone.clients.access import visible_clients
from kapstone.clinical.monitoring import Phase
from kapstone.measures.models import SafetyAlert

from .models import MedicineSession
from .protocol_versions import route_label
from .state import ALERT_SEVERITIES, SessionState, alert_severity, severity_rank, with_records
from .vitals_chart import sparkline_svg

IN_SESSION = (Phase.DOSED, Phase.PEAK, Phase.RECOVERY)
CARD_VITALS = (("bp", "BP", "mmHg"), ("hr", "HR", "bpm"), ("spo2", "SpO2", "%"), ("rr", "RR", "/min"))
# The blood pressure on a card carries the most severe of its systolic, diastolic and MAP flags.
BP_PARAMETERS = ("sbp", "dbp", "map")
SEVERITY_LABELS = {"critical": "Critical", "warning": "Warning", "review": "Review"}


@dataclass
class VitalValue:
    key: str
    label: str
    value: str
    unit: str
    flag: dict | None

    @property
    def severity(self) -> str:
        return self.flag["severity"] if self.flag else ""

    @property
    def word(self) -> str:
        """The word beside a flagged value, so the meaning never rests on colour alone."""
        if not self.flag:
            return ""
        return "HIGH" if self.flag["direction"] == "high" else "LOW"

    @property
    def severity_label(self) -> str:
        """The flag's severity in words (docs/severity.md), beside ``word``."""
        return SEVERITY_LABELS.get(self.severity, "")


# A card is built per request from loaded records and read many times (sorting, the template), so its
# derived values are computed once.
@dataclass
class Card:
    state: SessionState
    alerts: list = field(default_factory=list)
    age: int | None = None

    @property
    def session(self):
        return self.state.session

    @property
    def phase_label(self) -> str:
        return self.state.phase.label.capitalize()

    @property
    def route(self) -> str:
        return route_label(self.state.protocol)

    @property
    def dose_text(self) -> str:
        state = self.state
        if state.administrations:
            text = f"{state.given_mg.normalize():f} mg given"
            if state.boosters_given:
                text += f" (incl. {state.boosters_given} booster{'s' if state.boosters_given > 1 else ''})"
            return text + self.source_text
        order = state.initial_order
        if order is not None:
            return f"{order.dose_mg.normalize():f} mg ordered, not given yet"
        return "No dose ordered yet"

    @property
    def source_text(self) -> str:
        """Where the doses came from: the register's containers, or the pharmacy's prescription."""
        codes = dict.fromkeys(a.container.code for a in self.state.administrations if a.container is not None)
        prescriptions = dict.fromkeys(
            a.prescription_ref for a in self.state.administrations if a.prescription_ref
        )
        if codes:
            return f" from {', '.join(codes)}"
        if prescriptions:
            return f" (prescription {', '.join(prescriptions)})"
        return ""

    @property
    def next_label(self) -> str:
        nxt = self.state.status.next
        return nxt.label if nxt else ""

    @property
    def countdown_text(self) -> str:
        """The next check relative to now, as the page's script also writes it."""
        seconds = self.state.status.seconds_until_next
        if seconds is None:
            return ""
        minutes, rest = divmod(abs(seconds), 60)
        clock = f"{minutes} min {rest:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"
        return f"in {clock}" if seconds >= 0 else f"{clock} late"

    @property
    def session_length(self):
        state = self.state
        return state.discharged_at - state.dose_time if state.discharged_at and state.dose_time else None

    @property
    def before_dose_text(self) -> str:
        baseline = self.state.baseline_vitals
        return (
            "Baseline recorded; waiting for the dose" if baseline else "Baseline vitals due before the dose"
        )

    @property
    def missed_labels(self) -> list[str]:
        return [check.label for check in self.state.status.missed]

    @property
    def overdue_labels(self) -> list[str]:
        return [check.label for check in self.state.status.overdue]

    @property
    def overdue(self) -> bool:
        return self.state.is_overdue

    @property
    def due(self) -> bool:
        return self.state.is_due

    @property
    def overdue_count(self) -> int:
        return len(self.state.status.overdue)

    @property
    def discharged(self) -> bool:
        return self.state.phase == Phase.DISCHARGED

    @cached_property
    def vitals(self) -> list[VitalValue]:
        latest = self.state.latest_vitals
        if latest is None:
            return []
        out = []
        for key, label, unit in CARD_VITALS:
            if key == "bp":
                value = latest.bp
                bp_flags = [f for f in latest.flags if f["parameter"] in BP_PARAMETERS]
                flag = max(bp_flags, key=lambda f: severity_rank(f["severity"])) if bp_flags else None
            else:
                raw = getattr(latest, key)
                value = "" if raw is None else str(raw)
                flag = latest.flag_for(key)
            if value:
                out.append(VitalValue(key, label, value, unit, flag))
        return out

    @cached_property
    def trend(self) -> str:
        """SVG sparkline of systolic BP and heart rate (from the prefetched readings: no query)."""
        return sparkline_svg(self.state.vitals, key=str(self.session.pk))

    @cached_property
    def urgent(self) -> bool:
        return not self.discharged and (self.overdue or bool(self.alerts) or self.state.latest_flagged)

    @cached_property
    def severity(self) -> str:
        """The most severe open alert or latest-vitals flag ("" when none, or once discharged): it
        colours the card and is written on it (docs/severity.md)."""
        if self.discharged:
            return ""
        found = [{"severity": a.severity} for a in self.alerts]
        latest = self.state.latest_vitals
        if self.state.latest_flagged and latest is not None:
            found += [f for f in latest.flags if f["severity"] in ALERT_SEVERITIES]
        return alert_severity(found) if found else ""

    @property
    def urgency(self) -> tuple:
        phase = self.state.phase
        if phase == Phase.DISCHARGED:
            rank = 5
        elif self.urgent:
            rank = 0
        elif self.due:
            rank = 1
        elif phase in IN_SESSION:
            rank = 2
        elif phase == Phase.DISCHARGE_READY:
            rank = 3
        else:
            rank = 4
        seconds = self.state.status.seconds_until_next
        return (
            rank,
            self.severity != "critical",  # among the urgent, a critical card first; then the most late
            seconds if seconds is not None else 10**9,
            self.session.room,
            str(self.session.pk),
        )


def day_bounds(practice, now):
    day = now.astimezone(practice.zone).date()
    start = datetime.combine(day, time(0), practice.zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), practice.zone)


def board_cards(membership, now, *, session_ids=None) -> list[Card]:
    """Today's sessions of the clients this member may see, most urgent first.

    A dosed session still in progress at midnight stays on the board: a client being monitored must
    never drop off the floor because the date changed. Those are looked for back to the start of
    yesterday, which bounds the query; so is one of them discharged today, which ended on this floor.
    Yesterday's sessions that were never dosed are not monitoring anyone and stay off.
    """
    practice = membership.practice
    start, end = day_bounds(practice, now)
    yesterday, _ = day_bounds(practice, start - timedelta(hours=1))
    sessions = MedicineSession.objects.filter(
        Q(opened_at__gte=start)
        | Q(opened_at__gte=yesterday, discharge__isnull=True, administrations__isnull=False)
        | Q(opened_at__gte=yesterday, discharge__discharged_at__gte=start),
        opened_at__lt=end,
        client__in=visible_clients(membership),
        cancelled_at__isnull=True,  # a cancelled session has left the floor (cancellation.py)
    ).distinct()
    if session_ids is not None:
        sessions = sessions.filter(pk__in=session_ids)
    listed = list(with_records(sessions))
    alerts: dict = {}
    if listed:
        open_alerts = SafetyAlert.objects.open().filter(client_id__in={s.client_id for s in listed})
        for alert in open_alerts.order_by("created_at"):
            alerts.setdefault(alert.client_id, []).append(alert)
    today = start.date()
    cards = [Card(SessionState(s, now), alerts.get(s.client_id, []), s.client.age_on(today)) for s in listed]
    return sorted(cards, key=lambda c: c.urgency)


__all__ = ["ALERT_SEVERITIES", "Card", "board_cards", "day_bounds"]
