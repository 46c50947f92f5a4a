from django.apps import AppConfig


class PathwayConfig(AppConfig):
    name = "kapstone.pathway"
    label = "pathway"
    verbose_name = "Care pathway"

    def ready(self):
        from . import signals  # noqa: F401
