from django.urls import path

from . import feeds
from .views import appointments, calendar, configure

app_name = "scheduling"

urlpatterns = [
    # /clients/<id>/appointments/: one client's appointments (booking needs the scheduling roles)
    path("clients/<uuid:client_id>/appointments/", appointments.client_appointments, name="client"),
    path("clients/<uuid:client_id>/appointments/new/", appointments.appointment_new, name="new"),
    path(
        "clients/<uuid:client_id>/appointments/<uuid:appointment_id>/",
        appointments.appointment_detail,
        name="detail",
    ),
    path(
        "clients/<uuid:client_id>/appointments/<uuid:appointment_id>/reschedule/",
        appointments.appointment_reschedule,
        name="reschedule",
    ),
    path(
        "clients/<uuid:client_id>/appointments/<uuid:appointment_id>/cancel/",
        appointments.appointment_cancel,
        name="cancel",
    ),
    path(
        "clients/<uuid:client_id>/appointments/<uuid:appointment_id>/status/",
        appointments.appointment_status,
        name="status",
    ),
    # /calendar/: the staff calendar, and each member's own calendar feed
    path("calendar/", calendar.calendar_home, name="calendar"),
    path("calendar/day/", calendar.calendar_day, name="day"),
    path("calendar/week/", calendar.calendar_week, name="week"),
    path("calendar/book/", appointments.choose_client, name="choose_client"),
    path("calendar/feed/", feeds.my_feed, name="my_feed"),
    # /calendar/feed/<token>.ics: the secret feed URL (public: the token is the key)
    path("calendar/feed/<str:token>.ics", feeds.feed, name="feed"),
    # /scheduling/: integrations due, and the admin's rooms and settings
    path("scheduling/integrations/", appointments.integrations, name="integrations"),
    path("scheduling/rooms/", configure.rooms, name="rooms"),
    path("scheduling/rooms/<int:room_id>/", configure.room_edit, name="room_edit"),
    path("scheduling/settings/", configure.settings, name="settings"),
]
