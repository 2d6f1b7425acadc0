from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import views as accounts_views
from config import export_worker  # noqa: F401 (registers the export task where pages start it)
from timeline import exports as timeline_exports

admin.site.site_header = _("Learning management casework · administration")
admin.site.site_title = _("Casework administration")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("people/", accounts_views.people, name="people"),
    path("accounts/", include("accounts.urls")),
    path("students/", include("students.urls")),
    path("handover/", include("handover.urls")),
    path("followups/", include("followups.urls")),
    path("retention/", include("retention.urls")),
    path("refunds/", include("refunds.urls")),
    path("reports/", include("reports.urls")),
    path("access-log/", include("timeline.urls")),
    path("exports/<int:pk>/", timeline_exports.export_job_view, name="export_job"),
    path("api/", include("intake.urls")),
    path("", include("deadlines.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
