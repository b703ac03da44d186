"""Web pages of the deploy area, merged into `panel/web/urls.py` (names live in the `web` namespace).

The paths start with `deploy/`, not `servers/`, so they never collide with `servers/<str:ref>/`.
"""

from django.urls import URLPattern, path

from .views import deploy

urlpatterns: list[URLPattern] = [
    path("deploy/", deploy.deploy, name="deploy"),
    path("deploy/<int:pk>/", deploy.deploy_progress, name="deploy_progress"),
]
