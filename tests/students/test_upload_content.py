"""Uploads are checked by their content, not their name (config/uploads.py): a PDF is a PDF, an image
an image, an Office file what its name says; web pages, SVG and programs are refused whatever they
are called. The form comes back with what was typed and the reason in the user's language."""

import io
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from config.uploads import sniff
from students.models import Document, Student

SH = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024


def office(folder: str, stored: bool = False) -> bytes:
    """A minimal Word (word/), Excel (xl/) or PowerPoint (ppt/) file: a zip with its content types."""
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(f"{folder}main.xml", '<?xml version="1.0"?><x/>')
    return buffer.getvalue()


@pytest.fixture
def student(company, time_machine, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    time_machine.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=SH), tick=False)
    return Student.objects.create(full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1)


def upload(client, student, name, content):
    return client.post(
        f"/students/{student.pk}/documents/new/",
        {"kind": "tutoring_draft", "title": "第一版草案", "file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("photo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
        ("photo.jpg", b"  \n<svg onload=alert(1)>"),
        ("plan.docx", "\ufeff<html><body>x</body></html>".encode("utf-16")),
        ("plan.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
        ("plan.doc", b"\x7fELF\x02\x01\x01\x00"),
        ("plan.pdf", b"#!/bin/sh\nrm -rf /\n"),
        ("notes.pdf", b"just some words\n" * 4 + b"<iframe src=//evil>"),
    ],
)
def test_web_pages_svg_and_programs_are_refused_whatever_their_name(client, company, student, name, content):
    client.force_login(company.manager_a1)
    response = upload(client, student, name, content)
    page = response.content.decode()
    assert response.status_code == 200
    assert "网页、SVG 图片和程序不能上传" in page
    assert 'value="第一版草案"' in page  # what was typed is kept
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("plan.docx", b"%PDF-1.4 a pdf"),  # a PDF renamed
        ("plan.xlsx", office("word/")),  # a Word file named as Excel
        ("plan.pdf", PNG),
        ("photo.png", b"%PDF-1.4"),
        ("plan.doc", office("word/")),  # a .docx named .doc
        ("plan.pptx", b"PK\x03\x04 not really a zip"),
        ("plan.pdf", b"plain words"),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(client, company, student, name, content):
    client.force_login(company.manager_a1)
    page = upload(client, student, name, content).content.decode()
    assert "但内容不是" in page
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("draft.pdf", b"%PDF-1.7\n<?xml version='1.0'?><x:xmpmeta/>"),  # metadata XML inside a PDF is fine
        ("photo.jpg", JPEG),
        ("photo.jpeg", JPEG),
        ("photo.png", PNG),
        ("photo.jpg", PNG),  # an image is an image
        ("plan.docx", office("word/")),
        ("plan.docx", office("word/", stored=True)),  # uncompressed XML inside the zip is fine
        ("sheet.xlsx", office("xl/")),
        ("slides.pptx", office("ppt/")),
        ("old.doc", OLE2),
        ("old.xls", OLE2),
    ],
)
def test_real_documents_and_images_are_filed(client, company, student, name, content):
    client.force_login(company.manager_a1)
    assert upload(client, student, name, content).status_code == 302
    assert Document.objects.count() == 1


def test_the_reason_is_in_the_user_s_language(client, company, student):
    client.force_login(company.manager_a1)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    page = upload(client, student, "report.pdf", b"<html></html>").content.decode()
    assert "Web pages, SVG images and programs cannot be uploaded" in page
    page = upload(client, student, "report.docx", b"%PDF-1.4").content.decode()
    assert "The file is called .docx but its content is something else" in page


def test_sniff_names_what_a_file_holds():
    assert sniff(SimpleUploadedFile("x", b"%PDF-1.4")) == "pdf"
    assert sniff(SimpleUploadedFile("x", office("xl/"))) == "xlsx"
    assert sniff(SimpleUploadedFile("x", b"<svg/>")) == "refused"
