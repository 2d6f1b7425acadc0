from celery import shared_task

from .contract_import import contract_import_run


@shared_task(name="students.contract_import")
def contract_import(job_id: int) -> str:
    """Safe to run twice: a job already started is left alone."""
    return contract_import_run(job_id=job_id).status
