from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "kapstone.register"
    label = "register"
    verbose_name = "Controlled-substance register"
