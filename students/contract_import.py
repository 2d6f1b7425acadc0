"""Many signed contracts from one CSV file: every row checked, then all imported in one transaction.

Columns (the first line): number,signed_at,student,gender,school,grade,guardian,relation,phone,
subjects,hours,unit_price,amount — signed_at as 2026-11-30 10:00, gender male/female or empty,
relation mother/father/grandparent/other — and optionally confirm_amount last: 是 confirms an amount
that is not hours × price, as the intake form's box does.
"""

import csv
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .forms import ContractIntakeForm
from .models import ContractImport
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
# CSV column -> the intake form's field.
FIELDS = {
    "student": "full_name",
    "guardian": "guardian_name",
    "relation": "guardian_relation",
    "phone": "guardian_phone",
}
# Values people type in Chinese, as the form expects them.
SPOKEN = {
    "gender": {"男": "male", "女": "female"},
    "relation": {
        "母亲": "mother",
        "妈妈": "mother",
        "父亲": "father",
        "爸爸": "father",
        "祖父母": "grandparent",
        "爷爷": "grandparent",
        "奶奶": "grandparent",
        "外公": "grandparent",
        "外婆": "grandparent",
        "其他": "other",
    },
}
PROGRESS_EVERY = 50
logger = logging.getLogger(__name__)
MAX_ROWS = 5000


def contract_import_start(*, actor, file_name: str, text: str) -> ContractImport:
    """Keeps the file and checks it in the background; the page shows the progress."""
    from .tasks import contract_import

    if actor.role not in SIGNERS:
        raise PermissionDenied(_("Only a consultant or the campus director enters signed contracts."))
    job = ContractImport.objects.create(created_by=actor, file_name=file_name[:200], text=text)
    transaction.on_commit(lambda: _dispatch(job.pk, contract_import))
    return job


def _dispatch(job_id: int, task) -> None:
    """Hands the job to a worker; if the broker does not answer, the job says so rather than wait forever."""
    try:
        task.delay(job_id)
    except Exception:
        logger.exception("contract import %s could not be queued", job_id)
        reason = _(
            "The background service is not available; nothing was imported. Try again in a few minutes."
        )
        ContractImport.objects.filter(pk=job_id, status=ContractImport.Status.PENDING).update(
            status=ContractImport.Status.FAILED, errors=[{"line": 0, "reason": reason}]
        )


def contract_import_run(*, job_id: int) -> ContractImport:
    """Runs an import once: a job already started is left alone (a task delivered twice). Each step
    is a compare-and-set on the status, so a job its page gave up on (contract_import_expire) stops
    here and imports nothing."""
    Status = ContractImport.Status
    if not ContractImport.objects.filter(pk=job_id, status=Status.PENDING).update(status=Status.CHECKING):
        return ContractImport.objects.get(pk=job_id)
    job = ContractImport.objects.select_related("created_by").get(pk=job_id)
    rows, errors = _check(job)
    if errors:
        return _finish(job, Status.FAILED, errors=errors, was=Status.CHECKING)
    if not ContractImport.objects.filter(pk=job.pk, status=Status.CHECKING).update(status=Status.IMPORTING):
        job.refresh_from_db()
        return job
    try:
        with transaction.atomic():
            # Locked while importing: the page's give-up check skips a job that is being imported.
            locked = ContractImport.objects.select_for_update().filter(pk=job.pk, status=Status.IMPORTING)
            if locked.first() is None:
                job.refresh_from_db()
                return job
            for form in rows:
                contract_sign(actor=job.created_by, **form.parts())
            return _finish(job, Status.DONE, imported=len(rows), was=Status.IMPORTING)
    except Exception:  # anything at all: nothing was imported, and the page says so
        logger.exception("contract import %s failed while importing", job.pk)
        reason = _(
            "The import stopped on an unexpected error; nothing was imported. Try again, or tell the "
            "administrator."
        )
        return _finish(job, Status.FAILED, errors=[{"line": 0, "reason": reason}], was=Status.IMPORTING)


RUNNING = (ContractImport.Status.PENDING, ContractImport.Status.CHECKING, ContractImport.Status.IMPORTING)


