import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import Role, User
from tests.factories import UserFactory


def test_company_roles_have_no_campus(company):
    with pytest.raises(IntegrityError):
        UserFactory(role=Role.FINANCE, campus=company.campus_a)


def test_campus_roles_need_a_campus(db):
    with pytest.raises(IntegrityError):
        UserFactory(role=Role.LEARNING_MANAGER, campus=None)


def test_team_must_be_on_the_users_campus(company):
    user = company.manager_a1
    user.team = company.team_b
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert "team" in error.value.message_dict


def test_supervisor_must_be_on_the_teams_campus(company):
    team = company.team_a
    team.supervisor = company.supervisor_b
    with pytest.raises(ValidationError) as error:
        team.full_clean()
    assert "supervisor" in error.value.message_dict


def test_createsuperuser_makes_a_company_wide_administrator(db):
    user = User.objects.create_superuser("root", "root@example.invalid", "Lantern-Quay-91")
    assert user.role == Role.ADMIN and user.campus is None and user.is_company_wide
