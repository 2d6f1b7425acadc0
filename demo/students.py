"""One student's life in the demo, told through the services: the contract signed, the handover, the
pre-class work, lessons at the hours the campus teaches, and the follow-up of the first weeks. Each
step is yielded at its time (demo.clock); a `Kid` says how far the story has come and what is left
undone, so the clocks running today are the ones real work would leave running."""

import uuid
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role
from followups.callbacks import callback_record, lesson_talk_record
from followups.concerns import absence_reason_record
from followups.plans import document_file
from followups.scores import growth_record_add, score_record
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
    preclass_documents_ready,
    preclass_parent_told,
    preclass_talk,
)
from students.models import Contract, Document, Guardian, Lesson, Student
from students.services import (
    BOOKED,
    contract_sign,
    document_add,
    lesson_mark,
    lessons_schedule,
    student_assign,
)

from .clock import LESSON, Scene, at, next_working_day, teaching_times, working_day

NAMESPACE = uuid.UUID("6f1d3c1e-0d5a-4c4e-9a57-1d2c3b4a5e6f")


def key(*parts) -> uuid.UUID:
    """The same form's key on every run: a second seed records nothing twice."""
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


# Each teacher's classroom; a teacher's lessons never overlap, so neither do the rooms'.
ROOMS = {"teacher1": "301", "teacher2": "302", "teacher3": "201"}
# Times a teacher keeps for new students' first lessons (the one "tomorrow" of the demo among them).
RESERVED = {("teacher2", time(18, 0)), ("teacher2", time(16, 0))}
# How far a story goes; each stage includes those before it.
STAGES = ("signed", "received", "called", "paper_missing", "first_lesson", "taught")
# Teachers upload a lesson record after each lesson; the demo tells those of these last days.
RECORD_DAYS = 21


@dataclass
class Kid:
    """A demo student's story, relative to the day the demo is seeded."""

    number: str  # the contract number: the story's key, so a second seed skips it
    name: str
    campus: str
    manager: str | None  # None: nobody assigned yet
    grade: str
    school: str
    first: int = 0  # days before today of the first lesson (negative: still to come)
    stage: str = "taught"
    hours: int = 40
    subjects: tuple[tuple[str, str], ...] = (("数学", "teacher1"),)  # weekly lessons: subject, teacher
    lessons: int | None = None  # how many lessons are booked in all (None: as many as the hours hold)
    callback_due_in: timedelta = timedelta(days=3)  # where the parent-callback clock (L4) stands now
    unmarked: str = ""  # this teacher has not marked the student's last lesson with them that took place
    absent_ago: int | None = None  # the lesson this many before the last was missed
    absence_explained: bool = True
    talk_missing: bool = False  # the post-lesson talk (L3) of the last lesson marked is not held yet
    scores: tuple = ()  # (days ago of the exam, days after it the score was entered, {subject: score})
    signed_ago: int | None = None  # working days since the signing, for the handover stages
    missing: str = ""  # a paper-file item the consultant still owes
    plan_missing: str = ""  # this teacher has not uploaded their teaching plan for the student
    record_missing: str = ""  # nor this one the lesson record of their last lesson with the student
    hobbies: str = "画画、羽毛球"
    personality: str = "安静、认真"
    extra: dict = field(default_factory=dict)


