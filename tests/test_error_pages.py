from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views import defaults


def test_unknown_url_gets_a_friendly_chinese_page(client, company):
    client.force_login(company.manager_a1)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "该页面不存在，或不在您的权限范围内。" in response.content.decode()


def test_forbidden_page_is_friendly_and_chinese(company):
    request = RequestFactory().get("/")
    request.user = company.manager_a1
    response = defaults.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "您的角色无权进行此操作。" in response.content.decode()


def test_server_error_page_is_friendly_and_chinese(db):
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()
