"""The demo's stories (README: Demo logins and the walk-throughs), told through the services with the
clock set to each step's time: every running clock was opened by what opens it in real life, and each
person finds work to do when they sign in."""

from datetime import timedelta
from decimal import Decimal
from itertools import cycle

import time_machine
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from deadlines.models import ACTIVE, Deadline, Notification
from deadlines.services import notifications_mark_read
from followups.concerns import concern_raise
from followups.exams import exam_add, exam_learned_later
from followups.models import Exam
from followups.pauses import student_pause
from followups.renewal import renewal_record, renewals_open
from followups.scores import growth_records_open, score_record
from handover.models import WeekendTimetable
from handover.services import coming_saturday, weekend_timetable_confirm, weekend_timetables_open
from reports.figures import figures_refresh
from students.models import Contract, Student

from . import company
from .cases import case_story
from .clock import Scene, at, working_day
from .students import Kid, Life, key

H = timedelta(hours=1)

KIDS = [
    # 海淀, 王芳 (manager1): the handover, step by step (README: A student from signing to the first lesson).
    Kid("HD-DEMO-001", "钱一诺", "hd", None, "初一", "海淀实验中学", stage="signed", signed_ago=0),
    Kid("HD-DEMO-002", "孙浩宇", "hd", "manager1", "初一", "海淀实验中学", stage="received", signed_ago=2),
    Kid("HD-DEMO-003", "李思琪", "hd", "manager1", "初一", "海淀实验中学", stage="called", signed_ago=3),
    Kid(
        "HD-DEMO-004", "周子墨", "hd", "manager1", "初一", "海淀实验中学", stage="paper_missing", signed_ago=4
    ),
    Kid(
        "HD-DEMO-005",
        "吴雨萱",
        "hd",
        "manager1",
        "初一",
        "海淀实验中学",
        stage="first_lesson",
        first=-1,
        subjects=(("英语", "teacher2"), ("数学", "teacher1")),
    ),
    # 王芳's students in follow-up.
    Kid(
        "HD-DEMO-101",
        "陈子涵",
        "hd",
        "manager1",
        "初二",
        "人大附中",
        first=70,
        callback_due_in=3 * H,
        # The latest exam, the school's monthly exam of the calendar: exam_story.
        scores=(
            (63, 3, {"数学": 68, "英语": 75}),
            (35, 2, {"数学": 74, "英语": 73}),
        ),
        record_missing="teacher1",
    ),
    Kid(
        "HD-DEMO-102",
        "林浩然",
        "hd",
        "manager1",
        "高一",
        "北大附中",
        first=19,
        scores=((12, 10, {"数学": 71}),),
    ),
    Kid(
        "HD-DEMO-103",
        "黄雨桐",
        "hd",
        "manager1",
        "初三",
        "101 中学",
        first=28,
        callback_due_in=72 * H,
        unmarked="teacher1",
        plan_missing="teacher1",
    ),
    Kid("HD-DEMO-104", "周梓萱", "hd", "manager1", "六年级", "中关村一小", first=23),
    Kid(
        "HD-DEMO-105",
        "何嘉怡",
        "hd",
        "manager1",
        "初二",
        "人大附中",
        first=35,
        hours=24,
        subjects=(("数学", "teacher1"), ("英语", "teacher2")),
        unmarked="teacher2",
    ),
    Kid("HD-DEMO-106", "马天宇", "hd", "manager1", "初二", "八一学校", first=63, hours=24),
    Kid("HD-DEMO-107", "冯雨晨", "hd", "manager1", "初二", "八一学校", first=42, lessons=3),
    Kid("HD-DEMO-108", "韩子轩", "hd", "manager1", "初二", "八一学校", first=45, lessons=3),
    Kid("HD-DEMO-109", "曹一凡", "hd", "manager1", "初二", "八一学校", first=49, lessons=4),
    # 海淀, 李娜 (manager2).
    Kid(
        "HD-DEMO-201",
        "吴宇轩",
        "hd",
        "manager2",
        "高二",
        "北大附中",
        first=42,
        callback_due_in=-20 * H,
        subjects=(("英语", "teacher2"),),
        record_missing="teacher2",
    ),
    Kid(
        "HD-DEMO-202",
        "郑欣怡",
        "hd",
        "manager2",
        "初一",
        "海淀实验中学",
        first=24,
        lessons=3,
        subjects=(("英语", "teacher2"),),
    ),
    Kid("HD-DEMO-203", "罗欣然", "hd", "manager2", "初二", "八一学校", first=42, hours=30, lessons=5),
    Kid(
        "HD-DEMO-204",
        "谢雨涵",
        "hd",
        "manager2",
        "初二",
        "人大附中",
        first=35,
        subjects=(("英语", "teacher2"),),
        plan_missing="teacher2",
    ),
    # 徐汇, 周敏 (manager3).
    Kid(
        "XH-DEMO-101",
        "孙俊杰",
        "xh",
        "manager3",
        "高三",
        "位育中学",
        first=35,
        subjects=(("数学", "teacher3"),),
        callback_due_in=-20 * H,
        unmarked="teacher3",
        absent_ago=1,
        absence_explained=False,
    ),
    Kid(
        "XH-DEMO-102",
        "许子豪",
        "xh",
        "manager3",
        "初三",
        "南模中学",
        first=28,
        subjects=(("数学", "teacher3"),),
        record_missing="teacher3",
    ),
    Kid(
        "XH-DEMO-103",
        "蒋思远",
        "xh",
        "manager3",
        "初二",
        "南模中学",
        first=49,
        subjects=(("数学", "teacher3"),),
        plan_missing="teacher3",
    ),
    Kid(
        "XH-DEMO-001",
        "叶子琪",
        "xh",
        "manager3",
        "初一",
        "位育中学",
        stage="paper_missing",
        signed_ago=3,
        missing="报名表",
    ),
]


