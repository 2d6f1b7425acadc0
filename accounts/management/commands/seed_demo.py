import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import cycle

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Campus, Role, Team, User
from deadlines.rules import CalendarDays, CalendarDaysOrEvent, Hours, Recurring, get_rule
from deadlines.services import deadline_meet, deadline_open
from followups.models import LessonTalk
from followups.services import (
    callback_record,
    concern_raise,
    hours_check,
    renewal_record,
    score_record,
    student_pause,
)
from handover.models import Handover, PaperItem
from handover.services import (
    first_lesson_set,
    handover_consultant_talk,
    handover_intro_call,
    handover_paper_check,
    handover_receive,
    handover_sign,
    paper_item_names,
    paper_item_receive,
    weekend_timetables_open,
)
from students.models import Contract, Guardian, Lesson, Student
from students.services import contract_sign, lesson_book, lesson_mark, student_assign

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


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["子涵", "浩然", "雨桐", "梓萱", "宇轩", "欣怡", "俊杰", "诗琪", "博文", "思远", "佳怡", "一鸣"]
GRADES = ["初一", "初二", "初三", "高一", "高二", "高三", "六年级"]
# Students at each step of the handover (name, how far they are, hours since the contract was signed).
STAGES = [
    ("钱一诺", "signed", 1),
    ("孙浩宇", "received", 50),
    ("李思琪", "called", 70),
    ("周子墨", "paper_missing", 96),
    ("吴雨萱", "first_lesson", 150),
]
# Each demo student and the clocks running for them: (name, manager, grade, [(rule, hours from now to due)]).
# Negative hours are late; the seed opens each deadline so that it falls due at that moment.
# A third element says the work was done that many hours after the clock started.
DEMO_STUDENTS = [
    ("陈子涵", "manager1", "初二", [("L5", -30), ("L4", 3)]),
    ("林浩然", "manager1", "高一", [("L5", -90, 20), ("F2", 50)]),
    ("黄雨桐", "manager1", "初三", [("L5", 2), ("L4", 72)]),
    ("周梓萱", "manager1", "六年级", [("F3", 120)]),
    ("吴宇轩", "manager2", "高二", [("L5", -52), ("L4", 5)]),
    ("郑欣怡", "manager2", "初一", [("L5", -60, 8), ("F3", 96)]),
    ("孙俊杰", "manager3", "高三", [("L4", -20), ("L5", 30)]),
]


