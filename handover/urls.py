from django.urls import path

from . import views

app_name = "handover"
urlpatterns = [
    path("", views.handover_list, name="list"),
    path("weekend/", views.weekend, name="weekend"),
    path("weekend/confirm/", views.weekend_confirm, name="weekend_confirm"),
    path("preclass/work/<int:pre_id>/", views.preclass_work, name="preclass_work"),
    path("preclass/<int:student_id>/", views.preclass_detail, name="preclass"),
    path("preclass/<int:student_id>/<slug:step>/", views.preclass_step, name="preclass_step"),
    path("items/<int:item_id>/", views.item_detail, name="item"),
    path("<int:pk>/", views.handover_detail, name="detail"),
    path("<int:pk>/items/<int:item_id>/received/", views.item_received, name="item_received"),
    path("<int:pk>/<slug:step>/", views.handover_step, name="step"),
]