def after(life: Life) -> list:
    """What else happens in a kid's story: warning signs, concerns, renewal talks, a pause."""
    name = life.kid.name
    if name == "陈子涵":
        return [
            case_story(
                life,
                raised_ago=20,
                raised_by="headteacher1",
                description="家长对换老师不满，情绪很大",
                kind="complaint",
                stage="rescue_done",
                leader="headteacher1",
                retained=True,
                conflict_points="家长不同意换老师",
                reasons=("dept_teacher_change",),
            ),
            concern(life, days_ago=2, by="teacher1", description="最近上课容易走神，作业拖延"),
        ]
    if name == "林浩然":
        return [
            case_story(
                life,
                raised_ago=4,
                raised_by="teacher1",
                description="最近两次课都说不想来，家长在群里问退费流程",
                kind="",
                stage="warning",
                leader="",
                conflict_points="",
            )
        ]
    if name == "周梓萱":
        return [
            case_story(
                life,
                raised_ago=2,
                raised_by="manager1",
                description="家长认为成绩没有提高，提出要退费",
                kind="refund_intent",
                stage="rescue",
                leader="supervisor1",
                facts="老师反馈课堂专注度下降；咨询师说家长期望期末进前十",
                conflict_points="家长认为进步太慢，怀疑老师水平",
            )
        ]
    if name == "马天宇":
        return [undecided(life, days_ago=3)]
    if name in ("冯雨晨", "韩子轩", "曹一凡"):
        approvals = {
            "冯雨晨": ("director1",),
            "韩子轩": ("director1", "finance1"),
            "曹一凡": ("director1", "finance1", "president1"),
        }
        return [
            case_story(
                life,
                raised_ago={"冯雨晨": 20, "韩子轩": 23, "曹一凡": 26}[name],
                raised_by="manager1",
                description="家长提出退费",
                kind="refund_intent",
                stage="lost",
                leader="supervisor1",
                conflict_points="家长决定不再补课",
                lost_order_report="未能及时反馈",
                rescue_report="面谈两次",
                director_rescue="未能挽回",
                refund=approvals[name],
                paid=name == "曹一凡",
            )
        ]
    if name == "吴宇轩":
        return [
            case_story(
                life,
                raised_ago=5,
                raised_by="manager2",
                description="家长投诉老师多次迟到",
                kind="complaint",
                stage="rescue_done",
                leader="headteacher1",
                conflict_points="老师迟到三次",
                lost_order_report="教学问题未及时与老师解决，家长失去信任",
                rescue_report="两次约谈、更换老师，家长仍要求退费",
                reasons=("dept_teaching", "rel_requests"),
            )
        ]
    if name == "郑欣怡":
        return [
            case_story(
                life,
                raised_ago=8,
                raised_by="manager2",
                description="家长搬家到外区，提出退费",
                kind="refund_intent",
                stage="analysed",
                leader="supervisor1",
                conflict_points="搬家距离远",
                lost_order_report="家庭搬迁，客观原因",
                rescue_report="建议转到新家附近的校区，家长不愿意",
                reasons=("other",),
                reason_note="搬家",
                memo="家庭搬迁导致失单",
                director_rescue="校长电话沟通，推荐线上课程，家长婉拒",
                lessons="签约时应了解家庭的搬迁计划",
                accountable="咨询师",
                superiors_memo="郑欣怡失单分析，请总裁批示",
                refund=(),
            )
        ]
    if name == "罗欣然":
        return [pause(life, days_ago=5)]
    if name == "谢雨涵":
        return [
            case_story(
                life,
                raised_ago=1,
                raised_by="manager2",
                description="家长投诉上课时间多次调整",
                kind="complaint",
                stage="rescue",
                leader="headteacher1",
                conflict_points="家长认为校区安排混乱",
            )
        ]
    if name == "许子豪":
        return [
            case_story(
                life,
                raised_ago=1,
                raised_by="manager3",
                description="家长说孩子要住校，想退剩下的课时",
                kind="refund_intent",
                stage="rescue",
                leader="supervisor2",
                conflict_points="住校后周末才回家",
            )
        ]
    if name == "蒋思远":
        return [
            case_story(
                life,
                raised_ago=6,
                raised_by="manager3",
                description="家长认为老师讲得太快，要求退费",
                kind="refund_intent",
                stage="report",
                leader="supervisor2",
                conflict_points="孩子跟不上进度",
                reasons=("rel_lessons", "dept_teaching"),
            )
        ]
    return []


