from django.urls import path

from . import public
from .views import consent, episodes, programmes

app_name = "pathway"

EPISODE = "clients/<uuid:client_id>/episodes/<uuid:episode_id>/"

urlpatterns = [
    # /clients/<id>/episodes/: one client's episodes of care (clinical roles; changes by editors)
    path("clients/<uuid:client_id>/episodes/", episodes.episode_list, name="episodes"),
    path("clients/<uuid:client_id>/episodes/new/", episodes.episode_open, name="open"),
    path(EPISODE, episodes.episode_detail, name="episode"),
    path(EPISODE + "move/", episodes.episode_move, name="move"),
    path(EPISODE + "programme/", episodes.episode_plan, name="plan"),
    path(EPISODE + "readiness/", episodes.readiness, name="readiness"),
    path(EPISODE + "preparation/", episodes.preparation, name="preparation"),
    path(EPISODE + "preparation/revisit/", episodes.revisit_words, name="revisit"),
    path(EPISODE + "escort/", episodes.escort, name="escort"),
    path(EPISODE + "consent/", consent.client_consent, name="consent"),
    path(EPISODE + "consent/link/", consent.consent_request, name="consent_request"),
    # /clients/<id>/consents/<id>/: one signature, its frozen text, the countersignature
    path(
        "clients/<uuid:client_id>/consents/<uuid:signature_id>/",
        consent.signature_detail,
        name="signature",
    ),
    path(
        "clients/<uuid:client_id>/consents/<uuid:signature_id>/consent.pdf",
        consent.signature_pdf,
        name="signature_pdf",
    ),
    path(
        "clients/<uuid:client_id>/consents/<uuid:signature_id>/countersign/",
        consent.countersign,
        name="countersign",
    ),
    # /programmes/ and /consent-documents/: the practice's templates and texts (admins)
    path("programmes/", programmes.programme_list, name="programmes"),
    path("programmes/new/", programmes.programme_create, name="programme_create"),
    path("programmes/<uuid:programme_id>/", programmes.programme_edit, name="programme_edit"),
    path("consent-documents/", consent.document_list, name="consent_documents"),
    path("consent-documents/<uuid:document_id>/", consent.document_detail, name="consent_document"),
    path("consent-documents/<str:kind>/publish/", consent.document_publish, name="consent_publish"),
    # /consent/<token>/: the client's one-time signing link (public)
    path("consent/<str:token>/", public.sign, name="sign"),
]
