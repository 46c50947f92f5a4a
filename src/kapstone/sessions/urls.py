from django.urls import path

from . import board_views, end_views, setup_views, views

app_name = "sessions"

urlpatterns = [
    # /sessions/: the practice's live board and protocol settings
    path("sessions/board/", board_views.board, name="board"),
    path("sessions/board/cards/", board_views.board_cards_fragment, name="board_cards"),
    path("sessions/protocols/", setup_views.protocols, name="protocols"),
    path("sessions/scales/<str:scale>/", setup_views.scale_labels, name="scale_labels"),
    path("sessions/protocols/<str:protocol_id>/", setup_views.protocol_edit, name="protocol_edit"),
    # /clients/<id>/sessions/: one client's sessions, dose plan, starting a session
    path("clients/<uuid:client_id>/sessions/", setup_views.client_sessions, name="client"),
    path("clients/<uuid:client_id>/sessions/dose-plan/", setup_views.dose_plan, name="dose_plan"),
    path("clients/<uuid:client_id>/sessions/start/", setup_views.start, name="start"),
    # /sessions/<id>/: one medicine session
    path("sessions/<uuid:session_id>/", views.detail, name="detail"),
    path("sessions/<uuid:session_id>/checklist/", views.checklist, name="checklist"),
    path("sessions/<uuid:session_id>/order/", views.order, name="order"),
    path("sessions/<uuid:session_id>/administer/", views.administer, name="administer"),
    path("sessions/<uuid:session_id>/vitals/", views.vitals, name="vitals"),
    path("sessions/<uuid:session_id>/observations/", views.observation, name="observation"),
    path("sessions/<uuid:session_id>/adverse-events/", views.adverse_event, name="adverse_event"),
    path("sessions/<uuid:session_id>/notes/", views.note, name="note"),
    path(
        "sessions/<uuid:session_id>/amend/<str:record_type>/<uuid:record_id>/",
        views.amend,
        name="amend",
    ),
    path("sessions/<uuid:session_id>/discharge/", end_views.discharge, name="discharge"),
    path("sessions/<uuid:session_id>/cancel/", end_views.cancel, name="cancel"),
    path("sessions/<uuid:session_id>/summary/", end_views.summary, name="summary"),
    path("sessions/<uuid:session_id>/report/", end_views.reporting_form, name="reporting_form"),
]
