"""The contract file as campus PCs save it: Excel workbooks and CSV in UTF-8 (with or without BOM),
GBK, GB18030 and UTF-16, with Chinese or English headers in any order, and the template to fill in."""

import io
import zipfile
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from config import import_files
from config.import_files import cell_text, decode, text_rows
from students.contract_import import HEADERS, contract_import_run
from students.models import Contract, ContractImport, Student

SH = ZoneInfo("Asia/Shanghai")
CHINESE = [
    "合同编号",
    "签约时间",
    "学生姓名",
    "性别",
    "学校",
    "年级",
    "家长姓名",
    "关系",
    "家长电话",
    "科目",
    "课时",
    "单价",
    "金额",
]
ROW = [
    "HD-1",
    "2026-11-30 10:00",
    "赵一鸣",
    "男",
    "海淀实验中学",
    "初二",
    "赵爸爸",
    "父亲",
    "13812345678",
    "数学",
    "60",
    "220",
    "13200",
]


@pytest.fixture
def now(time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=SH), tick=False)


@pytest.fixture
def consultant(client, company):
    client.force_login(company.consultant_a)
    return company.consultant_a


def csv_text(*rows, sep=","):
    return "\r\n".join(sep.join(cells) for cells in rows) + "\r\n"


def send(client, data: bytes, capture, name="contracts.csv"):
    """Uploaded and checked; the job, or the upload page's answer when the form refused the file."""
    with capture(execute=True):
        response = client.post("/students/import/", {"file": SimpleUploadedFile(name, data)})
    if response.status_code != 302:
        return response
    return ContractImport.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[1])


def imported(client, job, capture) -> ContractImport:
    with capture(execute=True):
        client.post(f"/students/import/{job.pk}/confirm/", {"job": job.pk})
    job.refresh_from_db()
    return job


def xlsx(*rows) -> bytes:
    book = Workbook()
    for cells in rows:
        book.active.append(list(cells))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("utf-8", "赵一鸣"),
        ("utf-8-sig", "赵一鸣"),
        ("gbk", "赵一鸣"),
        ("gb18030", "赵𠀀㐀"),  # 𠀀 and 㐀 are outside GBK
        ("utf-16", "赵𠀀鸣"),  # with its BOM, as Python writes it
    ],
)
def test_csv_in_each_encoding_with_chinese_headers_imports(
    client, consultant, now, django_capture_on_commit_callbacks, encoding, name
):
    if encoding == "gb18030":
        with pytest.raises(UnicodeEncodeError):
            name.encode("gbk")
    data = csv_text(CHINESE, [*ROW[:2], name, *ROW[3:]]).encode(encoding)
    job = send(client, data, django_capture_on_commit_callbacks)
    assert job.status == "ready", job.errors
    assert job.rows[0]["student"] == name and job.rows[0]["line"] == 2
    job = imported(client, job, django_capture_on_commit_callbacks)
    assert job.status == "done" and Student.objects.get().full_name == name


def test_excel_unicode_text_is_tab_separated_utf16(
    client, consultant, now, django_capture_on_commit_callbacks
):
    data = csv_text(CHINESE, ROW, sep="\t").encode("utf-16-le")  # no BOM either
    job = send(client, data, django_capture_on_commit_callbacks)
    assert job.status == "ready", job.errors
    assert job.rows[0]["number"] == "HD-1"


def test_a_file_in_no_known_encoding_is_refused_in_chinese(client, consultant, now):
    data = "合同编号\n".encode() + b"\x80\x80\xfe"
    with pytest.raises(ValidationError):
        decode(data)
    response = client.post("/students/import/", {"file": SimpleUploadedFile("x.csv", data)})
    assert "无法识别文件的编码" in response.content.decode() and not ContractImport.objects.exists()


