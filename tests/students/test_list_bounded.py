"""The student list at company size (issue 13): the hours each student bought and used are kept on the
student by the services that change them, the list comes late first from the deadlines' side, and
the phone search goes through its index, once per page."""

import importlib
import re
import threading
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from deadlines.services import deadline_open, sweep
from followups.renewal import renewals_open
from refunds import services as refunds
from students.contract_import import COLUMNS, contract_import_confirm, contract_import_run
from students.models import Contract, ContractImport, Guardian, Lesson, Student
from students.selectors import LATE_ROWS, Caseload, caseload, phone_guardians
from students.services import (
    contract_sign,
    hours_reconcile,
    hours_recount,
    lesson_change,
    lesson_mark,
    lessons_schedule,
    student_assign,
)
from tests.deadlines.conftest import at
from tests.factories import case_lost, refund_paid_back

NOW = at(2026, 12, 2, 10, 0)  # a Wednesday morning


def drifted() -> list[tuple]:
    """The students whose hours columns differ from a fresh sum of their contracts and lessons done."""
    wrong = []
    for s in Student.objects.order_by("pk"):
        bought = s.contracts.aggregate(total=Sum("hours"))["total"] or Decimal("0")
        used = s.lessons.filter(status=Lesson.Status.DONE).aggregate(total=Sum("hours"))["total"] or 0
        if (s.hours_bought, s.hours_used, s.hours_left) != (bought, used, bought - used):
            wrong.append((s.full_name, s.hours_bought, s.hours_used, s.hours_left, bought, used))
    return wrong


def hours(student) -> tuple:
    student.refresh_from_db()
    return student.hours_bought, student.hours_used, student.hours_left


def signed(company, number, *, student=None, hours=40):
    values = {
        "number": number,
        "signed_at": at(2026, 11, 30, 10, 0),
        "subjects": "数学",
        "hours": Decimal(hours),
        "unit_price": Decimal(200),
        "amount": Decimal(200 * hours),
    }
    if student is not None:
        return contract_sign(actor=company.consultant_a, contract=values, student=student)
    return contract_sign(
        actor=company.consultant_a,
        contract=values,
        new_student={"full_name": f"学生{number}", "grade": "初二"},
        guardian={"name": "家长", "relation": "mother", "phone": "13800001111"},
    )


def test_the_hours_columns_are_the_rows_own_after_every_path(company, time_machine):
    time_machine.move_to(at(2026, 11, 30, 11, 0), tick=False)
    student = signed(company, "HD-1").student  # a contract signed: a new student
    assert hours(student) == (40, 0, 40) and drifted() == []
    student_assign(student=student, manager=company.manager_a1, actor=company.supervisor_a)
    first, second, third = lessons_schedule(  # lessons booked: nothing used yet
        student=student,
        actor=company.scheduler_a,
        starts_at=at(2026, 12, 5, 9, 0),
        ends_at=at(2026, 12, 5, 11, 0),
        subject="数学",
        hours=Decimal("2.5"),
        weeks=3,
    )
    assert hours(student) == (40, 0, 40) and drifted() == []
    lesson_change(  # a lesson moved
        lesson=third,
        actor=company.scheduler_a,
        starts_at=at(2026, 12, 20, 9, 0),
        ends_at=at(2026, 12, 20, 11, 0),
        classroom="A1",
        reason="老师出差",
    )
    assert hours(student) == (40, 0, 40) and drifted() == []
    time_machine.move_to(at(2026, 12, 12, 12, 0), tick=False)
    lesson_mark(lesson=first, actor=company.manager_a1, status="done")  # taught: its hours used
    assert hours(student) == (40, Decimal("2.5"), Decimal("37.5")) and drifted() == []
    lesson_mark(lesson=second, actor=company.manager_a1, status="absent")  # absent: no hours used
    assert lesson_mark(lesson=first, actor=company.manager_a1, status="done") is False  # marked already
    assert hours(student) == (40, Decimal("2.5"), Decimal("37.5")) and drifted() == []
    signed(company, "HD-2", student=student, hours=20)  # renewed
    assert hours(student) == (60, Decimal("2.5"), Decimal("57.5")) and drifted() == []
    job = ContractImport.objects.create(  # an import: each row through contract_sign
        created_by=company.consultant_a,
        file_name="contracts.csv",
        text=",".join(COLUMNS)
        + "\nHD-3,2026-12-01 10:00,钱多多,女,海淀实验中学,初二,钱妈妈,母亲,13900002222,数学,30,220,6600",
    )
    assert contract_import_run(job_id=job.pk).status == ContractImport.Status.READY  # the preview
    assert contract_import_confirm(job=job, actor=company.consultant_a)
    assert contract_import_run(job_id=job.pk).status == ContractImport.Status.DONE
    assert hours(Student.objects.get(full_name="钱多多")) == (30, 0, 30) and drifted() == []
    case = case_lost(student, company)  # a refund, approved and paid: the lessons to come cancelled
    refund, _ = refunds.refund_submit(
        case=case,
        actor=company.supervisor_a,
        request_key=uuid.uuid4(),
        applicant="家长",
        applied_on=date(2026, 12, 12),
        reason="搬家",
        scan=SimpleUploadedFile("application.pdf", b"%PDF-1.4"),
    )
    for approver in (company.director_a, company.finance, company.president):
        refund.refresh_from_db()
        refunds.refund_decide(refund=refund, actor=approver, step=refund.step, approve=True)
    refund_paid_back(refund, company, date(2026, 12, 12))
    assert Lesson.objects.get(pk=third.pk).status == Lesson.Status.CANCELLED
    assert hours(student) == (60, Decimal("2.5"), Decimal("57.5")) and drifted() == []


