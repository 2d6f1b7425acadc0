"""Many signed contracts from one file: every row checked and shown to its uploader, then, once they
confirm, all imported in one transaction.

The file is an Excel workbook (.xlsx, its first sheet) or CSV in any encoding a Chinese PC writes
(config.import_files turns either into CSV text). Its first row names the columns, in any order,
by their Chinese or English names (HEADERS, ALIASES): 合同编号 number, 签约时间 signed_at (2026-11-30
10:00), 学生姓名 student, 性别 gender (男/女, optional), 学校 school and 年级 grade (optional),
家长姓名 guardian, 关系 relation (母亲/父亲/祖父母/其他), 家长电话 phone, 科目 subjects, 课时 hours,
单价 unit_price, 金额 amount, and optionally 确认金额 confirm_amount: 是 confirms an amount that is
not hours × price, as the intake form's box does. A row whose contract number starts with 示例 is the
template's example and is skipped.

The job's steps: pending → checking (the worker) → ready (the preview) or failed (the rows with their
problems; nothing can be imported) → importing (confirmed by its uploader; the worker checks the rows
once more and imports them all) → done, or failed with nothing imported. Each step is a
compare-and-set on the status and an event on the timeline; a task delivered twice changes nothing.
"""

import csv
import io
import logging
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from config import import_files
from timeline.models import Event
from timeline.services import timeline_add

from .forms import ContractIntakeForm
from .models import ContractImport, Guardian, Student
from .selectors import students_for
from .services import SIGNERS, contract_sign

COLUMNS = [
    "number",
    "signed_at",
    "student",
    "gender",
    "school",
    "grade",
    "guardian",
    "relation",
    "phone",
    "subjects",
    "hours",
    "unit_price",
    "amount",
]
# The optional column after them, and what in it confirms the amount (ContractIntakeForm.confirm_amount).
CONFIRM_COLUMN = "confirm_amount"
CONFIRMED = {"是", "确认", "1", "yes", "y", "true"}
OPTIONAL = {"gender", "school", "grade", CONFIRM_COLUMN}
# Each column's Chinese header, as the template writes it.
HEADERS = {
    "number": "合同编号",
    "signed_at": "签约时间",
    "student": "学生姓名",
    "gender": "性别",
    "school": "学校",
    "grade": "年级",
    "guardian": "家长姓名",
    "relation": "关系",
    "phone": "家长电话",
    "subjects": "科目",
    "hours": "课时",
    "unit_price": "单价",
    "amount": "金额",
    CONFIRM_COLUMN: "确认金额",
}
# The upload page's table of columns: (English name, Chinese header, required).
HEADER_ROWS = [(column, header, column not in OPTIONAL) for column, header in HEADERS.items()]
# Other headers people write for the same column, traditional characters included.
ALIASES = {
    "number": ("合同号", "合同編號"),
    "signed_at": ("签约日期", "簽約時間", "簽約日期"),
    "student": ("学生", "學生姓名"),
    "gender": ("性別",),
    "school": ("學校",),
    "grade": ("年級",),
    "guardian": ("家长", "家長姓名"),
    "relation": ("与学生关系", "關係"),
    "phone": ("电话", "联系电话", "家長電話"),
    "hours": ("课时数", "課時"),
    "unit_price": ("课时单价", "單價"),
    "amount": ("合同金额", "金額"),
    CONFIRM_COLUMN: ("確認金額",),
}
# CSV column -> the intake form's field.
FIELDS = {
    "student": "full_name",
    "guardian": "guardian_name",
    "relation": "guardian_relation",
    "phone": "guardian_phone",
}
# Values people type besides the choices' own names and labels.
SPOKEN = {
    "gender": {},
    "relation": {
        "妈妈": "mother",
        "爸爸": "father",
        "爷爷": "grandparent",
        "奶奶": "grandparent",
        "外公": "grandparent",
        "外婆": "grandparent",
    },
}
CHOICES = {"gender": Student.Gender.choices, "relation": Guardian.Relation.choices}
# Columns of figures and times, where a Chinese input method's full-width digits and Excel's
# thousands separators and currency signs are read as plain digits.
FIGURES = {"signed_at", "phone", "hours", "unit_price", "amount"}
MONEY_MARKS = re.compile("[,¥￥元]")
SLASHED_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})")
EXAMPLE_PREFIX = "示例"
# What the preview shows of each row (the page's table), each value cut to PREVIEW_LENGTH.
PREVIEW = ("number", "signed_at", "student", "guardian", "subjects", "hours", "amount")
PREVIEW_LENGTH = 40
PROGRESS_EVERY = 50
logger = logging.getLogger(__name__)
MAX_ROWS = import_files.MAX_ROWS
Status = ContractImport.Status
RUNNING = (Status.PENDING, Status.CHECKING, Status.IMPORTING)


