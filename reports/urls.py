from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("punctuality/", views.punctuality, name="punctuality"),
    path("punctuality/deadlines/", views.deadline_list, name="deadlines"),
    path("renewal/", views.renewal, name="renewal"),
    path("renewal/students/", views.renewal_list, name="renewals"),
    path("retention/", views.retention, name="retention"),
    path("retention/cases/", views.case_list, name="cases"),
    path("retention/refunds/", views.refund_list, name="refunds"),
    path("caseload/", views.caseload, name="caseload"),
]