def concern(life: Life, *, days_ago: int, by: str, description: str):
    yield at(life.scene.today - timedelta(days=days_ago), 20, 10)  # after the evening lesson
    concern_raise(
        student=life.student,
        actor=life.people[by],
        request_key=key(life.kid.number, "concern"),
        kind="mood",
        description=description,
    )


def undecided(life: Life, *, days_ago: int):
    yield at(life.scene.today - timedelta(days=days_ago), 19, 45)
    if Deadline.objects.filter(rule="R1", student=life.student, status__in=ACTIVE).exists():
        renewal_record(
            student=life.student,
            actor=life.manager,
            request_key=key(life.kid.number, "renewal"),
            outcome="undecided",
            note="家长倾向续费，想等期末成绩出来再定；下周五再联系",
        )


def pause(life: Life, *, days_ago: int):
    paused_on = life.scene.today - timedelta(days=days_ago)
    yield at(paused_on, 11)
    student_pause(
        student=life.student,
        actor=life.manager,
        reason="病假两周，在家休养",
        expected_return_on=paused_on + timedelta(days=14),
    )


# The school's monthly exam of 人大附中's 初二, entered in the campus's exam calendar (L5): 陈子涵's
# scores are entered with their analysis three days later (on time); 何嘉怡's are still missing (late,
# on manager1's My day); 谢雨涵's family got the results only later, so her week counts from that day.
EXAM = {"kind": "monthly", "school": "人大附中", "grades": ["初二"]}
EXAM_SCORES = {"陈子涵": {"数学": 83, "英语": 78}}
EXAM_ANALYSES = {"数学": "计算失误明显减少，应用题审题仍需练习", "英语": "阅读进步，作文偏短"}
EXAM_LEARNED_LATER = {"谢雨涵"}


def exam_story(scene: Scene, people: dict):
    enterer = people["manager1"]
    request_key = key("exam", "hd", EXAM["school"], *EXAM["grades"], EXAM["kind"])
    if Exam.objects.filter(created_by=enterer, request_key=request_key).exists():
        return  # told by an earlier seed
    day = working_day(scene.today - timedelta(days=10), enterer.campus, back=True)
    yield at(day, 17, 30)  # the school has announced it: the manager enters it in the calendar
    exam, _created = exam_add(actor=enterer, request_key=request_key, date=day, **EXAM)
    sittings = {s.student.full_name: s for s in exam.sittings.select_related("student__manager")}
    yield at(day + timedelta(days=3), 19, 50)  # the family has the results: the manager enters them
    for name, marks in EXAM_SCORES.items():
        if name not in sittings:
            continue
        student = sittings[name].student
        for subject, mark in marks.items():
            score_record(
                student=student,
                actor=student.manager,
                request_key=key(name, "exam score", exam.date.isoformat(), subject),
                kind=EXAM["kind"],
                subject=subject,
                score=Decimal(mark),
                full_marks=Decimal(100),
                exam_date=exam.date,
                analysis=EXAM_ANALYSES[subject],
                exam=exam,
            )
    yield at(scene.today - timedelta(days=2), 19, 45)  # the parent says the results came late
    for name in EXAM_LEARNED_LATER & set(sittings):
        sitting = sittings[name]
        exam_learned_later(
            sitting=sitting, actor=sitting.student.manager, learned_on=scene.today - timedelta(days=3)
        )


