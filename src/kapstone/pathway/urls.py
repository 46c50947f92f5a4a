from django.urls import path

from . import consent_views, programme_views, public, views

app_name = "pathway"

EPISODE = "clients/<uuid:client_id>/episodes/<uuid:episode_id>/"

urlpatterns = [
    # /clients/<id>/episodes/: one client's episodes of care (clinical roles; changes by editors)
    path("clients/<uuid:client_id>/episodes/", views.episode_list, name="episodes"),
    path("clients/<uuid:client_id>/episodes/new/", views.episode_open, name="open"),
    path(EPISODE, views.episode_detail, name="episode"),
    path(EPISODE + "move/", views.episode_move, name="move"),
    path(EPISODE + "programme/", views.episode_plan, name="plan"),
    path(EPISODE + "readiness/", views.readiness, name="readiness"),
    path(EPISODE + "preparation/", views.preparation, name="preparation"),
    path(EPISODE + "preparation/revisit/", views.revisit_words, name="revisit"),
    path(EPISODE + "escort/", views.escort, name="escort"),
    path(EPISODE + "consent/", consent_views.client_consent, name="consent"),
    path(EPISODE + "consent/link/", consent_views.consent_request, name="consent_request"),
    # /clients/<id>/consents/<id>/: one signature, its frozen text, the countersignature
    path(
        "clients/<uuid:client_id>/consents/<uuid:signature_id>/",
        consent_views.signature_detail,
        name="signature",
    ),
    path(
        "clients/<uuid:client_id>/consents/<uuid:signature_id>/countersign/",
        consent_views.countersign,
        name="countersign",
    ),
    # /programmes/ and /consent-documents/: the practice's templates and texts (admins)
    path("programmes/", programme_views.programme_list, name="programmes"),
    path("programmes/new/", programme_views.programme_create, name="programme_create"),
    path("programmes/<uuid:programme_id>/", programme_views.programme_edit, name="programme_edit"),
    path("consent-documents/", consent_views.document_list, name="consent_documents"),
    path("consent-documents/<uuid:document_id>/", consent_views.document_detail, name="consent_document"),
    path("consent-documents/<str:kind>/publish/", consent_views.document_publish, name="consent_publish"),
    # /consent/<token>/: the client's one-time signing link (public)
    path("consent/<str:token>/", public.sign, name="sign"),
]