def contract_import_start(*, actor, file_name: str, text: str) -> ContractImport:
    """Keeps the file and checks it in the background; the page shows the progress."""
    from .tasks import contract_import  # the task module imports this one

    if actor.role not in SIGNERS or actor.campus_id is None:
        raise PermissionDenied(_("Only a consultant or the campus director enters signed contracts."))
    with transaction.atomic():
        job = ContractImport.objects.create(created_by=actor, file_name=file_name[:200], text=text)
        _record(job, "uploaded", actor=actor, was="", now=Status.PENDING, data={"file": job.file_name})
    transaction.on_commit(lambda: _dispatch(job.pk, contract_import, was=Status.PENDING))
    return job


def contract_import_confirm(*, job: ContractImport, actor) -> bool:
    """The uploader confirms a checked file: the worker imports it. False if it is not waiting for a
    confirmation (confirmed already by a double click or a second tab, or refused)."""
    from .tasks import contract_import

    if actor.pk != job.created_by_id or actor.role not in SIGNERS:
        raise PermissionDenied(_("Only the consultant who uploaded the file imports it."))
    with transaction.atomic():
        now = timezone.now()
        if not ContractImport.objects.filter(pk=job.pk, status=Status.READY).update(
            status=Status.IMPORTING, confirmed_at=now
        ):
            job.refresh_from_db()
            return False
        job.refresh_from_db()
        _record(
            job, "confirmed", actor=actor, was=Status.READY, now=Status.IMPORTING, data={"rows": job.total}
        )
    transaction.on_commit(lambda: _dispatch(job.pk, contract_import, was=Status.IMPORTING))
    return True


def _dispatch(job_id: int, task, *, was: str) -> None:
    """Hands the job to a worker; if the broker does not answer, the job says so rather than wait forever."""
    try:
        task.delay(job_id)
    except Exception:
        logger.exception("contract import %s could not be queued", job_id)
        reason = _(
            "The background service is not available; nothing was imported. Try again in a few minutes."
        )
        job = ContractImport.objects.select_related("created_by").get(pk=job_id)
        _finish(job, Status.FAILED, was=was, errors=[_problem(0, reason)])


def contract_import_run(*, job_id: int) -> ContractImport:
    """The job's next step in the background: a pending job is checked, a confirmed one imported; any
    other is left alone (a task delivered twice, a job its page gave up on)."""
    job = ContractImport.objects.select_related("created_by").get(pk=job_id)
    if job.status == Status.PENDING:
        return _check_step(job)
    if job.status == Status.IMPORTING:
        return _import_step(job)
    return job


def _check_step(job: ContractImport) -> ContractImport:
    if not ContractImport.objects.filter(pk=job.pk, status=Status.PENDING).update(status=Status.CHECKING):
        job.refresh_from_db()
        return job
    _forms, errors, rows = _check(job, progress=True)
    outcome = Status.FAILED if errors else Status.READY
    return _finish(job, outcome, was=Status.CHECKING, errors=errors, rows=rows)


