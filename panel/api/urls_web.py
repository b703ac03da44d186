"""Pages to create and revoke panel API tokens, mounted at `team/api-tokens/`."""

from django.urls import path

from . import views_web

app_name = "api_tokens"

urlpatterns = [
    path("", views_web.token_list, name="list"),
    path("<int:pk>/revoke/", views_web.token_revoke, name="revoke"),
]
