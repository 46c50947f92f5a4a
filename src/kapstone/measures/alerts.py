"""Safety alerts: which results raise one, at which severity, and the one function that raises them.

Every safety alert in kapstone, from a questionnaire answer, a vital sign or a bedside observation, is
created by :func:`raise_alert`: it stores the alert with its severity, writes the audit event and, once
the transaction commits, tells the people that severity reaches and schedules its escalation
(``tasks.schedule_escalation``). What each severity means is in ``docs/severity.md``.

Questionnaires: every critical item in an instrument's reference data (e.g. PHQ-9 item 9 above "Not at
all") is critical; a C-SSRS screener triage of high risk is critical and of moderate risk a warning.
"""

from django.db import transaction

from kapstone.audit.services import log_event
from kapstone.clinical.scoring import ScoreResult

from .models import SafetyAlert
from .tasks import schedule_escalation

Severity = SafetyAlert.Severity

# Instrument -> result severity (the instrument's band severity) -> alert severity.
_CSSRS_TRIAGE = {"moderate": Severity.WARNING, "severe": Severity.CRITICAL}
RISK_LEVEL_ALERTS = {"cssrs_screener": _CSSRS_TRIAGE, "cssrs_since_last_contact": _CSSRS_TRIAGE}
# A critical item (suicidal thoughts, ...) always needs the prescriber at once.
CRITICAL_ITEM_SEVERITY = Severity.CRITICAL
SUMMARY_LENGTH = SafetyAlert._meta.get_field("summary").max_length


def alert_reasons(result: ScoreResult, short_name: str) -> list[dict]:
    """Why a scored questionnaire raises alerts: kind, item, summary and severity of each."""
    reasons = [
        {
            "kind": SafetyAlert.Kind.CRITICAL_ITEM,
            "item": finding.item,
            "summary": f"{short_name} item {finding.item}: {finding.meaning}",
            "severity": CRITICAL_ITEM_SEVERITY,
        }
        for finding in result.critical_items
    ]
    severity = RISK_LEVEL_ALERTS.get(result.instrument_id, {}).get(result.severity or "")
    if severity is not None:
        reasons.append(
            {
                "kind": SafetyAlert.Kind.RISK_LEVEL,
                "item": None,
                "summary": f"{short_name}: {result.band}",
                "severity": severity,
            }
        )
    return reasons


def trim(text: str, length: int | None = SUMMARY_LENGTH) -> str:
    return text if length is None or len(text) <= length else text[: length - 1] + "…"


def raise_alert(
    request,
    *,
    client,
    kind: str,
    severity: str,
    summary: str,
    response=None,
    instrument_id: str = "",
    item: int | None = None,
) -> SafetyAlert:
    """Create a safety alert, audit it, and tell and escalate by its severity once the caller commits."""
    if severity not in Severity.values:
        raise ValueError(f"Unknown alert severity {severity!r}; use one of {', '.join(Severity.values)}.")
    alert = SafetyAlert.objects.create(
        practice=client.practice,
        client=client,
        response=response,
        kind=kind,
        severity=severity,
        instrument_id=instrument_id,
        item=item,
        summary=trim(summary),
    )
    data = {"kind": alert.kind, "severity": alert.severity}
    if instrument_id:
        data["instrument"] = instrument_id
    log_event(
        request, "measures.alert.created", obj=alert, client=client, practice=client.practice, data=data
    )
    alert_id = alert.pk
    transaction.on_commit(lambda: schedule_escalation(alert_id))
    return alert
