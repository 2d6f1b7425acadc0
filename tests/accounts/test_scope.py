"""The one module that answers "what may this user see".

Case records do not exist yet in this app, so users stand in for them: each user row is treated
as a record on its campus managed by that user (`manager="pk"`).
"""

from django.contrib.auth.models import AnonymousUser

from accounts import scope
from accounts.models import User


def visible_cases(viewer) -> set[str]:
    return set(
        User.objects.filter(scope.caseload_q(viewer, manager="pk")).values_list("full_name", flat=True)
    )


def names(*users) -> set[str]:
    return {u.full_name for u in users}


def test_learning_manager_sees_only_their_own_caseload(company):
    assert visible_cases(company.manager_a1) == names(company.manager_a1)


def test_learning_manager_of_campus_a_sees_nobody_of_campus_b(company):
    seen = User.objects.filter(scope.caseload_q(company.manager_a1, manager="pk"))
    assert not seen.filter(campus=company.campus_b).exists()
    assert not scope.people_for(company.manager_a1).filter(campus=company.campus_b).exists()
    assert list(scope.campuses_for(company.manager_a1)) == [company.campus_a]


def test_supervisor_sees_their_team_and_not_the_other_campus(company):
    assert visible_cases(company.supervisor_a) == names(
        company.supervisor_a, company.manager_a1, company.manager_a2
    )


def test_supervisor_does_not_see_a_manager_outside_their_team(company):
    from tests.factories import UserFactory

    loner = UserFactory(role="learning_manager", campus=company.campus_a, team=None, full_name="无组")
    assert loner.full_name not in visible_cases(company.supervisor_a)
    assert loner.full_name in visible_cases(company.director_a)


def test_director_and_other_campus_roles_see_their_whole_campus(company):
    campus_a = set(User.objects.filter(campus=company.campus_a).values_list("full_name", flat=True))
    for viewer in (company.director_a, company.consultant_a, company.teacher_a, company.scheduler_a):
        assert visible_cases(viewer) == campus_a


def test_finance_and_president_see_every_campus(company):
    everyone = set(User.objects.values_list("full_name", flat=True))
    assert visible_cases(company.finance) == everyone
    assert visible_cases(company.president) == everyone
    assert set(scope.campuses_for(company.finance)) == {company.campus_a, company.campus_b}


def test_a_record_must_be_on_the_viewers_campus_even_if_they_manage_it(company):
    # Rows "managed" by every member of the row's team: manager_a1 manages campus A's team rows,
    # but a campus-B row stays invisible even through such a relation.
    rows = User.objects.filter(pk=company.manager_b.pk)
    managed_by_a1 = scope.caseload_q(company.manager_a1, manager="team__members")
    assert not rows.filter(managed_by_a1).exists()
    assert User.objects.filter(pk=company.manager_a2.pk).filter(managed_by_a1).exists()


def test_signed_out_or_deactivated_users_see_nothing(company, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list(User.objects.filter(scope.caseload_q(AnonymousUser()))) == []
    company.director_a.is_active = False
    assert visible_cases(company.director_a) == set()


def test_teams_follow_the_campus(company):
    assert list(scope.teams_for(company.manager_b)) == [company.team_b]
    assert set(scope.teams_for(company.president)) == {company.team_a, company.team_b}
