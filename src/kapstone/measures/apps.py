from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "kapstone.measures"
    label = "measures"
    verbose_name = "Measures and safety alerts"

    def ready(self):
        from . import signals  # noqa: F401
