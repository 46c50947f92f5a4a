"""Which results raise a safety alert.

Every critical item in an instrument's reference data raises one (e.g. PHQ-9 item 9 above "Not at
all"); so does a C-SSRS screener triage of moderate or high risk (issue 3).
"""

from kapstone.clinical.scoring import ScoreResult

# Instrument -> the result severities that raise a risk-level alert.
RISK_LEVEL_ALERTS = {
    "cssrs_screener": {"moderate", "severe"},
    "cssrs_since_last_contact": {"moderate", "severe"},
}


def alert_reasons(result: ScoreResult, short_name: str) -> list[dict]:
    reasons = [
        {
            "kind": "critical_item",
            "item": finding.item,
            "summary": f"{short_name} item {finding.item}: {finding.meaning}",
        }
        for finding in result.critical_items
    ]
    if result.severity in RISK_LEVEL_ALERTS.get(result.instrument_id, ()):
        reasons.append({"kind": "risk_level", "item": None, "summary": f"{short_name}: {result.band}"})
    return reasons
