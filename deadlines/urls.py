from django.urls import path

from . import views

app_name = "deadlines"
urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/settings/", views.notice_choices, name="notice_choices"),
    path("deadlines/", views.deadline_list, name="list"),
    path("deadlines/<int:pk>/waive/", views.waive, name="waive"),
]
