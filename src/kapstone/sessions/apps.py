from django.apps import AppConfig


class SessionsConfig(AppConfig):
    name = "kapstone.sessions"
    label = "medicine_sessions"
