from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("", views.operation_list, name="list"),
    path("<int:pk>/", views.operation_detail, name="detail"),
    path("<int:pk>/cancel/", views.operation_cancel, name="cancel"),
    path("server/<str:server>/", views.server_progress, name="server_progress"),
]
