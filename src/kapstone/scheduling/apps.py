from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "kapstone.scheduling"
    label = "scheduling"
