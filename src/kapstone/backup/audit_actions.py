"""Audit action codes of this app and the words an admin reads for them."""

ACTIONS = {
    "backup.database.copied": "Copied the whole database to a backup file",
    "backup.database.restored": "Restored the whole database from a backup file",
}