def beat(scene: Scene, start):
    """What beat runs every morning: the weekend timetables (P4), and this month's growth records (L6)
    on the first and today; the renewal check today (R1 also opens as lessons are marked)."""
    day = start.date()
    while day <= scene.today:
        # Each morning's run opens nothing new but on a Saturday (the next weekend), on the first (the
        # month's growth records) and on the seed's own day: only those mornings are told.
        if day.weekday() == 5 or day.day == 1 or day == scene.today:
            yield at(day, 7)
            weekend_timetables_open(today=day)
            growth_records_open(today=day)
            if day == scene.today:
                renewals_open()
        day += timedelta(days=1)


def weekends(scene: Scene, manager: User, start):
    """The manager confirms the weekend's timetable on the afternoon of the working day before."""
    saturday = coming_saturday(start.date())
    while True:
        yield max(
            scene.clock, at(working_day(saturday - timedelta(days=1), manager.campus, back=True), 16, 30)
        )
        timetable = WeekendTimetable.objects.filter(manager=manager, saturday=saturday).first()
        if timetable:
            weekend_timetable_confirm(timetable=timetable, actor=manager)
        saturday += timedelta(days=7)


def newcomer(scene: Scene):
    """A learning manager who joined this week, not yet in a team: the administrator's task."""
    username, full_name, role, campus_code = company.NEWCOMER
    if User.objects.filter(username=username).exists():
        return
    monday = scene.today - timedelta(days=scene.today.weekday())
    when = at(working_day(monday), 9, 30)
    if when > scene.now:
        when = at(working_day(scene.today - timedelta(days=1), back=True), 9, 30)
    yield when
    company.person_add(username=username, full_name=full_name, role=role, campus_code=campus_code)


def notices_read() -> None:
    """Each person has read the notices about work they have since done; what is still to do stays
    unread in the bell."""
    done = Notification.objects.filter(read_at=None).exclude(deadline__status__in=ACTIVE)
    for recipient_id in set(done.values_list("recipient_id", flat=True)):
        ids = list(done.filter(recipient_id=recipient_id).values_list("pk", flat=True))
        notifications_mark_read(user=User.objects.get(pk=recipient_id), ids=ids)


def extra_kids(count: int) -> list[Kid]:
    """--students N: more students in the handover, for large data."""
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = ["子涵", "浩然", "雨桐", "梓萱", "宇轩", "欣怡", "俊杰", "诗琪", "博文", "思远", "佳怡", "一鸣"]
    grades = ["初一", "初二", "初三", "高一", "高二", "高三", "六年级"]
    managers = cycle([("manager1", "hd"), ("manager2", "hd"), ("manager3", "xh")])
    kids = []
    for number, (manager, campus) in zip(range(count), managers, strict=False):
        name = f"{surnames[number % len(surnames)]}{given[number // len(surnames) % len(given)]}{number:05d}"
        kids.append(
            Kid(
                f"{campus.upper()}-X-{number:05d}",
                name,
                campus,
                manager,
                grades[number % len(grades)],
                "",
                stage=("received", "called")[number % 2],
                signed_ago=number % 5 + 1,
            )
        )
    return kids


@transaction.atomic
def demo_seed(*, students: int = 0) -> dict:
    """Seeds the demo; a second run tells no story twice. Returns what it did."""
    now = timezone.now()
    scene = Scene(now=now)
    start = at(scene.today - timedelta(days=120), 6)
    with time_machine.travel(start, tick=False):
        campuses, people, created = company.company_seed()
    told = 0
    for kid in [*KIDS, *extra_kids(students)]:
        life = Life(scene, people, kid)
        if life.already_told():
            continue
        told += 1
        scene.spawn(life.story(), when=start)
        for story in after(life):
            scene.spawn(story, when=start)
    if told:
        scene.spawn(beat(scene, start), when=start)
        for username in ("manager1", "manager2", "manager3"):
            scene.spawn(weekends(scene, people[username], start), when=start)
    scene.spawn(newcomer(scene), when=start)
    scene.spawn(exam_story(scene, people), when=start)
    scene.run()
    with time_machine.travel(now, tick=False):
        notices_read()
        # The company's reports read the days before today as the hourly beat keeps them.
        figures_refresh(days=62)
    return {
        "campuses": len(campuses),
        "users": User.objects.count(),
        "created": created,
        "stories": told,
        "students": Student.objects.count(),
        "contracts": Contract.objects.count(),
        "steps": scene.steps,
    }
