"""A teacher or consultant files their own reports and plans but never closes the manager's clocks:
"given to the parent" is the manager's act, with the same date checks on upload as the 已交家长 action."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from deadlines.models import Deadline, Status
from followups.plans import document_given
from students.models import Document
from students.services import document_add


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(student, actor, kind, **values):
    return document_add(
        student=student, actor=actor, kind=kind, file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4"), **values
    )


def status(rule):
    return Deadline.objects.get(rule=rule).status


def test_a_teacher_s_or_consultant_s_upload_meets_no_manager_clock(company, taught):
    given = date(2026, 12, 1)
    plan = upload(taught, company.teacher_a, Document.Kind.TUTORING_PLAN, given_to_parent_on=given)
    upload(taught, company.consultant_a, Document.Kind.COURSE_SCHEDULE, given_to_parent_on=given)
    upload(taught, company.consultant_a, Document.Kind.TUTORING_DRAFT, given_to_parent_on=given)
    upload(taught, company.consultant_a, Document.Kind.MANAGEMENT_PLAN)
    upload(taught, company.teacher_a, Document.Kind.STAGE_SUMMARY, given_to_parent_on=given)
    assert not Document.objects.exclude(given_to_parent_on=None).exists()  # their dates are ignored
    assert [status(rule) for rule in ("L1", "F2", "F3", "L2")] == [Status.OPEN] * 4
    # The manager gives the teacher's plan to the parent: that is what meets F3.
    assert document_given(document=plan, actor=company.manager_a1, on=given)
    assert status("F3") == Status.MET
    # The manager's own plan meets F2 by being filed.
    upload(taught, company.manager_a1, Document.Kind.MANAGEMENT_PLAN)
    assert status("F2") == Status.MET


def test_the_document_form_offers_the_given_date_to_the_manager_only(client, company, taught):
    client.force_login(company.teacher_a)
    assert "given_to_parent_on" not in client.get(f"/students/{taught.pk}/documents/new/").content.decode()
    client.post(
        f"/students/{taught.pk}/documents/new/",
        {
            "kind": "tutoring_plan",
            "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4"),
            "given_to_parent_on": "2026-12-01",  # sent by hand: ignored
        },
    )
    assert Document.objects.get().given_to_parent_on is None
    assert status("F3") == Status.OPEN
    client.force_login(company.manager_a1)
    assert "given_to_parent_on" in client.get(f"/students/{taught.pk}/documents/new/").content.decode()


@pytest.mark.parametrize(
    ("on", "message"),
    [
        ("2026-12-02", "交给家长的日期不能在未来。"),
        ("2026-11-19", "交给家长的日期不能早于学生的第一份合同（2026-11-20）。"),
    ],
)
def test_the_manager_s_upload_has_the_date_checks_of_the_given_action(client, company, taught, on, message):
    client.force_login(company.manager_a1)
    response = client.post(
        f"/students/{taught.pk}/documents/new/",
        {
            "kind": "tutoring_plan",
            "title": "辅导方案",
            "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4"),
            "given_to_parent_on": on,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and message in page and 'value="辅导方案"' in page
    assert not Document.objects.exists()
    assert status("F3") == Status.OPEN
    # The dedicated action refuses the same dates.
    plan = upload(taught, company.manager_a1, Document.Kind.TUTORING_PLAN)
    with pytest.raises(ValidationError) as refused:
        document_given(document=plan, actor=company.manager_a1, on=date.fromisoformat(on))
    assert message in " ".join(refused.value.messages)
