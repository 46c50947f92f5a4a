"""Audit action codes of this app and the words an admin reads for them."""

ACTIONS = {
    "research.export.written": "Wrote a de-identified research export (HIPAA Safe Harbor)",
    "research.key.created": "Created the practice's research pseudonym key (kept, never exported)",
}
