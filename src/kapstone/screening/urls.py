from django.urls import path

from . import public, views, views_inquiries, views_library

app_name = "screening"

urlpatterns = [
    # /clients/<id>/screening/: one client's intake, assessments and decision (clinical roles)
    path("clients/<uuid:client_id>/screening/", views.client_screening, name="client"),
    path("clients/<uuid:client_id>/screening/intake/", views.intake, name="intake"),
    path("clients/<uuid:client_id>/screening/intake/link/", views.intake_link, name="intake_link"),
    path("clients/<uuid:client_id>/screening/screeners/", views.assign_screeners, name="assign_screeners"),
    path("clients/<uuid:client_id>/screening/assess/", views.run_assessment, name="run_assessment"),
    path(
        "clients/<uuid:client_id>/screening/assessments/<uuid:assessment_id>/",
        views.assessment,
        name="assessment",
    ),
    path(
        "clients/<uuid:client_id>/screening/assessments/<uuid:assessment_id>/decide/",
        views.decide,
        name="decide",
    ),
    # /screening/: practice-wide pages
    path("screening/", views.worklist, name="worklist"),
    path("screening/inquiries/", views_inquiries.inquiry_list, name="inquiries"),
    path("screening/inquiries/<uuid:inquiry_id>/", views_inquiries.inquiry_detail, name="inquiry"),
    path("screening/inquiries/<uuid:inquiry_id>/convert/", views_inquiries.inquiry_convert, name="convert"),
    path("screening/evidence/", views_library.evidence_list, name="evidence_list"),
    path("screening/evidence/<slug:evidence_id>/", views_library.evidence_detail, name="evidence"),
    path("screening/rules/", views_library.rules, name="rules"),
    path("screening/about-page/", views_library.about_edit, name="about_edit"),
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
