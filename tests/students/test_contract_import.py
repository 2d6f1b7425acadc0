"""Many contracts from one file: checked row by row, shown with each row's problems, imported all or
nothing once the uploader confirms, with progress and a history."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from students.contract_import import COLUMNS, contract_import_confirm, contract_import_run
from students.models import Contract, ContractImport, Student
from tests.factories import UserFactory
from timeline.models import Event

SH = ZoneInfo("Asia/Shanghai")
HEADER = ",".join(COLUMNS)


def row(number, name="赵一鸣", **changes):
    values = {
        "number": number,
        "signed_at": "2026-11-30 10:00",
        "student": name,
        "gender": "男",
        "school": "海淀实验中学",
        "grade": "初二",
        "guardian": "赵爸爸",
        "relation": "父亲",
        "phone": "138 1234 5678",
        "subjects": "数学",
        "hours": "60",
        "unit_price": "220",
        "amount": "13200",
        **changes,
    }
    return ",".join(values[c] for c in COLUMNS)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=SH), tick=False)


def upload(client, text, name="contracts.csv"):
    return client.post("/students/import/", {"file": SimpleUploadedFile(name, text.encode())})


def checked(client, text, capture) -> ContractImport:
    """Uploaded and checked by the (eager) worker: the job waits for its uploader's confirmation."""
    with capture(execute=True):
        upload(client, text)
    return ContractImport.objects.latest("pk")


def confirm(client, job, capture):
    with capture(execute=True):
        return client.post(f"/students/import/{job.pk}/confirm/", {"job": job.pk})


def test_a_good_file_is_shown_then_imported_once_confirmed(
    client, company, now, django_capture_on_commit_callbacks
):
    client.force_login(company.consultant_a)
    text = "\n".join([HEADER, row("HD-1"), row("HD-2", name="钱多多", relation="母亲", gender="女")])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, text)
    job = ContractImport.objects.get()
    assert response.url == f"/students/import/{job.pk}/"
    assert (job.status, job.total, job.checked, job.imported) == ("ready", 2, 2, 0)
    assert not Student.objects.exists() and not Contract.objects.exists()  # nothing before the confirmation
    page = client.get(f"/students/import/{job.pk}/").content.decode()
    assert "导入 2 行" in page and "钱多多" in page and "HD-2" in page
    assert f'action="/students/import/{job.pk}/confirm/"' in page

    response = confirm(client, job, django_capture_on_commit_callbacks)
    assert response.url == f"/students/import/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.imported) == ("done", 2)
    assert set(Student.objects.values_list("full_name", flat=True)) == {"赵一鸣", "钱多多"}
    assert Contract.objects.get(number="HD-2").student.guardians.get().relation == "mother"
    page = client.get(f"/students/import/{job.pk}/").content.decode()
    assert "已导入 2 份合同" in page and "100%" in page
    for student in Student.objects.all():  # each created student, linked to their page
        assert f'href="/students/{student.pk}/">{student.full_name}</a>' in page
    assert sorted(job.students) == sorted(Student.objects.values_list("pk", flat=True))


