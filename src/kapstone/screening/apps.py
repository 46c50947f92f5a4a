from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "kapstone.screening"
    label = "screening"
    verbose_name = "Screening and eligibility"

    def ready(self):
        from . import signals  # noqa: F401
