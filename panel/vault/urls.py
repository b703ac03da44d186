"""Token pages of the current team, mounted at `team/tokens/`."""
from django.urls import path

from . import views

app_name = "vault"

urlpatterns = [
    path("", views.token_list, name="token_list"),
    path("add/", views.token_add, name="token_add"),
    path("<int:pk>/replace/", views.token_replace, name="token_replace"),
    path("<int:pk>/check/", views.token_check, name="token_check"),
    path("<int:pk>/delete/", views.token_delete, name="token_delete"),
]
