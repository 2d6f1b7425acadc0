from django.urls import path

from . import views

app_name = "refunds"
urlpatterns = [
    path("", views.refund_list, name="list"),
    path("new/<int:case_id>/", views.refund_new, name="new"),
    path("<int:pk>/", views.refund_detail, name="detail"),
    path("<int:pk>/print/", views.refund_print, name="print"),
    path("<int:pk>/scan/", views.refund_scan, name="scan"),
    path("<int:pk>/receipt/", views.refund_receipt, name="receipt"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.refund_attachment, name="attachment"),
    path("<int:pk>/<slug:action>/", views.refund_act, name="act"),
]
