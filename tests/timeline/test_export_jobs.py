"""An export over the sheet's ceiling (config.exports.ROW_CEILING, patched small here) is built by the
worker through the list's own view (timeline.export_jobs): the list answers a progress page, the
same export asked again finds the same job, the worker writes every row of the page's list with
progress, only its user downloads it, each download is logged, and a day later it is deleted."""

import logging
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from config import exports
from config.celery import app
from config.export_worker import export_build_task
from tests.exports import XLSX, column, rows, title, workbook
from tests.students.test_export import page_names
from tests.students.test_list_bounded import NOW, many_students
from timeline import export_jobs
from timeline.models import Access, ExportJob
from timeline.tasks import export_jobs_clean_task

CEILING = 3


@pytest.fixture(autouse=True)
def small_ceiling(monkeypatch, settings, tmp_path, time_machine):
    time_machine.move_to(NOW, tick=False)
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(exports, "ROW_CEILING", CEILING)
    monkeypatch.setattr(exports, "CHUNK", 2)


@pytest.fixture
def students(company):
    return many_students(company, 7, prefix="甲")


def asked(client, user, query=None):
    client.force_login(user)
    return client.get("/students/", {**(query or {}), **XLSX})


def test_a_list_over_the_ceiling_answers_its_job_page_and_one_job_for_two_asks(client, company, students):
    first = asked(client, company.director_a)
    assert first.status_code == 200 and first["Content-Type"].startswith("text/html")
    html = first.content.decode()
    assert "正在生成 Excel…" in html and 'hx-trigger="every 2s"' in html
    again = asked(client, company.director_a)
    job = ExportJob.objects.get()
    assert (first.context["job"], again.context["job"]) == (job, job)
    assert (job.status, job.user, job.address) == ("queued", company.director_a, "/students/?format=xlsx")
    assert job.rows_expected == CEILING + 1  # counted no further than one past the ceiling
    assert not Access.objects.filter(action=Access.Action.EXPORT).exists()  # logged when downloaded
    asked(client, company.director_a, {"status": "active"})
    assert ExportJob.objects.count() == 2  # another address, another export


def test_a_second_running_job_of_the_same_address_is_refused_by_the_database(company):
    fields = {
        "user": company.director_a,
        "address": "/students/?format=xlsx",
        "title": "学生",
        "language": "zh-hans",
    }
    ExportJob.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportJob.objects.create(**fields, status="running")
    ExportJob.objects.create(**fields, status="done")  # a finished one is no obstacle


def test_the_worker_writes_every_row_of_the_page_with_progress(client, company, students, monkeypatch):
    job = asked(client, company.director_a).context["job"]
    seen = []
    told = export_jobs._progress

    def progress(job_id, n):
        told(job_id, n)
        seen.append(ExportJob.objects.values_list("status", "rows_written", "rows_expected").get(pk=job_id))

    monkeypatch.setattr(export_jobs, "_progress", progress)
    assert export_build_task(job.pk) == "done"
    assert seen == [("running", 2, 7), ("running", 4, 7), ("running", 6, 7)]  # the real count
    job.refresh_from_db()
    assert (job.status, job.rows_written, job.finished_at) == ("done", 7, NOW)
    assert job.file.name.startswith(f"exports/{company.director_a.pk}/") and job.file.name.endswith(".xlsx")
    response = client.get(f"/exports/{job.pk}/")
    assert (
        response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('学生_20261202_1000.xlsx')}"
    )
    sheet = workbook(response).active
    assert column(sheet, "学生") == page_names(client, {}) and len(rows(sheet)) == 7  # nothing left out
    assert title(sheet).startswith("学生 · 导出于 2026-12-02 10:00")


def test_the_worker_reads_the_list_in_its_user_s_scope_and_filters(client, company, students):
    many_students(company, 5, prefix="乙", manager=company.manager_b)
    job = asked(client, company.director_b).context["job"]
    export_build_task(job.pk)
    sheet = workbook(client.get(f"/exports/{job.pk}/")).active
    assert sorted(column(sheet, "学生")) == [f"乙{i:04}" for i in range(5)]
    client.force_login(company.director_a)
    job = client.get("/students/", {"q": "甲000", **XLSX}).context["job"]
    export_build_task(job.pk)
    assert column(workbook(client.get(f"/exports/{job.pk}/")).active, "学生") == [
        f"甲{i:04}" for i in range(7)
    ]


