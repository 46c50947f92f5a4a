from django.urls import path

from . import views

app_name = "prescribing"

urlpatterns = [
    # /prescribing/: the overview (clinical roles)
    path("prescribing/", views.index, name="index"),
    # staff credentials: each member reads their own; admins manage everyone's
    path("prescribing/credentials/mine/", views.my_credentials, name="my_credentials"),
    path("prescribing/credentials/", views.credentials, name="credentials"),
    path("prescribing/credentials/expiring/", views.expiring, name="expiring"),
    path("prescribing/credentials/<uuid:credential_id>/", views.credential, name="credential"),
    # one client: PDMP checks and REMS enrolment (prescribers and admins record)
    path("prescribing/clients/<uuid:client_id>/", views.client, name="client"),
    path("prescribing/clients/<uuid:client_id>/pdmp/", views.pdmp_new, name="pdmp_new"),
    path("prescribing/clients/<uuid:client_id>/rems/", views.enrolment_new, name="enrolment_new"),
    # the treatment setting's REMS certification (clinical roles read, admins record) and settings
    path("prescribing/rems/", views.certifications, name="certifications"),
    path("prescribing/rems/<uuid:certification_id>/", views.certification, name="certification"),
    path("prescribing/settings/", views.prescribing_settings, name="settings"),
]
