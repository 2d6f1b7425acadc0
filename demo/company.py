"""The demo company: campuses, teams and people. In real life the administrator sets these up in the
admin, so they are written directly; everything the people then do goes through the services."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Campus, Role, Team, User

DEMO_PASSWORD = "demo1234"

CAMPUSES = [
    {"code": "hd", "name": "海淀校区", "address": "北京市海淀区中关村大街 27 号", "phone": "010-6255 0001"},
    {"code": "xh", "name": "徐汇校区", "address": "上海市徐汇区漕溪北路 88 号", "phone": "021-6438 0002"},
]
TEAMS = [
    {"campus": "hd", "name": "学管一组", "supervisor": "supervisor1"},
    {"campus": "xh", "name": "学管一组", "supervisor": "supervisor2"},
]
# username, full name, role, campus code, team name (learning managers only)
PEOPLE = [
    ("manager1", "王芳", Role.LEARNING_MANAGER, "hd", "学管一组"),
    ("manager2", "李娜", Role.LEARNING_MANAGER, "hd", "学管一组"),
    ("supervisor1", "张伟", Role.SUPERVISOR, "hd", None),
    ("director1", "刘洋", Role.DIRECTOR, "hd", None),
    ("consultant1", "陈静", Role.CONSULTANT, "hd", None),
    ("teacher1", "杨帆", Role.TEACHER, "hd", None),
    ("headteacher1", "赵磊", Role.HEAD_TEACHER, "hd", None),
    ("scheduler1", "黄丽", Role.SCHEDULER, "hd", None),
    ("manager3", "周敏", Role.LEARNING_MANAGER, "xh", "学管一组"),
    ("supervisor2", "吴强", Role.SUPERVISOR, "xh", None),
    ("director2", "徐军", Role.DIRECTOR, "xh", None),
    ("finance1", "孙丽华", Role.FINANCE, None, None),
    ("president1", "马建国", Role.PRESIDENT, None, None),
    ("admin", "系统管理员", Role.ADMIN, None, None),
    # Added with the demo built through the services: a second teacher for the evenings and weekends
    # of 海淀, and the consultant and teacher of 徐汇 (a contract is entered by its campus's consultant).
    ("teacher2", "林晓", Role.TEACHER, "hd", None),
    ("consultant2", "郑琳", Role.CONSULTANT, "xh", None),
    ("teacher3", "高远", Role.TEACHER, "xh", None),
]
# Joined this week and not in a team yet: the administrator's first task (demo.stories.newcomer).
NEWCOMER = ("manager4", "许静", Role.LEARNING_MANAGER, "xh")


def person_add(*, username: str, full_name: str, role: str, campus_code: str | None, number: int = 0):
    """One demo person, made once with the demo password: (user, created). Someone who exists keeps
    their password and everything else."""
    campus = Campus.objects.get(code=campus_code) if campus_code else None
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "full_name": full_name,
            "role": role,
            "campus": campus,
            "email": f"{username}@demo.invalid",
            "phone": f"138-0000-{number or len(PEOPLE) + 1:04d}" if campus_code else "",
            "is_staff": role == Role.ADMIN,
            "is_superuser": role == Role.ADMIN,
        },
    )
    if created:
        user.password = demo_password_hash()
        user.save(update_fields=["password"])
    return user, created


_hash: dict[str, str] = {}


def demo_password_hash() -> str:
    """The demo password hashed once for everyone (a strong hash takes a noticeable moment each)."""
    if _hash.get("hasher") != settings.PASSWORD_HASHERS[0]:
        _hash.update(hasher=settings.PASSWORD_HASHERS[0], value=make_password(DEMO_PASSWORD))
    return _hash["value"]


@transaction.atomic
def company_seed() -> tuple[dict[str, Campus], dict[str, User], list[str]]:
    """The campuses, teams and people, each made once: returns them and the names of new users. A
    user who exists keeps their password, team and everything else."""
    campuses = {
        row["code"]: Campus.objects.get_or_create(code=row["code"], defaults=row)[0] for row in CAMPUSES
    }
    created = []
    for number, (username, full_name, role, campus_code, _team) in enumerate(PEOPLE, start=1):
        _user, is_new = person_add(
            username=username, full_name=full_name, role=role, campus_code=campus_code, number=number
        )
        if is_new:
            created.append(username)
    teams = {}
    for row in TEAMS:
        team, _ = Team.objects.get_or_create(
            campus=campuses[row["campus"]],
            name=row["name"],
            defaults={"supervisor": User.objects.get(username=row["supervisor"])},
        )
        teams[(row["campus"], row["name"])] = team
    for username, _name, _role, campus_code, team_name in PEOPLE:
        if team_name and username in created:
            User.objects.filter(username=username, team=None).update(team=teams[(campus_code, team_name)])
    people = User.objects.filter(username__in=[p[0] for p in PEOPLE]).select_related("campus", "team")
    return campuses, {user.username: user for user in people}, created
