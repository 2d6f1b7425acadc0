import pytest

from deadlines.services import deadline_open, deadline_waive, sweep
from students.models import Student
from tests.conftest import ONE_OF_EACH_ROLE
from tests.deadlines.conftest import at


@pytest.fixture
def students(company, time_machine):
    time_machine.move_to(at(2026, 12, 2, 10, 0), tick=False)
    mine = Student.objects.create(full_name="小明", campus=company.campus_a, manager=company.manager_a1)
    teammate = Student.objects.create(full_name="小刚", campus=company.campus_a, manager=company.manager_a2)
    far = Student.objects.create(full_name="小红", campus=company.campus_b, manager=company.manager_b)
    deadline_open(rule="H4", subject=mine, owner=company.manager_a1, start=at(2026, 11, 30, 9, 0))
    return mine, teammate, far


def test_manager_sees_own_students_only(client, company, students):
    mine, teammate, far = students
    client.force_login(company.manager_a1)
    html = client.get("/students/").content.decode()
    assert "小明" in html and "小刚" not in html and "小红" not in html
    assert client.get(f"/students/{mine.pk}/").status_code == 200
    assert client.get(f"/students/{teammate.pk}/").status_code == 404  # another manager's student
    assert client.get(f"/students/{far.pk}/").status_code == 404


def test_supervisor_and_director_see_their_scope(client, company, students):
    mine, teammate, far = students
    for person in ("supervisor_a", "director_a"):
        client.force_login(getattr(company, person))
        assert client.get(f"/students/{teammate.pk}/").status_code == 200
        assert client.get(f"/students/{far.pk}/").status_code == 404
    client.force_login(company.president)
    assert client.get(f"/students/{far.pk}/").status_code == 200


def test_detail_shows_deadlines_and_the_timeline_with_who_and_why(client, company, students):
    mine = students[0]
    sweep(now=at(2026, 12, 2, 10, 0))
    deadline = mine.deadlines.get()
    deadline_waive(deadline=deadline, actor=company.supervisor_a, reason="家长临时出国")
    client.force_login(company.manager_a1)
    html = client.get(f"/students/{mine.pk}/").content.decode()
    assert "时间线" in html
    assert "H4 与咨询师沟通学生情况 · 开始计时" in html
    assert "H4 与咨询师沟通学生情况 · 已逾期" in html
    assert (
        "H4 与咨询师沟通学生情况 · 已免除" in html
        and "家长临时出国" in html
        and company.supervisor_a.full_name in html
    )
    assert "系统" in html  # the sweep is the actor of the overdue event


def test_waive_button_only_for_supervisors_and_above(client, company, students):
    mine = students[0]
    client.force_login(company.manager_a1)
    assert "/waive/" not in client.get(f"/students/{mine.pk}/").content.decode()
    client.force_login(company.supervisor_a)
    assert "/waive/" in client.get(f"/students/{mine.pk}/").content.decode()


