from django.urls import path

from . import views

app_name = "bulk"

urlpatterns = [
    path("new/", views.bulk_new, name="new"),
    path("<int:pk>/", views.batch_detail, name="detail"),
    path("<int:pk>/retry/", views.batch_retry, name="retry"),
]
