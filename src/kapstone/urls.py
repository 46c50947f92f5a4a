from django.urls import include, path

from . import health

urlpatterns = [
    path("", include("kapstone.home.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("kapstone.accounts.urls")),
    path("clients/", include("kapstone.clients.urls")),
    path("practice/", include("kapstone.practice.urls")),
    path("audit/", include("kapstone.audit.urls")),
    path("api/v1/", include("kapstone.api.v1_urls")),
    path("accounts/api-tokens/", include("kapstone.api.urls")),
    path("", include("kapstone.measures.urls")),
    path("", include("kapstone.pathway.urls")),
    path("", include("kapstone.screening.urls")),
    path("", include("kapstone.scheduling.urls")),
    path("", include("kapstone.register.urls")),
    path("", include("kapstone.prescribing.urls")),
    path("", include("kapstone.sessions.urls")),
    path("", include("kapstone.integration.urls")),
    path("", include("kapstone.portal.urls")),
]

handler403 = "kapstone.errors.forbidden"
handler404 = "kapstone.errors.not_found"
