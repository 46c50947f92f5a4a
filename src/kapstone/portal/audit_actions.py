"""Audit action codes of this app and the words an admin reads for them."""

ACTIONS = {
    "portal.account.invited": "Invited a client to the portal",
    "portal.account.activated": "Client set a portal password",
    "portal.reminders.updated": "Client changed reminder choices",
    "portal.consent.downloaded": "Client downloaded a signed consent",
}
