from django.apps import AppConfig


class PathwayConfig(AppConfig):
    name = "kapstone.pathway"
    label = "pathway"
    verbose_name = "Care pathway"
