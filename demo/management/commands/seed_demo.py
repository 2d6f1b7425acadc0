import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.company import DEMO_PASSWORD, NEWCOMER, PEOPLE
from demo.stories import demo_seed


class Command(BaseCommand):
    help = (
        "Creates the demo campuses, teams, users and students, each step told through the services at "
        "its time in the past. Running it again changes nothing; --students N adds N more students."
    )

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=0, help="also create this many extra students")
        parser.add_argument(
            "--force", action="store_true", help="seed even with DEBUG off (a trial server, never production)"
        )

    def handle(self, *args, force=False, students=0, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                f"seed_demo creates users who all sign in with the password {DEMO_PASSWORD}, so it runs "
                "only with DEBUG on (make run sets DEBUG=true). To seed a trial server anyway, "
                "run it with --force; never on a server with real data."
            )
        began = time.monotonic()
        done = demo_seed(students=students)
        self.stdout.write(
            f"Demo data ready: {done['campuses']} campuses, {done['users']} users "
            f"({len(done['created'])} new), {done['students']} students "
            f"({done['stories']} new stories, {done['steps']} steps, {time.monotonic() - began:.1f} s)."
        )
        self.stdout.write(f"Every demo user signs in with the password {DEMO_PASSWORD}:")
        for username, full_name, role, campus_code, _team in [*PEOPLE, (*NEWCOMER, None)]:
            campus = {"hd": "海淀校区", "xh": "徐汇校区"}.get(campus_code, "全公司")
            self.stdout.write(f"  {username:<14} {full_name:<6} {role.label} · {campus}")
