from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "panel.vault"
    label = "vault"