def test_an_xlsx_with_chinese_headers_in_another_order_and_typed_cells_imports(
    client, consultant, now, django_capture_on_commit_callbacks
):
    header = [
        "　学生姓名 ",
        "合同编号",
        "签约时间",
        "家长姓名",
        "关系",
        "家长电话",
        "科目",
        "课时",
        "单价",
        "金额",
    ]
    cells = [
        "钱多多",
        "HD-7",
        datetime(2026, 11, 30, 9, 30),
        "钱妈妈",
        "母亲",
        13900002222,
        "英语",
        40.0,
        220.5,
        8820,
    ]
    data = xlsx(
        header,
        cells,
        [],
        ["钱二", "HD-8", "2026/11/29 8:00", "钱妈妈", "妈妈", "13900002223", "数学", 10, 100, 1000],
    )
    job = send(client, data, django_capture_on_commit_callbacks, name="合同.csv")  # known by content
    assert job.status == "ready", job.errors
    assert [(r["line"], r["number"], r["signed_at"], r["hours"]) for r in job.rows] == [
        (2, "HD-7", "2026-11-30 09:30", "40"),
        (4, "HD-8", "2026/11/29 8:00", "10"),
    ]
    job = imported(client, job, django_capture_on_commit_callbacks)
    contract = Contract.objects.get(number="HD-7")
    assert job.status == "done"
    assert contract.signed_at == datetime(2026, 11, 30, 9, 30, tzinfo=SH) and contract.unit_price == Decimal(
        "220.5"
    )
    assert contract.student.guardians.get().phone == "13900002222"
    assert Contract.objects.get(number="HD-8").student.guardians.get().relation == "mother"


def test_an_xlsx_bad_row_keeps_excels_row_number(client, consultant, now, django_capture_on_commit_callbacks):
    data = xlsx(CHINESE, ROW, [], [], ["HD-2", *ROW[1:10], 0, 220, 0])
    job = send(client, data, django_capture_on_commit_callbacks, name="a.xlsx")
    assert job.status == "failed"
    assert {(e["line"], e["field"]) for e in job.errors} == {(5, "课时")}


def test_a_csv_named_xlsx_is_read_as_csv(client, consultant, now, django_capture_on_commit_callbacks):
    job = send(client, csv_text(CHINESE, ROW).encode(), django_capture_on_commit_callbacks, name="合同.xlsx")
    assert job.status == "ready"


def test_a_line_separator_inside_a_quoted_cell_does_not_split_the_row(
    client, consultant, now, django_capture_on_commit_callbacks
):
    text = csv_text(CHINESE, ["HD-1", ROW[1], '"赵\u2028一鸣"', *ROW[3:]], ["HD-2", *ROW[1:]])
    assert len(text.splitlines()) == 4  # what the old parser cut the file into
    assert text_rows(text)[1][2] == "赵\u2028一鸣"
    job = send(client, text.encode(), django_capture_on_commit_callbacks)
    assert job.total == 2 and [r["line"] for r in job.rows] == [2, 3]
    assert [(e["line"], e["field"]) for e in job.errors] == [(2, "学生姓名")]
    assert "请写在一行" in job.errors[0]["reason"] or "一行" in job.errors[0]["reason"]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_unicode_line_breaks_stay_inside_their_cell(separator):
    text = f'a,b\r\n"x{separator}y",z\r\nc,d\r\n'
    assert text_rows(text) == [["a", "b"], [f"x{separator}y", "z"], ["c", "d"]]
    assert text_rows(f"a,b\r\nx{separator}y,z\r\n") == [["a", "b"], [f"x{separator}y", "z"]]  # unquoted too


def test_a_line_break_in_a_quoted_cell_is_one_row(company, now):
    text = csv_text(
        CHINESE, ["HD-1", ROW[1], ROW[2], ROW[3], '"海淀\n实验中学"', *ROW[5:]], ["HD-2", *ROW[1:]]
    )
    job = ContractImport.objects.create(created_by=company.consultant_a, file_name="a.csv", text=text)
    job = contract_import_run(job_id=job.pk)
    assert [r["line"] for r in job.rows] == [2, 3] and [e["line"] for e in job.errors] == [2]


def test_english_headers_in_any_case_and_full_width_spaces_are_read(company, now):
    header = [
        "ＮＵＭＢＥＲ",
        " Signed_At ",
        "student",
        "guardian",
        "relation",
        "phone",
        "subjects",
        "hours",
        "unit_price",
        "amount",
        "确认金额",
    ]
    cells = [
        "HD-1",
        "2026-11-30 10:00",
        "赵一鸣",
        "赵爸爸",
        "father",
        "13812345678",
        "数学",
        "60",
        "220",
        "10000",
        "是",
    ]
    job = ContractImport.objects.create(
        created_by=company.consultant_a, file_name="a.csv", text=csv_text(header, cells)
    )
    job = contract_import_run(job_id=job.pk)
    assert job.status == "ready", job.errors


