from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    # /portal/: the client's own pages (signed-in clients only; staff get 403)
    path("portal/", views.home, name="home"),
    path("portal/login/", views.sign_in, name="login"),
    path("portal/logout/", views.sign_out, name="logout"),
    path("portal/password-reset/", views.password_reset, name="password_reset"),
    path("portal/password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "portal/password-reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"
    ),
    path("portal/password-reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("portal/welcome/<str:token>/", views.welcome, name="welcome"),
    path("portal/questionnaires/", views.questionnaires, name="questionnaires"),
    path("portal/questionnaires/<uuid:assignment_id>/", views.questionnaire, name="questionnaire"),
    path("portal/journal/", views.journal, name="journal"),
    path("portal/journal/<uuid:entry_id>/", views.journal_entry, name="journal_entry"),
    path("portal/progress/", views.progress, name="progress"),
    path("portal/reminders/", views.reminders, name="reminders"),
    path("portal/reading/", views.material, name="material"),
    path("portal/intentions/", views.intentions, name="intentions"),
    path("portal/consents/", views.consents, name="consents"),
    path("portal/consents/<uuid:signature_id>/download/", views.consent_download, name="consent_download"),
    # staff side
    path("clients/<uuid:client_id>/portal-invitation/", views.invite, name="invite"),
]