def _import_step(job: ContractImport) -> ContractImport:
    """All the rows or none, checked once more: a contract number entered since the preview is refused."""
    try:
        with transaction.atomic():
            # Locked while importing: the page's give-up check skips a job that is being imported, and
            # a second delivery of the task waits here, then finds the job done.
            locked = ContractImport.objects.select_for_update().filter(pk=job.pk, status=Status.IMPORTING)
            if locked.first() is None:
                job.refresh_from_db()
                return job
            forms, errors, _rows = _check(job, progress=False)
            if errors:
                return _finish(job, Status.FAILED, was=Status.IMPORTING, errors=errors)
            contracts = [contract_sign(actor=job.created_by, **form.parts()) for form in forms]
            students = list(dict.fromkeys(contract.student_id for contract in contracts))
            return _finish(job, Status.DONE, was=Status.IMPORTING, imported=len(contracts), students=students)
    except Exception:  # anything at all: nothing was imported, and the page says so
        logger.exception("contract import %s failed while importing", job.pk)
        reason = _(
            "The import stopped on an unexpected error; nothing was imported. Try again, or tell the "
            "administrator."
        )
        return _finish(job, Status.FAILED, was=Status.IMPORTING, errors=[_problem(0, reason)])


def _stale_q(cutoff) -> Q:
    """Running since before the cutoff: since the upload, or since the confirmation once confirmed."""
    return Q(status__in=RUNNING) & (
        Q(confirmed_at__isnull=True, created_at__lte=cutoff) | Q(confirmed_at__lte=cutoff)
    )


def contract_import_expire(*, job: ContractImport, now=None) -> bool:
    """An import still running CONTRACT_IMPORT_TIMEOUT after its upload (or its confirmation) lost its
    worker: it is marked failed, and its page says to upload the file again. A compare-and-set on the
    running status that skips a job being imported this instant (its worker holds the row), so a
    worker that finishes first wins. True if this call marked it."""
    if not job.running:
        return False
    cutoff = (now or timezone.now()) - settings.CONTRACT_IMPORT_TIMEOUT
    if (job.confirmed_at or job.created_at) > cutoff:
        return False
    reason = _(
        "The import did not finish: the background service stopped working on it. Nothing was "
        "imported. Upload the file again to start the import anew."
    )
    was = job.status
    with transaction.atomic():
        stale = (
            ContractImport.objects.select_for_update(skip_locked=True)
            .filter(_stale_q(cutoff), pk=job.pk)
            .values_list("pk", flat=True)
        )
        changed = ContractImport.objects.filter(pk__in=list(stale), status__in=RUNNING).update(
            status=Status.FAILED, errors=[_problem(0, reason)]
        )
        if changed:
            _record(job, "failed", actor=None, was=was, now=Status.FAILED, reason=reason)
    if changed:
        logger.warning("contract import %s gave up after %s", job.pk, settings.CONTRACT_IMPORT_TIMEOUT)
    job.refresh_from_db()
    return bool(changed)


def contract_imports_expire(*, now=None) -> int:
    """Every import whose worker died, also those whose page nobody looks at (a beat task)."""
    cutoff = (now or timezone.now()) - settings.CONTRACT_IMPORT_TIMEOUT
    stale = ContractImport.objects.filter(_stale_q(cutoff)).select_related("created_by")
    return sum(contract_import_expire(job=job, now=now) for job in stale[:100])


def _problem(line: int, reason: str, field: str = "") -> dict:
    """One problem of the file: its row (0: the whole file), the column as the file names it."""
    return {"line": line, "field": field, "reason": reason}


@dataclass
class _File:
    """A file's rows as the check reads them: where each column is, its header as the file writes it,
    the template's example rows, and the contracts, each with its row number in the file."""

    places: dict[str, int]
    names: dict[str, str]
    examples: list[tuple[int, list[str]]]
    body: list[tuple[int, list[str]]]


def _read(text: str) -> tuple[_File | None, list[dict]]:
    """The file's rows, or the problems of the file as a whole (its header, its size)."""
    try:
        lines = import_files.text_rows(text)
    except csv.Error as error:
        return None, [_problem(0, _("The file is not a readable CSV file: %(error)s") % {"error": error})]
    numbered = [(n, cells) for n, cells in enumerate(lines, start=1) if any(c.strip() for c in cells)]
    if any(len(cells) > import_files.MAX_COLUMNS for _line, cells in numbered):
        return None, [_problem(0, import_files.too_many_columns())]
    if not numbered:
        return None, [_problem(1, _("The first row must name the columns: %(columns)s") % _column_list())]
    (header_line, header), rows = numbered[0], numbered[1:]
    places, problems = _columns(header, header_line)
    if problems:
        return None, problems
    found = _File(
        places=places,
        names={column: header[i].strip() for column, i in places.items()},
        examples=[(line, cells) for line, cells in rows if _is_example(cells, places)],
        body=[(line, cells) for line, cells in rows if not _is_example(cells, places)],
    )
    if not found.body or len(found.body) > MAX_ROWS:
        reason = _("The file has no contracts.") if not found.body else import_files.too_many_rows()
        return None, [_problem(0, reason)]
    return found, []