def test_each_unknown_or_missing_header_is_one_error_naming_it(company, now):
    header = [
        "合同编号",
        "签约时间",
        "学生",
        "家长姓名",
        "关系",
        "家长电话",
        "课程",
        "课时",
        "单价",
        "金额",
        "金额",
    ]
    job = ContractImport.objects.create(
        created_by=company.consultant_a, file_name="a.csv", text=csv_text(header, ROW)
    )
    job = contract_import_run(job_id=job.pk)
    assert job.status == "failed"
    assert sorted(e["field"] for e in job.errors) == ["科目", "课程", "金额"]
    assert all(e["line"] == 1 for e in job.errors)
    reasons = " ".join(e["reason"] for e in job.errors)
    assert "不认识“课程”这一列" in reasons and "缺少“科目”列" in reasons and "“金额”出现了两次" in reasons


def test_too_many_columns_or_an_old_xls_or_a_zip_bomb_is_refused(client, consultant, now, monkeypatch):
    wide = csv_text(CHINESE + [f"x{i}" for i in range(import_files.MAX_COLUMNS)], ROW)
    with pytest.raises(ValidationError, match="30"):
        import_files.xlsx_rows(xlsx(*text_rows(wide)))
    response = client.post(
        "/students/import/", {"file": SimpleUploadedFile("a.xls", import_files.OLE2 + b"\0" * 100)}
    )
    assert ".xlsx" in response.content.decode()
    monkeypatch.setattr(import_files, "MAX_UNPACKED", 100)
    response = client.post("/students/import/", {"file": SimpleUploadedFile("a.xlsx", xlsx(CHINESE, ROW))})
    assert "解压" in response.content.decode() and not ContractImport.objects.exists()


def test_a_damaged_xlsx_is_refused(client, consultant, now):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not a workbook")
    response = client.post("/students/import/", {"file": SimpleUploadedFile("a.xlsx", out.getvalue())})
    assert "无法读取这个 Excel 文件" in response.content.decode()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (60.0, "60"),
        (220.5, "220.5"),
        (0.1 + 0.2, "0.3"),
        (13812345678.0, "13812345678"),
        (1e-7, "0.0000001"),
        (datetime(2026, 11, 30, 10, 0, 59), "2026-11-30 10:00"),
        (True, "TRUE"),
        ("  赵一鸣 ", "  赵一鸣 "),
    ],
)
def test_cells_read_as_excel_shows_them(value, text):
    assert cell_text(value) == text


def test_the_template_downloads_reads_back_and_imports(
    client, consultant, now, django_capture_on_commit_callbacks
):
    page = client.get("/students/import/").content.decode()
    assert 'href="/students/import/template/"' in page and "下载模板" in page
    response = client.get("/students/import/template/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(data))
    contracts, values = book.worksheets
    assert [cell.value for cell in contracts[1]] == list(HEADERS.values())
    assert [cell.value for cell in values["A"] if cell.value] == ["性别", "女", "男"]
    assert [cell.value for cell in values["B"] if cell.value] == ["关系", "母亲", "父亲", "祖父母", "其他"]
    assert {str(rule.sqref) for rule in contracts.data_validations.dataValidation} >= {"D2:D5001", "H2:H5001"}

    # As downloaded: its headers are read, its example row is skipped, so it holds no contract.
    job = send(client, data, django_capture_on_commit_callbacks, name="模板.xlsx")
    assert job.status == "failed" and [e["reason"] for e in job.errors] == ["文件中没有合同。"]

    # Filled in below the example: the example is shown and left out, the contract imported.
    contracts.append(
        [
            "HD-9",
            "2026-11-30 11:00",
            "孙悟",
            "女",
            "",
            "",
            "孙妈妈",
            "母亲",
            "13700001111",
            "数学",
            10,
            200,
            2000,
        ]
    )
    out = io.BytesIO()
    book.save(out)
    job = send(client, out.getvalue(), django_capture_on_commit_callbacks, name="filled.xlsx")
    assert job.status == "ready" and job.total == 1, job.errors
    assert [(r["line"], r.get("example", False)) for r in job.rows] == [(2, True), (3, False)]
    page = client.get(f"/students/import/{job.pk}/").content.decode()
    assert "模板中的示例行，不会导入" in page and "导入 1 行" in page
    job = imported(client, job, django_capture_on_commit_callbacks)
    assert list(Contract.objects.values_list("number", flat=True)) == ["HD-9"]