def contract_import_expire(*, job: ContractImport, now=None) -> bool:
    """An import still running CONTRACT_IMPORT_TIMEOUT after its upload lost its worker: it is marked
    failed, and its page says to upload the file again. A compare-and-set on the running status that
    skips a job being imported this instant (its worker holds the row), so a worker that finishes
    first wins. True if this call marked it."""
    if not job.running:
        return False
    cutoff = (now or timezone.now()) - settings.CONTRACT_IMPORT_TIMEOUT
    if job.created_at > cutoff:
        return False
    reason = _(
        "The import did not finish: the background service stopped working on it. Nothing was "
        "imported. Upload the file again to start the import anew."
    )
    with transaction.atomic():
        stale = (
            ContractImport.objects.select_for_update(skip_locked=True)
            .filter(pk=job.pk, status__in=RUNNING, created_at__lte=cutoff)
            .values_list("pk", flat=True)
        )
        changed = ContractImport.objects.filter(pk__in=list(stale), status__in=RUNNING).update(
            status=ContractImport.Status.FAILED, errors=[{"line": 0, "reason": reason}]
        )
    if changed:
        logger.warning("contract import %s gave up after %s", job.pk, settings.CONTRACT_IMPORT_TIMEOUT)
    job.refresh_from_db()
    return bool(changed)


def contract_imports_expire(*, now=None) -> int:
    """Every import whose worker died, also those whose page nobody looks at (a beat task)."""
    cutoff = (now or timezone.now()) - settings.CONTRACT_IMPORT_TIMEOUT
    stale = ContractImport.objects.filter(status__in=RUNNING, created_at__lte=cutoff)
    return sum(contract_import_expire(job=job, now=now) for job in stale[:100])


def _check(job: ContractImport) -> tuple[list[ContractIntakeForm], list[dict]]:
    """Every row through the same checks as the intake form; the progress is saved as it goes."""
    try:
        lines = list(csv.reader(job.text.lstrip("\ufeff").splitlines()))
    except csv.Error as error:
        return [], [
            {"line": 0, "reason": _("The file is not a readable CSV file: %(error)s") % {"error": error}}
        ]
    header = [cell.strip().lower() for cell in (lines[0] if lines else [])]
    if header[: len(COLUMNS)] != COLUMNS:
        return [], [
            {
                "line": 1,
                "reason": _("The first line must be the header: %(columns)s")
                % {"columns": ",".join(COLUMNS)},
            }
        ]
    body = [
        (number, cells) for number, cells in enumerate(lines[1:], start=2) if any(c.strip() for c in cells)
    ]
    if not body or len(body) > MAX_ROWS:
        reason = (
            _("The file has no contracts.")
            if not body
            else _("At most %(max)d contracts per file.") % {"max": MAX_ROWS}
        )
        return [], [{"line": 0, "reason": reason}]
    ContractImport.objects.filter(pk=job.pk).update(total=len(body))
    confirm_at = len(COLUMNS) if header[len(COLUMNS) : len(COLUMNS) + 1] == [CONFIRM_COLUMN] else None
    forms, errors, numbers = [], [], set()
    for done, (line, cells) in enumerate(body, start=1):
        values = {column: (cells[i].strip() if i < len(cells) else "") for i, column in enumerate(COLUMNS)}
        for column, spoken in SPOKEN.items():
            values[column] = spoken.get(values[column], values[column])
        data = {FIELDS.get(column, column): value for column, value in values.items()}
        if confirm_at is not None and confirm_at < len(cells):
            data["confirm_amount"] = cells[confirm_at].strip().lower() in CONFIRMED
        form = ContractIntakeForm(data)
        if not form.is_valid():
            errors.extend(
                {"line": line, "reason": f"{_field_label(form, name)}：{message}"}
                for name, messages in form.errors.items()
                for message in messages
            )
        elif form.cleaned_data["number"] in numbers:
            errors.append(
                {
                    "line": line,
                    "reason": _("contract %(number)s appears twice in the file")
                    % {"number": form.cleaned_data["number"]},
                }
            )
        else:
            numbers.add(form.cleaned_data["number"])
            forms.append(form)
        if done % PROGRESS_EVERY == 0 or done == len(body):
            ContractImport.objects.filter(pk=job.pk).update(checked=done)
    return forms, errors


def _field_label(form, name: str) -> str:
    return str(form.fields[name].label) if name in form.fields else _("row")


def _finish(job: ContractImport, status: str, *, was: str, errors=None, imported: int = 0) -> ContractImport:
    """The job's end, if it is still in the step `was` (not given up on meanwhile)."""
    ContractImport.objects.filter(pk=job.pk, status=was).update(
        status=status, errors=errors or [], imported=imported
    )
    job.refresh_from_db()
    return job
