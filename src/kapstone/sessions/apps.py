from django.apps import AppConfig


class SessionsConfig(AppConfig):
    name = "kapstone.sessions"
    label = "medicine_sessions"
    verbose_name = "Medicine sessions"

    def ready(self):
        from . import dosing, signals  # noqa: F401
