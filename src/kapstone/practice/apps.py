from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "kapstone.practice"
    label = "practice"
    verbose_name = "Practices and staff"

    def ready(self):
        # Project-wide system checks (kapstone.E001...) live beside the settings they guard.
        from kapstone import checks  # noqa: F401
