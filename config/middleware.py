from django.conf import settings
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

from .views import healthz


class HealthCheckMiddleware:
    """Answers /healthz before host and HTTPS checks: probes call it by container address over HTTP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return healthz(request)
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuses a body larger than settings.REQUEST_BODY_MAX_BYTES with a calm 413 page, unread.

    Django bounds form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams uploaded files to disk
    whatever their size; this bounds the whole request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty
        if length > settings.REQUEST_BODY_MAX_BYTES:
            return HttpResponse(loader.render_to_string("413.html"), status=413)
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Nothing shown to a signed-in user is kept by a browser or a shared cache: every page of the
    product names students, families or colleagues. Static files are served before this runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response
