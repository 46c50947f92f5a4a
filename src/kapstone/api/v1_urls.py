"""The URLs of ``/api/v1/``: ninja's, each run as the bearer token's owner (``auth.acting_as``)."""

from django.urls import URLPattern

from .auth import acting_as
from .v1 import api

app_name = "api"

urlpatterns, _app, _namespace = api.urls
for pattern in urlpatterns:
    assert isinstance(pattern, URLPattern)  # ninja's URLs are plain patterns, no includes
    pattern.callback = acting_as(pattern.callback)