def test_one_bad_row_is_shown_with_its_row_and_column_and_nothing_can_be_imported(
    client, company, now, django_capture_on_commit_callbacks
):
    client.force_login(company.consultant_a)
    text = "\n".join([HEADER, row("HD-1"), row("HD-2", hours="0"), row("HD-3", phone="123"), row("HD-1")])
    job = checked(client, text, django_capture_on_commit_callbacks)
    assert job.status == "failed" and not Contract.objects.exists() and not Student.objects.exists()
    assert sorted((e["line"], e["field"]) for e in job.errors) == [(3, "hours"), (4, "phone"), (5, "number")]
    page = client.get(f"/students/import/{job.pk}/").content.decode()
    assert "没有导入任何数据" in page and "3 行有问题" in page
    assert '<td data-label="行号">3</td>' in page and "<strong>hours</strong>：课时必须大于 0。" in page
    assert '<td data-label="行号">2</td>' not in page  # the good row is not in the list of rows to correct
    assert "/confirm/" not in page
    # A confirmation sent anyway imports nothing.
    response = confirm(client, job, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and not Contract.objects.exists()
    job.refresh_from_db()
    assert job.status == "failed"


def test_confirming_twice_imports_once(client, company, now, django_capture_on_commit_callbacks):
    client.force_login(company.consultant_a)
    job = checked(client, "\n".join([HEADER, row("HD-1")]), django_capture_on_commit_callbacks)
    confirm(client, job, django_capture_on_commit_callbacks)
    second = confirm(client, job, django_capture_on_commit_callbacks)  # a double click
    assert second.status_code == 302
    assert Contract.objects.count() == 1 and Student.objects.count() == 1
    assert Event.objects.filter(kind="contract_import.confirmed").count() == 1
    page = client.get(second.url).content.decode()
    assert "这次导入不在等待确认" in page


def test_only_the_uploader_may_confirm_or_see_the_job(
    client, company, now, django_capture_on_commit_callbacks
):
    client.force_login(company.consultant_a)
    job = checked(client, "\n".join([HEADER, row("HD-1")]), django_capture_on_commit_callbacks)
    other = UserFactory(role=Role.CONSULTANT, campus=company.campus_a)
    client.force_login(other)
    assert client.post(f"/students/import/{job.pk}/confirm/", {"job": job.pk}).status_code == 404
    assert client.get(f"/students/import/{job.pk}/").status_code == 404
    job.refresh_from_db()
    assert job.status == "ready" and not Contract.objects.exists()
    with pytest.raises(Exception, match="上传"):
        contract_import_confirm(job=job, actor=other)


def test_a_confirmation_naming_another_job_confirms_nothing(
    client, company, now, django_capture_on_commit_callbacks
):
    client.force_login(company.consultant_a)
    first = checked(client, "\n".join([HEADER, row("HD-1")]), django_capture_on_commit_callbacks)
    second = checked(client, "\n".join([HEADER, row("HD-2")]), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/students/import/{first.pk}/confirm/", {"job": second.pk})
    assert {job.status for job in ContractImport.objects.all()} == {"ready"}


def test_a_row_entered_meanwhile_is_refused_at_the_import_and_nothing_is_imported(
    client, company, now, django_capture_on_commit_callbacks
):
    client.force_login(company.consultant_a)
    job = checked(client, "\n".join([HEADER, row("HD-1"), row("HD-2")]), django_capture_on_commit_callbacks)
    meanwhile = checked(
        client, "\n".join([HEADER, row("HD-2", name="孙悟")]), django_capture_on_commit_callbacks
    )
    confirm(client, meanwhile, django_capture_on_commit_callbacks)  # HD-2 entered after the preview
    confirm(client, job, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == "failed" and job.imported == 0
    assert [(e["line"], e["field"]) for e in job.errors] == [(3, "number")]
    assert list(Contract.objects.values_list("number", flat=True)) == ["HD-2"]


def test_every_step_is_on_the_jobs_history(client, company, now, django_capture_on_commit_callbacks):
    client.force_login(company.consultant_a)
    job = checked(client, "\n".join([HEADER, row("HD-1")]), django_capture_on_commit_callbacks)
    confirm(client, job, django_capture_on_commit_callbacks)
    steps = [
        (e.kind, e.actor_id, e.from_state, e.to_state)
        for e in Event.objects.filter(kind__startswith="contract_import.", subject_id=job.pk).order_by("pk")
    ]
    me = company.consultant_a.pk
    assert steps == [
        ("contract_import.uploaded", me, "", "pending"),
        ("contract_import.checked", None, "checking", "ready"),
        ("contract_import.confirmed", me, "ready", "importing"),
        ("contract_import.imported", None, "importing", "done"),
    ]
    page = client.get(f"/students/import/{job.pk}/").content.decode()
    assert "已确认导入" in page and "2026-12-01 10:00" in page


def test_a_running_import_page_polls_and_the_fragment_is_small(client, company, now):
    client.force_login(company.consultant_a)
    upload(client, "\n".join([HEADER, row("HD-1")]))  # no worker ran: still waiting
    job = ContractImport.objects.get()
    page = client.get(f"/students/import/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page
    fragment = client.get(f"/students/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="progress"' in fragment


def test_running_twice_checks_once_and_imports_once(company, now):
    job = ContractImport.objects.create(
        created_by=company.consultant_a, file_name="a.csv", text="\n".join([HEADER, row("HD-1")])
    )
    contract_import_run(job_id=job.pk)
    assert contract_import_run(job_id=job.pk).status == "ready"  # the task delivered twice
    assert contract_import_confirm(job=job, actor=company.consultant_a)
    contract_import_run(job_id=job.pk)
    assert contract_import_run(job_id=job.pk).status == "done"
    assert Contract.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("number,student\nHD-1,x", "缺少“签约时间”列"),
        ("number,student,nickname\nHD-1,x,y", "不认识“nickname”这一列"),
        (HEADER + "\n", "文件中没有合同"),
        ("", "第一行必须是各列的名称"),
    ],
)
def test_bad_files_are_refused_with_a_reason(company, now, text, reason):
    job = ContractImport.objects.create(created_by=company.consultant_a, file_name="a.csv", text=text)
    job = contract_import_run(job_id=job.pk)
    assert job.status == "failed" and any(reason in e["reason"] for e in job.errors)


def test_only_signers_import_and_only_their_own_jobs_are_visible(client, company, now):
    client.force_login(company.manager_a1)
    assert client.get("/students/import/").status_code == 403
    assert client.get("/students/import/template/").status_code == 403
    job = ContractImport.objects.create(created_by=company.consultant_a, file_name="a.csv", text="")
    assert client.get(f"/students/import/{job.pk}/").status_code == 404
    assert client.post(f"/students/import/{job.pk}/confirm/", {"job": job.pk}).status_code == 404


def test_a_file_with_a_nul_byte_is_refused(client, company, now):
    client.force_login(company.consultant_a)
    response = client.post(
        "/students/import/", {"file": SimpleUploadedFile("x.csv", HEADER.encode() + b"\x00")}
    )
    assert "这不是 CSV 文本文件。" in response.content.decode() and not ContractImport.objects.exists()


@pytest.mark.parametrize("step", ["check", "import"])
def test_when_the_broker_does_not_answer_the_job_says_so(
    client, company, now, monkeypatch, django_capture_on_commit_callbacks, step
):
    from students import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    client.force_login(company.consultant_a)
    if step == "import":
        job = checked(client, "\n".join([HEADER, row("HD-1")]), django_capture_on_commit_callbacks)
    monkeypatch.setattr(tasks.contract_import, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        if step == "check":
            response = upload(client, "\n".join([HEADER, row("HD-1")]))
        else:
            response = client.post(f"/students/import/{job.pk}/confirm/", {"job": job.pk})
    assert response.status_code == 302
    job = ContractImport.objects.get()
    assert job.status == "failed" and "后台服务暂不可用" in job.errors[0]["reason"]
    assert not Contract.objects.exists()
