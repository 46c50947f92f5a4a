"""Every audit action code with the words an admin reads on the audit page.

Codes are ``<app>.<object>.<verb>``, globally unique and never reused for another meaning. Add a
code here before using it: :func:`kapstone.audit.log_event` refuses unknown codes, so a typo fails
a test instead of writing an event nobody can find.
"""

ACTIONS: dict[str, str] = {
    # accounts
    "accounts.login.succeeded": "Signed in",
    "accounts.login.failed": "Failed sign-in attempt",
    "accounts.logout": "Signed out",
    "accounts.2fa.enrolled": "Set up two-factor sign-in",
    "accounts.2fa.verified": "Passed two-factor sign-in",
    "accounts.2fa.failed": "Entered a wrong two-factor code",
    "accounts.2fa.recovery_codes.created": "Created new recovery codes",
    "accounts.invitation.accepted": "Accepted an invitation and set a password",
    # practice
    "practice.staff.invited": "Invited a staff member",
    "practice.staff.updated": "Changed a staff member's role or status",
    "practice.switched": "Switched practice",
    # clients
    "clients.client.created": "Created a client record",
    "clients.client.updated": "Changed a client record",
    "clients.chart.viewed": "Viewed a client's chart",
    "clients.record.viewed": "Viewed a client's details",
    "clients.list.viewed": "Viewed the client list",
    "clients.care_team.added": "Added a care-team member",
    "clients.care_team.removed": "Removed a care-team member",
    # pathway
    "pathway.episode.opened": "Opened an episode of care",
    # measures
    "measures.assignment.created": "Assigned a questionnaire",
    "measures.link.created": "Created a questionnaire link",
    "measures.link.opened": "Opened a questionnaire link",
    "measures.response.saved": "Saved questionnaire answers as a draft",
    "measures.response.submitted": "Submitted a questionnaire",
    "measures.response.viewed": "Viewed questionnaire answers",
    "measures.viewed": "Viewed a client's measures",
    "measures.alert.created": "Safety alert raised",
    "measures.alert.acknowledged": "Acknowledged a safety alert",
    "measures.alert.escalated": "Escalated an unacknowledged safety alert to admins",
    "measures.alerts.viewed": "Viewed the open safety alerts",
    "measures.plan.updated": "Changed the measurement plan",
    # audit
    "audit.events.viewed": "Viewed the audit trail",
}


def label(action: str) -> str:
    return ACTIONS.get(action, action)
