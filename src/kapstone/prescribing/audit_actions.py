"""Audit action codes of the prescribing records and the words an admin reads for them."""

ACTIONS = {
    "prescribing.credential.saved": "Saved a staff credential",
    "prescribing.credentials.reminded": "Sent credential expiry reminders",
    "prescribing.clients.viewed": "Viewed the clients' PDMP and REMS overview",
    "prescribing.client.viewed": "Viewed a client's PDMP checks and REMS enrolment",
    "prescribing.pdmp.recorded": "Recorded a PDMP check",
    "prescribing.enrolment.recorded": "Recorded a Spravato REMS patient enrolment",
    "prescribing.certification.saved": "Saved the Spravato REMS certification of the treatment setting",
    "prescribing.settings.saved": "Saved the prescribing settings",
}
