from .views import healthz


class HealthCheckMiddleware:
    """Answers /healthz before host and HTTPS checks: probes call it by container address over HTTP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return healthz(request)
        return self.get_response(request)