def queries_for(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def add_students(company, n: int) -> None:
    """n students of manager_a1, each with a contract, a guardian, two lessons and a deadline."""
    from decimal import Decimal

    from students.models import Contract, Guardian, Lesson
    from students.services import hours_recount

    made = Student.objects.bulk_create(
        [Student(full_name=f"学生{i}", campus=company.campus_a, manager=company.manager_a1) for i in range(n)]
    )
    Contract.objects.bulk_create(
        [
            Contract(
                student=s,
                number=f"HT{s.pk}",
                signed_at=at(2026, 11, 1, 10),
                consultant=company.consultant_a,
                subjects="数学",
                hours=Decimal(40),
                unit_price=Decimal(200),
                amount=Decimal(8000),
            )
            for s in made
        ]
    )
    Guardian.objects.bulk_create(
        [Guardian(student=s, name="家长", relation="mother", phone="13800001111") for s in made]
    )
    Lesson.objects.bulk_create(
        [
            Lesson(
                student=s,
                starts_at=at(2026, 12, day, 16),
                ends_at=at(2026, 12, day, 18),
                subject="数学",
                hours=Decimal(2),
                status=status,
                teacher=company.teacher_a,
            )
            for s in made
            for day, status in ((1, "done"), (9, "scheduled"))
        ]
    )
    hours_recount(student_ids=[s.pk for s in made])  # rows written past the services: counted
    for s in made[:50]:
        deadline_open(rule="H4", subject=s, owner=company.manager_a1, start=at(2026, 11, 30, 9, 0))


def test_list_query_count_is_the_same_at_10_and_1000_students(client, company, students):
    add_students(company, 10)
    client.force_login(company.director_a)
    small = queries_for(client, "/students/?q=学生&hours_below=50")
    add_students(company, 990)
    assert queries_for(client, "/students/?q=学生&hours_below=50") == small
    assert queries_for(client, "/students/?page=3") <= small


def test_detail_query_count_does_not_grow(client, company, students):
    from decimal import Decimal

    from followups.models import Callback, Concern, ExamScore, GrowthRecord
    from students.models import Contract, Document, Guardian, Lesson

    mine = students[0]
    client.force_login(company.supervisor_a)
    small = queries_for(client, f"/students/{mine.pk}/")
    for rule in ("H3", "E1", "L5", "F2", "F3", "L2"):
        deadline_open(rule=rule, subject=mine, owner=company.manager_a1, start=at(2026, 11, 30, 9, 0))
    sweep(now=at(2026, 12, 20, 10, 0))
    for i in range(5):
        Guardian.objects.create(student=mine, name=f"家长{i}", relation="other", phone="13800001111")
        Contract.objects.create(
            student=mine,
            number=f"HT-{i}",
            signed_at=at(2026, 11, 1, 10),
            consultant=company.consultant_a,
            subjects="数学",
            hours=Decimal(40),
            unit_price=Decimal(200),
            amount=Decimal(8000),
        )
        Lesson.objects.create(
            student=mine,
            starts_at=at(2026, 12, 1 + i, 16),
            ends_at=at(2026, 12, 1 + i, 18),
            subject="数学",
            hours=Decimal(2),
            teacher=company.teacher_a,
        )
        Document.objects.create(
            student=mine, kind="tutoring_draft", file="documents/x.pdf", uploaded_by=company.manager_a1
        )
        Callback.objects.create(
            student=mine, at=at(2026, 11, 20 + i, 10), summary="回访", created_by=company.manager_a1
        )
        ExamScore.objects.create(
            student=mine,
            kind="monthly",
            subject=f"科目{i % 2}",
            score=Decimal(80),
            exam_date=at(2026, 11, 1 + i, 9).date(),
            analysis="稳定",
            created_by=company.manager_a1,
        )
        GrowthRecord.objects.create(
            student=mine, month=at(2026, 11, 1, 0).date(), text="进步", created_by=company.manager_a1
        )
        Concern.objects.create(student=mine, kind="mood", description="走神", raised_by=company.teacher_a)
    assert queries_for(client, f"/students/{mine.pk}/") == small


@pytest.mark.parametrize(("person", "role"), ONE_OF_EACH_ROLE)
def test_student_list_opens_for_every_role(client, company, person, role):
    client.force_login(getattr(company, person))
    assert client.get("/students/").status_code == 200


def test_open_clocks_are_late_first_then_by_due_time_and_closed_ones_are_folded(client, company, students):
    from deadlines.services import deadline_meet

    mine = students[0]  # H4 from 30 November: late since 1 December 09:00
    deadline_open(rule="H1", subject=mine, owner=company.manager_a1, start=at(2026, 12, 2, 9, 0))  # 12-04
    deadline_open(rule="H3", subject=mine, owner=company.manager_a1, start=at(2026, 12, 2, 9, 0))  # 12-03
    deadline_open(rule="F2", subject=mine, owner=company.manager_a1, start=at(2026, 11, 1, 9, 0))  # late
    deadline_open(rule="L6", subject=mine, owner=company.manager_a1, start=at(2026, 12, 1, 9, 0))
    deadline_meet(rule="L6", subject=mine, actor=company.manager_a1)
    client.force_login(company.manager_a1)
    response = client.get(f"/students/{mine.pk}/")
    assert [d.rule for d in response.context["active"]] == ["F2", "H4", "H3", "H1"]
    html = response.content.decode()
    assert '<details id="closed-deadlines"' in html and "已关闭 (1)" in html
