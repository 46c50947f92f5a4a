from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "kapstone.scheduling"
    label = "scheduling"

    def ready(self):
        from . import signals  # noqa: F401
