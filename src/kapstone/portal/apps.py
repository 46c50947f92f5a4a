from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "kapstone.portal"
    label = "portal"
    verbose_name = "Client portal"
