from django.urls import path

from . import views

app_name = "clients"

urlpatterns = [
    # /clients/
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    # /clients/<id>/: every page of one client's record goes through access.get_client
    path("<uuid:client_id>/", views.client_detail, name="detail"),
    path("<uuid:client_id>/edit/", views.client_edit, name="edit"),
    path("<uuid:client_id>/care-team/", views.care_team, name="care_team"),
    path(
        "<uuid:client_id>/care-team/<int:member_id>/remove/", views.care_team_remove, name="care_team_remove"
    ),
]
