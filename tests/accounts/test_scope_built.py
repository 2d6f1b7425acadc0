"""The scope's conditions are built once per person and kept for the process (accounts.scope.built_once):
a person's next request reuses them, and what they read still follows the data and their place."""

from accounts import scope
from accounts.models import Role, User
from students.models import Student
from students.selectors import students_for
from tests.factories import UserFactory


def fresh(user) -> User:
    """The person as the next request loads them: another object."""
    return User.objects.get(pk=user.pk)


def seen(user) -> set[str]:
    return set(students_for(fresh(user)).values_list("full_name", flat=True))


def student_of(manager, name: str) -> Student:
    return Student.objects.create(full_name=name, campus=manager.campus, manager=manager, status="active")


def test_a_persons_next_request_builds_none_of_their_conditions_again(company):
    builds = []

    def build():
        builds.append(1)
        return scope.caseload_q(company.manager_a1)

    first = scope.built_once(fresh(company.manager_a1), "test_condition", build)
    again = scope.built_once(fresh(company.manager_a1), "test_condition", build)
    assert again is first and len(builds) == 1
    scope.built_once(fresh(company.manager_a2), "test_condition", build)  # another person: their own
    assert len(builds) == 2


def test_a_new_member_of_the_team_is_read_at_once(company):
    student_of(company.manager_a1, "王小明")
    assert seen(company.supervisor_a) == {"王小明"}
    newcomer = UserFactory(role=Role.LEARNING_MANAGER, campus=company.campus_a, team=company.team_a)
    student_of(newcomer, "陈小红")
    assert seen(company.supervisor_a) == {"王小明", "陈小红"}


def test_a_manager_who_changes_campus_reads_the_new_campus_only(company):
    student_of(company.manager_a1, "王小明")
    assert seen(company.manager_a1) == {"王小明"}
    User.objects.filter(pk=company.manager_a1.pk).update(campus=company.campus_b, team=company.team_b)
    Student.objects.filter(full_name="王小明").update(campus=company.campus_b)
    assert seen(company.manager_a1) == {"王小明"}  # the same caseload, on the campus it moved to
    Student.objects.filter(full_name="王小明").update(campus=company.campus_a)
    assert seen(company.manager_a1) == set()  # a student left on the old campus is not hers now


def test_a_manager_made_supervisor_reads_as_a_supervisor(company):
    student_of(company.manager_a2, "李小华")
    assert seen(company.manager_a1) == set()
    company.team_a.supervisor = company.manager_a1
    company.team_a.save()
    User.objects.filter(pk=company.manager_a1.pk).update(role=Role.SUPERVISOR)
    assert "李小华" in seen(company.manager_a1)


def test_a_deactivated_person_reads_nothing(company):
    student_of(company.manager_a1, "王小明")
    assert seen(company.manager_a1) == {"王小明"}
    User.objects.filter(pk=company.manager_a1.pk).update(is_active=False)
    assert seen(company.manager_a1) == set()


def test_the_kept_conditions_are_bounded(company, monkeypatch):
    monkeypatch.setattr(scope, "BUILT_KEPT", 3)
    scope.forget_built()
    for n in range(5):
        scope.built_once(fresh(company.manager_a1), f"test_condition_{n}", lambda: scope.NOTHING)
    assert len(scope._built) == 3
    kept = {key[0] for key in scope._built}
    assert kept == {"test_condition_2", "test_condition_3", "test_condition_4"}  # the latest
