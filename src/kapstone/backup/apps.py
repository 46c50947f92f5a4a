from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "kapstone.backup"
    label = "backup"
    verbose_name = "Backup and restore"
