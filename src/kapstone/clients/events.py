"""Signals other apps listen to: ``client_created`` (request, client) is sent inside the creation's
transaction; the pathway opens the client's first episode of care. The clients app sits below the
pathway (every app finds its clients through ``clients.access``), so it announces instead of calling
up (``docs/architecture-notes.md``)."""

from django.dispatch import Signal

client_created = Signal()
