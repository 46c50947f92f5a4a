from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kapstone.api"
    label = "api"
    verbose_name = "Open API"
