from celery import shared_task

from .contract_import import contract_import_run, contract_imports_expire


@shared_task(name="students.contract_import")
def contract_import(job_id: int) -> str:
    """Safe to run twice: a job already started is left alone."""
    return contract_import_run(job_id=job_id).status


@shared_task(name="students.contract_imports_expire")
def contract_imports_expire_task() -> int:
    """Every few minutes: imports whose worker died are marked failed. Safe to run twice."""
    return contract_imports_expire()
