"""A form with a file keeps what was given (config/drafts.py), seen through the document upload: a
form sent back keeps its valid file as a draft, the next submit without a file uses it, a token
that is not the user's own, changed or older than a day is refused, and the hourly cleanup deletes
the drafts older than a day only."""

import os
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from config.celery import app
from config.drafts import DRAFTS, draft_save, draft_token, drafts_clean, drafts_clean_task
from students.forms import DocumentForm
from students.models import Document, Student

SH = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n%plan\n"
REFUSED = "随表单保留的文件已不能使用（保留已超过一天，或不是您上传的）：请重新选择文件。"


@pytest.fixture
def student(company, time_machine, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    time_machine.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=SH), tick=False)
    return Student.objects.create(full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1)


def post(client, student, **values):
    data = {"request_key": str(uuid.uuid4()), "kind": "tutoring_draft", "title": "第一版草案", **values}
    return client.post(f"/students/{student.pk}/documents/new/", data)


def kept_token(client, student) -> str:
    """A document form sent back for its kind (left out), its file kept: the page's token."""
    page = post(client, student, kind="", file=SimpleUploadedFile("辅导草案.pdf", PDF))
    assert set(page.context["form"].errors) == {"kind"}
    assert "已上传：辅导草案.pdf（保留；可重新选择文件替换）" in page.content.decode()
    return page.context["form"]["file_draft"].value()


def test_the_document_form_keeps_its_file_and_the_next_submit_uses_it(client, company, student):
    client.force_login(company.manager_a1)
    token = kept_token(client, student)
    key = str(uuid.uuid4())
    assert post(client, student, file_draft=token, request_key=key).status_code == 302
    assert post(client, student, file_draft=token, request_key=key).status_code == 302  # sent twice
    document = Document.objects.get()
    assert document.file.read() == PDF and "辅导草案" in document.file.name
    assert document.uploaded_by == company.manager_a1


def test_another_user_s_token_is_refused(client, company, student):
    client.force_login(company.manager_a1)
    token = kept_token(client, student)
    client.force_login(company.supervisor_a)  # may add documents to this file too
    page = post(client, student, file_draft=token)
    assert page.context["form"].errors["file"] == [REFUSED]
    assert not Document.objects.exists()


def test_a_token_naming_another_user_s_file_is_refused(client, company, student):
    """Even signed as their own, a token may name the user's own drafts only."""
    theirs = draft_save([SimpleUploadedFile("a.pdf", PDF)], owner_id=company.manager_a2.pk)
    salt = f"config.drafts:{DocumentForm.__module__}.{DocumentForm.__qualname__}.file"
    for path in (theirs[0][0], f"{DRAFTS}/{company.manager_a1.pk}/../{company.manager_a2.pk}/x.pdf"):
        token = draft_token([(path, "a.pdf")], owner_id=company.manager_a1.pk, salt=salt)
        client.force_login(company.manager_a1)
        assert post(client, student, file_draft=token).context["form"].errors["file"] == [REFUSED]
    assert not Document.objects.exists()


def test_a_tampered_token_is_refused(client, company, student):
    client.force_login(company.manager_a1)
    token = kept_token(client, student)
    for tampered in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x" + token, "garbage", "\x00"):
        page = post(client, student, file_draft=tampered)
        assert page.context["form"].errors["file"] == [REFUSED], tampered
    assert not Document.objects.exists()


def test_a_token_from_another_form_is_refused(client, company, student):
    client.force_login(company.manager_a1)
    upload = draft_save([SimpleUploadedFile("a.pdf", PDF)], owner_id=company.manager_a1.pk)
    token = draft_token(
        upload, owner_id=company.manager_a1.pk, salt="config.drafts:refunds.forms.RefundForm.scan"
    )
    assert post(client, student, file_draft=token).context["form"].errors["file"] == [REFUSED]


def test_a_token_older_than_a_day_is_refused(client, company, student, time_machine):
    client.force_login(company.manager_a1)
    token = kept_token(client, student)
    time_machine.shift(timedelta(hours=25))
    client.force_login(company.manager_a1)  # the sign-in of yesterday has expired too
    page = post(client, student, file_draft=token)
    assert page.context["form"].errors["file"] == [REFUSED]
    assert page.context["form"]["file_draft"].value() == ""
    assert post(client, student, file=SimpleUploadedFile("新.pdf", PDF)).status_code == 302  # chosen again


def test_a_new_file_replaces_the_draft(client, company, student):
    client.force_login(company.manager_a1)
    token = kept_token(client, student)
    newer = SimpleUploadedFile("第二版.pdf", b"%PDF-1.4\n%second\n")
    assert post(client, student, file_draft=token, file=newer).status_code == 302
    assert Document.objects.get().file.read() == b"%PDF-1.4\n%second\n"


def test_the_cleanup_deletes_the_drafts_older_than_a_day_only(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old = draft_save([SimpleUploadedFile("old.pdf", PDF), SimpleUploadedFile("old.png", PDF)], owner_id=7)
    new = draft_save([SimpleUploadedFile("new.pdf", PDF)], owner_id=7)
    other = draft_save([SimpleUploadedFile("theirs.pdf", PDF)], owner_id=8)
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    for path, _name in old:
        os.utime(default_storage.path(path), (two_days_ago, two_days_ago))
    assert drafts_clean_task() == 2  # the beat's entry point: a day back from now
    assert not any(default_storage.exists(path) for path, _name in old)
    assert not os.path.exists(os.path.dirname(default_storage.path(old[0][0])))  # its folder too
    assert all(default_storage.exists(path) for path, _name in new + other)
    assert drafts_clean_task() == 0  # run twice: nothing more
    assert drafts_clean(older_than=timezone.now() + timedelta(seconds=1)) == 2
    owners = sorted(default_storage.listdir(DRAFTS)[0])
    assert owners == ["7", "8"] and not any(default_storage.listdir(f"{DRAFTS}/{o}")[0] for o in owners)


def test_the_cleanup_runs_without_any_draft(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert drafts_clean_task() == 0


def test_the_beat_runs_the_cleanup_hourly_through_a_registered_task():
    entry = django_settings.CELERY_BEAT_SCHEDULE["upload-drafts-clean"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
