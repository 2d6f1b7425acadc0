"""The administrator enters people's WeCom accounts from a table (issue 16): by user name, phone or
email, .xlsx or CSV in GBK or UTF-8; all rows or none, every bad row named."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.wecom_import import wecom_accounts_import
from tests.factories import UserFactory


@pytest.fixture
def people(db):
    return (
        UserFactory(username="wang.fang", full_name="王芳", phone="138 1234 5678", email="Wang@Example.cn"),
        UserFactory(username="li.na", full_name="李娜", phone="13912345678"),
    )


def accounts():
    from accounts.models import User

    return dict(User.objects.exclude(wecom_userid="").values_list("username", "wecom_userid"))


def test_by_user_name(people):
    assert wecom_accounts_import(text="用户名,企业微信账号\nwang.fang,WangFang\nli.na,LiNa\n") == 2
    assert accounts() == {"wang.fang": "WangFang", "li.na": "LiNa"}
    assert wecom_accounts_import(text="用户名,企业微信账号\nwang.fang,WangFang\n") == 0  # again: no change


def test_by_phone_however_it_is_written_and_by_email(people):
    wecom_accounts_import(text="手机,企业微信账号\n+86 138-1234-5678,WangFang\n")
    wecom_accounts_import(text="邮箱,账号\nwang@example.cn,WF\n")
    assert accounts() == {"wang.fang": "WF"}


def test_an_empty_account_clears_it(people):
    wecom_accounts_import(text="username,userid\nwang.fang,WangFang\n")
    wecom_accounts_import(text="username,userid\nwang.fang,\n")
    assert accounts() == {}


def test_a_bad_file_changes_nobody_and_names_every_bad_line(people):
    UserFactory(username="zhou.min", wecom_userid="ZhouMin")
    text = "用户名,企业微信账号\nwang.fang,WangFang\nnobody,X\nli.na,张 三\nli.na,LiNa\nwang.fang,WF2\n"
    with pytest.raises(ValidationError) as raised:
        wecom_accounts_import(text=text + "li.na,ZhouMin\n")
    messages = raised.value.messages
    assert messages[0].startswith("第 3 行") and "nobody" in messages[0]
    assert any(m.startswith("第 4 行") and "不是企业微信账号" in m for m in messages)
    assert accounts() == {"zhou.min": "ZhouMin"}
    with pytest.raises(ValidationError) as raised:
        wecom_accounts_import(text="用户名,企业微信账号\nwang.fang,WangFang\nwang.fang,WF2\nli.na,ZhouMin\n")
    assert raised.value.messages == [
        "第 3 行：王芳 已在第 2 行。",
        "第 4 行：企业微信账号 ZhouMin 已属于 同事" + raised.value.messages[1].split("同事")[1],
    ]


def test_a_header_without_the_columns_is_refused(people):
    with pytest.raises(ValidationError, match="第一行"):
        wecom_accounts_import(text="姓名,部门\n王芳,学管部\n")


def admin_upload(client, name: str, data: bytes):
    return client.post(
        reverse("admin:accounts_user_wecom_import"), {"file": SimpleUploadedFile(name, data)}, follow=True
    )


def test_the_admin_imports_a_gbk_csv_and_an_xlsx(client, people, company):
    client.force_login(company.admin)
    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert reverse("admin:accounts_user_wecom_import") in page
    response = admin_upload(client, "微信.csv", "用户名,企业微信账号\r\nwang.fang,WangFang\r\n".encode("gbk"))
    assert "1 人的企业微信账号已更新" in response.content.decode()
    book = Workbook()
    book.active.append(["手机", "企业微信账号"])
    book.active.append(["13912345678", "LiNa"])
    buffer = io.BytesIO()
    book.save(buffer)
    admin_upload(client, "people.xlsx", buffer.getvalue())
    assert accounts() == {"wang.fang": "WangFang", "li.na": "LiNa"}


def test_a_bad_upload_re_renders_with_its_messages(client, people, company):
    client.force_login(company.admin)
    response = admin_upload(client, "a.csv", "用户名,企业微信账号\nnobody,X\n".encode())
    page = response.content.decode()
    assert response.status_code == 200
    assert "没有更改任何内容" in page and "第 2 行" in page
    assert accounts() == {}


def test_only_the_administrator(client, people, company):
    client.force_login(company.director_a)
    response = client.get(reverse("admin:accounts_user_wecom_import"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
