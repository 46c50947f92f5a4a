from django.apps import AppConfig


class SessionsConfig(AppConfig):
    name = "kapstone.sessions"
    label = "medicine_sessions"
    verbose_name = "Medicine sessions"

    def ready(self):
        # Deferred until the app registry is ready, as Django's ready() requires.
        from kapstone.register import verify

        from . import dosing, signals  # noqa: F401
        from .supply import check_doses_drawn

        # The register's check learns that every dose from stock has its draw (docs/register.md).
        if check_doses_drawn not in verify.CHECKS:
            verify.CHECKS.append(check_doses_drawn)
