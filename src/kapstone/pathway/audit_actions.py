"""Audit action codes of this app and the words an admin reads for them."""

ACTIONS = {
    "pathway.episode.opened": "Opened an episode of care",
    "pathway.episode.transitioned": "Moved an episode to another stage",
    "pathway.episode.gate_overridden": "Overrode a pathway requirement (with a written reason)",
}
