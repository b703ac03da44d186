"""URLs of provider sign-in and the team's sign-in page (namespace `sso`)."""
from django.urls import path

from . import views

app_name = "sso"

urlpatterns = [
    path("accounts/oidc/start/", views.start, name="start"),
    path("accounts/oidc/callback/", views.callback, name="callback"),
    path("team/sign-in/", views.team_sign_in, name="team_sign_in"),
    path("team/sign-in/rules/", views.rule_add, name="rule_add"),
    path("team/sign-in/rules/<int:rule_id>/remove/", views.rule_remove, name="rule_remove"),
]
