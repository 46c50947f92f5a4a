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
]