def _check(job: ContractImport, *, progress: bool) -> tuple[list[ContractIntakeForm], list[dict], list[dict]]:
    """Every row through the same checks as the intake form, the progress saved as it goes: the forms
    of the good rows, the problems, and each row as the preview shows it."""
    found, problems = _read(job.text)
    if found is None:
        return [], problems, []
    if progress:
        ContractImport.objects.filter(pk=job.pk).update(total=len(found.body))
    forms, numbers = [], set()
    for done, (line, cells) in enumerate(found.body, start=1):
        form = ContractIntakeForm(_row_data(cells, found.places))
        if not form.is_valid():
            problems.extend(_form_problems(form, line, found.names))
        elif form.cleaned_data["number"] in numbers:
            reason = _("contract %(number)s appears twice in the file") % {
                "number": form.cleaned_data["number"]
            }
            problems.append(_problem(line, reason, found.names["number"]))
        else:
            numbers.add(form.cleaned_data["number"])
            forms.append(form)
        if progress and (done % PROGRESS_EVERY == 0 or done == len(found.body)):
            ContractImport.objects.filter(pk=job.pk).update(checked=done)
    return forms, problems, _preview(found)


def _preview(found: _File) -> list[dict]:
    rows = [
        {"line": line, "example": True, **_preview_row(cells, found.places)} for line, cells in found.examples
    ]
    rows += [{"line": line, **_preview_row(cells, found.places)} for line, cells in found.body]
    return sorted(rows, key=lambda row: row["line"])


def _is_example(cells: list[str], places: dict[str, int]) -> bool:
    """The template's example row, left in the file: shown, not imported."""
    return _cell(cells, places, "number").startswith(EXAMPLE_PREFIX)


def _header_key(text: str) -> str:
    """A header as typed: full-width letters and spaces, surrounding and inner spaces, case all alike."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


@cache
def _header_names() -> dict[str, str]:
    names = {}
    for column in [*COLUMNS, CONFIRM_COLUMN]:
        for name in (column, HEADERS[column], *ALIASES.get(column, ())):
            names[_header_key(name)] = column
    return names


def _columns(header: list[str], line: int) -> tuple[dict[str, int], list[dict]]:
    """Where each column is, or one problem per unknown, repeated or missing header, each named."""
    known, places, problems = _header_names(), {}, []
    for i, text in enumerate(header):
        if not text.strip():
            continue  # a column without a header: Excel's empty columns at the right
        column = known.get(_header_key(text))
        if column is None:
            reason = _("The column “%(header)s” is not known. The columns are: %(columns)s") % {
                "header": text.strip(),
                **_column_list(),
            }
            problems.append(_problem(line, reason, text.strip()))
        elif column in places:
            reason = _("The column “%(header)s” appears twice.") % {"header": text.strip()}
            problems.append(_problem(line, reason, text.strip()))
        else:
            places[column] = i
    for column in COLUMNS:
        if column not in places and column not in OPTIONAL:
            reason = _("The column “%(header)s” (%(column)s) is missing.") % {
                "header": HEADERS[column],
                "column": column,
            }
            problems.append(_problem(line, reason, HEADERS[column]))
    return places, problems


def _column_list() -> dict[str, str]:
    return {"columns": "、".join(HEADERS[column] for column in COLUMNS)}


def _cell(cells: list[str], places: dict[str, int], column: str) -> str:
    i = places.get(column)
    return cells[i].strip() if i is not None and i < len(cells) else ""


def _row_data(cells: list[str], places: dict[str, int]) -> dict:
    """A row as the intake form's data."""
    values = {column: _cell(cells, places, column) for column in COLUMNS}
    for column in FIGURES:
        values[column] = _figure(column, values[column])
    for column in CHOICES:
        values[column] = _choices(column).get(values[column].lower(), values[column])
    data = {FIELDS.get(column, column): value for column, value in values.items()}
    data["confirm_amount"] = _cell(cells, places, CONFIRM_COLUMN).lower() in CONFIRMED
    return data


