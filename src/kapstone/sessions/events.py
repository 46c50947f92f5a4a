"""Signals other apps listen to: ``session_discharged`` (request, session, discharge) is sent inside
the discharge's transaction; scheduling marks the day's medicine appointment as held."""

from django.dispatch import Signal

session_discharged = Signal()
