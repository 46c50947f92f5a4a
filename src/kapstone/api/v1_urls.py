"""The URLs of ``/api/v1/``: ninja's, each run as the bearer token's owner (``auth.acting_as``)."""

from .auth import acting_as
from .v1 import api

app_name = "api"

urlpatterns, _app, _namespace = api.urls
for pattern in urlpatterns:
    pattern.callback = acting_as(pattern.callback)  # type: ignore[union-attr]
