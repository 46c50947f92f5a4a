"""Audit action codes of this app and the words an admin reads for them."""

ACTIONS = {
    "integration.journal.created": "Wrote a journal entry",
    "integration.journal.updated": "Changed a journal entry",
    "integration.journal.viewed": "Viewed a client's shared journal entries",
    "integration.action_item.created": "Added an action item",
    "integration.action_item.reviewed": "Revisited an action item",
}
