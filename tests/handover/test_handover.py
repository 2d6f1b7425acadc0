"""The handover of one contract, H1 to H5, through the pages, for the roles that may and one that may not."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines.models import Deadline, Status
from handover.models import Handover, PaperItem
from students.models import Contract, Student
from students.services import student_assign
from timeline.models import Event

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def handover(company, time_machine):
    """Signed Friday 4 Dec 10:00, assigned at once: H1 is due Tuesday 8 Dec 18:00."""
    time_machine.move_to(datetime(2026, 12, 4, 10, 0, tzinfo=SH), tick=False)
    student = Student.objects.create(full_name="赵一鸣", campus=company.campus_a)
    Contract.objects.create(
        student=student,
        number="HD-1",
        signed_at=datetime(2026, 12, 4, 10, 0, tzinfo=SH),
        consultant=company.consultant_a,
        subjects="数学",
        hours=Decimal(40),
        unit_price=Decimal(200),
        amount=Decimal(8000),
    )
    student_assign(student=student, manager=company.manager_a1, actor=company.supervisor_a)
    return Handover.objects.get()


def url(handover, step=""):
    return f"/handover/{handover.pk}/{step + '/' if step else ''}"


REVIEW = {"student_data": "on", "contract": "on", "consultation_report": "on"}


def test_assignment_starts_the_handover_and_h1(handover, company):
    h1 = Deadline.objects.get(rule="H1")
    assert (h1.owner, h1.student, h1.due_at) == (
        company.manager_a1,
        handover.student,
        datetime(2026, 12, 8, 18, 0, tzinfo=SH),
    )


def test_h1_received_with_the_review_opens_h3_and_h4(client, handover, company):
    client.force_login(company.manager_a1)
    refused = client.post(url(handover, "receive"), {"student_data": "on"})
    assert refused.status_code == 200 and "请核对档案的全部三项后再确认" in refused.content.decode()
    assert client.post(url(handover, "receive"), REVIEW).status_code == 302
    client.post(url(handover, "receive"), REVIEW)  # a double click
    handover.refresh_from_db()
    assert handover.received_at is not None
    assert Event.objects.filter(kind="handover.received").count() == 1
    statuses = dict(Deadline.objects.values_list("rule", "status"))
    assert statuses == {"H1": Status.MET, "H3": Status.OPEN, "H4": Status.OPEN}
    h3 = Deadline.objects.get(rule="H3")
    assert h3.due_at == datetime(2026, 12, 5, 18, 0, tzinfo=SH)  # 1 day: at closing time


def test_h3_intro_call_fills_the_personal_file(client, handover, company):
    client.force_login(company.manager_a1)
    client.post(url(handover, "receive"), REVIEW)
    response = client.post(
        url(handover, "intro_call"), {"notes": "家长很配合", "hobbies": "篮球", "personality": "内向"}
    )
    assert response.status_code == 302
    student = Student.objects.get()
    assert (student.hobbies, student.personality) == ("篮球", "内向")
    assert Deadline.objects.get(rule="H3").status == Status.MET


def test_h4_consultant_talk(client, handover, company):
    client.force_login(company.manager_a1)
    client.post(url(handover, "receive"), REVIEW)
    bad = client.post(url(handover, "consultant_talk"), {"notes": "x", "lesson_arrangement": "周六上午"})
    assert bad.status_code == 200 and "这个字段是必填项。" in bad.content.decode()
    client.post(
        url(handover, "consultant_talk"),
        {
            "notes": "学生数学基础弱",
            "paper_handover_at": "2026-12-07T15:00",
            "lesson_arrangement": "周六上午数学",
        },
    )
    handover.refresh_from_db()
    assert handover.paper_handover_at == datetime(2026, 12, 7, 15, 0, tzinfo=SH)
    assert Deadline.objects.get(rule="H4").status == Status.MET


def paper_check(client, handover, missing_until=None):
    data = {f"present_{i}": "on" for i in range(6)}
    if missing_until is not None:
        data.pop("present_1")
        data["promised_1"] = missing_until
    return client.post(url(handover, "paper_check"), data)


def test_h5_missing_item_is_a_deadline_of_the_consultant(client, handover, company):
    client.force_login(company.manager_a1)
    client.post(url(handover, "receive"), REVIEW)
    no_date = paper_check(client, handover, missing_until="")
    assert no_date.status_code == 200 and "请与咨询师约定一个从今天起的日期。" in no_date.content.decode()
    assert not PaperItem.objects.exists()
    paper_check(client, handover, missing_until="2026-12-09")
    missing = PaperItem.objects.get(present=False)
    assert missing.name == "收据"
    h5 = Deadline.objects.get(rule="H5")
    assert (h5.owner, h5.due_at, h5.student) == (
        company.consultant_a,
        datetime(2026, 12, 9, 18, 0, tzinfo=SH),
        handover.student,
    )
    client.force_login(company.consultant_a)
    assert client.post(f"/handover/{handover.pk}/items/{missing.pk}/received/").status_code == 302
    assert Deadline.objects.get(rule="H5").status == Status.MET


def test_sign_off_by_both_makes_the_handover_read_only(client, handover, company):
    client.force_login(company.manager_a1)
    client.post(url(handover, "receive"), REVIEW)
    paper_check(client, handover)
    early = client.post(url(handover, "sign"), follow=True)
    assert "请先记录首次家长电话、与咨询师沟通和纸质档案核对。" in early.content.decode()
    client.post(url(handover, "intro_call"), {"notes": "家长很配合"})
    client.post(
        url(handover, "consultant_talk"),
        {
            "notes": "学生数学基础弱",
            "paper_handover_at": "2026-12-07T15:00",
            "lesson_arrangement": "周六上午数学",
        },
    )
    client.post(url(handover, "sign"))
    client.force_login(company.consultant_a)
    client.post(url(handover, "sign"))
    client.post(url(handover, "sign"))  # a double click
    handover.refresh_from_db()
    assert handover.signed_off
    assert Event.objects.filter(kind="handover.signed").count() == 2
    assert Event.objects.filter(kind="handover.signed_off").count() == 1
    client.force_login(company.manager_a1)
    refused = client.post(url(handover, "intro_call"), {"notes": "改一下"}, follow=True)
    assert "这份交接已双方签字，不能再修改。" in refused.content.decode()
    assert Handover.objects.get().intro_call_notes == "家长很配合"
    assert "双方已签字" in client.get(url(handover)).content.decode()


def test_a_missing_item_can_be_received_after_both_have_signed(client, handover, company):
    client.force_login(company.manager_a1)
    client.post(url(handover, "receive"), REVIEW)
    paper_check(client, handover, missing_until="2026-12-09")
    client.post(url(handover, "intro_call"), {"notes": "家长很配合"})
    client.post(
        url(handover, "consultant_talk"),
        {
            "notes": "学生数学基础弱",
            "paper_handover_at": "2026-12-07T15:00",
            "lesson_arrangement": "周六上午",
        },
    )
    client.post(url(handover, "sign"))
    client.force_login(company.consultant_a)
    client.post(url(handover, "sign"))
    handover.refresh_from_db()
    assert handover.signed_off
    missing = PaperItem.objects.get(present=False)
    button = f"/handover/{handover.pk}/items/{missing.pk}/received/"
    assert button in client.get(url(handover)).content.decode()
    assert client.post(button).status_code == 302
    assert Deadline.objects.get(rule="H5").status == Status.MET
    assert button not in client.get(url(handover)).content.decode()


def test_who_may_see_and_act(client, handover, company):
    for person, status in (
        ("manager_a1", 200),
        ("supervisor_a", 200),
        ("director_a", 200),
        ("consultant_a", 200),
        ("manager_a2", 404),
        ("teacher_a", 404),
        ("director_b", 404),
    ):
        client.force_login(getattr(company, person))
        assert client.get(url(handover)).status_code == status, person
    client.force_login(company.supervisor_a)
    assert client.post(url(handover, "receive"), REVIEW).status_code == 403  # only the manager records it
    client.force_login(company.consultant_a)
    assert client.post(url(handover, "receive"), REVIEW).status_code == 403
    assert client.post(url(handover, "nonsense")).status_code == 404
    assert Handover.objects.get().received_at is None


def test_handover_list_for_each_role(client, handover, company, django_assert_max_num_queries):
    for person, sees in (
        ("manager_a1", True),
        ("consultant_a", True),
        ("manager_a2", False),
        ("teacher_a", False),
    ):
        client.force_login(getattr(company, person))
        # The navigation's count of waiting work (issue 12) runs two queries per queue of the role:
        # a consultant's three, a teacher's four for papers.
        with django_assert_max_num_queries(16):
            html = client.get("/handover/").content.decode()
        assert ("赵一鸣" in html) is sees, person


def test_reassigning_moves_an_unsigned_handover(handover, company):
    student_assign(
        student=handover.student, manager=company.manager_a2, actor=company.supervisor_a, reason="调整"
    )
    handover.refresh_from_db()
    assert handover.manager == company.manager_a2
    assert Deadline.objects.get(rule="H1").owner == company.manager_a2


def test_missing_item_date_in_the_past_is_refused(client, handover, company):
    client.force_login(company.manager_a1)
    client.post(url(handover, "receive"), REVIEW)
    yesterday = (date(2026, 12, 4) - timedelta(days=1)).isoformat()
    assert paper_check(client, handover, missing_until=yesterday).status_code == 200
    assert not PaperItem.objects.exists()


def test_a_missing_item_can_be_brought_after_sign_off(client, handover, company):
    client.force_login(company.manager_a1)
    client.post(url(handover, "receive"), REVIEW)
    client.post(url(handover, "intro_call"), {"notes": "家长很配合"})
    client.post(
        url(handover, "consultant_talk"),
        {"notes": "x", "paper_handover_at": "2026-12-07T15:00", "lesson_arrangement": "周六上午数学"},
    )
    paper_check(client, handover, missing_until="2026-12-09")
    client.post(url(handover, "sign"))
    client.force_login(company.consultant_a)
    client.post(url(handover, "sign"))
    missing = PaperItem.objects.get(present=False)
    client.post(f"/handover/{handover.pk}/items/{missing.pk}/received/")
    assert Deadline.objects.get(rule="H5").status == Status.MET


def test_a_campus_item_named_like_a_company_item_is_checked_once(client, handover, company):
    from handover.models import PaperItemKind

    PaperItemKind.objects.create(name="收据", campus=company.campus_a)
    client.force_login(company.manager_a1)
    client.post(url(handover, "receive"), REVIEW)
    assert paper_check(client, handover).status_code == 302
    assert PaperItem.objects.filter(name="收据").count() == 1


def late_steps(html: str) -> list[str]:
    """The steps the handover list shows in red."""
    return re.findall(r'<span class="badge text-bg-danger" title="[^"]*">(H\d)', html)


def test_the_list_shows_each_late_step_in_red(client, handover, company, time_machine):
    client.force_login(company.supervisor_a)
    assert late_steps(client.get("/handover/").content.decode()) == []  # H1 is due Tue 8 Dec 18:00
    time_machine.move_to(datetime(2026, 12, 9, 9, 0, tzinfo=SH), tick=False)
    client.force_login(company.supervisor_a)  # a new working day, a new session
    assert late_steps(client.get("/handover/").content.decode()) == ["H1"]  # late, not swept yet
    client.force_login(company.manager_a1)
    client.post(url(handover, "receive"), REVIEW)  # H1 met late; H3 and H4 start now
    paper_check(client, handover, missing_until="2026-12-09")
    assert Deadline.objects.get(rule="H1").status == Status.MET_LATE
    client.force_login(company.supervisor_a)
    assert late_steps(client.get("/handover/").content.decode()) == ["H1"]
    # Thu 10 Dec 10:00: the talk with the consultant (24 hours) and the missing receipt (Wed) ran over;
    # the first call to the parent (1 day) is due at closing time.
    time_machine.move_to(datetime(2026, 12, 10, 10, 0, tzinfo=SH), tick=False)
    client.force_login(company.supervisor_a)
    html = client.get("/handover/").content.decode()
    assert late_steps(html) == ["H1", "H4", "H5"]
    assert "红色表示该步骤已逾期" in html


def make_handovers(company, n, prefix):
    for i in range(n):
        student = Student.objects.create(full_name=f"学生{prefix}{i}", campus=company.campus_a)
        Contract.objects.create(
            student=student,
            number=f"HD-{prefix}{i}",
            signed_at=datetime(2026, 12, 1, 10, 0, tzinfo=SH),
            consultant=company.consultant_a,
            subjects="数学",
            hours=Decimal(40),
            unit_price=Decimal(200),
            amount=Decimal(8000),
        )
        student_assign(student=student, manager=company.manager_a1, actor=company.supervisor_a)


def test_the_list_marks_late_steps_in_a_fixed_number_of_queries(client, handover, company, time_machine):
    client.force_login(company.supervisor_a)
    client.get("/handover/")  # the content types cached, as after any first page
    counts = []
    for n in (1, 12):
        make_handovers(company, n, prefix=f"N{n}-")
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/handover/").content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert late_steps(html).count("H1") == 13  # signed Tue 1 Dec: H1 was due Thu 3 Dec (HD-1's is not)


def test_the_handover_clocks_open_the_handover_page(client, handover, company, time_machine):
    """H1, H3 and H4 open the handover; H5 (a missing paper item) its handover too."""
    client.force_login(company.manager_a1)
    client.post(url(handover, "receive"), REVIEW)
    paper_check(client, handover, missing_until="2026-12-09")
    for rule in ("H3", "H4"):
        assert Deadline.objects.get(rule=rule).action_url == url(handover)
    html = client.get("/").content.decode()  # My day
    assert html.count(f'class="link-body-emphasis" href="{url(handover)}"') == 2
    h5 = Deadline.objects.get(rule="H5")
    item = PaperItem.objects.get(present=False)
    assert h5.action_url == f"/handover/items/{item.pk}/"
    for person in ("consultant_a", "manager_a1", "supervisor_a"):
        client.force_login(getattr(company, person))
        response = client.get(h5.action_url)
        assert (response.status_code, response.url) == (302, url(handover)), person
    for person in ("manager_a2", "teacher_a", "director_b"):
        client.force_login(getattr(company, person))
        assert client.get(h5.action_url).status_code == 404, person


def test_h1_opens_the_handover_page(handover):
    assert Deadline.objects.get(rule="H1").action_url == url(handover)


def bulk_handovers(company, n, *, prefix, campus="a", signed=False):
    """`n` handovers made at once (no clocks), created a minute apart, the newest last; signed off by
    both or not at all."""
    campus, manager = (
        (company.campus_a, company.manager_a1) if campus == "a" else (company.campus_b, company.manager_b)
    )
    consultant = company.consultant_a
    students = Student.objects.bulk_create(
        Student(full_name=f"学生{prefix}{i:04}", campus=campus, manager=manager) for i in range(n)
    )
    contracts = Contract.objects.bulk_create(
        Contract(
            student=s,
            number=f"HD-{prefix}{i:04}",
            signed_at=datetime(2026, 12, 1, 10, 0, tzinfo=SH),
            consultant=consultant,
            subjects="数学",
            hours=Decimal(40),
            unit_price=Decimal(200),
            amount=Decimal(8000),
        )
        for i, s in enumerate(students)
    )
    handovers = Handover.objects.bulk_create(
        Handover(contract=c, student=c.student, campus=campus, manager=manager, consultant=consultant)
        for c in contracts
    )
    start = datetime(2026, 11, 1, 9, 0, tzinfo=SH)
    for i, h in enumerate(handovers):
        h.created_at = start + timedelta(minutes=i)
        if signed:
            h.manager_signed_at = h.consultant_signed_at = h.created_at + timedelta(days=3)
    Handover.objects.bulk_update(handovers, ["created_at", "manager_signed_at", "consultant_signed_at"])
    return [s.full_name for s in students]


def listed(html: str) -> list[str]:
    return re.findall(r'<td><a href="/handover/\d+/">([^<]*)</a></td>', html)


def test_the_list_is_a_page_of_100_with_its_count_the_unsigned_first(client, handover, company):
    signed = bulk_handovers(company, 150, prefix="S", signed=True)
    open_ = bulk_handovers(company, 30, prefix="O")
    client.force_login(company.supervisor_a)
    html = client.get("/handover/").content.decode()
    rows = listed(html)
    # Not signed off first, newest first (the fixture's HD-1 was created at the frozen now, last).
    assert rows[:31] == ["赵一鸣", *open_[::-1]] and rows[31:] == signed[::-1][:69]
    assert '<span class="badge text-bg-secondary fs-6 align-middle">181</span>' in html
    assert 'href="?page=2">下一页</a>' in html
    second = listed(client.get("/handover/?page=2").content.decode())
    assert second == signed[::-1][69:]


def test_the_list_runs_the_same_queries_at_two_sizes(
    client, handover, company, django_assert_max_num_queries
):
    client.force_login(company.director_a)
    client.get("/handover/")  # the content types cached, as after any first page
    counts = []
    for size in (250, 600):
        bulk_handovers(company, size, prefix=f"N{size}-")
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(16):
            html = client.get("/handover/?page=2").content.decode()
        counts.append(len(queries))
        assert len(listed(html)) == 100
    assert counts[0] == counts[1]


def test_the_list_keeps_to_the_campus(client, handover, company):
    bulk_handovers(company, 120, prefix="B", campus="b")
    client.force_login(company.director_a)
    html = client.get("/handover/").content.decode()
    assert listed(html) == ["赵一鸣"] and "?page=2" not in html
    client.force_login(company.director_b)
    rows = listed(client.get("/handover/?page=2").content.decode())
    assert len(rows) == 20 and "赵一鸣" not in rows


def test_the_list_reads_a_page_of_its_index(handover, company):
    from handover.selectors import handover_list

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = handover_list(company.president)[:100].explain()
    assert "handover_list_order" in plan, plan
