"""Many contracts from one CSV: checked row by row, imported all or nothing, with progress."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from students.contract_import import COLUMNS, contract_import_run
from students.models import Contract, ContractImport, Student

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


def test_a_good_file_imports_every_contract(client, company, now, django_capture_on_commit_callbacks):
    client.force_login(company.consultant_a)
    text = "\n".join([HEADER, row("HD-1"), row("HD-2", name="钱多多", relation="母亲", gender="女")])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, text)
    job = ContractImport.objects.get()
    assert response.url == f"/students/import/{job.pk}/"
    assert (job.status, job.total, job.checked, job.imported) == ("done", 2, 2, 2)
    assert set(Student.objects.values_list("full_name", flat=True)) == {"赵一鸣", "钱多多"}
    assert Contract.objects.get(number="HD-2").student.guardians.get().relation == "mother"
    page = client.get(f"/students/import/{job.pk}/").content.decode()
    assert "已导入 2 份合同" in page and "100%" in page


def test_one_bad_row_imports_nothing_and_every_error_has_its_line(
    client, company, now, django_capture_on_commit_callbacks
):
    client.force_login(company.consultant_a)
    text = "\n".join([HEADER, row("HD-1"), row("HD-2", hours="0"), row("HD-3", phone="123"), row("HD-1")])
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, text)
    job = ContractImport.objects.get()
    assert job.status == "failed" and not Contract.objects.exists() and not Student.objects.exists()
    lines = sorted(e["line"] for e in job.errors)
    assert lines == [3, 4, 5]
    page = client.get(f"/students/import/{job.pk}/").content.decode()
    assert "没有导入任何数据" in page and "第 3 行" in page and "课时必须大于 0。" in page


def test_a_running_import_page_polls_and_the_fragment_is_small(client, company, now):
    client.force_login(company.consultant_a)
    upload(client, "\n".join([HEADER, row("HD-1")]))  # no worker ran: still waiting
    job = ContractImport.objects.get()
    page = client.get(f"/students/import/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page
    fragment = client.get(f"/students/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="progress"' in fragment


def test_running_twice_imports_once(company, now):
    job = ContractImport.objects.create(
        created_by=company.consultant_a, file_name="a.csv", text="\n".join([HEADER, row("HD-1")])
    )
    contract_import_run(job_id=job.pk)
    contract_import_run(job_id=job.pk)  # the task delivered twice
    assert Contract.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("number,student\nHD-1,x", "第一行必须是表头"),
        (HEADER + "\n", "文件中没有合同"),
        ("", "第一行必须是表头"),
    ],
)
def test_bad_files_are_refused_with_a_reason(company, now, text, reason):
    job = ContractImport.objects.create(created_by=company.consultant_a, file_name="a.csv", text=text)
    job = contract_import_run(job_id=job.pk)
    assert job.status == "failed" and reason in job.errors[0]["reason"]


def test_only_signers_import_and_only_their_own_jobs_are_visible(client, company, now):
    client.force_login(company.manager_a1)
    assert client.get("/students/import/").status_code == 403
    job = ContractImport.objects.create(created_by=company.consultant_a, file_name="a.csv", text="")
    assert client.get(f"/students/import/{job.pk}/").status_code == 404


def test_a_file_that_is_not_utf8_is_refused(client, company, now):
    client.force_login(company.consultant_a)
    response = client.post(
        "/students/import/",
        {"file": SimpleUploadedFile("gbk.csv", "\n".join([HEADER, row("HD-1")]).encode("gbk"))},
    )
    assert "UTF-8" in response.content.decode() and not ContractImport.objects.exists()


def test_a_file_with_a_nul_byte_is_refused(client, company, now):
    client.force_login(company.consultant_a)
    response = client.post(
        "/students/import/", {"file": SimpleUploadedFile("x.csv", HEADER.encode() + b"\x00")}
    )
    assert "这不是 CSV 文本文件。" in response.content.decode() and not ContractImport.objects.exists()


def test_when_the_broker_does_not_answer_the_job_says_so(
    client, company, now, monkeypatch, django_capture_on_commit_callbacks
):
    from students import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.contract_import, "delay", refuse)
    client.force_login(company.consultant_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "\n".join([HEADER, row("HD-1")]))
    assert response.status_code == 302
    job = ContractImport.objects.get()
    assert job.status == "failed" and "后台服务暂不可用" in job.errors[0]["reason"]
