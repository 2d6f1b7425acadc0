"""A tutoring company at full size, written straight into PostgreSQL: `INSERT … SELECT` over
`generate_series` per table (no ORM row by row), then the indexes rebuilt and the tables analysed.

The figures by default (issue 13): 100 campuses, 2,000 learning managers, 100,000 students, 125,000
guardians, 5 million callbacks, 3.8 million lessons, 1 million active deadlines and 10 million timeline
events; the other records in proportion (per student: 1.3 contracts, 5 documents, 4 scores, 6 growth
records, 10 access-log lines; a case for one student in 20; 2 closed deadlines per active one).

Every row respects its model's constraints (the check and unique constraints are kept while loading)
and points at rows that exist; the generic foreign keys (deadlines, timeline events) name their
subject's content type. A column the generator does not set gets its model field's default, so a new
field with a default needs nothing here; a new required field without one stops the generator with
its name (GeneratorOutOfDate).

The demo's people (demo.company.PEOPLE) are kept, with the demo password, on campus 1 (海淀校区) and 2
(徐汇校区) with the scopes of a real company: manager1 with ~80 students (1.6 times the average),
supervisor1 leading 10 learning managers, director1's campus with ~1,000 students.
"""

import json
import math
import time
import uuid
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime

from django.apps import apps
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from psycopg import sql

from accounts.models import Campus, Role, Team, User
from deadlines.models import CalendarDay, Deadline, Delivery, Digest, NoticeChoice, Notification
from demo.company import CAMPUSES, DEMO_PASSWORD, NEWCOMER, PEOPLE
from followups.models import (
    AbsenceReason,
    Callback,
    Concern,
    Exam,
    ExamScore,
    ExamSitting,
    GrowthRecord,
    LessonTalk,
    Renewal,
)
from handover.models import Handover, PaperItem, PaperItemKind, PreClass, WeekendTimetable
from refunds.models import Approval, ApprovalStep, Payment, Refund, RefundAttachment, RefundVersion
from reports.figures import figures_refresh
from reports.models import FigureSpan
from retention.models import Case
from students.models import Contract, ContractImport, Document, Guardian, Lesson, Student
from timeline.models import Access, Event, ExportJob

TZ = "'Asia/Shanghai'"


class GeneratorOutOfDate(Exception):
    """A model has a column the generator cannot fill (required, without a default)."""


@dataclass(frozen=True)
class Sizes:
    campuses: int = 100
    managers: int = 2_000
    students: int = 100_000
    guardians: int = 125_000
    callbacks: int = 5_000_000
    lessons: int = 3_800_000
    deadlines: int = 1_000_000  # active: open, overdue or escalated
    events: int = 10_000_000

    @classmethod
    def scaled(cls, scale: float = 1.0, **given) -> "Sizes":
        """The default figures times `scale`, those given as they are; never below what the demo's
        people need (2 campuses, 3 managers a campus, a lesson a student)."""
        figures = {f.name: given.get(f.name) or max(1, round(f.default * scale)) for f in fields(cls)}
        sizes = cls(**figures)
        campuses = max(2, sizes.campuses)
        managers = max(3 * campuses, sizes.managers)
        students = max(8 * campuses, sizes.students)
        return replace(
            sizes,
            campuses=campuses,
            managers=managers,
            students=students,
            guardians=max(students, sizes.guardians),
            lessons=max(students, sizes.lessons),
        )

    def as_dict(self) -> dict:
        return asdict(self)


# The staff of one campus besides its learning managers (a team is a supervisor and up to 10 managers).
TEAM_SIZE = 10
EXAMS_PER_CAMPUS = 30
ROLES_BY_SLOT = ("manager", "supervisor", "director", "consultant", "teacher", "head_teacher", "scheduler")
COMPANY_PEOPLE = ("finance1", "president1", "admin")  # user ids 1, 2, 3

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = [
    "子涵", "欣怡", "梓萱", "思琪", "雨涵", "浩宇", "宇轩", "子墨", "一诺", "俊杰", "嘉怡", "天宇", "子琪",
    "雨萱", "浩然", "梓涵", "诗涵", "博文", "晨曦", "思远", "若曦", "明轩", "佳琪", "睿", "雨桐", "昊天",
    "可欣", "子豪", "欣然", "语嫣",
]  # fmt: skip
STAFF_GIVEN = ["芳", "娜", "伟", "洋", "静", "帆", "磊", "丽", "敏", "强", "军", "霞", "杰", "涛", "琳", "远"]
GRADES = ["四年级", "五年级", "六年级", "初一", "初二", "初三", "高一", "高二"]
SCHOOLS = [
    "第一中学", "第二中学", "实验中学", "外国语学校", "育才学校", "师大附中", "第十五中学", "中关村中学",
    "实验小学", "育英学校",
]  # fmt: skip
SUBJECTS = ["数学", "英语", "语文", "物理", "化学", "生物"]
CALLBACK_SUMMARIES = [
    "家长反馈孩子这周作业完成得比较主动，数学错题有减少。",
    "和家长沟通了月考的安排，家长希望多练习应用题。",
    "孩子最近睡得晚，上课有些走神，建议家长调整作息。",
    "家长对老师的讲解很满意，希望保持现在的节奏。",
    "电话回访：孩子说英语听力进步了，阅读还需要加强。",
    "家长询问剩余课时和下学期的排课，已说明。",
    "孩子期中考试成绩上升了十分，家长很高兴。",
    "家长担心孩子压力大，约好下周当面沟通。",
]
TEXTS = [
    "与老师沟通了课堂表现，整体稳定。",
    "已和家长约好下次回访时间。",
    "学生反馈作业量适中，继续观察。",
    "建议增加错题整理，下次课检查。",
]
# Timeline kinds written by the services, with the record each is about: 0 the student, 1 a lesson,
# 2 the handover (the student when nobody is assigned yet).
EVENT_KINDS = [
    ("callback.recorded", 0), ("lesson.talk", 1), ("deadline.met", 0), ("callback.recorded", 0),
    ("score.recorded", 0), ("growth.recorded", 0), ("deadline.opened", 0), ("document.added", 0),
    ("lesson.changed", 1), ("callback.recorded", 0), ("deadline.overdue", 0), ("concern.raised", 0),
    ("document.filed", 0), ("lesson.absent", 1), ("deadline.met", 0), ("student.file_updated", 0),
    ("contract.signed", 0), ("student.assigned", 2), ("handover.received", 2), ("handover.intro_call", 2),
]  # fmt: skip
CASE_EVENTS = ["case.opened", "case.prepared", "case.rescue"]
STUDENT_RULES = ["L4", "L6", "R1", "F2", "F3", "L2", "F1", "L1"]
DOCUMENT_KINDS = [
    "consultation_report", "situation_analysis", "tutoring_draft", "course_schedule", "management_plan",
    "tutoring_plan", "stage_summary", "teaching_plan", "lesson_record", "growth_record",
]  # fmt: skip
PAPER_ITEMS = ["合同复印件", "收据", "报名表", "咨询报告", "学习情况个性化分析报告", "个性化辅导草案"]
CHAIN = ["director", "finance", "president"]
# Kept by the generator: the company's configuration (seeded by the migrations or the administrator).
KEPT = (CalendarDay, PaperItemKind, ApprovalStep)
# The apps whose tables the generator empties and writes.
APPS = ("accounts", "students", "timeline", "deadlines", "handover", "followups", "retention", "refunds")
# Left empty: the configuration, the contract imports, the outside deliveries and the morning digests,
# the people's notice choices (everyone on the defaults), the payments' details and the refund lists'
# versions with their attachments (the refunds' pages show their date and list without them).
NOT_WRITTEN = (
    *KEPT,
    *(ContractImport, Delivery, Digest, NoticeChoice, Payment, RefundVersion, RefundAttachment, ExportJob),
)


