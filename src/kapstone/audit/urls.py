from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    # /audit/: admins review every touch of PHI
    path("", views.event_list, name="events"),
]
