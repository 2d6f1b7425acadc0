from django.urls import path

from . import views

app_name = "retention"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("analysis/", views.analysis, name="analysis"),
    path("new/<int:student_id>/", views.case_new, name="new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/print/", views.case_print, name="print"),
    path("<int:pk>/<slug:action>/", views.case_act, name="act"),
]