def lit(value) -> str:
    """A value as an SQL literal."""
    return sql.Literal(value).as_string(connection.connection)


def text_array(values) -> str:
    return f"{lit(list(values))}::text[]"


def when(condition: str, then: str, otherwise: str = "NULL") -> str:
    return f"CASE WHEN {condition} THEN {then} ELSE {otherwise} END"


def pick(values, index_sql: str) -> str:
    """The element of `values` at `index_sql` (any integer; wraps around)."""
    return f"({text_array(values)})[1 + (({index_sql}) % {len(values)})]"


class Company:
    """Writes one company of `sizes` into the default database, which must be migrated; every table of
    the apps is emptied first (but the company's configuration: KEPT)."""

    def __init__(self, sizes: Sizes, *, now: datetime | None = None, out=None, check_foreign_keys=False):
        self.sizes = sizes
        self.now = now or timezone.now()
        self.out = out
        self.check_foreign_keys = check_foreign_keys
        connection.ensure_connection()
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        s = sizes
        self.mpc = s.managers // s.campuses  # learning managers per campus
        self.spc = math.ceil(self.mpc / TEAM_SIZE)  # supervisors (teams) per campus
        self.team_size = math.ceil(self.mpc / self.spc)
        self.cpc = max(2, round(self.mpc / 4))  # consultants: 5 a campus at full size
        self.tpc = max(3, round(self.mpc * 1.5))  # teachers: 30
        self.per_campus = {  # the staff of one campus, by role
            "manager": self.mpc,
            "supervisor": self.spc,
            "director": 1,
            "consultant": self.cpc,
            "teacher": self.tpc,
            "head_teacher": 1,
            "scheduler": 1,
        }
        self.offsets, offset = {}, 0
        for role in ROLES_BY_SLOT:
            self.offsets[role] = offset
            offset += self.per_campus[role]
        self.block = offset  # users per campus
        self.first = len(COMPANY_PEOPLE) + 1  # the first campus user's id
        self.NOW = f"{lit(self.now.isoformat())}::timestamptz"
        self.WEEK0 = f"date_trunc('week', {self.NOW} AT TIME ZONE {TZ})"  # this Monday, local

    # The people, by formula: the id of the `slot`-th person of a role on a campus.

    def uid(self, role: str, campus_sql, slot_sql="0") -> str:
        return f"({self.first} + (({campus_sql}) - 1) * {self.block} + {self.offsets[role]} + ({slot_sql}))"

    def supervisor_of(self, campus_sql: str, manager_sql: str) -> str:
        """The supervisor of a learning manager's team (of a student's manager)."""
        slot = f"(({manager_sql}) - {self.uid('manager', campus_sql)})"
        return self.uid("supervisor", campus_sql, f"{slot} / {self.team_size}")

    def staff_of(self, campus_sql: str, manager_sql: str) -> str:
        """Who recorded something about a student: the manager, else the team's supervisor."""
        return f"COALESCE({manager_sql}, {self.uid('supervisor', campus_sql)})"

    # Writing.

    def say(self, text: str) -> None:
        if self.out is not None:
            self.out.write(text)
            self.out.flush()

    def execute(self, statement: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(statement)
            return cursor.rowcount

    def scalar(self, statement: str):
        with connection.cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchone()[0]

    def insert(self, model, values: dict[str, str], source: str, *, label: str = "") -> int:
        """INSERT INTO model's table (every column) SELECT `values` (SQL per column) FROM `source`; the
        columns not given get the field's default."""
        meta = model._meta
        columns = {f.column: f for f in meta.concrete_fields}
        unknown = set(values) - set(columns)
        if unknown:
            raise GeneratorOutOfDate(f"{meta.label} has no column {', '.join(sorted(unknown))}")
        names, exprs = [], []
        for column, field in columns.items():
            if column in values:
                expr = values[column]
            elif field.primary_key or field.db_default is not models.NOT_PROVIDED:
                continue  # the database's own default
            else:
                expr = self.default(field)
            names.append(connection.ops.quote_name(column))
            exprs.append(expr)
        statement = (
            f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({', '.join(names)})\n"
            f"SELECT {', '.join(exprs)}\nFROM {source}"
        )
        began = time.perf_counter()
        rows = self.execute(statement)
        took = time.perf_counter() - began
        key = label or meta.label
        self.counts[key] = self.counts.get(key, 0) + rows
        self.seconds[key] = self.seconds.get(key, 0) + took
        self.say(f"  {key:<28} {rows:>12,} rows  {took:7.1f} s")
        return rows

    def default(self, field) -> str:
        if field.null:
            return "NULL"
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return self.NOW
        if field.has_default():
            value = field.default
            if value is uuid.uuid4:
                return "gen_random_uuid()"
            if value is timezone.now:
                return self.NOW
            if value in (dict, list):
                return f"{lit(json.dumps(value()))}::jsonb"
            if callable(value):
                value = value()
            if isinstance(field, models.JSONField):
                return f"{lit(json.dumps(value))}::jsonb"
            return lit(field.get_db_prep_save(value, connection))
        if field.blank and isinstance(field, models.CharField | models.TextField):
            return "''"
        raise GeneratorOutOfDate(
            f"{field.model._meta.label}.{field.name} is required and has no default: "
            "benchmarks/company.py must say what to write in it"
        )

    def ct(self, model) -> int:
        return ContentType.objects.get_for_model(model).pk

    # The run.

    def build(self) -> dict[str, int]:
        began = time.perf_counter()
        tables = self.tables()
        self.execute("SET synchronous_commit = off")
        self.execute("SET maintenance_work_mem = '1GB'")
        self.execute("SET work_mem = '256MB'")
        # The company-wide configuration survives the TRUNCATE (its campus rows go with the campuses).
        kept = [m._meta.db_table for m in KEPT if any(f.name == "campus" for f in m._meta.fields)]
        for table in kept:
            self.execute(f"CREATE TEMP TABLE keep_{table} AS SELECT * FROM {table} WHERE campus_id IS NULL")
        self.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        for table in kept:
            self.execute(f"INSERT INTO {table} SELECT * FROM keep_{table}")
            self.execute(f"DROP TABLE keep_{table}")
        replica = False
        if not self.check_foreign_keys:
            # The rows are consistent by construction: skip the foreign-key triggers while loading
            # (needs a superuser; without one, the keys are checked, only slower).
            try:
                self.execute("SET session_replication_role = replica")
                replica = True
            except DatabaseError:
                self.say("  (not a superuser: foreign keys are checked while loading)")
        indexes = self.drop_indexes(tables)
        try:
            with transaction.atomic():  # teams and their supervisors point at each other
                self.people()
            self.students()
            self.follow_up()
            self.retention()
            self.clocks()
            self.refunds()
            self.records()
            self.hours()
        finally:
            if replica:
                self.execute("SET session_replication_role = DEFAULT")
            self.execute("DROP TABLE IF EXISTS bench_assigned")
            self.say("Indexes, sequences, statistics:")
            step = time.perf_counter()
            for statement in indexes:  # even after a failure: the schema stays the migrations'
                self.execute(statement)
            self.say(f"  {len(indexes)} indexes rebuilt  {time.perf_counter() - step:7.1f} s")
        self.reset_sequences(tables)
        step = time.perf_counter()
        for table in tables:
            self.execute(f"VACUUM ANALYZE {table}")
        self.say(f"  vacuum analyze  {time.perf_counter() - step:7.1f} s")
        for setting in ("synchronous_commit", "maintenance_work_mem", "work_mem"):
            self.execute(f"RESET {setting}")
        self.figures()
        self.seconds["total"] = time.perf_counter() - began
        return self.counts

    def figures(self) -> None:
        """The company's figures per campus and day, as the hourly beat keeps them (reports.figures):
        the truncated campuses took the kept rows along, so no span is kept before this refresh."""
        step = time.perf_counter()
        FigureSpan.objects.update(first=None, last=None, refreshed_at=None)
        written = figures_refresh(days=62)
        rows = sum(written.values())
        self.say(f"  figures kept for 62 days  {rows:,} rows  {time.perf_counter() - step:5.1f} s")

    def hours(self) -> None:
        """The students' maintained hours (students.services.hours_recount), from the rows just written."""
        step = time.perf_counter()
        count = self.execute(
            """
            UPDATE students_student s SET hours_bought = b.bought, hours_used = b.used,
                hours_left = b.bought - b.used
            FROM (
                SELECT st.id, COALESCE(c.total, 0) AS bought, COALESCE(l.total, 0) AS used
                FROM students_student st
                LEFT JOIN (SELECT student_id, SUM(hours) AS total FROM students_contract GROUP BY 1) c
                    ON c.student_id = st.id
                LEFT JOIN (
                    SELECT student_id, SUM(hours) AS total FROM students_lesson
                    WHERE status = 'done' GROUP BY 1
                ) l ON l.student_id = st.id
            ) b
            WHERE s.id = b.id
            """
        )
        self.say(f"  hours of {count:,} students  {time.perf_counter() - step:7.1f} s")

    def tables(self) -> list[str]:
        chosen = [
            m
            for m in apps.get_models(include_auto_created=True)
            if m._meta.app_label in APPS and m not in KEPT and m._meta.managed
        ]
        extra = ["django_session", "django_admin_log"]
        for name in ("axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"):
            if name in connection.introspection.table_names():
                extra.append(name)
        return [connection.ops.quote_name(m._meta.db_table) for m in chosen] + extra

    def drop_indexes(self, tables: list[str]) -> list[str]:
        """Drops the indexes that back no constraint (built faster once the rows are in) and returns
        the statements that rebuild them."""
        names = [t.strip('"') for t in tables]
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                  WHERE c.conindid = (quote_ident(i.schemaname) || '.' ||
                                                      quote_ident(i.indexname))::regclass)
                """,
                [names],
            )
            found = cursor.fetchall()
            for name, _definition in found:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return [definition for _name, definition in found]

    def reset_sequences(self, tables: list[str]) -> None:
        """The next id of each table after the largest written (many were written explicitly)."""
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    "SELECT pg_get_serial_sequence(table_name, 'id') FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND table_name = %s AND column_name = 'id'",
                    [table.strip('"')],
                )
                row = cursor.fetchone()
                if row and row[0]:
                    cursor.execute(
                        f"SELECT setval(%s, COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)", [row[0]]
                    )

    # Campuses, teams, people.

    def people(self) -> None:
        self.say("People:")
        s, started = self.sizes, time.perf_counter()
        named = {"hd": CAMPUSES[0], "xh": CAMPUSES[1]}
        campuses = []
        for c in range(1, s.campuses + 1):
            row = named["hd" if c == 1 else "xh"] if c <= 2 else None
            campuses.append(
                Campus(
                    id=c,
                    code=row["code"] if row else f"c{c:03d}",
                    name=row["name"] if row else f"第{c:03d}校区",
                    address=row["address"] if row else f"第{c}大街 {c} 号",
                    phone=row["phone"] if row else f"010-6{c:03d} {c:04d}",
                )
            )
        Campus.objects.bulk_create(campuses, batch_size=1000)
        password = PBKDF2PasswordHasher().encode(DEMO_PASSWORD, PBKDF2PasswordHasher().salt())
        company = {p[0]: p for p in [*PEOPLE, (*NEWCOMER, None)]}
        places = {  # the demo's people among the generated ones: (campus, role, slot)
            "manager1": (1, "manager", 0),
            "manager2": (1, "manager", 1),
            "supervisor1": (1, "supervisor", 0),
            "director1": (1, "director", 0),
            "consultant1": (1, "consultant", 0),
            "teacher1": (1, "teacher", 0),
            "teacher2": (1, "teacher", 1),
            "headteacher1": (1, "head_teacher", 0),
            "scheduler1": (1, "scheduler", 0),
            "manager3": (2, "manager", 0),
            "supervisor2": (2, "supervisor", 0),
            "director2": (2, "director", 0),
            "consultant2": (2, "consultant", 0),
            "teacher3": (2, "teacher", 0),
            NEWCOMER[0]: (2, "manager", self.mpc - 1),
        }
        demo = {place: (username, company[username][1]) for username, place in places.items()}
        roles = {
            "manager": Role.LEARNING_MANAGER,
            "supervisor": Role.SUPERVISOR,
            "director": Role.DIRECTOR,
            "consultant": Role.CONSULTANT,
            "teacher": Role.TEACHER,
            "head_teacher": Role.HEAD_TEACHER,
            "scheduler": Role.SCHEDULER,
        }
        users = []
        for number, username in enumerate(COMPANY_PEOPLE, start=1):
            _u, full_name, role, _c, _t = company[username]
            admin = role == Role.ADMIN
            users.append(
                User(
                    id=number,
                    username=username,
                    full_name=full_name,
                    role=role,
                    is_staff=admin,
                    is_superuser=admin,
                    email=f"{username}@bench.invalid",
                )
            )
        teams = []
        for c in range(1, s.campuses + 1):
            for t in range(self.spc):
                supervisor = eval_uid(self, "supervisor", c, t)
                teams.append(
                    Team(
                        id=(c - 1) * self.spc + t + 1,
                        campus_id=c,
                        name=f"学管{t + 1}组",
                        supervisor_id=supervisor,
                    )
                )
            for role in ROLES_BY_SLOT:
                for slot in range(self.per_campus[role]):
                    pk = eval_uid(self, role, c, slot)
                    username, full_name = demo.get(
                        (c, role, slot),
                        (
                            f"{role.replace('_', '')}-{c:03d}-{slot:02d}",
                            SURNAMES[pk % len(SURNAMES)] + STAFF_GIVEN[pk % len(STAFF_GIVEN)],
                        ),
                    )
                    team = None
                    if role == "manager" and (c, role, slot) != (2, "manager", self.mpc - 1):
                        team = (c - 1) * self.spc + slot // self.team_size + 1
                    users.append(
                        User(
                            id=pk,
                            username=username,
                            full_name=full_name,
                            role=roles[role],
                            campus_id=c,
                            team_id=team,
                            email=f"{username}@bench.invalid",
                            phone=f"139{pk:08d}",
                        )
                    )
        for user in users:
            user.password = password
            user.date_joined = self.now
        User.objects.bulk_create(users, batch_size=2000)
        Team.objects.bulk_create(teams, batch_size=2000)
        self.counts.update(
            {"accounts.Campus": len(campuses), "accounts.User": len(users), "accounts.Team": len(teams)}
        )
        self.say(
            f"  {len(campuses):,} campuses, {len(teams):,} teams, {len(users):,} people "
            f"({time.perf_counter() - started:.1f} s)"
        )

    # Students and their contracts, handovers and lessons.

    def segments(self) -> list[tuple[int, int, int, int | None]]:
        """(first student id, how many, campus, manager or None): each campus's students, a few
        unassigned, the rest shared by its managers; manager1 has 1.6 times the average, manager4
        (joined this week) none."""
        s, rows, first = self.sizes, [], 1
        for c in range(1, s.campuses + 1):
            total = s.students // s.campuses + (1 if c <= s.students % s.campuses else 0)
            unassigned = max(1, round(total * 0.005))
            assigned = total - unassigned
            takers = [eval_uid(self, "manager", c, k) for k in range(self.mpc)]
            if c == 2:
                takers = takers[:-1]  # manager4: no students yet
            loads = {}
            if c == 1:
                loads[takers[0]] = min(assigned - len(takers) + 1, round(1.6 * assigned / self.mpc))
                takers = takers[1:]
            rest = assigned - sum(loads.values())
            for i, manager in enumerate(takers):
                loads[manager] = rest // len(takers) + (1 if i < rest % len(takers) else 0)
            rows.append((first, unassigned, c, None))
            first += unassigned
            for manager, n in loads.items():
                rows.append((first, n, c, manager))
                first += n
        return rows

    def status_sql(self, sid: str, manager: str) -> str:
        h = f"(({sid}) * 37 % 100)"
        return (
            f"CASE WHEN {manager} IS NULL OR {h} < 4 THEN 'onboarding' WHEN {h} < 6 THEN 'paused' "
            f"WHEN {h} < 14 THEN 'ended' WHEN {h} < 16 THEN 'refunded' ELSE 'active' END"
        )

    def per_student(self, total: int) -> tuple[str, str]:
        """For `total` rows spread over the students by g: (the row's student id, its rank k there)."""
        S = self.sizes.students
        return f"(1 + (g - 1) % {S})", f"((g - 1) / {S})"

    def spread(self, k: str, n: int, start: str = "s.created_at") -> str:
        """The k-th of n moments between `start` and now, evenly."""
        return f"({start} + ({self.NOW} - {start}) * ((({k}) + 0.5) / {n}))"

    def students(self) -> None:
        self.say("Students:")
        s, S, NOW = self.sizes, self.sizes.students, self.NOW
        segs = self.segments()
        arrays = [
            f"{lit([r[0] for r in segs])}::bigint[]",
            f"{lit([r[1] for r in segs])}::int[]",
            f"{lit([r[2] for r in segs])}::bigint[]",
            "'{" + ",".join("NULL" if r[3] is None else str(r[3]) for r in segs) + "}'::bigint[]",
        ]
        status = self.status_sql("x.id", "x.manager")
        self.insert(
            Student,
            {
                "id": "x.id",
                "full_name": f"{pick(SURNAMES, 'x.id * 7')} || {pick(GIVEN, 'x.id / 50 + x.id * 3')}",
                "gender": "CASE WHEN x.id % 2 = 0 THEN 'female' ELSE 'male' END",
                "campus_id": "x.campus",
                "manager_id": "x.manager",
                "grade": pick(GRADES, "x.id"),
                "school": pick(SCHOOLS, "x.id / 7"),
                "status": status,
                "created_at": f"CASE WHEN ({status}) = 'onboarding' "
                f"THEN {NOW} - make_interval(days => (x.id % 10)::int, hours => (x.id % 7)::int) "
                f"ELSE {NOW} - make_interval(days => (60 + x.id * 7919 % 670)::int) END",
                "personality": "CASE WHEN x.id % 3 = 0 THEN '开朗、爱提问' ELSE '' END",
                "hobbies": "CASE WHEN x.id % 3 = 0 THEN '篮球、画画' ELSE '' END",
            },
            f"(SELECT i AS id, m.campus, m.manager FROM unnest({', '.join(arrays)})"
            " AS m(first, n, campus, manager)"
            " CROSS JOIN LATERAL generate_series(m.first, m.first + m.n - 1) AS i) x",
        )
        sid, k = self.per_student(s.guardians)
        self.insert(
            Guardian,
            {
                "student_id": "s.id",
                "name": "left(s.full_name, 1) || CASE WHEN g % 2 = 0 THEN '女士' ELSE '先生' END",
                "relation": f"CASE WHEN {k} = 0 THEN (CASE WHEN s.id % 3 = 0 THEN 'father' ELSE 'mother' END)"
                " ELSE 'grandparent' END",
                "phone": "'13' || lpad(((g::bigint * 7919 + 12345) % 1000000000)::text, 9, '0')",
                "wechat": "'wx' || g",
                "best_time_to_call": "'晚上七点后'",
                "is_primary": f"{k} = 0",
            },
            f"generate_series(1, {s.guardians}) g JOIN students_student s ON s.id = {sid}",
        )
        contract = {
            "student_id": "s.id",
            "consultant_id": self.uid("consultant", "s.campus_id", f"s.id % {self.cpc}"),
            "subjects": f"{pick(SUBJECTS, 's.id')} || '、' || {pick(SUBJECTS, 's.id + 1')}",
            "hours": "60 + (s.id % 5) * 15",
            "unit_price": "200 + (s.id % 4) * 50",
            "amount": "(60 + (s.id % 5) * 15) * (200 + (s.id % 4) * 50)",
        }
        signed = "s.created_at - interval '1 day'"
        self.insert(
            Contract,
            {
                **contract,
                "id": "s.id",
                "number": "'BP-' || lpad(s.id::text, 7, '0')",
                "signed_at": signed,
                "created_at": signed,
            },
            "students_student s",
        )
        renewed = f"s.created_at + ({NOW} - s.created_at) / 2"
        self.insert(
            Contract,
            {
                **contract,
                "id": f"{S} + s.id",
                "number": "'BP-R' || lpad(s.id::text, 7, '0')",
                "signed_at": renewed,
                "created_at": renewed,
            },
            "students_student s WHERE s.id % 10 BETWEEN 1 AND 3 AND s.status <> 'onboarding'",
            label="students.Contract (renewals)",
        )
        # The handover of each assigned student: done, or at a stage of its own while onboarding.
        st = "x.stage"
        self.insert(
            Handover,
            {
                "id": "x.id",
                "contract_id": "x.id",
                "student_id": "x.id",
                "campus_id": "x.campus_id",
                "manager_id": "x.manager_id",
                "consultant_id": "x.consultant_id",
                "created_at": "x.t",
                "received_at": f"CASE WHEN {st} >= 1 THEN x.t + interval '3 hours' END",
                "review": f"CASE WHEN {st} >= 1 THEN "
                """'{"student_data": true, "contract": true, "consultation_report": true}'::jsonb"""
                " ELSE '{}'::jsonb END",
                "intro_call_at": f"CASE WHEN {st} >= 2 THEN x.t + interval '5 hours' END",
                "intro_call_notes": when(f"{st} >= 2", "'家长介绍了孩子的性格和学习习惯。'", "''"),
                "consultant_talk_at": f"CASE WHEN {st} >= 3 THEN x.t + interval '6 hours' END",
                "consultant_talk_notes": when(f"{st} >= 3", "'与咨询师确认了排课和纸质档案交接。'", "''"),
                "paper_handover_at": f"CASE WHEN {st} >= 3 THEN x.t + interval '1 day' END",
                "lesson_arrangement": f"CASE WHEN {st} >= 3 THEN '每周一次，周六上午' ELSE '' END",
                "paper_checked_at": f"CASE WHEN {st} >= 4 THEN x.t + interval '1 day 1 hour' END",
                "manager_signed_at": f"CASE WHEN {st} >= 5 THEN x.t + interval '1 day 2 hours' END",
                "consultant_signed_at": f"CASE WHEN {st} >= 5 THEN x.t + interval '1 day 2 hours' END",
            },
            "(SELECT s.id, s.campus_id, s.manager_id, c.consultant_id, c.signed_at + interval '1 hour' AS t,"
            " CASE WHEN s.status = 'onboarding' THEN s.id % 5 ELSE 5 END AS stage"
            " FROM students_student s JOIN students_contract c ON c.id = s.id"
            " WHERE s.manager_id IS NOT NULL) x",
        )
        self.insert(
            PaperItem,
            {
                "handover_id": "h.id",
                "name": "i.name",
                "present": "h.manager_signed_at IS NOT NULL OR i.n <> 2",
                "promised_on": f"CASE WHEN h.manager_signed_at IS NULL AND i.n = 2 "
                f"THEN ({NOW} AT TIME ZONE {TZ})::date + 3 END",
                "received_at": when("h.manager_signed_at IS NOT NULL OR i.n <> 2", "h.paper_checked_at"),
            },
            f"handover_handover h CROSS JOIN unnest({text_array(PAPER_ITEMS)}) WITH ORDINALITY AS i(name, n)"
            " WHERE h.paper_checked_at IS NOT NULL",
        )
        self.lessons()

    def lessons(self) -> None:
        """Each student's lessons a week apart at a teaching time of the campus (weekday evenings,
        weekend days): the active ones four weeks ahead, the finished ones all past, the new ones from
        next week. Lesson id g is the (g-1) // S -th lesson of student 1 + (g-1) % S, so the first
        lesson of student s is lesson s."""
        S, L, NOW = self.sizes.students, self.sizes.lessons, self.NOW
        sid, j = self.per_student(L)
        n = f"({L // S} + (s.id <= {L % S})::int)"
        week = (
            f"CASE WHEN s.status IN ('active', 'paused') THEN {j} - ({n} - 5) "
            f"WHEN s.status = 'onboarding' THEN {j} + 1 ELSE {j} - {n} - (s.id % 20) - 2 END"
        )
        # The student's slot: Monday to Friday 18:00, Saturday 9:00 and 13:30, Sunday 16:00.
        day = "(ARRAY[0, 1, 2, 3, 4, 5, 5, 6])[1 + s.id % 8]"
        minute = "(ARRAY[1080, 1080, 1080, 1080, 1080, 540, 810, 960])[1 + s.id % 8]"
        teacher_slot = f"((s.id + ({j} % 2) * 7) % {self.tpc})"
        starts = (
            f"(({self.WEEK0} + make_interval(weeks => ({week})::int, days => {day}, mins => {minute}))"
            f" AT TIME ZONE {TZ})"
        )
        self.insert(
            Lesson,
            {
                "id": "x.g",
                "student_id": "x.sid",
                "starts_at": "x.starts",
                "ends_at": "x.starts + interval '2 hours'",
                "subject": "x.subject",
                "teacher_id": "x.teacher",
                "classroom": "x.room",
                "hours": "2",
                "status": f"CASE WHEN x.starts >= {NOW} THEN 'scheduled' WHEN x.g % 29 = 0 THEN 'absent' "
                "WHEN x.g % 53 = 0 THEN 'cancelled' ELSE 'done' END",
            },
            f"(SELECT g, s.id AS sid, {starts} AS starts, {pick(SUBJECTS, f's.id + {j} % 2')} AS subject,"
            f" {self.uid('teacher', 's.campus_id', teacher_slot)} AS teacher,"
            f" (301 + {teacher_slot})::text AS room"
            f" FROM generate_series(1, {L}) g JOIN students_student s ON s.id = {sid}) x",
        )
        done = "s.status <> 'onboarding'"
        self.insert(
            PreClass,
            {
                "student_id": "s.id",
                "first_lesson_id": "s.id",
                "created_at": "h.created_at + interval '1 day'",
                "talk_at": f"CASE WHEN {done} OR s.id % 3 > 0 THEN l.starts_at - interval '20 hours' END",
                "talk_notes": when(f"{done} OR s.id % 3 > 0", "'和咨询师、老师沟通了孩子的情况。'", "''"),
                "parent_told_at": when(f"{done} OR s.id % 3 = 2", "l.starts_at - interval '2 days'"),
                "parent_channel": f"CASE WHEN {done} OR s.id % 3 = 2 THEN 'phone' ELSE '' END",
                "documents_ready_at": f"CASE WHEN {done} THEN l.starts_at - interval '2 days' END",
            },
            "students_student s JOIN handover_handover h ON h.id = s.id"
            " JOIN students_lesson l ON l.id = s.id",
        )

    # Callbacks, scores, growth records, concerns, documents, renewals, talks after lessons, exams.

    def follow_up(self) -> None:
        self.say("Follow-up:")
        S, NOW = self.sizes.students, self.NOW
        staff = self.staff_of("s.campus_id", "s.manager_id")
        total = self.sizes.callbacks
        sid, k = self.per_student(total)
        n = math.ceil(total / S)
        at = self.spread(k, n)
        self.insert(
            Callback,
            {
                "student_id": "s.id",
                "with_whom": "CASE g % 10 WHEN 0 THEN 'student' WHEN 1 THEN 'teacher' ELSE 'parent' END",
                "channel": "(ARRAY['phone', 'wechat', 'in_person'])[1 + g % 3]",
                "at": at,
                "summary": pick(CALLBACK_SUMMARIES, "g"),
                "concerns": f"CASE WHEN g % 4 = 0 THEN {pick(TEXTS, 'g / 4')} ELSE '' END",
                "next_steps": pick(TEXTS, "g + 1"),
                "created_by_id": staff,
                "created_at": at,
            },
            f"generate_series(1, {total}) g JOIN students_student s ON s.id = {sid}",
        )
        total = 4 * S
        sid, k = self.per_student(total)
        self.insert(
            ExamScore,
            {
                "student_id": "s.id",
                "kind": "(ARRAY['monthly', 'monthly', 'midterm', 'final'])[1 + g % 4]",
                "subject": pick(SUBJECTS, "g"),
                "score": "60 + g::bigint * 13 % 41",
                "class_rank": "1 + g % 40",
                "exam_date": f"({self.spread(k, 4)} AT TIME ZONE {TZ})::date",
                "analysis": pick(TEXTS, "g"),
                "created_by_id": staff,
                "created_at": self.spread(k, 4),
            },
            f"generate_series(1, {total}) g JOIN students_student s ON s.id = {sid}",
        )
        total = 6 * S
        sid, k = self.per_student(total)
        month = f"({NOW} - make_interval(months => ({k})::int))"
        self.insert(
            GrowthRecord,
            {
                "student_id": "s.id",
                "month": f"date_trunc('month', {month} AT TIME ZONE {TZ})::date",
                "text": "'这个月能主动整理错题，课堂发言更积极。'",
                "created_by_id": staff,
                "created_at": month,
            },
            f"generate_series(1, {total}) g JOIN students_student s ON s.id = {sid}",
        )
        handled = "s.id % 10 <> 0 AND s.manager_id IS NOT NULL"
        self.insert(
            Concern,
            {
                "student_id": "s.id",
                "kind": "(ARRAY['mood', 'scores', 'habits', 'other'])[1 + s.id % 4]",
                "description": "'最近上课注意力不集中，作业拖延。'",
                "raised_by_id": self.uid("teacher", "s.campus_id", f"s.id % {self.tpc}"),
                "raised_at": f"{NOW} - make_interval(days => (s.id % 60)::int)",
                "analysis": f"CASE WHEN {handled} THEN '和老师分析：近期学校考试多，压力大。' ELSE '' END",
                "parent_advice": f"CASE WHEN {handled} THEN '建议家长固定作息时间。' ELSE '' END",
                "student_talk": f"CASE WHEN {handled} THEN '和学生约定每天先完成作业。' ELSE '' END",
                "handled_by_id": f"CASE WHEN {handled} THEN s.manager_id END",
                "handled_at": f"CASE WHEN {handled} THEN {NOW} - make_interval(days => (s.id % 60)::int) "
                "+ interval '1 day' END",
            },
            "students_student s WHERE s.id % 2 = 0",
        )
        total = 5 * S
        sid, k = self.per_student(total)
        kind = pick(DOCUMENT_KINDS, k)
        uploaded = self.spread(k, 5)
        teacher_doc = f"{kind} IN ('teaching_plan', 'lesson_record')"
        self.insert(
            Document,
            {
                "student_id": "s.id",
                "kind": kind,
                "file": "'documents/bench/' || g || '.pdf'",
                "uploaded_by_id": when(
                    teacher_doc, self.uid("teacher", "s.campus_id", f"s.id % {self.tpc}"), staff
                ),
                "uploaded_at": uploaded,
                "given_to_parent_on": when(
                    f"{kind} IN ('course_schedule', 'tutoring_draft', 'tutoring_plan', 'stage_summary')",
                    f"({uploaded} AT TIME ZONE {TZ})::date",
                ),
                "filed_by_id": f"CASE WHEN {teacher_doc} THEN {staff} END",
                "filed_at": f"CASE WHEN {teacher_doc} THEN {uploaded} + interval '2 hours' END",
            },
            f"generate_series(1, {total}) g JOIN students_student s ON s.id = {sid}",
        )
        self.insert(
            Renewal,
            {
                "student_id": "s.id",
                "outcome": "CASE WHEN s.id % 10 BETWEEN 1 AND 3 THEN 'renewed'"
                " WHEN s.id % 10 = 5 THEN 'declined' ELSE 'undecided' END",
                "contract_id": f"CASE WHEN s.id % 10 BETWEEN 1 AND 3 THEN {S} + s.id END",
                "loss_reason": "CASE WHEN s.id % 10 = 5 THEN 'relationship' ELSE '' END",
                "note": "'家长说考虑一下下学期的安排。'",
                "recorded_by_id": "s.manager_id",
                "recorded_at": f"s.created_at + ({NOW} - s.created_at) / 2",
            },
            "students_student s WHERE s.manager_id IS NOT NULL AND s.status <> 'onboarding' AND"
            " (s.id % 10 BETWEEN 1 AND 3 OR (s.id % 10 = 5 AND s.status = 'ended')"
            " OR (s.id % 10 = 6 AND s.status = 'active'))",
        )
        self.insert(
            AbsenceReason,
            {
                "lesson_id": "l.id",
                "reason": "'学校临时加课。'",
                "recorded_by_id": staff,
                "recorded_at": "l.ends_at + interval '1 day'",
            },
            "students_lesson l JOIN students_student s ON s.id = l.student_id"
            " WHERE l.status = 'absent' AND l.id % 2 = 0",
        )
        self.insert(
            LessonTalk,
            {
                "lesson_id": "l.id",
                "teacher_notes": "'课堂状态不错，练习正确率提高。'",
                "student_notes": "'觉得今天的内容能听懂。'",
                "parent_notes": "'已向家长反馈本次课情况。'",
                "recorded_by_id": "s.manager_id",
                "recorded_at": "l.ends_at + interval '2 hours'",
            },
            "students_lesson l JOIN students_student s ON s.id = l.student_id"
            " WHERE l.status = 'done' AND l.id % 4 = 0 AND s.manager_id IS NOT NULL",
        )
        E = EXAMS_PER_CAMPUS
        self.insert(
            Exam,
            {
                "id": f"(c - 1) * {E} + e + 1",
                "campus_id": "c",
                "school": pick(SCHOOLS, "e"),
                "grades": f"jsonb_build_array({pick(GRADES, 'e')})",
                "kind": "(ARRAY['monthly', 'monthly', 'midterm', 'final'])[1 + e % 4]",
                "date": f"({NOW} AT TIME ZONE {TZ})::date - e * 6",
                "created_by_id": self.uid("director", "c"),
                "created_at": f"{NOW} - make_interval(days => (e * 6)::int)",
            },
            f"generate_series(1, {self.sizes.campuses}) c CROSS JOIN generate_series(0, {E - 1}) e",
        )
        self.insert(
            ExamSitting,
            {"exam_id": f"(s.campus_id - 1) * {E} + (s.id + v.o) % {E} + 1", "student_id": "s.id"},
            "students_student s CROSS JOIN (VALUES (0), (7)) AS v(o)",
        )

    # The clocks and the inbox.

    def deadlines(self, base: str, *, label: str) -> int:
        """Active deadlines from `base`, a SELECT of rule, subject_type_id, subject_id, occurrence,
        campus_id, owner_id, student_id and seed (a number that spreads the status and the due times):
        a sixth late (of which a quarter escalated), the rest due within three weeks."""
        NOW = self.NOW
        mixed = "(b.seed::bigint * 2654435761 % 4294967291)"  # spreads ids that share a pattern
        h = f"({mixed} % 100)"
        source = (
            f"(SELECT b.*, CASE WHEN {h} < 15 THEN 'overdue' WHEN {h} < 20 THEN 'escalated' ELSE 'open' END"
            f" AS st, CASE WHEN {h} < 20 THEN {NOW} - make_interval(mins => (1 + {mixed} % 14400)::int)"
            f" ELSE {NOW} + make_interval(mins => (1 + {mixed} % 30240)::int) END AS due"
            f" FROM ({base}) b) d"
        )
        return self.insert(
            Deadline,
            {
                "rule": "d.rule",
                "subject_type_id": "d.subject_type_id",
                "subject_id": "d.subject_id",
                "occurrence": "d.occurrence",
                "campus_id": "d.campus_id",
                "owner_id": "d.owner_id",
                "student_id": "d.student_id",
                # A week before the due time, or (a clock due later) some time in the last fortnight:
                # never in the future, which would count as reached today in the reports.
                "opened_at": "LEAST(d.due - interval '7 days', "
                f"{NOW} - make_interval(mins => (d.seed % 20160)::int))",
                "due_at": "d.due",
                "remind_at": "CASE WHEN d.st = 'open' THEN d.due - interval '1 day' END",
                "reminded_at": f"CASE WHEN d.st = 'open' AND d.due - interval '1 day' <= {NOW} "
                "THEN d.due - interval '1 day' END",
                "escalate_at": "d.due + "
                + when("d.st = 'escalated'", "interval '2 days'", "interval '1 day'"),
                "escalation_level": "CASE WHEN d.st = 'escalated' THEN 1 ELSE 0 END",
                "status": "d.st",
                "overdue_at": "CASE WHEN d.st <> 'open' THEN d.due END",
            },
            source,
            label=label,
        )

    def clocks(self) -> None:
        self.say("Deadlines and notifications:")
        S, L = self.sizes.students, self.sizes.lessons
        ct_student, ct_handover = self.ct(Student), self.ct(Handover)
        self.execute("DROP TABLE IF EXISTS bench_assigned")
        self.execute(
            "CREATE TEMP TABLE bench_assigned AS SELECT row_number() OVER (ORDER BY id) AS n, id, campus_id,"
            " manager_id FROM students_student WHERE manager_id IS NOT NULL"
        )
        self.execute("ALTER TABLE bench_assigned ADD PRIMARY KEY (n)")
        assigned = self.scalar("SELECT count(*) FROM bench_assigned")
        written = 0
        # The handovers still running: H1 until the file is received, then H3 and H4.
        for rule, condition in (
            ("H1", "h.received_at IS NULL"),
            ("H3", "h.received_at IS NOT NULL AND h.intro_call_at IS NULL"),
            ("H4", "h.received_at IS NOT NULL AND h.consultant_talk_at IS NULL"),
        ):
            written += self.deadlines(
                f"SELECT '{rule}' AS rule, {ct_handover} AS subject_type_id, h.id AS subject_id,"
                " 1 AS occurrence, h.campus_id, h.manager_id AS owner_id, h.student_id, h.id AS seed"
                f" FROM handover_handover h WHERE {condition}",
                label=f"deadlines.Deadline ({rule})",
            )
        # L3: the talk after the last lesson, for a quarter of the students being taught.
        last = f"s.id + ({L // S} + (s.id <= {L % S})::int - 6) * {S}"
        written += self.deadlines(
            f"SELECT 'L3' AS rule, {self.ct(Lesson)} AS subject_type_id, {last} AS subject_id,"
            " 1 AS occurrence, s.campus_id, s.manager_id AS owner_id, s.id AS student_id, s.id AS seed"
            f" FROM students_student s WHERE s.status = 'active' AND s.id % 4 = 0 AND {L // S} >= 6",
            label="deadlines.Deadline (L3)",
        )
        # L5: the scores of the last two exams of each campus.
        written += self.deadlines(
            f"SELECT 'L5' AS rule, {self.ct(ExamSitting)} AS subject_type_id, x.id AS subject_id,"
            " 1 AS occurrence, s.campus_id, s.manager_id AS owner_id, s.id AS student_id, x.id AS seed"
            " FROM followups_examsitting x JOIN followups_exam e ON e.id = x.exam_id"
            f" JOIN students_student s ON s.id = x.student_id"
            f" WHERE (e.id - 1) % {EXAMS_PER_CAMPUS} < 2 AND s.manager_id IS NOT NULL",
            label="deadlines.Deadline (L5)",
        )
        written += self.case_deadlines()
        # The rest: the clocks of the student's file and follow-up (L4, L6, R1, F1-F3, L1, L2).
        rest = max(0, self.sizes.deadlines - written)
        rules = len(STUDENT_RULES)
        k = f"((g - 1) / {assigned})"
        self.deadlines(
            f"SELECT {pick(STUDENT_RULES, k)} AS rule, {ct_student} AS subject_type_id, a.id AS subject_id,"
            f" {k} / {rules} + 1 AS occurrence, a.campus_id, a.manager_id AS owner_id, a.id AS student_id,"
            f" g AS seed FROM generate_series(1, {rest}) g"
            f" JOIN bench_assigned a ON a.n = 1 + (g - 1) % {assigned}",
            label="deadlines.Deadline (file)",
        )
        # Closed clocks, twice as many: met (a tenth of them late) over the last year.
        closed = 2 * self.sizes.deadlines
        due = f"{self.NOW} - make_interval(mins => (1 + g::bigint * 7919 % 525600)::int)"
        self.insert(
            Deadline,
            {
                "rule": pick(STUDENT_RULES, k),
                "subject_type_id": str(ct_student),
                "subject_id": "a.id",
                "occurrence": f"1000 + {k}",
                "campus_id": "a.campus_id",
                "owner_id": "a.manager_id",
                "student_id": "a.id",
                "opened_at": f"{due} - interval '7 days'",
                "due_at": due,
                "status": "CASE WHEN g % 10 = 0 THEN 'met_late' ELSE 'met' END",
                "overdue_at": f"CASE WHEN g % 10 = 0 THEN {due} END",
                "closed_at": f"{due} + " + when("g % 10 = 0", "interval '1 day'", "interval '-1 hour'"),
                "closed_by_id": "a.manager_id",
            },
            f"generate_series(1, {closed}) g JOIN bench_assigned a ON a.n = 1 + (g - 1) % {assigned}",
            label="deadlines.Deadline (closed)",
        )
        active = "d.status IN ('open', 'overdue', 'escalated')"
        notice = {"recipient_id": "d.owner_id", "deadline_id": "d.id", "round": "0"}
        self.insert(
            Notification,
            {
                **notice,
                "kind": "'opened'",
                "created_at": "d.opened_at",
                "deliver_after": "d.opened_at",
                "read_at": "CASE WHEN d.id % 10 < 7 THEN d.opened_at + interval '1 hour' END",
            },
            f"deadlines_deadline d WHERE {active}",
            label="deadlines.Notification (new)",
        )
        self.insert(
            Notification,
            {
                **notice,
                "kind": "'overdue'",
                "created_at": "d.overdue_at",
                "deliver_after": "d.overdue_at",
                "read_at": "CASE WHEN d.id % 2 = 0 THEN d.overdue_at + interval '1 hour' END",
            },
            "deadlines_deadline d WHERE d.status IN ('overdue', 'escalated')",
            label="deadlines.Notification (late)",
        )
        self.insert(
            Notification,
            {
                **notice,
                "recipient_id": "t.supervisor_id",
                "kind": "'escalated_1'",
                "created_at": "d.overdue_at + interval '1 day'",
                "deliver_after": "d.overdue_at + interval '1 day'",
            },
            "deadlines_deadline d JOIN accounts_user u ON u.id = d.owner_id"
            " JOIN accounts_team t ON t.id = u.team_id"
            " WHERE d.status = 'escalated' AND t.supervisor_id IS NOT NULL",
            label="deadlines.Notification (up)",
        )

    # Retention cases and refunds.

    # Each case's stage and outcome in turn: a third open, the rest closed; every kind within the first 5.
    STAGES = [
        ("warning", ""), ("rescue", ""), ("report", ""), ("responsibility", "lost"), ("closed", "lost"),
        ("closed", "retained"), ("closed", "stabilised"), ("closed", "retained"), ("closed", "lost"),
        ("closed", "stabilised"), ("closed", "retained"), ("closed", "stabilised"),
    ]  # fmt: skip

    def retention(self) -> None:
        """A case for one assigned student in 20: a third open (at each stage in turn), the rest closed
        (stabilised, retained or lost)."""
        NOW, step = self.NOW, "(s.id / 20)"
        stage = pick([stage for stage, _outcome in self.STAGES], step)
        outcome = pick([outcome for _stage, outcome in self.STAGES], step)
        raised = f"{NOW} - make_interval(days => (2 + {step} % 90)::int)"
        later = f"CASE WHEN {stage} IN ('responsibility', 'closed') THEN {raised} + interval '10 days' END"
        self.insert(
            Case,
            {
                "id": "s.id",
                "student_id": "s.id",
                "campus_id": "s.campus_id",
                "manager_id": "s.manager_id",
                "stage": stage,
                "outcome": outcome,
                "source": "(ARRAY['manager', 'teacher', 'consultant'])[1 + s.id % 3]",
                "description": "'家长电话里提到想退费，对最近的成绩不满意。'",
                "raised_by_id": "s.manager_id",
                "raised_at": raised,
                "facts": "'老师反馈孩子最近作业完成情况一般。'",
                "parent_talk": when(f"{stage} <> 'warning'", "'与家长面谈，家长仍有顾虑。'", "''"),
                "kind": f"CASE WHEN {stage} <> 'warning' THEN "
                "(ARRAY['complaint', 'instability', 'refund_intent'])[1 + s.id % 3] ELSE '' END",
                "reasons": f"CASE WHEN ({outcome}) IN ('retained', 'lost') "
                """THEN '["rel_feedback", "work_callbacks"]'::jsonb ELSE '[]'::jsonb END""",
                "closed_at": f"CASE WHEN {stage} = 'closed' THEN {raised} + interval '12 days' END",
                "outcome_at": later,
            },
            "students_student s WHERE s.manager_id IS NOT NULL AND s.id % 20 = 7",
        )
        ct_case = self.ct(Case)
        staff = self.staff_of("c.campus_id", "c.manager_id")
        self.insert(
            Event,
            {
                "at": "c.raised_at + make_interval(days => i.n::int)",
                "actor_id": staff,
                "kind": "i.kind",
                "subject_type_id": str(ct_case),
                "subject_id": "c.id",
                "campus_id": "c.campus_id",
                "student_id": "c.student_id",
                "to_state": "c.stage",
            },
            f"retention_case c CROSS JOIN unnest({text_array(CASE_EVENTS)}) WITH ORDINALITY AS i(kind, n)",
            label="timeline.Event (cases)",
        )

    def case_deadlines(self) -> int:
        ct_case = self.ct(Case)
        owner = {
            "warning": "c.manager_id",
            "rescue": self.supervisor_of("c.campus_id", "c.manager_id"),
            "report": self.supervisor_of("c.campus_id", "c.manager_id"),
            "responsibility": self.uid("director", "c.campus_id"),
        }
        written = 0
        for (stage, who), rule in zip(owner.items(), ("E1", "E2", "E3", "E4"), strict=True):
            written += self.deadlines(
                f"SELECT '{rule}' AS rule, {ct_case} AS subject_type_id, c.id AS subject_id, 1 AS occurrence,"
                f" c.campus_id, {who} AS owner_id, c.student_id, c.id AS seed FROM retention_case c"
                f" WHERE c.stage = '{stage}'",
                label=f"deadlines.Deadline ({rule})",
            )
        return written

    def refunds(self) -> None:
        self.say("Refunds:")
        # In turn (c.n numbers the lost cases): at finance, at the president, approved, paid, at the director.
        status = "(ARRAY['approving', 'approving', 'approving', 'approved', 'paid'])[1 + c.n % 5]"
        step = "CASE WHEN c.n % 5 < 3 THEN c.n % 5 ELSE 0 END"
        self.insert(
            Refund,
            {
                "id": "c.id",
                "case_id": "c.id",
                "student_id": "c.student_id",
                "campus_id": "c.campus_id",
                "applicant": "left(s.full_name, 1) || '女士'",
                "applied_on": f"(c.outcome_at AT TIME ZONE {TZ})::date",
                "reason": "'孩子成绩没有明显提高，家长决定退费。'",
                "scan": "'refunds/bench/application.pdf'",
                "hours_bought": "80",
                "hours_used": "30",
                "unit_price": "300",
                "amount_paid": "24000",
                "amount": "15000",
                "status": status,
                "chain": f"{lit(json.dumps(CHAIN))}::jsonb",
                "step": step,
                "waiting_role": f"CASE WHEN c.n % 5 < 3 THEN {pick(CHAIN, step)} ELSE '' END",
                "submitted_by_id": self.supervisor_of("c.campus_id", "c.manager_id"),
                "submitted_at": "c.outcome_at + interval '1 day'",
                "paid_on": f"CASE WHEN c.n % 5 = 4 THEN (c.outcome_at AT TIME ZONE {TZ})::date + 7 END",
            },
            "(SELECT c.*, row_number() OVER (ORDER BY c.id) AS n FROM retention_case c"
            " WHERE c.outcome = 'lost') c"
            " JOIN students_student s ON s.id = c.student_id",
        )
        self.insert(
            Approval,
            {
                "refund_id": "r.id",
                "step": "i",
                "role": pick(CHAIN, "i"),
                "decision": "'approved'",
                "by_id": f"CASE i WHEN 0 THEN {self.uid('director', 'r.campus_id')} WHEN 1 THEN 1 ELSE 2 END",
                "at": "r.submitted_at + make_interval(days => (i + 1)::int)",
            },
            "refunds_refund r CROSS JOIN generate_series(0, 2) i"
            " WHERE i < CASE WHEN r.status IN ('approved', 'paid') THEN 3 ELSE r.step END",
        )
        self.insert(
            Event,
            {
                "at": "r.submitted_at",
                "actor_id": "r.submitted_by_id",
                "kind": "'refund.submitted'",
                "subject_type_id": str(self.ct(Refund)),
                "subject_id": "r.id",
                "campus_id": "r.campus_id",
                "student_id": "r.student_id",
                "to_state": "'approving'",
            },
            "refunds_refund r",
            label="timeline.Event (refunds)",
        )

    # The timeline, the access log, the weekend timetables.

    def records(self) -> None:
        self.say("Timeline and access log:")
        S, NOW = self.sizes.students, self.NOW
        total = self.sizes.events
        sid, k = self.per_student(total)
        n = math.ceil(total / S)
        kinds = [kind for kind, _about in EVENT_KINDS]
        about = "(" + lit([a for _kind, a in EVENT_KINDS]) + f"::int[])[1 + x.k % {len(EVENT_KINDS)}]"
        ct_student, ct_lesson, ct_handover = self.ct(Student), self.ct(Lesson), self.ct(Handover)
        self.insert(
            Event,
            {
                "at": self.spread("x.k", n, "x.created_at"),
                "actor_id": when(
                    "x.kind = 'deadline.overdue'", "NULL", self.staff_of("x.campus_id", "x.manager_id")
                ),
                "kind": "x.kind",
                "subject_type_id": f"CASE {about} WHEN 1 THEN {ct_lesson} WHEN 2 THEN "
                f"{when('x.manager_id IS NULL', ct_student, ct_handover)} ELSE {ct_student} END",
                "subject_id": "x.id",
                "campus_id": "x.campus_id",
                "student_id": "x.id",
                "data": when(
                    "x.kind LIKE 'deadline.%'",
                    f"jsonb_build_object('rule', {pick(STUDENT_RULES, 'x.k')})",
                    "'{}'::jsonb",
                ),
            },
            f"(SELECT s.id, s.campus_id, s.manager_id, s.created_at, {k} AS k, {pick(kinds, k)} AS kind"
            f" FROM generate_series(1, {total}) g JOIN students_student s ON s.id = {sid}) x",
        )
        total = 10 * S
        sid, _k = self.per_student(total)
        self.insert(
            Access,
            {
                "at": f"{NOW} - make_interval(mins => (g::bigint * 7919 % 525600)::int)",
                "actor_id": f"COALESCE(s.manager_id, {self.uid('director', 's.campus_id')})",
                "action": "CASE WHEN g % 10 = 0 THEN 'phone' ELSE 'file' END",
                "campus_id": "s.campus_id",
                "student_id": "s.id",
            },
            f"generate_series(1, {total}) g JOIN students_student s ON s.id = {sid}",
        )
        saturday = f"({self.WEEK0}::date + 5 - 7 * w)"
        self.insert(
            WeekendTimetable,
            {
                "manager_id": "u.id",
                "saturday": saturday,
                "confirmed_at": f"CASE WHEN w > 0 THEN ({saturday} - 1 + time '17:00') AT TIME ZONE {TZ} END",
            },
            "accounts_user u CROSS JOIN generate_series(0, 25) w"
            f" WHERE u.role = {lit(Role.LEARNING_MANAGER.value)}",
        )


def eval_uid(company: Company, role: str, campus: int, slot: int = 0) -> int:
    """Company.uid in Python, for the rows written from Python."""
    return company.first + (campus - 1) * company.block + company.offsets[role] + slot


def scopes() -> dict[str, int]:
    """The figures the demo's people see (the realistic scopes of the module's docstring)."""
    from accounts.models import User as U

    def students(username):
        return Student.objects.filter(manager__username=username).count()

    director = U.objects.get(username="director1")
    supervisor = U.objects.get(username="supervisor1")
    return {
        "manager1 students": students("manager1"),
        "supervisor1 managers": U.objects.filter(team__supervisor=supervisor).count(),
        "director1 students": Student.objects.filter(campus_id=director.campus_id).count(),
    }