class Command(BaseCommand):
    help = (
        "Creates the demo campuses, teams, users and students with running deadlines. "
        "Running it again changes nothing; --students N adds N more students for large data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=0, help="also create this many extra students")
        parser.add_argument(
            "--force", action="store_true", help="seed even with DEBUG off (a trial server, never production)"
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                f"seed_demo creates users who all sign in with the password {DEMO_PASSWORD}, so it runs "
                "only with DEBUG on (make run sets DEBUG=true). To seed a trial server anyway, "
                "run it with --force; never on a server with real data."
            )
        self.seed(**options)

    @transaction.atomic
    def seed(self, *, students=0, **options):
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

        managers = {
            u.username: u for u in User.objects.filter(role=Role.LEARNING_MANAGER).select_related("campus")
        }
        for slot, (name, manager, grade, clocks) in enumerate(DEMO_STUDENTS):
            self.seed_student(name, managers[manager], grade, clocks, slot=slot)
        self.seed_stages()
        self.seed_followups()
        self.seed_renewals(managers)
        self.seed_cases()
        weekend_timetables_open(today=timezone.localdate())
        extra = [managers[m] for m in ("manager1", "manager2", "manager3")]
        for number, manager in zip(range(students), cycle(extra), strict=False):
            name = (
                f"{SURNAMES[number % len(SURNAMES)]}{GIVEN[number // len(SURNAMES) % len(GIVEN)]}{number:05d}"
            )
            self.seed_student(name, manager, GRADES[number % len(GRADES)], [("L4", 24 * (number % 15) - 48)])

        self.stdout.write(
            f"Demo data ready: {len(campuses)} campuses, {len(teams)} teams, {len(PEOPLE)} users "
            f"({len(created)} new), {Student.objects.count()} students."
        )
        self.stdout.write(f"Every demo user signs in with the password {DEMO_PASSWORD}:")
        for username, full_name, role, campus_code, _team in PEOPLE:
            campus = campuses[campus_code].name if campus_code else "全公司"
            self.stdout.write(f"  {username:<14} {full_name:<6} {role.label} · {campus}")

    def seed_student(
        self, name: str, manager: User, grade: str, clocks: list[tuple], slot: int | None = None
    ) -> None:
        student, is_new = Student.objects.get_or_create(
            full_name=name,
            campus=manager.campus,
            defaults={"manager": manager, "grade": grade, "status": Student.Status.ACTIVE},
        )
        if not is_new:
            return  # its clocks have been running since the first seed; the sweep looks after them
        now = timezone.now()
        self.seed_file(student, now, slot)
        for rule, hours, *done_after in clocks:
            due = now + timedelta(hours=hours)
            start, event = started_before(rule, due), None
            if get_rule(rule).recurring:
                event = start - timedelta(days=7)  # the first lesson, a week before the last callback
            deadline_open(rule=rule, subject=student, owner=manager, start=start, event=event)
            if done_after:
                done_at = start + timedelta(hours=done_after[0])
                deadline_meet(rule=rule, subject=student, actor=manager, at=done_at)

    def seed_file(self, student: Student, now: datetime, slot: int | None) -> None:
        """A guardian, a contract signed by the campus's consultant, and — when there is a contract —
        a weekly lesson, two done and one to come. Students with a `slot` get the campus's teacher and
        a room at a time of their own; the many extra students get neither, so nothing double-books."""
        Guardian.objects.create(
            student=student,
            name=f"{student.full_name[0]}妈妈",
            relation=Guardian.Relation.MOTHER,
            phone=f"139{student.pk:08d}",
            best_time_to_call="工作日晚上 7 点后",
            is_primary=True,
        )
        consultant = User.objects.filter(role=Role.CONSULTANT, campus=student.campus_id).first()
        if consultant:
            Contract.objects.create(
                student=student,
                number=f"{student.campus.code.upper()}-2026-{student.pk:05d}",
                signed_at=now - timedelta(days=30),
                consultant=consultant,
                subjects="数学 英语",
                hours=Decimal(40),
                unit_price=Decimal(220),
                amount=Decimal(8800),
            )
        if not consultant:
            return  # no contract, no hours to teach
        teacher = (
            User.objects.filter(role=Role.TEACHER, campus=student.campus_id).first()
            if slot is not None
            else None
        )
        hour = 8 + 2 * (slot % 6) if slot is not None else 8 + 2 * (student.pk % 6)
        day = timezone.localtime(now - timedelta(days=14)).replace(
            hour=hour, minute=0, second=0, microsecond=0
        )
        if slot is not None:
            day += timedelta(days=slot // 6)
        for week in range(3):
            starts = day + timedelta(days=7 * week)
            lesson = lesson_book(
                student=student,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                subject="数学",
                hours=Decimal(2),
                teacher=teacher,
                classroom=f"30{slot % 6 + 1}" if slot is not None else "",
            )
            if starts <= now:
                missed = slot == 1 and week == 1  # one absence to look into (L9)
                status = Lesson.Status.ABSENT if missed else Lesson.Status.DONE
                lesson_mark(lesson=lesson, actor=student.manager, status=status)
                if status == Lesson.Status.DONE and not (slot == 0 and week == 2):  # one talk left to do (L3)
                    self.seed_talk(lesson)

    @staticmethod
    def seed_talk(lesson: Lesson) -> None:
        """A post-lesson talk held that evening (the demo is seeded now, the talk took place then)."""
        manager = lesson.student.manager
        LessonTalk.objects.create(
            lesson=lesson,
            teacher_notes="课堂专注，练习完成得不错",
            student_notes="觉得这节课的题型有点难，但听懂了",
            parent_notes="已向家长反馈本节课内容和作业",
            recorded_by=manager,
        )
        deadline_meet(rule="L3", subject=lesson, actor=manager, at=lesson.ends_at + timedelta(hours=2))

    def seed_followups(self) -> None:
        """A student months into the contract: scores with a trend, callbacks, a concern."""
        student = Student.objects.filter(full_name="陈子涵").select_related("manager").first()
        if student is None or student.scores.exists():
            return
        manager, now = student.manager, timezone.now()
        teacher = User.objects.filter(role=Role.TEACHER, campus=student.campus_id).first()
        for months_ago, maths, english in ((3, 68, 75), (2, 74, 73), (1, 83, 78)):
            exam = timezone.localdate() - timedelta(days=30 * months_ago)
            for subject, score in (("数学", maths), ("英语", english)):
                score_record(
                    student=student,
                    actor=manager,
                    request_key=uuid.uuid4(),
                    kind="monthly",
                    subject=subject,
                    score=Decimal(score),
                    full_marks=Decimal(100),
                    exam_date=exam,
                    analysis="计算更仔细了；应用题审题仍需加强" if subject == "数学" else "词汇量在增加",
                )
        for days_ago in (20, 12):
            callback_record(
                student=student,
                actor=manager,
                request_key=uuid.uuid4(),
                at=now - timedelta(days=days_ago),
                summary="反馈本周学习情况，家长满意",
                concerns="担心期末数学",
                next_steps="下周增加一次练习",
            )
        if teacher:
            concern_raise(
                student=student,
                actor=teacher,
                request_key=uuid.uuid4(),
                kind="mood",
                description="最近上课容易走神，作业拖延",
            )

    def seed_renewals(self, managers: dict) -> None:
        """Students months into their contracts, their hours running low: the renewal list."""
        rows = [
            # name, manager, hours bought, lessons a week, weeks taught, what happened since
            ("何嘉怡", "manager1", 48, 2, 11, ""),
            ("马天宇", "manager1", 40, 1, 16, "undecided"),
            ("罗欣然", "manager2", 40, 1, 12, "paused"),
        ]
        now = timezone.now()
        for name, username, bought, per_week, weeks, then in rows:
            manager = managers[username]
            if Student.objects.filter(full_name=name, campus=manager.campus_id).exists():
                continue
            student = self.historic_student(
                name, manager, bought=bought, weeks=weeks, per_week=per_week, hours=2
            )
            first = now - timedelta(weeks=weeks)
            deadline_open(
                rule="L4", subject=student, owner=manager, start=now - timedelta(days=12), event=first
            )
            hours_check(student=student, actor=manager)
            if then == "undecided":
                renewal_record(
                    student=student,
                    actor=manager,
                    request_key=uuid.uuid4(),
                    outcome="undecided",
                    note="家长倾向续费，想等期末成绩出来再定；下周五再联系",
                )
            if then == "paused":
                student_pause(student=student, actor=manager, reason="病假两周，预计下月初复课")

    def seed_cases(self) -> None:
        """Retention cases at each stage: a late warning sign, a rescue, a report, one waiting for the
        president's instruction, and one retained."""
        from retention import services as retention
        from retention.models import Case

        if Case.objects.exists():
            return
        people = {u.username: u for u in User.objects.filter(campus__code="hd")}
        manager1, manager2 = people["manager1"], people["manager2"]
        supervisor, director, teacher = people["supervisor1"], people["director1"], people["teacher1"]
        headteacher = people["headteacher1"]
        students = {
            s.full_name: s for s in Student.objects.filter(campus__code="hd").select_related("manager")
        }

        def open_case(name, actor, description, days_ago, **values):
            case, _ = retention.case_open(
                student=students[name], actor=actor, description=description, **values
            )
            self.backdate(case, days_ago)
            return case

        open_case("林浩然", teacher, "最近两次课都说不想来，家长在群里问退费流程", days_ago=4)
        rescue = open_case("周梓萱", manager1, "家长认为成绩没有提高，提出要退费", days_ago=2)
        retention.warning_prepare(
            case=rescue,
            actor=manager1,
            facts="老师反馈课堂专注度下降；咨询师说家长期望期末进前十",
            talking_points="先展示三次月考的进步",
        )
        retention.warning_escalate(
            case=rescue,
            actor=manager1,
            parent_talk="家长坚持退费",
            conflict_points="家长认为进步太慢，怀疑老师水平",
            kind="refund_intent",
        )
        report = open_case("吴宇轩", manager2, "家长投诉老师多次迟到", days_ago=5)
        retention.warning_escalate(
            case=report,
            actor=manager2,
            parent_talk="家长情绪激动",
            conflict_points="老师迟到三次",
            kind="complaint",
        )
        retention.rescue_record(
            case=report, actor=headteacher, rescue_actions="教学主任约谈家长并致歉，提出更换老师"
        )
        retention.rescue_failed(
            case=report,
            actor=headteacher,
            lost_order_report="教学问题未及时与老师解决，家长失去信任",
            rescue_report="两次约谈、更换老师，家长仍要求退费",
            reasons=["dept_teaching", "rel_requests"],
        )
        waiting = open_case("郑欣怡", manager2, "家长搬家到外区，提出退费", days_ago=8)
        retention.warning_escalate(
            case=waiting, actor=manager2, parent_talk="", conflict_points="搬家距离远", kind="refund_intent"
        )
        retention.rescue_failed(
            case=waiting,
            actor=supervisor,
            lost_order_report="家庭搬迁，客观原因",
            rescue_report="建议转到新家附近的校区，家长不愿意",
            reasons=["other"],
            reason_note="搬家",
        )
        retention.report_submit(
            case=waiting,
            actor=supervisor,
            department_feedback="已反馈学管部和咨询部",
            memo="家庭搬迁导致失单",
        )
        retention.director_decide(
            case=waiting,
            actor=director,
            director_rescue="校长电话沟通，推荐线上课程，家长婉拒",
            retained=False,
        )
        retention.responsibility_record(
            case=waiting,
            actor=director,
            lessons="签约时应了解家庭的搬迁计划",
            accountable="咨询师",
            coaching="咨询部签约前增加家庭情况询问",
            superiors_memo="郑欣怡失单分析，请总裁批示",
        )
        kept = open_case("陈子涵", headteacher, "家长对换老师不满，情绪很大", days_ago=20)
        retention.warning_escalate(
            case=kept, actor=manager1, parent_talk="", conflict_points="家长不同意换老师", kind="complaint"
        )
        retention.rescue_record(
            case=kept,
            actor=headteacher,
            rescue_actions="教学主任、原老师和学管师一起与家长面谈，保留原老师周末课",
        )
        retention.rescue_retained(case=kept, actor=headteacher, reasons=["dept_teacher_change"])
        self.seed_refunds(people, waiting)

    def seed_refunds(self, people: dict, waiting) -> None:
        """Refunds waiting for each approver, and one paid."""
        from django.core.files.base import ContentFile

        from refunds import services as refunds
        from retention import services as retention

        supervisor, director, manager = people["supervisor1"], people["director1"], people["manager1"]
        finance = User.objects.get(username="finance1")
        president = User.objects.get(username="president1")

        def lose(name: str):
            student = self.historic_student(name, manager, bought=40, weeks=12)
            case, _ = retention.case_open(student=student, actor=manager, description="家长提出退费")
            retention.warning_escalate(
                case=case,
                actor=manager,
                parent_talk="",
                conflict_points="家长决定不再补课",
                kind="refund_intent",
            )
            retention.rescue_failed(
                case=case,
                actor=supervisor,
                lost_order_report="未能及时反馈",
                rescue_report="面谈两次",
                reasons=["rel_feedback"],
            )
            retention.report_submit(
                case=case, actor=supervisor, department_feedback="已反馈", memo="书面纪要"
            )
            retention.director_decide(case=case, actor=director, director_rescue="未能挽回", retained=False)
            case.refresh_from_db()
            return case

        def apply(case):
            refund, _ = refunds.refund_submit(
                case=case,
                actor=supervisor,
                request_key=uuid.uuid4(),
                applicant=f"{case.student.full_name[0]}妈妈",
                applied_on=timezone.localdate(),
                reason="孩子学业安排调整，不再继续",
                scan=ContentFile(b"%PDF-1.4 demo", name="application.pdf"),
                deductions=Decimal(200),
                deduction_reason="教材资料费",
            )
            return refund

        def approve(refund, *approvers):
            for approver in approvers:
                refund.refresh_from_db()
                refunds.refund_decide(
                    refund=refund, actor=approver, step=refund.step, approve=True, comment="同意"
                )

        apply(waiting)  # waits for the campus director
        approve(apply(lose("冯雨晨")), director)  # waits for finance
        approve(apply(lose("韩子轩")), director, finance)  # waits for the president
        paid = apply(lose("曹一凡"))
        approve(paid, director, finance, president)
        paid.refresh_from_db()
        refunds.refund_paid(refund=paid, actor=finance, paid_on=timezone.localdate())

    @staticmethod
    def historic_student(
        name: str, manager: User, *, bought: int, weeks: int, per_week: int = 1, hours: int = 1
    ) -> Student:
        """A student taught `per_week` lessons of `hours` a week for `weeks` weeks before the product
        kept the file: history, not fresh work."""
        consultant = User.objects.filter(role=Role.CONSULTANT, campus=manager.campus_id).first()
        student = Student.objects.create(
            full_name=name, campus=manager.campus, manager=manager, grade="初二", status=Student.Status.ACTIVE
        )
        Guardian.objects.create(
            student=student,
            name=f"{name[0]}妈妈",
            relation=Guardian.Relation.MOTHER,
            phone=f"136{student.pk:08d}",
        )
        first = timezone.now() - timedelta(weeks=weeks)
        Contract.objects.create(
            student=student,
            number=f"{manager.campus.code.upper()}-2026-{student.pk:05d}",
            signed_at=first - timedelta(days=7),
            consultant=consultant,
            subjects="数学",
            hours=Decimal(bought),
            unit_price=Decimal(200),
            amount=Decimal(200 * bought),
        )
        Lesson.objects.bulk_create(
            Lesson(
                student=student,
                starts_at=first + timedelta(weeks=week, days=3 * n),
                ends_at=first + timedelta(weeks=week, days=3 * n, hours=2),
                subject="数学",
                hours=Decimal(hours),
                status=Lesson.Status.DONE,
            )
            for week in range(weeks)
            for n in range(per_week)
        )
        return student

    @staticmethod
    def backdate(case, days: int) -> None:
        """The demo case was raised `days` ago: its clocks count from then."""
        from deadlines.models import Deadline

        shift = timedelta(days=days)
        type(case).objects.filter(pk=case.pk).update(raised_at=F("raised_at") - shift)
        Deadline.objects.filter(subject_id=case.pk, rule__in=("E1", "L8"), student=case.student).update(
            opened_at=F("opened_at") - shift,
            due_at=F("due_at") - shift,
            remind_at=F("remind_at") - shift,
            escalate_at=F("escalate_at") - shift,
        )

    def seed_stages(self) -> None:
        """One student at each step of the handover and the pre-class work, on the first campus."""
        people = {u.username: u for u in User.objects.filter(campus__code="hd")}
        consultant, supervisor, scheduler = people["consultant1"], people["supervisor1"], people["scheduler1"]
        manager, teacher = people["manager1"], people["teacher1"]
        now = timezone.now()
        for number, (name, stage, hours_ago) in enumerate(STAGES, start=1):
            if Student.objects.filter(full_name=name, campus=consultant.campus).exists():
                continue
            signed = now - timedelta(hours=hours_ago)
            contract = contract_sign(
                actor=consultant,
                new_student={"full_name": name, "gender": "", "school": "海淀实验中学", "grade": "初一"},
                guardian={
                    "name": f"{name[0]}妈妈",
                    "relation": Guardian.Relation.MOTHER,
                    "phone": f"137{number:08d}",
                    "wechat": "",
                    "best_time_to_call": "晚上",
                },
                contract={
                    "number": f"HD-DEMO-{number:03d}",
                    "signed_at": signed,
                    "subjects": "数学 英语",
                    "hours": Decimal(48),
                    "unit_price": Decimal(230),
                    "amount": Decimal(11040),
                },
            )
            student = contract.student
            if stage == "signed":
                continue
            student_assign(student=student, manager=manager, actor=supervisor)
            handover = Handover.objects.get(contract=contract)
            review = {"student_data": True, "contract": True, "consultation_report": True}
            handover_receive(handover=handover, actor=manager, review=review, at=signed + timedelta(hours=6))
            if stage == "received":
                continue
            handover_intro_call(
                handover=handover,
                actor=manager,
                notes="家长希望提高数学成绩，周末有时间",
                file_changes={"hobbies": "画画、羽毛球", "personality": "安静、认真"},
                at=signed + timedelta(hours=20),
            )
            if stage == "called":
                continue
            handover_consultant_talk(
                handover=handover,
                actor=manager,
                notes="学生计算粗心，需要鼓励",
                paper_handover_at=now + timedelta(days=1),
                lesson_arrangement="周六上午数学",
            )
            items = [
                (item, item != "收据", timezone.localdate() + timedelta(days=1))
                for item in paper_item_names(student.campus_id)
            ]
            handover_paper_check(handover=handover, actor=manager, items=items)
            if stage == "paper_missing":
                continue
            for item in PaperItem.objects.filter(handover=handover, present=False):
                paper_item_receive(item=item, actor=consultant)
            handover_sign(handover=handover, actor=manager)
            handover_sign(handover=handover, actor=consultant)
            tomorrow = timezone.localtime(now + timedelta(days=1)).replace(
                hour=16, minute=0, second=0, microsecond=0
            )
            first_lesson_set(
                student=student,
                actor=scheduler,
                starts_at=tomorrow,
                ends_at=tomorrow + timedelta(hours=2),
                subject="数学",
                hours=Decimal(2),
                teacher=teacher,
                classroom="305",
            )


def started_before(rule: str, due: datetime) -> datetime:
    """When a clock of `rule` must have started to fall due at `due` (rules that count time only)."""
    how = get_rule(rule).due
    span = {
        Hours: lambda: timedelta(hours=how.n),
        CalendarDays: lambda: timedelta(days=how.n),
        CalendarDaysOrEvent: lambda: timedelta(days=how.n),
        Recurring: lambda: how.every,
    }[type(how)]()
    return due - span
