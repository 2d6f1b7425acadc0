"""Issue 13: the renewal count on the manager's home (followups.selectors.renewal_list) asks for the
open R1 of the manager's own ended students, not for a list of every open R1 of the company."""

import json

from django.contrib.contenttypes.models import ContentType

from deadlines.models import Deadline, Status
from deadlines.services import deadline_open
from followups.selectors import followup_counts, renewal_list
from students.models import Student


def rows_read(queryset, table: str) -> int:
    """How many rows of `table` the query's plan read (returned or filtered out, over every loop)."""
    plan = json.loads(queryset.explain(analyze=True, format="json"))

    def walk(node):
        read = 0
        if node.get("Relation Name") == table:
            read = (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * node["Actual Loops"]
        return read + sum(walk(child) for child in node.get("Plans", []))

    return sum(walk(entry["Plan"]) for entry in plan)


def test_the_renewal_count_reads_the_manager_s_r1_only(company):
    b = company.manager_b
    elsewhere = [
        Student.objects.create(full_name=f"外校{i}", campus=b.campus, manager=b, status="ended")
        for i in range(3)
    ]
    kind = ContentType.objects.get_for_model(Student)
    Deadline.objects.bulk_create(
        Deadline(
            rule="R1",
            subject_type=kind,
            subject_id=elsewhere[i % 3].pk,
            student=elsewhere[i % 3],
            occurrence=i + 1,
            campus=b.campus,
            owner=b,
            due_at=Student.objects.first().created_at,
            status=Status.OVERDUE,
        )
        for i in range(300)
    )
    manager = company.manager_a1
    asked = Student.objects.create(full_name="待续费", campus=manager.campus, manager=manager, status="ended")
    deadline_open(rule="R1", subject=asked, owner=manager)
    Student.objects.create(full_name="已结束", campus=manager.campus, manager=manager, status="ended")
    below = renewal_list(manager)
    assert [s.full_name for s in below] == ["待续费"]
    assert followup_counts(manager).below_threshold == 1
    assert rows_read(below, "deadlines_deadline") < 10  # not the company's 300
