"""Audit action codes of this app and the words an admin reads for them."""

ACTIONS = {
    "measures.assignment.created": "Assigned a questionnaire",
    "measures.assignment.rescheduled": "Moved a questionnaire's due time with its appointment",
    "measures.assignment.cancelled": "Cancelled a questionnaire with its appointment",
    "measures.link.created": "Created a questionnaire link",
    "measures.link.opened": "Opened a questionnaire link",
    "measures.response.saved": "Saved questionnaire answers as a draft",
    "measures.response.submitted": "Submitted a questionnaire",
    "measures.response.viewed": "Viewed questionnaire answers",
    "measures.draft.viewed": "Opened a questionnaire to fill in for a client",
    "measures.viewed": "Viewed a client's measures",
    "measures.alert.created": "Safety alert raised",
    "measures.alert.acknowledged": "Acknowledged a safety alert",
    "measures.alert.viewed": "Viewed a safety alert",
    "measures.alert.escalated": "Escalated an unacknowledged safety alert to admins",
    "measures.alerts.viewed": "Viewed the open safety alerts",
    "measures.plan.updated": "Changed the measurement plan",
    "measures.outcomes.exported": "Exported the practice's outcome rates (aggregate, no client named)",
}
