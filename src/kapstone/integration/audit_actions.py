"""Audit action codes of this app and the words an admin reads for them."""

ACTIONS = {
    "integration.journal.created": "Wrote a journal entry",
    "integration.journal.updated": "Changed a journal entry",
    "integration.journal.viewed": "Viewed a client's shared journal entries",
    "integration.action_item.created": "Added an action item",
    "integration.action_item.reviewed": "Revisited an action item",
    "integration.action_item.viewed": "Opened an action item",
    "integration.note.created": "Wrote an integration note",
    "integration.note.updated": "Changed an integration note",
    "integration.note.viewed": "Viewed an integration note",
    "integration.note_form.viewed": "Opened a new integration note for a session",
    "integration.psychotherapy_note.created": "Wrote a private psychotherapy note",
    "integration.psychotherapy_note.updated": "Changed a private psychotherapy note",
    "integration.psychotherapy_note.viewed": "Read a private psychotherapy note",
    "integration.theme.added": "Added an integration theme",
}
