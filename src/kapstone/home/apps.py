from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "kapstone.home"
    label = "home"
    verbose_name = "Staff home"
