from django.urls import path

from . import public
from .views import client, inquiries, library

app_name = "screening"

urlpatterns = [
    # /clients/<id>/screening/: one client's intake, assessments and decision (clinical roles)
    path("clients/<uuid:client_id>/screening/", client.client_screening, name="client"),
    path("clients/<uuid:client_id>/screening/intake/", client.intake, name="intake"),
    path("clients/<uuid:client_id>/screening/intake/link/", client.intake_link, name="intake_link"),
    path("clients/<uuid:client_id>/screening/screeners/", client.assign_screeners, name="assign_screeners"),
    path("clients/<uuid:client_id>/screening/assess/", client.run_assessment, name="run_assessment"),
    path(
        "clients/<uuid:client_id>/screening/assessments/<uuid:assessment_id>/",
        client.assessment,
        name="assessment",
    ),
    path(
        "clients/<uuid:client_id>/screening/assessments/<uuid:assessment_id>/decide/",
        client.decide,
        name="decide",
    ),
    # /screening/: practice-wide pages
    path("screening/", client.worklist, name="worklist"),
    path("screening/inquiries/", inquiries.inquiry_list, name="inquiries"),
    path("screening/inquiries/<uuid:inquiry_id>/", inquiries.inquiry_detail, name="inquiry"),
    path("screening/inquiries/<uuid:inquiry_id>/convert/", inquiries.inquiry_convert, name="convert"),
    path("screening/evidence/", library.evidence_list, name="evidence_list"),
    path("screening/evidence/<slug:evidence_id>/", library.evidence_detail, name="evidence"),
    path("screening/rules/", library.rules, name="rules"),
    path("screening/about-page/", library.about_edit, name="about_edit"),
    # /p/<practice>/: the practice's public pages (no account)
    path("p/<slug:practice_slug>/about/", public.about, name="about"),
    path("p/<slug:practice_slug>/reach-out/", public.reach_out, name="reach_out"),
    path("p/<slug:practice_slug>/reach-out/sent/", public.reach_out_sent, name="reach_out_sent"),
    # /intake/<token>/: the client's one-time intake link (public)
    path("intake/<str:token>/", public.intake_form, name="intake_form"),
    path(
        "intake/<str:token>/questionnaires/<uuid:assignment_id>/",
        public.intake_questionnaire,
        name="intake_questionnaire",
    ),
]
