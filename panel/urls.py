"""URL configuration: the front doors (web, API), health, admin."""
from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]
