"""The student file: scope by role, the caseload search and filters, the personal file edited in place."""

from decimal import Decimal

import pytest

from students.models import Contract, Guardian, Lesson, Student
from students.services import hours_recount, normalize_phone
from tests.deadlines.conftest import at
from timeline.models import Event


@pytest.fixture
def file(company):
    mine = Student.objects.create(
        full_name="陈子涵", campus=company.campus_a, manager=company.manager_a1, grade="初二"
    )
    other = Student.objects.create(full_name="林浩然", campus=company.campus_a, manager=company.manager_a2)
    unassigned = Student.objects.create(full_name="新签生", campus=company.campus_a, manager=None)
    Guardian.objects.create(
        student=mine, name="陈妈妈", relation="mother", phone="13812345678", is_primary=True
    )
    Contract.objects.create(
        student=mine,
        number="HD-2026-001",
        signed_at=at(2026, 11, 1, 10),
        consultant=company.consultant_a,
        subjects="数学 英语",
        hours=Decimal(40),
        unit_price=Decimal(200),
        amount=Decimal(8000),
    )
    Lesson.objects.create(
        student=mine,
        starts_at=at(2026, 11, 20, 16),
        ends_at=at(2026, 11, 20, 18),
        subject="数学",
        hours=Decimal(2),
        status="done",
        teacher=company.teacher_a,
    )
    Lesson.objects.create(
        student=mine,
        starts_at=at(2026, 11, 22, 16),
        ends_at=at(2026, 11, 22, 18),
        subject="英语",
        hours=Decimal(2),
        status="absent",
        teacher=company.teacher_a,
    )
    hours_recount(student_ids=[mine.pk])  # rows written past the services: their hours counted
    return mine, other, unassigned


def names(client) -> set[str]:
    return {s.full_name for s in client.get("/students/").context["page"]}


def test_each_role_sees_its_own_students(client, company, file):
    expected = {
        "manager_a1": {"陈子涵"},
        "supervisor_a": {"陈子涵", "林浩然", "新签生"},  # the unassigned one, to assign it
        "director_a": {"陈子涵", "林浩然", "新签生"},
        "consultant_a": {"陈子涵"},  # signed by them
        "teacher_a": {"陈子涵"},  # taught by them
        "head_teacher_a": {"陈子涵", "林浩然", "新签生"},
        "manager_b": set(),
    }
    for person, seen in expected.items():
        client.force_login(getattr(company, person))
        assert names(client) == seen, person


def test_hours_left_count_done_lessons_only(client, company, file):
    client.force_login(company.manager_a1)
    student = client.get("/students/").context["page"][0]
    assert (student.hours_bought, student.hours_used, student.hours_left) == (40, 2, 38)


def test_search_by_name_or_guardian_phone(client, company, file):
    client.force_login(company.director_a)
    assert {s.full_name for s in client.get("/students/?q=子涵").context["page"]} == {"陈子涵"}
    assert {s.full_name for s in client.get("/students/?q=138").context["page"]} == set()  # too few digits
    assert {s.full_name for s in client.get("/students/?q=1234 5678").context["page"]} == {"陈子涵"}
    assert {s.full_name for s in client.get("/students/?q=99999999").context["page"]} == set()


def test_filters_by_status_manager_and_hours_left(client, company, file):
    client.force_login(company.director_a)
    assert {
        s.full_name for s in client.get(f"/students/?manager={company.manager_a2.pk}").context["page"]
    } == {"林浩然"}
    assert {s.full_name for s in client.get("/students/?hours_below=10").context["page"]} == {
        "林浩然",
        "新签生",
    }
    assert {s.full_name for s in client.get("/students/?status=active").context["page"]} == set()


@pytest.mark.parametrize("query", ["manager=abc", "hours_below=-5", "status=nonsense", "page=999", "page=x"])
def test_bad_filters_never_break_the_list(client, company, file, query):
    client.force_login(company.director_a)
    assert client.get(f"/students/?{query}").status_code == 200


def test_student_page_shows_the_file(client, company, file):
    client.force_login(company.manager_a1)
    html = client.get(f"/students/{file[0].pk}/").content.decode()
    for text in ("陈妈妈", "13812345678", "HD-2026-001", "数学 英语", "缺勤", "个性化档案", "剩余课时"):
        assert text in html, text


def test_manager_edits_the_personal_file_in_place(client, company, file):
    mine = file[0]
    client.force_login(company.manager_a1)
    form = client.get(f"/students/{mine.pk}/file/", HTTP_HX_REQUEST="true")
    assert (
        form.status_code == 200 and "<form" in form.content.decode() and "<html" not in form.content.decode()
    )
    saved = client.post(
        f"/students/{mine.pk}/file/", {"hobbies": "篮球、编程", "personality": "外向"}, HTTP_HX_REQUEST="true"
    )
    assert "篮球、编程" in saved.content.decode() and "<form" not in saved.content.decode()
    mine.refresh_from_db()
    assert (mine.hobbies, mine.personality) == ("篮球、编程", "外向")
    event = Event.objects.get(kind="student.file_updated")
    assert (event.actor, event.student, sorted(event.data["fields"])) == (
        company.manager_a1,
        mine,
        ["hobbies", "personality"],
    )
    client.post(f"/students/{mine.pk}/file/", {"hobbies": "篮球、编程", "personality": "外向"})
    assert Event.objects.filter(kind="student.file_updated").count() == 1  # nothing changed, nothing recorded


def test_without_javascript_the_file_form_is_a_page(client, company, file):
    client.force_login(company.manager_a1)
    page = client.get(f"/students/{file[0].pk}/file/")
    assert "<html" in page.content.decode()
    assert client.post(f"/students/{file[0].pk}/file/", {"hobbies": "围棋"}).status_code == 302


def test_who_may_edit_the_file(client, company, file):
    mine, other, _ = file
    client.force_login(company.supervisor_a)
    assert client.get(f"/students/{mine.pk}/file/").status_code == 200
    client.force_login(company.teacher_a)
    assert client.post(f"/students/{mine.pk}/file/", {"hobbies": "x"}).status_code == 403
    client.force_login(company.manager_a1)
    assert client.post(f"/students/{other.pk}/file/", {"hobbies": "x"}).status_code == 404
    client.force_login(company.manager_b)
    assert client.get(f"/students/{mine.pk}/file/").status_code == 404
    mine.refresh_from_db()
    assert mine.hobbies == ""


@pytest.mark.parametrize(
    ("raw", "digits"),
    [("138 1234 5678", "13812345678"), ("+86 138-1234-5678", "13812345678"), ("010-62550001", "01062550001")],
)
def test_phones_are_kept_as_digits(raw, digits):
    assert normalize_phone(raw) == digits
