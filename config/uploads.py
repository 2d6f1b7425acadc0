"""Uploads are checked by what they contain, not by what they are called.

A PDF must be a PDF, an image an image, a Word, Excel or PowerPoint file what its name says. Web
pages, SVG images and programs are refused whatever their name: they could run in a browser or on a
campus PC when someone opens the file. The check reads the file's first bytes (the `filetype`
package, pure Python) and, for the Office formats, the names inside the zip container.
"""

import zipfile
from pathlib import Path

import filetype
from django import forms
from django.utils.translation import gettext_lazy as _

HEAD = 8192
IMAGES = frozenset({"jpg", "png"})
# What each name may contain: the legacy Office formats are OLE2 compound files.
CONTENTS = {
    ".pdf": frozenset({"pdf"}),
    ".jpg": IMAGES,
    ".jpeg": IMAGES,
    ".png": IMAGES,
    ".docx": frozenset({"docx"}),
    ".xlsx": frozenset({"xlsx"}),
    ".pptx": frozenset({"pptx"}),
    ".doc": frozenset({"ole"}),
    ".xls": frozenset({"ole"}),
    ".ppt": frozenset({"ole"}),
}
DOCUMENTS = frozenset(CONTENTS)
SCANS = frozenset({".pdf", ".jpg", ".jpeg", ".png"})

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML_FOLDERS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
# Programs: Windows, Linux, macOS, Java and scripts with an interpreter line.
PROGRAMS = (
    b"MZ",
    b"\x7fELF",
    b"\xcf\xfa\xed\xfe",
    b"\xce\xfa\xed\xfe",
    b"\xfe\xed\xfa",
    b"\xca\xfe\xba\xbe",
    b"#!",
)
PROGRAM_TYPES = {"exe", "elf", "wasm", "swf", "crx", "deb", "rpm"}
MARKUP = (b"<html", b"<svg", b"<script", b"<!doctype", b"<?xml", b"<body", b"<iframe", b"<object")
BLANK = b"\xef\xbb\xbf\xff\xfe \t\r\n\x00"


def sniff(upload) -> str:
    """What the file contains: pdf, jpg, png, docx, xlsx, pptx, ole, refused (a web page, an SVG, a
    program), or another type's extension (or "unknown")."""
    upload.seek(0)
    head = upload.read(HEAD)
    upload.seek(0)
    if not isinstance(head, bytes):
        return "unknown"
    text = head.replace(b"\x00", b"").lower()  # UTF-16 markup too
    if text.lstrip(BLANK).startswith(b"<") or head.startswith(PROGRAMS):
        return "refused"
    kind = filetype.guess(head)
    found = kind.extension if kind else "unknown"
    if found in PROGRAM_TYPES:
        return "refused"
    if found in ("pdf", "jpg", "png"):
        return found  # their metadata may well hold XML: not a page a browser would run
    if head.startswith(OLE2):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        return _ooxml(upload) or found
    if any(marker in text for marker in MARKUP):  # a page behind a few lines of something else
        return "refused"
    return found


def _ooxml(upload) -> str | None:
    """A Word, Excel or PowerPoint file is a zip with its content types and its own folder."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    kinds = {kind for folder, kind in OOXML_FOLDERS.items() if any(n.startswith(folder) for n in names)}
    return kinds.pop() if len(kinds) == 1 else None


def check_upload(upload, *, allowed=DOCUMENTS, refused_message=None) -> None:
    """Raises the form's ValidationError unless the file's content is what its name says and one of
    the `allowed` suffixes."""
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in allowed:
        raise forms.ValidationError(
            refused_message
            or _("Upload a PDF, Word, Excel, PowerPoint or image file (not %(suffix)s).")
            % {"suffix": suffix or "?"},
            code="suffix",
        )
    found = sniff(upload)
    if found == "refused":
        raise forms.ValidationError(
            _("Web pages, SVG images and programs cannot be uploaded, whatever the file is called."),
            code="refused",
        )
    if found not in CONTENTS[suffix]:
        raise forms.ValidationError(
            _(
                "The file is called %(suffix)s but its content is something else: save it again as "
                "%(suffix)s and upload that."
            )
            % {"suffix": suffix},
            code="content",
        )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files in one input (invoices, receipts), cleaned to a list: each file checked as a
    FileField checks one (its name bounded by config/forms.py) and by its content (check_upload), at
    most `max_files` of them and `max_bytes` together. A problem names the file it is about."""

    def __init__(self, *, max_files: int, max_bytes: int, allowed=DOCUMENTS, refused_message=None, **kwargs):
        self.max_files, self.max_bytes, self.allowed = max_files, max_bytes, allowed
        self.refused_message = refused_message
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data if isinstance(data, list | tuple) else [data]) if upload]
        if not uploads:
            super().clean(None, initial)  # "required" when the field is
            return []
        if len(uploads) > self.max_files:
            raise forms.ValidationError(
                _("Attach at most %(count)d files."), code="max_files", params={"count": self.max_files}
            )
        cleaned, errors = [], []
        for upload in uploads:  # every file's problems at once
            try:
                cleaned.append(self._one(upload, initial))
            except forms.ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise forms.ValidationError(errors)
        if sum(upload.size for upload in cleaned) > self.max_bytes:
            raise forms.ValidationError(
                _("The files are larger than %(mb)d MB together."),
                code="max_bytes",
                params={"mb": self.max_bytes // (1024 * 1024)},
            )
        return cleaned

    def _one(self, upload, initial):
        try:
            upload = super().clean(upload, initial)
            check_upload(upload, allowed=self.allowed, refused_message=self.refused_message)
        except forms.ValidationError as error:
            raise forms.ValidationError(
                [f"{getattr(upload, 'name', '')}: {message}" for message in error.messages], code="file"
            ) from None
        return upload