class Life:
    """The running story of one kid: the objects its steps made, for the stories built on it."""

    def __init__(self, scene: Scene, people: dict, kid: Kid):
        self.scene, self.people, self.kid = scene, people, kid
        self.student: Student | None = None
        self.first_lesson: Lesson | None = None
        self.planner = people["scheduler1"] if kid.campus == "hd" else None

    def person(self, role: str, campus: str | None = None):
        campus = campus or self.kid.campus
        return next(
            u
            for u in self.people.values()
            if u.role == role and (u.campus.code if u.campus else None) == campus
        )

    @property
    def manager(self):
        return self.people[self.kid.manager]

    # The dates of the story.

    def first_day(self) -> date:
        return self.scene.today - timedelta(days=self.kid.first)

    def signing_day(self) -> date:
        kid = self.kid
        campus = self.manager.campus if kid.manager else None
        if kid.signed_ago is not None:
            day = working_day(self.scene.today, campus, back=True)
            for _ in range(kid.signed_ago):
                day = working_day(day - timedelta(days=1), campus, back=True)
            return day
        # A week from the signing to the first lesson: receipt, calls, paper file, the pre-class work.
        return working_day(self.first_day() - timedelta(days=7), campus, back=True)

    def already_told(self) -> bool:
        return Contract.objects.filter(number=self.kid.number).exists()

    # The story.

    def story(self):
        kid = self.kid
        if self.already_told():
            return
        consultant = self.person(Role.CONSULTANT)
        signed_on = self.signing_day()
        signed = at(signed_on, 15)
        if kid.stage == "signed" and kid.signed_ago == 0:
            # Signed a little while ago, in working hours.
            signed = min(max(self.scene.now - timedelta(hours=1), at(signed_on, 9, 30)), at(signed_on, 17))
            if signed > self.scene.now:  # early in the morning: signed before closing the day before
                signed = at(working_day(signed_on - timedelta(days=1), back=True), 17)
        yield signed
        contract = contract_sign(
            actor=consultant,
            new_student={"full_name": kid.name, "gender": "", "school": kid.school, "grade": kid.grade},
            guardian={
                "name": f"{kid.name[0]}妈妈",
                "relation": Guardian.Relation.MOTHER,
                "phone": f"139{zlib.crc32(kid.number.encode()) % 10**8:08d}",
                "wechat": "",
                "best_time_to_call": "工作日晚上 7 点后",
            },
            contract={
                "number": kid.number,
                "signed_at": signed,
                "subjects": " ".join(dict.fromkeys(subject for subject, _ in kid.subjects)),
                "hours": Decimal(kid.hours),
                "unit_price": Decimal(220),
                "amount": Decimal(220 * kid.hours),
            },
        )
        self.student = student = contract.student
        if kid.stage == "signed":
            return
        yield signed + timedelta(hours=1)
        manager = self.manager
        supervisor = manager.team.supervisor
        student_assign(student=student, manager=manager, actor=supervisor)
        handover = Handover.objects.get(contract=contract)
        campus = manager.campus
        received_on = next_working_day(signed_on, campus)
        yield at(received_on, 10)
        review = {"student_data": True, "contract": True, "consultation_report": True}
        handover_receive(handover=handover, actor=manager, review=review)
        if kid.stage == "received":
            return
        yield at(received_on, 19, 30)  # the parent's best time to call
        handover_intro_call(
            handover=handover,
            actor=manager,
            notes="家长希望提高数学成绩，周末有时间；孩子做题粗心",
            file_changes={"hobbies": kid.hobbies, "personality": kid.personality},
        )
        if kid.stage == "called":
            return
        talk_on = received_on + timedelta(days=1)
        yield at(talk_on, 9, 30)
        paper_at = at(talk_on, 15)
        arrangement = "、".join(f"每周{subject}" for subject, _ in kid.subjects)
        handover_consultant_talk(
            handover=handover,
            actor=manager,
            notes="学生计算粗心，需要多鼓励；家长重视期末成绩",
            paper_handover_at=paper_at,
            lesson_arrangement=arrangement,
        )
        yield paper_at
        missing = kid.missing or ("收据" if kid.stage != "taught" else "")
        promised = (
            next_working_day(self.scene.today, campus)
            if kid.stage == "paper_missing"
            else next_working_day(talk_on, campus)
        )
        items = [(name, name != missing, promised) for name in paper_item_names(student.campus_id)]
        handover_paper_check(handover=handover, actor=manager, items=items)
        if kid.stage == "paper_missing":
            return
        if missing:
            yield at(promised, 10, 30)
            for item in PaperItem.objects.filter(handover=handover, present=False):
                paper_item_receive(item=item, actor=consultant)
        yield self.scene.clock + timedelta(minutes=10)
        handover_sign(handover=handover, actor=manager)
        handover_sign(handover=handover, actor=consultant)
        yield self.scene.clock + timedelta(minutes=30)
        planner = self.planner or manager
        teacher = self.people[kid.subjects[0][1]]
        if kid.stage == "first_lesson":
            starts = self.free_time(teacher, self.first_day(), reserved=False)
        else:
            starts = self.free_time(
                teacher, max(self.first_day(), self.scene.clock.date() + timedelta(days=3))
            )
        pre = first_lesson_set(
            student=student,
            actor=planner,
            starts_at=starts,
            ends_at=starts + LESSON,
            subject=kid.subjects[0][0],
            hours=Decimal(2),
            teacher=teacher,
            classroom=ROOMS[teacher.username],
        )
        self.first_lesson = pre.first_lesson
        self.book_the_rest(planner, starts)
        yield self.scene.clock + timedelta(minutes=30)
        preclass_parent_told(pre=pre, actor=manager, channel="phone", told_at=self.scene.clock)
        if kid.stage == "first_lesson":
            return  # the talk with consultant and teacher (P1) and the documents (P3) are still to do
        yield at(next_working_day(self.scene.clock.date(), campus), 11)
        preclass_documents_ready(pre=pre, actor=manager)
        yield max(self.scene.clock, at(starts.date() - timedelta(days=1), 16))
        preclass_talk(pre=pre, actor=manager, notes="与咨询师、老师沟通了学习情况和性格", reports_held=True)
        threads = (self.teaching(), self.plans(), self.first_weeks(), self.callbacks(), self.growth())
        for thread in (*threads, self.exams()):
            self.scene.spawn(thread, when=self.scene.clock)

    # Lessons.

    def free_time(self, teacher, day: date, *, weeks: int = 1, reserved: bool = True) -> datetime:
        """The first teaching time from `day` on when the teacher (and so their room) and the student
        are free, for `weeks` weeks running; with `reserved`, never a time kept for a new student."""
        taken = Lesson.objects.filter(
            Q(teacher=teacher) | Q(student=self.student),
            status__in=BOOKED,
            ends_at__gt=at(day, 0),
            starts_at__lt=at(day + timedelta(days=60 + 7 * weeks), 0),
        ).values_list("starts_at", "ends_at")
        taken = list(taken)
        for offset in range(60):
            candidate = day + timedelta(days=offset)
            for start in teaching_times(candidate):
                starts = at(candidate, start.hour, start.minute)
                if starts <= self.scene.clock or (reserved and (teacher.username, start) in RESERVED):
                    continue
                times = [starts + timedelta(weeks=w) for w in range(weeks)]
                if not any(s < t + LESSON and t < e for t in times for s, e in taken):
                    return starts
        raise ValidationError(f"no free lesson time for {teacher.username} from {day}")

    def book_the_rest(self, planner, first: datetime) -> None:
        """The weekly lessons after the first, as many as the contract's hours hold (or the story says)."""
        kid = self.kid
        total = kid.lessons if kid.lessons is not None else kid.hours // 2
        per_week = len(kid.subjects)
        for index, (subject, username) in enumerate(kid.subjects):
            count = (total - index + per_week - 1) // per_week - (1 if index == 0 else 0)
            if count <= 0:
                continue
            teacher = self.people[username]
            since = first.date() + timedelta(days=7 if index == 0 else 1)
            starts = self.free_time(teacher, since, weeks=count)
            lessons_schedule(
                student=self.student,
                actor=planner,
                starts_at=starts,
                ends_at=starts + LESSON,
                subject=subject,
                hours=Decimal(2),
                teacher=teacher,
                classroom=ROOMS[username],
                weeks=count,
                request_key=key(kid.number, "lessons", index),
            )

    def teaching(self):
        """Each lesson marked by its teacher when it ends, and the manager's talk after it (L3)."""
        kid, manager = self.kid, self.manager
        lessons = list(self.student.lessons.filter(status=Lesson.Status.SCHEDULED).order_by("starts_at"))
        taken_place = [lesson for lesson in lessons if lesson.ends_at <= self.scene.now]
        last = taken_place[-1].pk if taken_place else None
        teacher = self.people[kid.unmarked] if kid.unmarked else None
        unmarked = next((x.pk for x in reversed(taken_place) if teacher and x.teacher_id == teacher.pk), None)
        absent = (
            taken_place[-1 - kid.absent_ago].pk
            if kid.absent_ago is not None and len(taken_place) > kid.absent_ago
            else None
        )
        no_record = self.people[kid.record_missing].pk if kid.record_missing else None
        no_record = next((x.pk for x in reversed(taken_place) if x.teacher_id == no_record), None)
        records_from = self.scene.now - timedelta(days=RECORD_DAYS)
        for lesson in lessons:
            if lesson.pk == unmarked:
                continue  # the teacher has not marked it yet
            yield lesson.ends_at + timedelta(minutes=5)
            lesson.refresh_from_db()
            if lesson.status != Lesson.Status.SCHEDULED or self.stopped():
                continue
            missed = lesson.pk == absent
            status = Lesson.Status.ABSENT if missed else Lesson.Status.DONE
            lesson_mark(lesson=lesson, actor=lesson.teacher or manager, status=status)
            if missed:
                if kid.absence_explained:
                    self.scene.spawn(
                        self.absence(lesson), when=at(next_working_day(lesson.starts_at.date()), 10)
                    )
                continue
            if lesson.teacher and lesson.starts_at >= records_from and lesson.pk != no_record:
                self.scene.spawn(self.lesson_record(lesson), when=lesson.ends_at + timedelta(minutes=15))
            if kid.talk_missing and lesson.pk == last:
                continue  # the manager has not talked with teacher, student and parent yet
            yield lesson.ends_at + timedelta(minutes=25)
            lesson_talk_record(
                lesson=lesson,
                actor=manager,
                teacher_notes="课堂专注，练习完成得不错",
                student_notes="觉得这节课的题型有点难，但听懂了",
                parent_notes="已向家长反馈本节课内容和作业",
            )

    # The teacher's papers (the teacher's home: "teaching plans and lesson records you owe"), each
    # filed by the manager the same working day or the next morning (F4).

    def plans(self):
        """Each teacher's teaching plan, uploaded the evening before their first lesson with the student."""
        firsts: dict = {}
        lessons = self.student.lessons.exclude(status=Lesson.Status.CANCELLED).select_related("teacher")
        for lesson in lessons.filter(teacher__isnull=False).order_by("starts_at"):
            firsts.setdefault(lesson.teacher_id, lesson)
        for lesson in firsts.values():
            teacher = lesson.teacher
            if teacher.username == self.kid.plan_missing:
                continue
            yield max(self.scene.clock, at(timezone.localdate(lesson.starts_at) - timedelta(days=1), 20, 40))
            self.paper(
                teacher,
                Document.Kind.TEACHING_PLAN,
                f"{self.kid.name} · {lesson.subject} 教学计划",
                key(self.kid.number, "plan", teacher.username),
            )

    def lesson_record(self, lesson):
        yield self.scene.clock
        starts = timezone.localtime(lesson.starts_at)
        self.paper(
            lesson.teacher,
            Document.Kind.LESSON_RECORD,
            f"{self.kid.name} · {lesson.subject} 授课记录 {starts:%m-%d}",
            key(self.kid.number, "record", starts.isoformat()),
        )

    def paper(self, teacher, kind: str, title: str, request_key: uuid.UUID) -> None:
        document = document_add(
            student=self.student,
            actor=teacher,
            kind=kind,
            title=title[:100],
            file=ContentFile(b"%PDF-1.4\n% demo\n", name=f"{kind}.pdf"),
            request_key=request_key,
        )
        self.scene.spawn(self.filing(document), when=self.scene.clock)

    def filing(self, document):
        """The manager files the paper before leaving work the day it came, or the next working
        morning when it came after hours or on a day off (a little apart, as they read each one)."""
        campus = self.manager.campus
        uploaded = timezone.localtime(document.uploaded_at)
        day = uploaded.date()
        if working_day(day, campus) == day and uploaded.time() < time(16):
            when = uploaded + timedelta(hours=1)
        else:
            when = at(next_working_day(day, campus), 10, 30)
        yield when + timedelta(minutes=document.pk % 45)
        document_file(document=document, actor=self.manager)

    def absence(self, lesson):
        yield self.scene.clock
        absence_reason_record(lesson=lesson, actor=self.manager, reason="发烧请假，家长当天没来得及通知")

    def stopped(self) -> bool:
        """Whether the student is no longer taught (paused, refunded, hours used)."""
        stopped = (Student.Status.PAUSED, Student.Status.REFUNDED, Student.Status.ENDED)
        return Student.objects.filter(pk=self.student.pk, status__in=stopped).exists()

    # The follow-up of the first weeks.

    def first_weeks(self):
        """The documents counted from the first lesson: the course schedule and tutoring draft that
        day (L1), the learning-management plan (F2), the tutoring plan (F3), the stage summary (L2)."""
        lesson = self.first_lesson
        day = lesson.starts_at.date()
        yield lesson.ends_at + timedelta(minutes=30)
        for kind in (Document.Kind.COURSE_SCHEDULE, Document.Kind.TUTORING_DRAFT):
            self.document(kind, given_on=day)
        for days, kind, given in (
            (17, Document.Kind.MANAGEMENT_PLAN, False),
            (25, Document.Kind.TUTORING_PLAN, True),
            (26, Document.Kind.STAGE_SUMMARY, True),
        ):
            yield max(self.scene.clock, at(day + timedelta(days=days), 11))
            if self.stopped():
                return
            self.document(kind, given_on=self.scene.clock.date() if given else None)

    def document(self, kind: str, given_on=None) -> None:
        title = f"{self.kid.name} · {Document.Kind(kind).label.split(' (')[0]}"
        document_add(
            student=self.student,
            actor=self.manager,
            kind=kind,
            title=title[:100],
            file=ContentFile(b"%PDF-1.4\n% demo\n", name=f"{kind}.pdf"),
            given_to_parent_on=given_on,
            request_key=key(self.kid.number, "document", kind),
        )

    def callbacks(self):
        """The first-lesson callback (F1), then a callback before each L4 falls due — weekly for two
        months, then every two weeks — so that the clock stands where the story says today."""
        lesson, manager = self.first_lesson, self.manager
        first_call = lesson.ends_at + timedelta(minutes=40)
        times = []
        last = self.scene.now + self.kid.callback_due_in
        two_months = lesson.starts_at + timedelta(days=61)
        day = (
            last - (timedelta(days=14) if last - timedelta(days=14) >= two_months else timedelta(days=7))
        ).date()
        while True:
            when = at(day, 19, 30)
            if when <= first_call + timedelta(days=2):
                break
            times.append(when)
            day -= timedelta(days=12 if when - timedelta(days=14) >= two_months else 6)
        summaries = (
            "反馈本周学习情况，家长满意",
            "沟通作业完成情况，家长希望多练应用题",
            "反馈课堂表现，家长认可",
        )
        for number, when in enumerate([first_call, *reversed(times)]):
            yield when
            if self.stopped():
                return
            callback_record(
                student=self.student,
                actor=manager,
                request_key=key(self.kid.number, "callback", number),
                at=when,
                summary=summaries[number % len(summaries)]
                if number
                else "首次课后回访：孩子喜欢老师，家长放心",
                concerns="担心期末数学" if number % 3 == 2 else "",
                next_steps="下周增加一次练习" if number % 3 == 2 else "",
            )

    def growth(self):
        """A growth record each month (L6), written on the 25th."""
        day = self.first_lesson.starts_at.date()
        month = (
            day.replace(day=25) if day.day < 25 else (day.replace(day=1) + timedelta(days=32)).replace(day=25)
        )
        while True:
            yield at(month, 16)
            if self.stopped():
                return
            growth_record_add(
                student=self.student,
                actor=self.manager,
                request_key=key(self.kid.number, "growth", month.isoformat()),
                text="本月作业按时完成，课堂提问更主动",
            )
            month = (month.replace(day=1) + timedelta(days=32)).replace(day=25)

    def exams(self):
        """The school's exam scores, each entered with an analysis some days after the exam (L5)."""
        for number, (days_ago, after, marks) in enumerate(self.kid.scores):
            exam = self.scene.today - timedelta(days=days_ago)
            yield max(self.scene.clock, at(exam + timedelta(days=after), 10))
            for subject, score in marks.items():
                score_record(
                    student=self.student,
                    actor=self.manager,
                    request_key=key(self.kid.number, "score", number, subject),
                    kind="monthly",
                    subject=subject,
                    score=Decimal(score),
                    full_marks=Decimal(100),
                    exam_date=exam,
                    analysis="计算更仔细了；应用题审题仍需加强" if subject == "数学" else "词汇量在增加",
                )
