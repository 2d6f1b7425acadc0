import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.exception("healthz: the database does not answer")
        return False


def broker_ok() -> bool:
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=0)
        return True
    except Exception:
        logger.exception("healthz: the broker does not answer")
        return False


@never_cache
@require_GET
def healthz(request):
    """For load balancers and compose: 200 when the database and the broker answer, else 503."""
    checks = {"database": database_ok(), "broker": broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "error", **{k: "ok" if v else "error" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if healthy else 503)
