from django.core.management.base import BaseCommand
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
]


class Command(BaseCommand):
    help = "Creates the demo campuses, teams and users. Running it again changes nothing."

    @transaction.atomic
    def handle(self, *args, **options):
        campuses = {
            row["code"]: Campus.objects.get_or_create(code=row["code"], defaults=row)[0] for row in CAMPUSES
        }
        created = []
        for number, (username, full_name, role, campus_code, _team) in enumerate(PEOPLE, start=1):
            user, is_new = User.objects.get_or_create(
                username=username,
                defaults={
                    "full_name": full_name,
                    "role": role,
                    "campus": campuses.get(campus_code),
                    "email": f"{username}@demo.invalid",
                    "phone": f"138-0000-{number:04d}" if campus_code else "",
                    "is_staff": role == Role.ADMIN,
                    "is_superuser": role == Role.ADMIN,
                },
            )
            if is_new:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
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
            if team_name:
                User.objects.filter(username=username, team=None).update(team=teams[(campus_code, team_name)])

        self.stdout.write(
            f"Demo data ready: {len(campuses)} campuses, {len(teams)} teams, {len(PEOPLE)} users "
            f"({len(created)} new)."
        )
        self.stdout.write(f"Every demo user signs in with the password {DEMO_PASSWORD}:")
        for username, full_name, role, campus_code, _team in PEOPLE:
            campus = campuses[campus_code].name if campus_code else "全公司"
            self.stdout.write(f"  {username:<14} {full_name:<6} {role.label} · {campus}")
