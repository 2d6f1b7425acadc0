"""The documents of the first weeks (L1, F2, F3, L2), the teacher's papers (F4) and the talk after
each lesson (L3), on the Chinese calendar."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from deadlines.models import Deadline, Status
from followups.callbacks import lesson_talk_record
from followups.plans import document_file, document_given
from students.models import Contract, Document, Lesson, Student
from students.services import document_add, lesson_mark, lessons_schedule

from .conftest import at


def deadline(rule, **filters):
    return Deadline.objects.get(rule=rule, **filters)


def upload(student, actor, kind, **values):
    return document_add(
        student=student, actor=actor, kind=kind, file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4"), **values
    )


@pytest.fixture
def settings_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_20th_lesson_before_the_4th_week_brings_the_tutoring_plan_forward(
    company, time_machine, settings_media
):
    time_machine.move_to(at(2026, 11, 20, 10, 0), tick=False)
    student = Student.objects.create(full_name="钱多多", campus=company.campus_a, manager=company.manager_a1)
    Contract.objects.create(
        student=student,
        number="HD-9",
        signed_at=at(2026, 11, 20, 9, 0),
        consultant=company.consultant_a,
        subjects="数学",
        hours=Decimal(80),
        unit_price=Decimal(200),
        amount=Decimal(16000),
    )
    # Five lessons a day from 1 December: the 20th is on the fourth day, long before the 4th week.
    for day in range(4):
        for slot in range(5):
            start = at(2026, 12, 1 + day, 8 + 2 * slot, 0)
            Lesson.objects.create(
                student=student, starts_at=start, ends_at=start + timedelta(hours=1), subject="数学", hours=1
            )
    first = student.lessons.order_by("starts_at").first()
    time_machine.move_to(at(2026, 12, 1, 9, 5), tick=False)
    lesson_mark(lesson=first, actor=company.manager_a1, status="done")
    assert deadline("F3").due_at == at(2026, 12, 4, 17, 0)  # the 20th lesson's end
    assert deadline("L2").due_at == at(2026, 12, 29, 18, 0)  # the summary keeps the 4th week
    # A missed lesson pushes the 20th lesson back: the plan is due at the new 20th lesson.
    time_machine.move_to(at(2026, 12, 1, 11, 5), tick=False)
    second = student.lessons.order_by("starts_at")[1]
    lesson_mark(lesson=second, actor=company.manager_a1, status="absent")
    moved = deadline("F3")
    assert (moved.due_at, moved.round) == (at(2026, 12, 29, 18, 0), 1)  # no 20th lesson booked now
    # Booking more brings it forward again.
    lessons_schedule(
        student=student,
        actor=company.scheduler_a,
        starts_at=at(2026, 12, 7, 8, 0),
        ends_at=at(2026, 12, 7, 9, 0),
        subject="数学",
        hours=1,
    )
    assert deadline("F3").due_at == at(2026, 12, 7, 9, 0)


def test_documents_meet_their_clocks_only_once_the_parent_has_them(company, taught, settings_media):
    manager = company.manager_a1
    upload(taught, manager, Document.Kind.MANAGEMENT_PLAN)  # the manager's own plan: filing is enough
    assert deadline("F2").status == Status.MET
    plan = upload(taught, manager, Document.Kind.TUTORING_PLAN)
    assert deadline("F3").status == Status.OPEN  # written, not yet with the parent
    with pytest.raises(ValidationError):
        document_given(document=plan, actor=manager, on=date(2026, 12, 2))  # in the future
    assert document_given(document=plan, actor=manager, on=date(2026, 12, 1))
    assert not document_given(document=plan, actor=manager, on=date(2026, 12, 1))  # once
    assert deadline("F3").status == Status.MET
    upload(taught, manager, Document.Kind.COURSE_SCHEDULE, given_to_parent_on=date(2026, 12, 1))
    assert deadline("L1").status == Status.OPEN  # the tutoring draft is still missing
    upload(taught, manager, Document.Kind.TUTORING_DRAFT, given_to_parent_on=date(2026, 12, 1))
    assert deadline("L1").status == Status.MET
    assert deadline("L2").status == Status.OPEN


def test_a_teacher_s_lesson_record_is_filed_by_the_manager_that_working_day(
    company, taught, time_machine, settings_media
):
    record = upload(taught, company.teacher_a, Document.Kind.LESSON_RECORD)
    f4 = deadline("F4", subject_id=record.pk)
    assert f4.due_at == at(2026, 12, 2, 18, 0)  # uploaded after closing: the next working day's end
    with pytest.raises(PermissionDenied):
        document_file(document=record, actor=company.manager_a2)  # not their student
    assert document_file(document=record, actor=company.manager_a1)
    assert not document_file(document=record, actor=company.manager_a1)
    assert deadline("F4", subject_id=record.pk).status == Status.MET
    own = upload(taught, company.manager_a1, Document.Kind.TEACHING_PLAN)
    own.refresh_from_db()
    assert own.filed_at is not None
    assert not Deadline.objects.filter(rule="F4", subject_id=own.pk).exists()


def test_each_lesson_taught_asks_for_a_talk_by_the_next_working_day(company, taught):
    lesson = taught.lessons.get()
    l3 = deadline("L3", subject_id=lesson.pk)
    with pytest.raises(ValidationError) as error:
        lesson_talk_record(
            lesson=lesson, actor=company.manager_a1, teacher_notes="专注", student_notes="", parent_notes=""
        )
    assert set(error.value.message_dict) == {"student_notes", "parent_notes"}
    notes = {"teacher_notes": "专注度好", "student_notes": "觉得函数难", "parent_notes": "家长放心"}
    assert lesson_talk_record(lesson=lesson, actor=company.manager_a1, **notes)
    assert not lesson_talk_record(lesson=lesson, actor=company.manager_a1, **notes)
    l3.refresh_from_db()
    assert l3.status == Status.MET


def test_a_campus_without_post_lesson_talks_opens_none(company, time_machine):
    company.campus_a.post_lesson_talks = False
    company.campus_a.save()
    time_machine.move_to(at(2026, 12, 1, 18, 5), tick=False)
    student = Student.objects.create(full_name="孙悟", campus=company.campus_a, manager=company.manager_a1)
    lesson = Lesson.objects.create(
        student=student,
        starts_at=at(2026, 12, 1, 16, 0),
        ends_at=at(2026, 12, 1, 18, 0),
        subject="数学",
        hours=2,
    )
    lesson_mark(lesson=lesson, actor=company.manager_a1, status="done")
    assert not Deadline.objects.filter(rule="L3").exists()
    assert Deadline.objects.filter(rule="F1").exists()
