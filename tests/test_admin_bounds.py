"""The admin writes only the set-up rows (campuses, teams, people, calendar, approval steps, paper
items), through forms with the bounds of every form; the student's file is read-only there."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import RequestFactory

from config.forms import BoundedMixin
from students.models import Guardian, Student

PROJECT_APPS = {name for name in settings.INSTALLED_APPS if (settings.BASE_DIR / name).is_dir()}


def test_every_form_the_admin_writes_through_is_bounded(company):
    request = RequestFactory().get("/admin/")
    request.user = company.admin
    writable = []
    for model, model_admin in admin.site._registry.items():
        if model_admin.has_add_permission(request) or model_admin.has_change_permission(request):
            writable.append(model._meta.label)
            if model._meta.app_config.name not in PROJECT_APPS:
                continue  # the scheduler's and the lockout's own rows (and Django's) are theirs
            assert issubclass(model_admin.get_form(request), BoundedMixin), model._meta.label
            for inline in model_admin.get_inline_instances(request):
                if inline.has_add_permission(request, None) or inline.has_change_permission(request):
                    assert issubclass(inline.get_formset(request).form, BoundedMixin), inline
    assert "students.Student" not in writable and "students.Contract" not in writable


def test_a_campus_name_with_a_line_break_is_refused_in_the_admin(client, company):
    client.force_login(company.admin)
    campus = company.campus_a
    response = client.post(
        f"/admin/accounts/campus/{campus.pk}/change/",
        {"name": "海淀\n校区", "code": campus.code, "opens_at": "09:00", "closes_at": "18:00"},
    )
    assert response.status_code == 200
    campus.refresh_from_db()
    assert campus.name == "海淀校区"


@pytest.mark.parametrize(
    "path", ["/admin/students/student/{pk}/change/", "/admin/students/student/?q=1380000"]
)
def test_the_admin_reads_the_family_numbers_masked(client, company, path):
    student = Student.objects.create(full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1)
    Guardian.objects.create(student=student, name="赵妈妈", relation="mother", phone="13800000009")
    client.force_login(company.admin)
    response = client.get(path.format(pk=student.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "13800000009" not in html
    if "change" in path:
        assert "138****0009" in html
    else:
        assert "赵一鸣" not in html  # no search by phone in the admin


def test_the_student_file_cannot_be_changed_in_the_admin(client, company):
    student = Student.objects.create(full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1)
    client.force_login(company.admin)
    response = client.post(f"/admin/students/student/{student.pk}/change/", {"full_name": "改名"})
    assert response.status_code == 403
    student.refresh_from_db()
    assert student.full_name == "赵一鸣"


def test_admin_pages_carry_the_products_icon(client, company):
    client.force_login(company.admin)
    assert 'rel="icon"' in client.get("/admin/").content.decode()
