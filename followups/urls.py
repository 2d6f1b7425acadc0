from django.urls import path

from . import views

app_name = "followups"
urlpatterns = [
    path("students/<int:student_id>/callbacks/", views.entry_new, {"kind": "callback"}, name="callback_new"),
    path("students/<int:student_id>/scores/", views.entry_new, {"kind": "score"}, name="score_new"),
    path("students/<int:student_id>/growth/", views.entry_new, {"kind": "growth"}, name="growth_new"),
    path("students/<int:student_id>/concerns/", views.entry_new, {"kind": "concern"}, name="concern_new"),
    path(
        "students/<int:student_id>/concerns/<int:concern_id>/handle/",
        views.concern_handle,
        name="concern_handle",
    ),
    path(
        "students/<int:student_id>/lessons/<int:lesson_id>/absence/",
        views.absence_reason_new,
        name="absence_reason_new",
    ),
]
