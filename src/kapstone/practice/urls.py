from django.urls import path

from . import views

app_name = "practice"

urlpatterns = [
    # /practice/staff/: admins manage who works here and in which role
    path("staff/", views.staff_list, name="staff"),
    path("staff/invite/", views.staff_invite, name="staff_invite"),
    path("staff/<uuid:membership_id>/", views.staff_edit, name="staff_edit"),
    # /practice/alerts/: how soon an unacknowledged safety alert escalates, by severity
    path("alerts/", views.alert_settings, name="alert_settings"),
]
