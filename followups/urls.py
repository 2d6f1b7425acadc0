from django.urls import path

from . import views

app_name = "followups"
urlpatterns = [
    path("", views.followup_list, name="list"),
    path("exams/", views.exam_list, name="exams"),
    path("exams/sittings/<int:sitting_id>/no-score/", views.exam_no_score, name="exam_no_score"),
    path("students/<int:student_id>/exams/", views.exam_for_student, name="exam_for_student"),
    path(
        "students/<int:student_id>/exams/<int:sitting_id>/learned/",
        views.exam_learned_later,
        name="exam_learned",
    ),
    path(
        "students/<int:student_id>/exams/<int:sitting_id>/no-score/",
        views.student_exam_no_score,
        name="student_exam_no_score",
    ),
    path("students/<int:student_id>/callbacks/", views.entry_new, {"kind": "callback"}, name="callback_new"),
    path("students/<int:student_id>/scores/", views.entry_new, {"kind": "score"}, name="score_new"),
    path("students/<int:student_id>/growth/", views.entry_new, {"kind": "growth"}, name="growth_new"),
    path("students/<int:student_id>/concerns/", views.entry_new, {"kind": "concern"}, name="concern_new"),
    path(
        "students/<int:student_id>/concerns/<int:concern_id>/handle/",
        views.concern_handle,
        name="concern_handle",
    ),
    path("students/<int:student_id>/renewal/", views.entry_new, {"kind": "renewal"}, name="renewal_new"),
    path("students/<int:student_id>/stage-summary/", views.stage_summary, name="stage_summary"),
    path(
        "students/<int:student_id>/stage-summary/print/",
        views.stage_summary_print,
        name="stage_summary_print",
    ),
    path("students/<int:student_id>/pause/", views.student_pause, name="pause"),
    path("students/<int:student_id>/resume/", views.student_resume, name="resume"),
    path(
        "students/<int:student_id>/lessons/<int:lesson_id>/talk/", views.lesson_talk_new, name="lesson_talk"
    ),
    path(
        "students/<int:student_id>/lessons/<int:lesson_id>/told/",
        views.lesson_change_told,
        name="change_told",
    ),
    path(
        "students/<int:student_id>/documents/<int:document_id>/given/",
        views.document_given,
        name="document_given",
    ),
    path(
        "students/<int:student_id>/documents/<int:document_id>/filed/",
        views.document_file,
        name="document_file",
    ),
    path(
        "students/<int:student_id>/lessons/<int:lesson_id>/absence/",
        views.absence_reason_new,
        name="absence_reason_new",
    ),
]
