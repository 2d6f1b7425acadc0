"""Two assigners at once: one assignment, and the other is told so, never a 500."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client

from students.models import Student
from timeline.models import Event


def waiting_for_locks(n: int, timeout: float = 10) -> bool:
    """True once `n` other sessions wait for a row lock (the two assigners, on the student's row)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh statistics inside the transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] >= n:
                return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_and_the_director_assigning_at_once_give_one_assignment(company):
    student = Student.objects.create(full_name="赵一鸣", campus=company.campus_a)
    choices = [(company.supervisor_a, company.manager_a1), (company.director_a, company.manager_a2)]
    answers = {}

    def assign(person, manager):
        client = Client()  # each thread: its own session and its own database connection
        client.force_login(person)
        try:
            answers[person.pk] = client.post(
                f"/students/{student.pk}/assign/",
                {"manager": manager.pk, "seen_manager": "0"},  # both saw the student without a manager
                follow=True,
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=choice) for choice in choices]
    # Hold the student's row until both requests wait for it in student_assign: a real race.
    with transaction.atomic():
        Student.objects.select_for_update().get(pk=student.pk)
        for thread in threads:
            thread.start()
        raced = waiting_for_locks(2)
    for thread in threads:
        thread.join()
    assert raced, "both assigners should have waited on the student's row"

    student.refresh_from_db()
    assert student.manager in (company.manager_a1, company.manager_a2)
    assert Event.objects.filter(kind="student.assigned").count() == 1
    pages = [answer.content.decode() for answer in answers.values()]
    assert all(answer.status_code == 200 for answer in answers.values())  # no 500: both back on the page
    done = [page for page in pages if f"现由 {student.manager.display_name} 负责。" in page]
    told = [page for page in pages if "刚刚已被他人分配给" in page]
    assert (len(done), len(told)) == (1, 1), pages
    assert student.manager.display_name in told[0]


def test_an_assigner_who_saw_an_old_manager_is_told_and_changes_nothing(client, company):
    student = Student.objects.create(full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1)
    client.force_login(company.director_a)
    # The director's page showed no manager yet; the supervisor assigned one in the meantime.
    answer = client.post(
        f"/students/{student.pk}/assign/",
        {"manager": company.manager_a2.pk, "seen_manager": "0"},
        follow=True,
    )
    assert answer.status_code == 200 and "刚刚已被他人分配给" in answer.content.decode()
    student.refresh_from_db()
    assert student.manager == company.manager_a1
    # Choosing the manager the student already has is a calm "already", not a change.
    same = client.post(
        f"/students/{student.pk}/assign/",
        {"manager": company.manager_a1.pk, "seen_manager": "0"},
        follow=True,
    )
    assert "已经由" in same.content.decode()
    assert not Event.objects.filter(kind="student.assigned").exists()
