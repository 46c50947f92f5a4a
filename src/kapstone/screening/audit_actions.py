"""Audit action codes of this app and the words an admin reads for them."""

ACTIONS = {
    "screening.about.updated": "Changed the public page about KAP",
    "screening.inquiry.received": "Inquiry received from the public form",
    "screening.inquiries.viewed": "Viewed the inquiry list",
    "screening.inquiry.viewed": "Viewed an inquiry",
    "screening.inquiry.triaged": "Triaged an inquiry",
    "screening.inquiry.converted": "Converted an inquiry into a client",
    "screening.worklist.viewed": "Viewed the screening worklist",
    "screening.overview.viewed": "Viewed a client's screening",
    "screening.intake.created": "Started an intake",
    "screening.intake.viewed": "Viewed an intake",
    "screening.intake.saved": "Saved intake answers",
    "screening.intake.completed": "Marked an intake complete",
    "screening.intake.reopened": "Reopened a completed intake by changing it",
    "screening.intake_link.created": "Created an intake link for the client",
    "screening.intake_link.opened": "Client opened their intake link",
    "screening.intake.client_submitted": "Client sent their intake answers",
    "screening.screeners.assigned": "Assigned the intake screeners",
    "screening.assessment.created": "Ran an eligibility assessment",
    "screening.assessment.viewed": "Viewed an eligibility assessment",
    "screening.decision.recorded": "Recorded an eligibility decision",
}
