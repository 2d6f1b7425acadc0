from django.urls import path

from . import views

app_name = "students"
urlpatterns = [
    path("", views.student_list, name="list"),
    path("new/", views.contract_new, name="contract_new"),
    path("import/", views.contract_import_new, name="import_new"),
    path("timetable/", views.timetable, name="timetable"),
    path("import/template/", views.contract_import_template_view, name="import_template"),
    path("import/<int:pk>/", views.contract_import_status, name="import"),
    path("import/<int:pk>/confirm/", views.contract_import_confirm_view, name="import_confirm"),
    path("<int:pk>/assign/", views.student_assign_view, name="assign"),
    path("<int:pk>/", views.student_detail, name="detail"),
    path("<int:pk>/file/", views.student_file_edit, name="file_edit"),
    path("<int:pk>/edit/", views.student_edit, name="edit"),
    path("<int:pk>/contracts/new/", views.contract_renew, name="contract_renew"),
    path("<int:pk>/contracts/<int:contract_id>/edit/", views.contract_edit, name="contract_edit"),
    path("<int:pk>/guardians/new/", views.guardian_new, name="guardian_new"),
    path("<int:pk>/guardians/<int:guardian_id>/edit/", views.guardian_edit, name="guardian_edit"),
    path("<int:pk>/guardians/<int:guardian_id>/contacts/", views.guardian_contacts, name="guardian_contacts"),
    path("<int:pk>/schedule/", views.course_schedule, name="schedule"),
    path("<int:pk>/record/", views.student_record, name="record"),
    path("<int:pk>/lessons/new/", views.lessons_new, name="lessons_new"),
    path("<int:pk>/lessons/<int:lesson_id>/mark/", views.lesson_mark_view, name="lesson_mark"),
    path("<int:pk>/lessons/<int:lesson_id>/change/", views.lesson_edit, name="lesson_edit"),
    path("<int:pk>/documents/new/", views.document_new, name="document_new"),
    path("<int:pk>/documents/<int:document_id>/", views.document_download, name="document"),
]
