"""The access log: who opened which student file, document, scan or phone number; the director reads
their campus's, the administrator everyone's; old entries are purged. Phones are masked by role."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from students.models import Document, Guardian, Student
from students.privacy import masked_phone
from timeline.models import Access
from timeline.services import access_record
from timeline.tasks import access_log_purge_task

SH = ZoneInfo("Asia/Shanghai")
A = Access.Action


@pytest.fixture
def student(company, time_machine, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    time_machine.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=SH), tick=False)
    student = Student.objects.create(full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1)
    Guardian.objects.create(
        student=student,
        name="赵妈妈",
        relation="mother",
        phone="13800000009",
        wechat="zhao_mama",
        is_primary=True,
    )
    return student


def test_opening_a_student_file_is_logged_once_per_page_not_per_filter(client, company, student):
    client.force_login(company.manager_a1)
    client.get(f"/students/{student.pk}/")
    client.get(f"/students/{student.pk}/?show=scores", headers={"HX-Request": "true"})
    entry = Access.objects.get()
    assert (entry.actor, entry.action, entry.student, entry.campus) == (
        company.manager_a1,
        A.FILE_OPENED,
        student,
        company.campus_a,
    )


def test_another_managers_student_is_a_404_and_logs_nothing(client, company, student):
    client.force_login(company.manager_a2)
    assert client.get(f"/students/{student.pk}/").status_code == 404
    assert not Access.objects.exists()


def test_downloading_a_document_is_logged(client, company, student):
    document = Document.objects.create(
        student=student,
        kind="consultation_report",
        title="学习情况分析报告",
        file=SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n"),
        uploaded_by=company.manager_a1,
    )
    client.force_login(company.supervisor_a)
    assert client.get(f"/students/{student.pk}/documents/{document.pk}/").status_code == 200
    entry = Access.objects.get(action=A.DOCUMENT)
    assert (entry.actor, entry.student, entry.detail) == (company.supervisor_a, student, "学习情况分析报告")


@pytest.mark.parametrize("person", ["manager_a1", "supervisor_a", "director_a", "head_teacher_a"])
def test_the_roles_that_call_families_read_the_number_in_full(client, company, student, person):
    client.force_login(getattr(company, person))
    html = client.get(f"/students/{student.pk}/").content.decode()
    assert "13800000009" in html and "zhao_mama" in html
    assert "显示号码" not in html


@pytest.mark.parametrize("person", ["scheduler_a", "president"])
def test_other_roles_read_a_masked_number_and_reveal_it_with_a_recorded_click(
    client, company, student, person
):
    user = getattr(company, person)
    client.force_login(user)
    html = client.get(f"/students/{student.pk}/").content.decode()
    assert "13800000009" not in html and "zhao_mama" not in html
    assert "138****0009" in html and "显示号码" in html
    guardian = student.guardians.get()
    url = f"/students/{student.pk}/guardians/{guardian.pk}/contacts/"
    assert client.get(url).status_code == 405
    revealed = client.post(url, headers={"HX-Request": "true"})
    assert "13800000009" in revealed.content.decode() and "zhao_mama" in revealed.content.decode()
    entry = Access.objects.get(action=A.PHONE)
    assert (entry.actor, entry.student, entry.detail) == (user, student, "赵妈妈")
    page = client.post(url)  # without JavaScript: a page of its own
    assert page.status_code == 200 and "13800000009" in page.content.decode()


def test_a_teacher_never_reads_the_family_numbers(client, company, student):
    from students.models import Lesson

    Lesson.objects.create(
        student=student,
        starts_at=datetime(2026, 12, 2, 9, 0, tzinfo=SH),
        ends_at=datetime(2026, 12, 2, 11, 0, tzinfo=SH),
        subject="数学",
        hours=2,
        teacher=company.teacher_a,
    )
    client.force_login(company.teacher_a)
    assert "13800000009" not in client.get(f"/students/{student.pk}/").content.decode()
    guardian = student.guardians.get()
    assert client.post(f"/students/{student.pk}/guardians/{guardian.pk}/contacts/").status_code == 403
    assert not Access.objects.filter(action=A.PHONE).exists()


def test_a_guardian_of_another_student_is_a_404(client, company, student):
    other = Student.objects.create(full_name="钱小满", campus=company.campus_a, manager=company.manager_a2)
    guardian = Guardian.objects.create(student=other, name="钱爸爸", relation="father", phone="13900000001")
    client.force_login(company.scheduler_a)
    assert client.post(f"/students/{student.pk}/guardians/{guardian.pk}/contacts/").status_code == 404


@pytest.mark.parametrize(
    ("digits", "masked"), [("13800000009", "138****0009"), ("010123456", "01*****56"), ("", "")]
)
def test_masked_phones(digits, masked):
    assert masked_phone(digits) == masked


@pytest.fixture
def log(company, student):
    other = Student.objects.create(full_name="周子墨", campus=company.campus_b, manager=company.manager_b)
    access_record(actor=company.manager_a1, action=A.FILE_OPENED, student=student)
    access_record(actor=company.scheduler_a, action=A.PHONE, student=student, detail="赵妈妈")
    access_record(actor=company.manager_b, action=A.FILE_OPENED, student=other)
    return other


def test_the_director_reads_their_campus_log_and_filters_it(client, company, student, log):
    client.force_login(company.director_a)
    html = client.get("/access-log/").content.decode()
    assert "赵一鸣" in html and "周子墨" not in html
    by_person = client.get("/access-log/", {"person": company.scheduler_a.pk}).context["page"]
    assert [e.action for e in by_person] == [A.PHONE]
    by_student = client.get("/access-log/", {"student": "赵"}).context["page"]
    assert len(by_student) == 2
    by_period = client.get("/access-log/", {"since": "2026-12-02", "until": "2026-12-31"}).context["page"]
    assert len(by_period) == 0
    today = client.get("/access-log/", {"since": "2026-12-01", "until": "2026-12-01"}).context["page"]
    assert len(today) == 2


def test_a_bad_period_shows_a_message_not_a_500(client, company, log):
    client.force_login(company.director_a)
    response = client.get("/access-log/", {"since": "0001-01-01", "until": "x", "person": "999999"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_administrator_reads_every_campus(client, company, log):
    client.force_login(company.admin)
    html = client.get("/access-log/").content.decode()
    assert "赵一鸣" in html and "周子墨" in html


@pytest.mark.parametrize("person", ["manager_a1", "supervisor_a", "scheduler_a", "finance", "president"])
def test_other_roles_may_not_read_the_log(client, company, log, person):
    client.force_login(getattr(company, person))
    assert client.get("/access-log/").status_code == 403


def test_the_log_page_runs_a_fixed_number_of_queries(client, company, student, django_assert_max_num_queries):
    for _ in range(300):
        access_record(actor=company.manager_a1, action=A.FILE_OPENED, student=student)
    client.force_login(company.director_a)
    # 8, and the navigation's count of each of the director's four queues (issue 12).
    with django_assert_max_num_queries(12):
        response = client.get("/access-log/")
    assert len(response.context["page"]) == 50


def test_old_entries_are_purged_by_the_daily_task(company, student, settings, time_machine):
    settings.ACCESS_LOG_DAYS = 30
    access_record(actor=company.manager_a1, action=A.FILE_OPENED, student=student)
    time_machine.move_to(datetime(2026, 12, 20, 10, 0, tzinfo=SH), tick=False)
    access_record(actor=company.manager_a1, action=A.FILE_OPENED, student=student)
    time_machine.move_to(datetime(2027, 1, 5, 10, 0, tzinfo=SH), tick=False)
    assert access_log_purge_task() == 1
    assert access_log_purge_task() == 0  # safe to run twice
    assert Access.objects.get().at == datetime(2026, 12, 20, 10, 0, tzinfo=SH)


def test_the_log_is_read_only_in_the_admin(client, company, log):
    client.force_login(company.admin)
    entry = Access.objects.first()
    assert client.get("/admin/timeline/access/").status_code == 200
    assert client.get("/admin/timeline/access/add/").status_code == 403
    assert client.post(f"/admin/timeline/access/{entry.pk}/delete/").status_code == 403
    assert Access.objects.filter(pk=entry.pk).exists()


def test_the_log_is_counted_a_few_pages_ahead(client, company, student, monkeypatch):
    """A million entries are not counted for the pager: "1 / 2+" (config.paging.CountedAhead)."""
    monkeypatch.setattr("config.paging.PAGES_AHEAD", 1)
    Access.objects.bulk_create(
        Access(actor=company.manager_a1, action=A.FILE_OPENED, campus=company.campus_a, student=student)
        for _ in range(130)
    )
    client.force_login(company.director_a)
    first = client.get("/access-log/")
    assert first.context["page"].paginator.num_pages == 2 and first.context["more_pages"]
    assert "1 / 2+" in first.content.decode()
    last = client.get("/access-log/?page=3")  # counted further from there: the whole log
    assert len(last.context["page"]) == 30 and not last.context["more_pages"]
    assert "3 / 3<" in last.content.decode()
