from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "kapstone.screening"
    label = "screening"
