"""What the fuzz posts: any text (NUL, control characters, U+2028, very long), dates at and past the
bounds, huge and negative numbers, wrong choices, files whose content is not what their name says."""

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

from students.contract_import import COLUMNS

NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "名字\x00",
    "赵\u2028一鸣",
    "赵\u2029一鸣",
    "赵\n一鸣",
    "赵\r\n一鸣",
    "\t",
    "\x1b[31m红\x1b[0m",
    "\x7f",
    "\x85",
    "\u200b",
    "\ufeff",
    "<script>alert(1)</script>",
    "{{ 7|add:7 }} {% now 'Y' %}",
    "%(name)s %s {0}",
    "' OR 1=1 --",
    "😀" * 30,
    "x" * 61,
    "长" * 201,
    "y" * 2001,
    "z" * 20000,
    "正常的一段话，家长很满意。",
]
texts = st.one_of(
    st.sampled_from(NASTY_TEXT), st.text(max_size=80), st.text(st.characters(max_codepoint=0x9F))
)

BOUND_DATES = [
    "1999-12-31",
    "2000-01-01",
    "2100-12-31",
    "2101-01-01",
    "0001-01-01",
    "9999-12-31",
    "2026-11-30",
    "2026-12-02",
    "2026-12-03",
    "2026-12-04",
    "2026-12-10",
    "2026-02-30",
    "10000-01-01",
    "0000-00-00",
    "",
]
dates = st.one_of(st.sampled_from(BOUND_DATES), st.dates().map(lambda d: d.isoformat()), texts)
TIMES = ["00:00", "09:00", "10:00", "12:00", "16:00", "18:00", "23:59", "25:00"]
datetimes = st.one_of(
    st.builds(lambda d, t: f"{d}T{t}", st.sampled_from(BOUND_DATES), st.sampled_from(TIMES)),
    st.sampled_from(["2026-12-10T16:00", "2026-12-10T18:00", "2026-12-12T10:00", "2026-12-03T09:00"]),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    texts,
)
numbers = st.one_of(
    st.sampled_from(
        [
            "-1",
            "0",
            "0.5",
            "1",
            "2",
            "4",
            "8",
            "100",
            "-0.0",
            "2.55",
            "1e308",
            "1e-308",
            "9" * 30,
            "NaN",
            "Infinity",
            "-Infinity",
            "1,000",
            "１２",
            "",
        ]
    ),
    st.integers(-(10**20), 10**20).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    texts,
)

CSV_HEADER = ",".join(COLUMNS) + "\r\n"
FILE_CONTENTS = [
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"<html><script>alert(1)</script></html>",
    b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
    b"MZ\x90\x00\x03\x00\x00\x00",
    b"",
    (
        CSV_HEADER + "FZ-9,2026-11-30 10:00,王\u2028小,male,,,家长,mother,13800000001,数学,10,100,1000\r\n"
    ).encode(),
    (CSV_HEADER + "FZ-8,0001-01-01 00:00,王小,,,,家长,mother,13800000001,数学,-5,1e30,NaN\r\n").encode(),
    (
        CSV_HEADER + "FZ-7,2026-11-30 10:00,王\x01小,,,,家\x00长,mother,13800000001,数学,10,100,1000\r\n"
    ).encode(),
    (CSV_HEADER + "FZ-6,2026-11-30 10:00,王小,,,,家长,mother,13800000001,数学,10,100,1000\r\n").encode("gbk"),
    "number,signed_at\r\n".encode("utf-16"),
]
FILE_NAMES = [
    "a.pdf",
    "scan.PNG",
    "合同.csv",
    "x.exe",
    "page.html",
    "image.svg",
    "no-suffix",
    "a\nb.pdf",
    "x" * 300 + ".pdf",
]
files = st.builds(
    lambda name, content: SimpleUploadedFile(name, content),
    st.sampled_from(FILE_NAMES),
    st.one_of(st.sampled_from(FILE_CONTENTS), st.binary(max_size=300)),
)


def choices(values: list[str]) -> st.SearchStrategy:
    return st.one_of(st.sampled_from(values), texts) if values else texts


def strategy_for(field) -> st.SearchStrategy:
    kind = field.kind
    if kind == "date":
        return dates
    if kind == "datetime-local":
        return datetimes
    if kind == "number":
        return numbers
    if kind == "file":
        return files
    if kind in ("checkbox", "radio", "select", "button"):
        if field.multiple:
            return st.lists(choices(field.values), max_size=4)
        return choices(field.values)
    if kind == "hidden":
        return st.one_of(
            st.sampled_from(field.values or [""]), st.uuids().map(str), numbers, st.just(str(uuid.uuid4()))
        )
    return texts


# Values a careful user would enter, by the field's name or kind: most fields of a request get one,
# so that one wrong value at a time reaches the service behind the form, not only the form's checks.
PLAUSIBLE_BY_NAME = {
    "starts_at": "2026-12-17T16:00",
    "ends_at": "2026-12-17T18:00",
    "signed_at": "2026-12-01T10:00",
    "phone": "13800000001",
    "guardian_phone": "13800000001",
    "phone_other": "",
    "score": "80",
    "full_marks": "100",
    "class_rank": "5",
    "hours": "2",
    "weeks": "2",
    "deductions": "0",
    "amount": "",
    "applied_on": "2026-12-02",
    "exam_date": "2026-11-28",
    "learned_on": "2026-11-30",
    "paid_on": "2026-12-03",
    "voucher": "FK-20261203-01",
    "payee_name": "赵妈妈",
    "payee_bank": "中国工商银行",
    "payee_account": "6222020200112233445",
}
PLAUSIBLE_BY_KIND = {
    "text": "正常的一段话",
    "textarea": "家长说孩子最近进步了。\n下周再聊。",
    "search": "赵",
    "date": "2026-12-02",
    "datetime-local": "2026-12-03T09:00",
    "number": "2",
}
MISSING = object()


def plausible(field) -> st.SearchStrategy:
    if field.name == "number":
        return st.uuids().map(lambda u: f"FZ-{u.hex[:8]}")  # a contract number not taken yet
    if field.name.startswith("promised_"):
        return st.just("2026-12-07")
    if field.name in PLAUSIBLE_BY_NAME:
        return st.just(PLAUSIBLE_BY_NAME[field.name])
    if field.kind == "file":
        return st.just(b"%PDF-1.4\n%fuzz\n").map(lambda content: SimpleUploadedFile("ok.pdf", content))
    options = [value for value in field.values if value]
    if field.kind in ("checkbox", "radio", "select", "button", "hidden") and options:
        return (
            st.lists(st.sampled_from(options), min_size=1, max_size=2)
            if field.multiple
            else st.sampled_from(options)
        )
    return st.just(PLAUSIBLE_BY_KIND.get(field.kind, "x"))


def field_value(field) -> st.SearchStrategy:
    """Three times in four a plausible value, else one of its kind or past it, now and then none."""
    return st.one_of(
        plausible(field), plausible(field), plausible(field), strategy_for(field), st.just(MISSING)
    )


def _present(data: dict) -> dict:
    return {name: value for name, value in data.items() if value is not MISSING}


def post_data(fields: dict) -> st.SearchStrategy:
    """Every field of the form (each maybe left out), now and then one the form does not know."""
    return st.fixed_dictionaries(
        {name: field_value(f) for name, f in fields.items()}, optional={"unexpected": texts}
    ).map(_present)