def _figure(column: str, value: str) -> str:
    value = unicodedata.normalize("NFKC", value).strip()
    if column in ("hours", "unit_price", "amount"):
        return MONEY_MARKS.sub("", value)
    if column == "signed_at":
        return SLASHED_DATE.sub(r"\1-\2-\3", value)
    return value


@cache
def _choices(column: str) -> dict[str, str]:
    """A choice's accepted spellings: its value, its Chinese and English labels, and SPOKEN's."""
    accepted = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            accepted |= {str(label).lower(): value for value, label in CHOICES[column]}
    accepted |= {value: value for value, _label in CHOICES[column]}
    return accepted | SPOKEN[column]


def _form_problems(form: ContractIntakeForm, line: int, names: dict[str, str]) -> list[dict]:
    columns = {FIELDS.get(column, column): column for column in COLUMNS}
    columns["confirm_amount"] = CONFIRM_COLUMN
    return [
        _problem(line, str(message), _column_name(columns.get(name), names, form, name))
        for name, messages in form.errors.items()
        for message in messages
    ]


def _column_name(column: str | None, names: dict[str, str], form, field: str) -> str:
    """The column as the file heads it; a column the file left out by the template's header."""
    if column is None:
        return str(form.fields[field].label) if field in form.fields else _("row")
    return names.get(column) or HEADERS[column]


def _preview_row(cells: list[str], places: dict[str, int]) -> dict:
    return {column: _cell(cells, places, column)[:PREVIEW_LENGTH] for column in PREVIEW}


def _finish(job: ContractImport, status: str, *, was: str, errors=None, rows=None, imported=0, students=None):
    """The step's end, if the job is still in the step `was` (not given up on meanwhile), on the timeline."""
    changes = {"status": status, "errors": errors or [], "imported": imported}
    if rows is not None:
        changes["rows"] = rows
    if students is not None:
        changes["students"] = students
    with transaction.atomic():
        if ContractImport.objects.filter(pk=job.pk, status=was).update(**changes):
            kind = {Status.READY: "checked", Status.DONE: "imported"}.get(status, "failed")
            reason = changes["errors"][0]["reason"] if status == Status.FAILED and changes["errors"] else ""
            data = {"errors": len(changes["errors"]), "imported": imported}
            _record(job, kind, actor=None, was=was, now=status, reason=reason, data=data)
    job.refresh_from_db()
    return job


def _record(job: ContractImport, kind: str, *, actor, was: str, now: str, reason: str = "", data=None):
    """The job's history: what happened to it, who did it (none: the worker), from which state to which."""
    timeline_add(
        subject=job,
        kind=f"contract_import.{kind}",
        campus_id=job.created_by.campus_id,
        actor=actor,
        from_state=was,
        to_state=now,
        reason=reason[:500],
        data=data or {},
    )


# The job's history, as its page says it (the events' kinds, without "contract_import.").
EVENT_LABELS = {
    "uploaded": gettext_lazy("File uploaded"),
    "checked": gettext_lazy("Checked: ready to import"),
    "confirmed": gettext_lazy("Import confirmed"),
    "imported": gettext_lazy("Imported"),
    "failed": gettext_lazy("Refused"),
}
HISTORY_LENGTH = 20


def contract_import_preview(job: ContractImport) -> tuple[list[dict], list[dict]]:
    """The problems of the file as a whole (its header, its size), and the rows to show: every row
    when the file can be imported, only those with problems otherwise, each with its problems."""
    by_line = defaultdict(list)
    for problem in job.errors:
        by_line[problem.get("line", 0)].append(problem)
    lines = {row["line"] for row in job.rows}
    general = [problem for problem in job.errors if problem.get("line", 0) not in lines]
    rows = [{**row, "problems": by_line.get(row["line"], [])} for row in job.rows]
    if job.errors:
        rows = [row for row in rows if row["problems"]]
    return general, rows