def test_only_its_user_downloads_it_and_each_download_is_logged(client, company, students):
    job = asked(client, company.director_a).context["job"]
    export_build_task(job.pk)
    for other in (company.director_b, company.manager_a1, company.admin):
        client.force_login(other)
        assert client.get(f"/exports/{job.pk}/").status_code == 404
    assert client.get("/exports/999999/").status_code == 404
    client.force_login(company.director_a)
    workbook(client.get(f"/exports/{job.pk}/"))
    (entry,) = Access.objects.filter(action=Access.Action.EXPORT)
    assert (entry.actor, entry.campus, entry.detail) == (company.director_a, company.campus_a, "学生")
    workbook(client.get(f"/exports/{job.pk}/"))
    assert Access.objects.filter(action=Access.Action.EXPORT).count() == 2


def test_the_page_shows_the_progress_then_the_link(client, company, students):
    job = asked(client, company.director_a).context["job"]
    ExportJob.objects.filter(pk=job.pk).update(status="running", rows_written=4, rows_expected=8)
    fragment = client.get(f"/exports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.strip().startswith('<div id="progress"') and 'data-width="50"' in fragment
    assert "已写入 4 / 8 行" in fragment and "every 2s" in fragment
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert "<html" in page and 'href="/students/"' in page  # back to the list, not to its export
    ExportJob.objects.filter(pk=job.pk).update(status="done", rows_written=8)
    done = client.get(f"/exports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "every 2s" not in done and f'href="/exports/{job.pk}/">下载 Excel 文件' in done


def test_a_task_delivered_twice_builds_once(client, company, students):
    job = asked(client, company.director_a).context["job"]
    export_build_task(job.pk)
    job.refresh_from_db()
    built = default_storage.open(job.file.name).read()
    assert export_build_task(job.pk) == "done"
    job.refresh_from_db()
    assert default_storage.listdir(f"exports/{company.director_a.pk}")[1] == [job.file.name.rsplit("/")[-1]]
    assert default_storage.open(job.file.name).read() == built
    assert export_build_task(999999) is None  # cleaned meanwhile


def test_the_request_hands_the_job_to_the_worker_once_committed(
    client, company, students, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        asked(client, company.director_a)
    assert len(callbacks) == 1
    assert ExportJob.objects.get().status == "done"  # the eager worker of the tests


def test_a_failure_is_said_and_logged(client, company, students, monkeypatch, caplog):
    job = asked(client, company.director_a).context["job"]

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "workbook_write", broken)
    with caplog.at_level(logging.ERROR, logger="timeline.export_jobs"):
        assert export_build_task(job.pk) == "failed"
    assert "disk full" in caplog.text
    job.refresh_from_db()
    assert job.error == "生成失败，请重试。" and not default_storage.exists(job.file.name)
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert "生成失败，请重试。" in page and 'href="/students/?format=xlsx"' in page
    assert asked(client, company.director_a).context["job"] != job  # asked again: a new job


def test_a_page_that_no_longer_exports_fails_its_job(client, company, students):
    job = asked(client, company.director_a, {"status": "active"}).context["job"]
    ExportJob.objects.filter(pk=job.pk).update(address="/students/?status=nonsense&format=xlsx")
    assert export_build_task(job.pk) == "failed"


def test_a_job_whose_worker_went_silent_fails_and_the_next_ask_starts_anew(client, company, students):
    job = asked(client, company.director_a).context["job"]
    ExportJob.objects.filter(pk=job.pk).update(
        touched_at=NOW - export_jobs.STALE_AFTER - timedelta(seconds=1)
    )
    assert client.get(f"/exports/{job.pk}/").context["job"].status == "failed"
    assert asked(client, company.director_a).context["job"] != job
    assert export_build_task(job.pk) == "failed"  # its late delivery does nothing


def test_the_clean_deletes_the_jobs_and_files_of_more_than_a_day(client, company, students, time_machine):
    old = asked(client, company.director_a).context["job"]
    export_build_task(old.pk)
    old.refresh_from_db()
    time_machine.move_to(NOW + timedelta(hours=20), tick=False)
    recent = asked(client, company.director_a).context["job"]
    recent.file.save("x.xlsx", ContentFile(b"x"), save=True)
    time_machine.move_to(NOW + timedelta(days=1, minutes=1), tick=False)
    assert export_jobs_clean_task() == 1
    assert export_jobs_clean_task() == 0
    assert list(ExportJob.objects.all()) == [recent]
    assert not default_storage.exists(old.file.name) and default_storage.exists(recent.file.name)
    assert client.get(f"/exports/{old.pk}/").status_code == 404


def test_at_the_ceiling_the_workbook_is_the_request_s(client, company, students, monkeypatch):
    monkeypatch.setattr(exports, "ROW_CEILING", 7)
    assert len(rows(workbook(asked(client, company.director_a)).active)) == 7
    assert not ExportJob.objects.exists()
    assert timezone.now() == NOW


def test_the_beat_cleans_hourly_through_a_registered_task(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["export-jobs-clean"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks and entry["schedule"].minute == {50}
