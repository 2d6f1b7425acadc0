"""A contract import whose worker died is marked failed after CONTRACT_IMPORT_TIMEOUT: its page stops
polling and says to upload the file again; a worker that is still at it wins the race."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from students import contract_import
from students.contract_import import COLUMNS, contract_import_expire, contract_import_run
from students.models import Contract, ContractImport
from timeline.models import Event

SH = ZoneInfo("Asia/Shanghai")
FILE = "\n".join(
    [
        ",".join(COLUMNS),
        "HD-1,2026-11-30 10:00,赵一鸣,男,海淀实验中学,初二,赵爸爸,父亲,138 1234 5678,数学,60,220,13200",
    ]
)


def job_of(company, status, age: timedelta) -> ContractImport:
    job = ContractImport.objects.create(created_by=company.consultant_a, file_name="c.csv", text=FILE)
    ContractImport.objects.filter(pk=job.pk).update(status=status, created_at=job.created_at - age)
    job.refresh_from_db()
    return job


@pytest.fixture
def now(time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=SH), tick=False)


def test_a_job_whose_worker_died_fails_and_its_page_says_what_to_do(client, company, now, settings):
    settings.CONTRACT_IMPORT_TIMEOUT = timedelta(minutes=15)
    client.force_login(company.consultant_a)
    stuck = job_of(company, ContractImport.Status.CHECKING, timedelta(minutes=16))
    page = client.get(f"/students/import/{stuck.pk}/", headers={"HX-Request": "true"}).content.decode()
    stuck.refresh_from_db()
    assert stuck.status == ContractImport.Status.FAILED
    assert "hx-trigger" not in page  # the page stops polling
    assert "导入未能完成" in page and "重新开始导入" in page and "/students/import/" in page
    # A redelivered task finds the job given up on and imports nothing.
    assert contract_import_run(job_id=stuck.pk).status == ContractImport.Status.FAILED
    assert not Contract.objects.exists()


def test_a_job_within_the_time_keeps_running_and_polling(client, company, now, settings):
    settings.CONTRACT_IMPORT_TIMEOUT = timedelta(minutes=15)
    client.force_login(company.consultant_a)
    waiting = job_of(company, ContractImport.Status.PENDING, timedelta(minutes=14))
    page = client.get(f"/students/import/{waiting.pk}/", headers={"HX-Request": "true"}).content.decode()
    waiting.refresh_from_db()
    assert waiting.status == ContractImport.Status.PENDING and 'hx-trigger="every 1s"' in page
    # Given up on while waiting for a worker: the worker that comes later imports nothing.
    with_time = job_of(company, ContractImport.Status.PENDING, timedelta(minutes=20))
    assert contract_import_expire(job=with_time)
    assert contract_import_run(job_id=with_time.pk).status == ContractImport.Status.FAILED
    assert not Contract.objects.exists()
    # A finished job is left as it is.
    done = job_of(company, ContractImport.Status.DONE, timedelta(hours=2))
    assert not contract_import_expire(job=done)


@pytest.mark.django_db(transaction=True)
def test_the_page_does_not_fail_a_job_its_worker_is_importing(company, monkeypatch, settings):
    """The page's check runs (in another connection) while the worker imports: the worker wins."""
    settings.CONTRACT_IMPORT_TIMEOUT = timedelta(minutes=15)
    job = job_of(company, ContractImport.Status.PENDING, timedelta(hours=1))
    assert contract_import_run(job_id=job.pk).status == ContractImport.Status.READY
    # Confirmed half an hour ago, and only now taken up by a worker (a slow queue).
    confirmed = job.created_at + timedelta(minutes=30)
    ContractImport.objects.filter(pk=job.pk).update(
        status=ContractImport.Status.IMPORTING, confirmed_at=confirmed
    )
    sign, seen = contract_import.contract_sign, {}

    def page_checks_meanwhile():
        try:
            seen["expired"] = contract_import_expire(job=ContractImport.objects.get(pk=job.pk))
        finally:
            connection.close()

    def signing(**kwargs):
        contract = sign(**kwargs)
        if "expired" not in seen:
            thread = threading.Thread(target=page_checks_meanwhile)
            thread.start()
            thread.join()
        return contract

    monkeypatch.setattr(contract_import, "contract_sign", signing)
    ran = contract_import_run(job_id=job.pk)
    assert seen["expired"] is False
    assert (ran.status, ran.imported) == (ContractImport.Status.DONE, 1)
    assert Contract.objects.count() == 1


def test_the_beat_task_fails_stale_imports_nobody_looks_at(company, now, settings):
    from students.tasks import contract_imports_expire_task

    settings.CONTRACT_IMPORT_TIMEOUT = timedelta(minutes=15)
    stuck = job_of(company, ContractImport.Status.IMPORTING, timedelta(minutes=20))
    fresh = job_of(company, ContractImport.Status.CHECKING, timedelta(minutes=5))
    done = job_of(company, ContractImport.Status.DONE, timedelta(hours=2))
    assert contract_imports_expire_task() == 1
    assert contract_imports_expire_task() == 0  # safe to run twice
    statuses = {job.pk: job.status for job in ContractImport.objects.all()}
    assert statuses == {
        stuck.pk: ContractImport.Status.FAILED,
        fresh.pk: ContractImport.Status.CHECKING,
        done.pk: ContractImport.Status.DONE,
    }


def test_a_confirmed_import_is_timed_from_its_confirmation_and_a_checked_one_waits(company, now, settings):
    settings.CONTRACT_IMPORT_TIMEOUT = timedelta(minutes=15)
    waiting = job_of(
        company, ContractImport.Status.READY, timedelta(days=2)
    )  # its uploader has not confirmed
    assert not contract_import_expire(job=waiting)
    just = job_of(company, ContractImport.Status.IMPORTING, timedelta(hours=2))
    ContractImport.objects.filter(pk=just.pk).update(confirmed_at=timezone.now() - timedelta(minutes=5))
    just.refresh_from_db()
    assert not contract_import_expire(job=just)
    stuck = job_of(company, ContractImport.Status.IMPORTING, timedelta(hours=2))
    ContractImport.objects.filter(pk=stuck.pk).update(confirmed_at=timezone.now() - timedelta(minutes=20))
    stuck.refresh_from_db()
    assert contract_import_expire(job=stuck)
    assert Event.objects.get(kind="contract_import.failed", subject_id=stuck.pk).from_state == "importing"
    statuses = dict(ContractImport.objects.values_list("pk", "status"))
    assert statuses == {waiting.pk: "ready", just.pk: "importing", stuck.pk: "failed"}