def contract_import_students(job: ContractImport, user):
    """The students the import created, those the user may open (the consultant: all of them)."""
    students = students_for(user).filter(pk__in=job.students).order_by("pk")
    return students.only("pk", "full_name", "grade", "school")


def contract_import_history(job: ContractImport) -> list[dict]:
    kind = ContentType.objects.get_for_model(ContractImport)
    events = (
        Event.objects.filter(subject_type=kind, subject_id=job.pk)  # index event_subject_at
        .select_related("actor")
        .order_by("at", "pk")[:HISTORY_LENGTH]
    )
    return [
        {
            "at": event.at,
            "who": event.actor.display_name if event.actor else _("the system"),
            "what": EVENT_LABELS.get(event.kind.removeprefix("contract_import."), event.kind),
            "reason": event.reason,
        }
        for event in events
    ]


TEMPLATE_NAME = "合同导入模板.xlsx"


def contract_import_template() -> io.BytesIO:
    """The workbook to fill in: the Chinese headers, one example row (skipped when imported: its number
    starts with 示例), drop-down lists for gender and relation, and a sheet of the allowed values."""
    with translation.override("zh-hans"):
        book = Workbook()
        sheet = book.active
        sheet.title = "合同"
        _template_sheet(sheet)
        _values_sheet(book.create_sheet("可选值"), sheet)
        out = io.BytesIO()
        book.save(out)
    out.seek(0)
    return out


TEMPLATE_EXAMPLE = {
    "number": f"{EXAMPLE_PREFIX}-HD-2026-0101",
    "signed_at": "2026-11-30 10:00",
    "student": "赵一鸣",
    "gender": "男",
    "school": "海淀实验中学",
    "grade": "初二",
    "guardian": "赵爸爸",
    "relation": "父亲",
    "phone": "13812345678",
    "subjects": "数学 物理",
    "hours": 60,
    "unit_price": 220,
    "amount": 13200,
    CONFIRM_COLUMN: "",
}
TEMPLATE_COLUMNS = [*COLUMNS, CONFIRM_COLUMN]
# Typed as text, so Excel keeps a phone's digits and a time as written.
TEXT_COLUMNS = {"number", "signed_at", "phone"}


def _template_sheet(sheet) -> None:
    bold = Font(bold=True)
    for i, column in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=i, value=HEADERS[column])
        cell.font = bold
        example = sheet.cell(row=2, column=i, value=TEMPLATE_EXAMPLE[column])
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 18 if column in TEXT_COLUMNS else 12
        if column in TEXT_COLUMNS:
            example.number_format = "@"
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"


def _values_sheet(values, contracts) -> None:
    """The allowed values, and the contract sheet's drop-down lists that point at them."""
    lists = {
        "gender": [str(label) for _value, label in Student.Gender.choices],
        "relation": [str(label) for _value, label in Guardian.Relation.choices],
        CONFIRM_COLUMN: ["是"],
    }
    free = {
        "grade": _("Free text, e.g. 初二"),
        "subjects": _("Free text; several subjects separated by spaces, e.g. 数学 物理"),
        "signed_at": _("Date and time, e.g. 2026-11-30 10:00"),
    }
    bold = Font(bold=True)
    for i, (column, allowed) in enumerate(lists.items(), start=1):
        values.cell(row=1, column=i, value=HEADERS[column]).font = bold
        for row, label in enumerate(allowed, start=2):
            values.cell(row=row, column=i, value=label)
        letter = values.cell(row=1, column=i).column_letter
        rule = DataValidation(type="list", formula1=f"'可选值'!${letter}$2:${letter}${len(allowed) + 1}")
        rule.allow_blank = True
        contracts.add_data_validation(rule)
        target = contracts.cell(row=1, column=TEMPLATE_COLUMNS.index(column) + 1).column_letter
        rule.add(f"{target}2:{target}{MAX_ROWS + 1}")
    for i, (column, note) in enumerate(free.items(), start=len(lists) + 1):
        values.cell(row=1, column=i, value=HEADERS[column]).font = bold
        values.cell(row=2, column=i, value=str(note))
    for i in range(1, len(lists) + len(free) + 1):
        values.column_dimensions[values.cell(row=1, column=i).column_letter].width = 24
