from django.urls import path

from . import views

app_name = "followups"
urlpatterns = [
    path("students/<int:student_id>/callbacks/", views.callback_new, name="callback_new"),
    path("students/<int:student_id>/scores/", views.score_new, name="score_new"),
    path("students/<int:student_id>/growth/", views.growth_new, name="growth_new"),
    path("students/<int:student_id>/concerns/", views.concern_new, name="concern_new"),
    path(
        "students/<int:student_id>/concerns/<int:concern_id>/handle/",
        views.concern_handle_view,
        name="concern_handle",
    ),
    path(
        "students/<int:student_id>/lessons/<int:lesson_id>/absence/",
        views.absence_reason_new,
        name="absence_reason_new",
    ),
]
