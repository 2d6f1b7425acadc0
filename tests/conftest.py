"""Two campuses with a team each and one person of every role, as the scope tests need them."""

from types import SimpleNamespace

import pytest

from accounts.models import Role

from .factories import CampusFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def tasks_run_inline(monkeypatch, request):
    """Unit tests run a task where it is sent; the integration tests send them to a real worker."""
    if "integration" not in request.keywords:
        from config.celery import app

        monkeypatch.setattr(app.conf, "task_always_eager", True)


@pytest.fixture(autouse=True)
def static_files_without_collectstatic(settings):
    # Production serves hashed names from a manifest built by collectstatic; tests skip that step.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def company(db):
    """Campus A (a team of two managers) and campus B (a team of one), plus company-wide people."""
    a, b = CampusFactory(code="a", name="海淀校区"), CampusFactory(code="b", name="徐汇校区")
    team_a, team_b = TeamFactory(campus=a, name="学管一组"), TeamFactory(campus=b, name="学管一组")
    people = SimpleNamespace(campus_a=a, campus_b=b, team_a=team_a, team_b=team_b)
    people.supervisor_a, people.supervisor_b = team_a.supervisor, team_b.supervisor
    people.manager_a1 = UserFactory(role=Role.LEARNING_MANAGER, campus=a, team=team_a, full_name="王芳")
    people.manager_a2 = UserFactory(role=Role.LEARNING_MANAGER, campus=a, team=team_a, full_name="李娜")
    people.manager_b = UserFactory(role=Role.LEARNING_MANAGER, campus=b, team=team_b, full_name="周敏")
    for role in (Role.DIRECTOR, Role.CONSULTANT, Role.TEACHER, Role.HEAD_TEACHER, Role.SCHEDULER):
        setattr(people, f"{role}_a", UserFactory(role=role, campus=a))
    people.director_b = UserFactory(role=Role.DIRECTOR, campus=b)
    people.finance = UserFactory(role=Role.FINANCE)
    people.president = UserFactory(role=Role.PRESIDENT)
    people.admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    return people


ONE_OF_EACH_ROLE = [
    ("manager_a1", Role.LEARNING_MANAGER),
    ("supervisor_a", Role.SUPERVISOR),
    ("director_a", Role.DIRECTOR),
    ("consultant_a", Role.CONSULTANT),
    ("teacher_a", Role.TEACHER),
    ("head_teacher_a", Role.HEAD_TEACHER),
    ("scheduler_a", Role.SCHEDULER),
    ("finance", Role.FINANCE),
    ("president", Role.PRESIDENT),
    ("admin", Role.ADMIN),
]
