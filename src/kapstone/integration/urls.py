from django.urls import path

from . import views

app_name = "integration"

urlpatterns = [
    # /clients/<id>/integration/: integration notes, action items and the client's shared journal
    path("clients/<uuid:client_id>/integration/", views.integration, name="client"),
    path(
        "clients/<uuid:client_id>/integration/action-items/<uuid:item_id>/",
        views.action_item,
        name="action_item",
    ),
    path(
        "clients/<uuid:client_id>/integration/sessions/<uuid:session_id>/note/",
        views.note_new,
        name="note_new",
    ),
    path("clients/<uuid:client_id>/integration/notes/<uuid:note_id>/", views.note, name="note"),
    path("integration/themes/", views.themes, name="themes"),
    # The author's private psychotherapy note: never shown to anyone else.
    path(
        "clients/<uuid:client_id>/integration/notes/<uuid:note_id>/private/",
        views.psychotherapy_note,
        name="psychotherapy_note",
    ),
]
