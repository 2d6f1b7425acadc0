from django.db import OperationalError

from config import views


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_broker_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(views.connection, "cursor", refuse)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_healthz_answers_probes_by_container_address_over_http(client, db, settings):
    settings.ALLOWED_HOSTS = ["casework.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="172.18.0.5:8000")
    assert response.status_code == 200


def test_other_pages_still_check_the_host(client, db, settings):
    settings.ALLOWED_HOSTS = ["casework.example.com"]
    assert client.get("/accounts/login/", HTTP_HOST="172.18.0.5:8000").status_code == 400
