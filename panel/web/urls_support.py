"""Web pages of the support area, merged into `panel/web/urls.py` (names live in the `web` namespace)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
