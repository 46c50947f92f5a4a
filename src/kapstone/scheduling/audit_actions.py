"""Audit action codes of this app and the words an admin reads for them."""

ACTIONS = {}