@pytest.mark.django_db(transaction=True)
def test_lessons_marked_and_contracts_signed_at_once_all_count(company, time_machine):
    time_machine.move_to(NOW, tick=False)
    student = signed(company, "HD-1").student
    Student.objects.filter(pk=student.pk).update(manager=company.manager_a1, status="active")
    student.refresh_from_db()
    lessons = [
        Lesson.objects.create(
            student=student,
            starts_at=NOW - timedelta(days=day),
            ends_at=NOW - timedelta(days=day) + timedelta(hours=2),
            subject="数学",
            hours=Decimal("1.5"),
        )
        for day in range(1, 9)
    ]
    errors, barrier = [], threading.Barrier(len(lessons) + 2)

    def at_once(work):
        try:
            barrier.wait()
            work()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    works = [
        lambda lesson=lesson: lesson_mark(lesson=lesson, actor=company.manager_a1, status="done")
        for lesson in lessons
    ]
    works += [lambda n=n: signed(company, f"HD-R{n}", student=student, hours=10) for n in range(2)]
    threads = [threading.Thread(target=at_once, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert hours(student) == (60, 12, 48) and drifted() == []


def test_hours_written_past_the_services_are_recounted_by_the_morning_run(company, time_machine):
    time_machine.move_to(NOW, tick=False)
    student = Student.objects.create(
        full_name="手工录入", campus=company.campus_a, manager=company.manager_a1, status="active"
    )
    Contract.objects.create(
        student=student,
        number="HAND-1",
        signed_at=NOW,
        consultant=company.consultant_a,
        subjects="数学",
        hours=Decimal(20),
        unit_price=Decimal(200),
        amount=Decimal(4000),
    )
    Lesson.objects.create(
        student=student,
        starts_at=NOW,
        ends_at=NOW + timedelta(hours=2),
        subject="数学",
        hours=2,
        status="done",
    )
    assert hours(student) == (0, 0, 0)  # nobody counted them
    renewals_open()
    assert hours(student) == (20, 2, 18) and drifted() == []
    assert hours_reconcile() == 0  # nothing left to recount: one read


def test_the_migration_fills_the_hours_from_the_rows(company, time_machine):
    time_machine.move_to(NOW, tick=False)
    student = signed(company, "HD-1").student
    Lesson.objects.create(
        student=student,
        starts_at=NOW,
        ends_at=NOW + timedelta(hours=2),
        subject="数学",
        hours=2,
        status="done",
    )
    Student.objects.update(hours_bought=0, hours_used=0, hours_left=0)  # as the columns are added
    migration = importlib.import_module("students.migrations.0006_hours_and_list_indexes")
    migration.fill_hours(apps, None)
    assert hours(student) == (40, 2, 38) and drifted() == []


def many_students(company, n: int, *, prefix: str, late_every: int = 0, manager=None) -> list[Student]:
    """n students of `manager` (manager_a1), each with a 40-hour contract, a guardian and a done
    lesson; every `late_every`-th with a late deadline (H4 opened two days ago)."""
    manager = manager or company.manager_a1
    made = Student.objects.bulk_create(
        Student(full_name=f"{prefix}{i:04}", campus=manager.campus, manager=manager, status="active")
        for i in range(n)
    )
    Contract.objects.bulk_create(
        Contract(
            student=s,
            number=f"{prefix}-{s.pk}",
            signed_at=at(2026, 11, 1, 10),
            consultant=company.consultant_a,
            subjects="数学",
            hours=Decimal(40),
            unit_price=Decimal(200),
            amount=Decimal(8000),
        )
        for s in made
    )
    Guardian.objects.bulk_create(
        Guardian(student=s, name="家长", relation="mother", phone=f"1390000{s.pk % 10000:04}") for s in made
    )
    Lesson.objects.bulk_create(
        Lesson(
            student=s,
            starts_at=at(2026, 12, 1, 16),
            ends_at=at(2026, 12, 1, 18),
            subject="数学",
            hours=Decimal(2),
            status="done",
        )
        for s in made
    )
    hours_recount(student_ids=[s.pk for s in made])  # rows written past the services: counted
    for s in made[::late_every] if late_every else []:
        deadline_open(rule="H4", subject=s, owner=manager, start=at(2026, 11, 30, 9, 0))
    return made


@pytest.mark.parametrize("late_rows", [2000, 2], ids=["few late: read from the deadlines", "many: asked"])
def test_late_students_come_first_then_everyone_by_name(company, time_machine, monkeypatch, late_rows):
    monkeypatch.setattr("students.selectors.LATE_ROWS", late_rows)
    time_machine.move_to(NOW, tick=False)
    made = many_students(company, 7, prefix="乙")
    one, two, three = made[5], made[3], made[1]
    for rule in ("H3", "H4"):  # late since 1 December
        deadline_open(rule=rule, subject=two, owner=company.manager_a1, start=at(2026, 11, 30, 9, 0))
    deadline_open(rule="H4", subject=one, owner=company.manager_a1, start=at(2026, 11, 30, 9, 0))
    deadline_open(rule="H4", subject=three, owner=company.supervisor_a, start=at(2026, 11, 30, 9, 0))
    deadline_open(rule="H3", subject=made[0], owner=company.manager_a1, start=NOW)  # due tomorrow: not late
    sweep(now=NOW)  # the sweep has marked some overdue: late all the same
    deadline_open(rule="H3", subject=one, owner=company.manager_a1, start=NOW - timedelta(days=2))
    expected = [three, two, one] + [s for s in made if s not in (one, two, three)]
    for person in ("manager_a1", "director_a", "president"):
        rows = caseload(getattr(company, person), now=NOW)
        assert rows.count() == 7
        pages = [s for start in range(0, 7, 2) for s in rows[start : start + 2]]  # pages cut across
        assert [s.full_name for s in pages] == [s.full_name for s in expected], person
        assert [s.late_deadlines for s in pages[:4]] == [1, 2, 2, 0]
        assert pages[0].hours_left == 38 and pages[0].next_lesson_at is None
    assert caseload(company.manager_a2, now=NOW).count() == 0
    assert list(caseload(company.manager_b, now=NOW)[0:50]) == []


def queries(client, path) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in captured]


LIST_PAGES = (
    "/students/",
    "/students/?page=2",  # after the late students, by name
    "/students/?q=1390000&status=active&hours_below=50",  # part of every number
)


@pytest.mark.parametrize("person", ["director_a", "president"])
def test_the_list_runs_the_same_queries_at_two_sizes(
    client, company, time_machine, django_assert_max_num_queries, person
):
    time_machine.move_to(NOW, tick=False)
    client.force_login(getattr(company, person))
    client.get("/students/")  # the first page of a session caches what every page reads
    counts = []
    for size, prefix in ((60, "甲"), (600, "丙")):
        many_students(company, size, prefix=prefix, late_every=3)
        sizes = []
        for path in LIST_PAGES:
            with django_assert_max_num_queries(10):
                sizes.append(len(queries(client, path)))
        counts.append(sizes)
    assert counts[0] == counts[1]


def test_the_phone_search_runs_once_per_page(client, company, time_machine):
    time_machine.move_to(NOW, tick=False)
    many_students(company, 60, prefix="丁", late_every=4)
    client.force_login(company.director_a)
    response = client.get("/students/?q=1390000")
    assert response.context["page"].paginator.count == 60
    assert len(response.context["page"]) == 50
    with CaptureQueriesContext(connection) as captured:
        client.get("/students/?q=1390000&page=2")
    assert sum('"students_guardian"' in q["sql"] for q in captured) == 1  # not once for the count, again


def test_a_short_part_of_a_number_matching_too_many_says_so(client, company, time_machine, monkeypatch):
    time_machine.move_to(NOW, tick=False)
    monkeypatch.setattr("students.selectors.PHONE_MATCHES", 5)
    made = many_students(company, 8, prefix="戊")
    client.force_login(company.manager_a1)
    response = client.get("/students/?q=1390000")
    assert response.context["page"].paginator.count == 5
    assert "包含这几位数字的电话号码很多" in response.content.decode()
    whole = client.get(f"/students/?q={made[0].guardians.get().phone}")
    assert [s.full_name for s in whole.context["page"]] == [made[0].full_name]
    assert "包含这几位数字" not in whole.content.decode()


def plan(queryset, *, ordered: bool = False) -> str:
    """The plan PostgreSQL picks when it may not scan whole tables (the tables of a test are tiny),
    and with `ordered` not sort a table's rows either (a few hundred sort faster than they are read
    in order; a hundred thousand do not)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE students_student, students_guardian, deadlines_deadline")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"SET LOCAL enable_sort = {'off' if ordered else 'on'}")
    return queryset.explain()


def test_the_phone_search_is_served_by_the_trigram_index(company):
    many_students(company, 5, prefix="己")
    assert "guardian_phone_trgm" in plan(Guardian.objects.filter(phone__contains="00001"))
    for person, digits in (("director_a", "00001"), ("president", "13900001234")):  # part, whole number
        assert "Seq Scan" not in plan(phone_guardians(getattr(company, person), digits))


def test_the_list_order_reads_the_late_deadlines_and_the_name_indexes(company, time_machine, monkeypatch):
    time_machine.move_to(NOW, tick=False)
    many_students(company, 300, prefix="庚", late_every=7)
    many_students(company, 300, prefix="辛", late_every=7, manager=company.manager_b)  # another campus
    late = re.compile(r"Index (Only )?Scan using \w+ on deadlines_deadline|Bitmap Index Scan on deadline")
    for person, name_index in (("president", "student_name"), ("director_a", "student_campus_name")):
        rows = caseload(getattr(company, person), now=NOW)
        deadlines = plan(rows.late_rows()[:LATE_ROWS])  # the late deadlines first, through an index
        assert late.search(deadlines) and "Seq Scan" not in deadlines
        assert rows.late_students is not None  # few: the page is cut from them and the others
        few = plan(rows.order(50, 100), ordered=True)
        assert name_index in few and "Seq Scan" not in few, person
        monkeypatch.setattr("students.selectors.LATE_ROWS", 5)  # many: each student asked in turn
        rows = caseload(getattr(company, person), now=NOW)
        assert rows.late_students is None
        many = plan(rows.order(50, 100), ordered=True)
        assert name_index in many and late.search(many) and "Seq Scan" not in many, person
        monkeypatch.undo()


def test_a_caseload_is_paged_only():
    with pytest.raises(TypeError):
        Caseload(students=Student.objects.none(), late=None, now=NOW)[3]


def test_when_late_work_is_common_a_page_the_late_students_fill_asks_them_alone(
    company, time_machine, monkeypatch
):
    """Many late deadlines and a page within the late students: one query walks the name index for
    them, and the on-time part (which PostgreSQL misjudges at company size) is not asked; a page past
    them is cut from both parts as before. Either way the same rows in the same order."""
    time_machine.move_to(NOW, tick=False)
    many_students(company, 60, prefix="癸", late_every=2)  # 30 late, 30 on time
    monkeypatch.setattr("students.selectors.LATE_ROWS", 5)
    rows = caseload(company.president, now=NOW)
    assert rows.late_students is None
    everyone = [pk for pk, _late, _name in rows.order(0, 60)]
    assert len(everyone) == 60
    assert rows.late_page(10, 20) == everyone[10:20]
    assert rows.late_page(20, 40) is None  # past the 30 late students
    with CaptureQueriesContext(connection) as queries:
        page = rows[10:20]
    assert [s.pk for s in page] == everyone[10:20] and len(queries) == 2  # the late part, its rows
    assert [s.pk for s in rows[20:40]] == everyone[20:40]
