from django.urls import path

from .views import board, end, session, setup

app_name = "sessions"

urlpatterns = [
    # /sessions/: the practice's live board and protocol settings
    path("sessions/board/", board.board, name="board"),
    path("sessions/board/cards/", board.board_cards_fragment, name="board_cards"),
    path("sessions/protocols/", setup.protocols, name="protocols"),
    path("sessions/reporting/", end.reporting_due_list, name="reporting_due"),
    path("sessions/scales/<str:scale>/", setup.scale_labels, name="scale_labels"),
    path("sessions/protocols/<str:protocol_id>/", setup.protocol_edit, name="protocol_edit"),
    path("sessions/protocols/<str:protocol_id>/supply/", setup.protocol_supply, name="protocol_supply"),
    # /clients/<id>/sessions/: one client's sessions, dose plan, starting a session
    path("clients/<uuid:client_id>/sessions/", setup.client_sessions, name="client"),
    path("clients/<uuid:client_id>/sessions/dose-plan/", setup.dose_plan, name="dose_plan"),
    path("clients/<uuid:client_id>/sessions/start/", setup.start, name="start"),
    # /sessions/<id>/: one medicine session
    path("sessions/<uuid:session_id>/", session.detail, name="detail"),
    path("sessions/<uuid:session_id>/checklist/", session.checklist, name="checklist"),
    path("sessions/<uuid:session_id>/order/", session.order, name="order"),
    path("sessions/<uuid:session_id>/administer/", session.administer, name="administer"),
    path("sessions/<uuid:session_id>/vitals/", session.vitals, name="vitals"),
    path("sessions/<uuid:session_id>/observations/", session.observation, name="observation"),
    path("sessions/<uuid:session_id>/adverse-events/", session.adverse_event, name="adverse_event"),
    path("sessions/<uuid:session_id>/notes/", session.note, name="note"),
    path(
        "sessions/<uuid:session_id>/amend/<str:record_type>/<uuid:record_id>/",
        session.amend,
        name="amend",
    ),
    path("sessions/<uuid:session_id>/discharge/", end.discharge, name="discharge"),
    path("sessions/<uuid:session_id>/cancel/", end.cancel, name="cancel"),
    path("sessions/<uuid:session_id>/summary/", end.summary, name="summary"),
    path("sessions/<uuid:session_id>/summary.pdf", end.summary_pdf, name="summary_pdf"),
    path("sessions/<uuid:session_id>/report/", end.reporting_form, name="reporting_form"),
    path("sessions/<uuid:session_id>/report.pdf", end.reporting_form_pdf, name="reporting_form_pdf"),
    path("sessions/<uuid:session_id>/report/submitted/", end.reporting_submit, name="reporting_submit"),
]
