from django.urls import path

from . import views

app_name = "timeline"
urlpatterns = [
    path("", views.access_log_page, name="access_log"),
]
