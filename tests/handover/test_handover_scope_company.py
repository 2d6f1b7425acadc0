"""A company-wide reader's handovers are every handover (issue 13: read without asking each one's
student among all of the company's); the others' still go by their students."""

import pytest

from handover.models import Handover
from handover.selectors import handover_list, handovers_for
from students.models import Student
from students.selectors import students_for
from tests.handover.test_handover import make_handovers


@pytest.mark.parametrize("person", ["president", "admin", "director_a", "supervisor_a", "manager_a1"])
def test_handovers_for_is_the_handovers_of_the_students_one_sees(company, person, time_machine):
    make_handovers(company, 3, prefix="A")
    Student.objects.filter(full_name="学生A1").update(manager=company.manager_a2)  # moved on
    reader = getattr(company, person)
    expected = set(Handover.objects.filter(student__in=students_for(reader)).values_list("pk", flat=True))
    assert set(handovers_for(reader).values_list("pk", flat=True)) == expected
    assert handover_list(reader).count() == len(expected)
