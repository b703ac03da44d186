"""Web pages of the account area, merged into `panel/web/urls.py` (names live in the `web` namespace)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
