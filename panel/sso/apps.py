from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "panel.sso"
    label = "sso"
    verbose_name = "Sign-in with an identity provider"
