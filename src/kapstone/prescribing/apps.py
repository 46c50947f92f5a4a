from django.apps import AppConfig


class PrescribingConfig(AppConfig):
    name = "kapstone.prescribing"
    label = "prescribing"
    verbose_name = "Prescribing records"
