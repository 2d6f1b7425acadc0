"""The intake API (django-ninja): the sales CRM posts a signed contract with its new student and
guardian. Checked by the intake form and entered by students.services.contract_sign, as a consultant
entering it by hand; every call of a valid key on the access log, every other on the Python log."""

import hashlib
import logging
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from config.network import client_ip
from students.forms import ContractIntakeForm
from students.services import contract_sign
from timeline.models import Access
from timeline.services import access_record

from . import payload
from .forms import IntakeReferencesForm
from .models import ApiKey
from .schemas import OPENAPI_EXTRA, ContractOut, Errors
from .selectors import any_campus, campus_for, consultant_for, key_for_token, prefix_of, reply_for
from .services import apikey_used, intake_reply_save, rate_wait

logger = logging.getLogger(__name__)

IDEMPOTENCY_KEY_MAX = 100

api = NinjaAPI(
    title="Casework intake API",
    version="1",
    description="Signed contracts from the sales CRM. Authorization: Bearer <key> (made in the admin).",
    urls_namespace="api",
    docs_url=None,
)


class KeyAuth(HttpBearer):
    def authenticate(self, request, token):
        key = key_for_token(token)
        if key is not None:
            apikey_used(key=key)
        return key


@dataclass
class Answer:
    status: int
    body: dict
    headers: dict = field(default_factory=dict)
    campus_id: int | None = None
    contract: object = None
    retry: bool = False  # the stored answer of an earlier call

    def response(self) -> JsonResponse:
        response = JsonResponse(self.body, status=self.status, json_dumps_params={"ensure_ascii": False})
        for name, value in self.headers.items():
            response[name] = value
        add_never_cache_headers(response)  # it names a student
        return response

    def logged(self, request) -> str:
        """The access log's "which": the call, its status, the contract entered."""
        number = f" {self.contract.number}" if self.contract else ""
        return f"{request.method} {request.path} {self.status}{number}" + (" retry" if self.retry else "")


def refused(status: int, name: str, message: str, **kwargs) -> Answer:
    return Answer(status, {"errors": {name: [message]}}, **kwargs)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    """No key, an unknown or a revoked one: nobody to name on the access log, so the Python log."""
    token = request.headers.get("Authorization", "").partition(" ")[2]
    logger.warning(
        "intake API: %s %s from %s refused, no valid key (prefix %s)",
        request.method,
        request.path,
        client_ip(request),
        prefix_of(token) or "-",
    )
    with translation.override(translation.get_language_from_request(request)):
        message = _("Give a valid API key: the header Authorization: Bearer <key>.")
    answer = refused(401, "Authorization", message, headers={"WWW-Authenticate": "Bearer"})
    return answer.response()


@api.post(
    "/contracts/",
    auth=KeyAuth(),
    url_name="contracts",
    summary="Enter a signed contract with its new student and main guardian",
    response={
        201: ContractOut,
        **dict.fromkeys((400, 401, 403, 409, 413, 422, 429), Errors),
    },
    openapi_extra=OPENAPI_EXTRA,
)
def contract_post(request):
    key = request.auth
    with translation.override(translation.get_language_from_request(request)):
        answer = _answer(request, key)
    contract = answer.contract
    access_record(
        actor=key.user,
        action=Access.Action.API,
        student=contract.student if contract else None,
        campus_id=contract.student.campus_id if contract else answer.campus_id,
        detail=answer.logged(request),
    )
    return answer.response()


def _idempotency_problem(value: str) -> str:
    if not value:
        return _("Send an Idempotency-Key header, the same for each retry of this contract.")
    if len(value) > IDEMPOTENCY_KEY_MAX or not (value.isascii() and value.isprintable()):
        return _("Keep the Idempotency-Key to 100 characters: letters, digits and punctuation.")
    return ""


def _answer(request, key: ApiKey) -> Answer:
    if wait := rate_wait(key=key):
        message = _("Too many calls with this key: try again in %(seconds)d seconds.") % {"seconds": wait}
        return refused(429, "__all__", message, headers={"Retry-After": str(wait)})
    idempotency_key = request.headers.get("Idempotency-Key", "").strip()
    if problem := _idempotency_problem(idempotency_key):
        return refused(422, "Idempotency-Key", problem)
    try:
        body = payload.parse(request.body)
    except RequestDataTooBig:
        return refused(413, "body", _("Send at most 2.5 MB: one contract at a time."))
    except payload.BodyError:
        return refused(400, "body", _("Send the contract as a JSON object (Content-Type: application/json)."))
    with transaction.atomic():
        # One call of a key at a time: a retry sent before the first is answered waits for its answer.
        ApiKey.objects.select_for_update().filter(pk=key.pk).first()
        return _entered(request, key, idempotency_key, body)


def _entered(request, key: ApiKey, idempotency_key: str, body: dict) -> Answer:
    body_hash = hashlib.sha256(payload.canonical(body).encode()).hexdigest()
    if reply := reply_for(key, idempotency_key):
        if reply.body_hash != body_hash:
            message = _("Another contract was sent with this Idempotency-Key: give each contract its own.")
            return refused(409, "Idempotency-Key", message)
        return Answer(reply.status, reply.answer, contract=reply.contract, retry=True)
    intake, references, errors = payload.form_data(body)
    checked = _references(key, IntakeReferencesForm(references), errors)
    if isinstance(checked, Answer):
        return checked
    consultant, campus_id = checked
    # The key's own request key: the form and the service recognise this call sent again.
    intake["request_key"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"intake:{key.pk}:{idempotency_key}"))
    form = ContractIntakeForm(intake)
    if not form.is_valid() or errors:
        return Answer(422, {"errors": {**payload.body_errors(form), **errors}}, campus_id=campus_id)
    try:
        contract = contract_sign(actor=consultant, **form.parts())
    except IntegrityError:  # the same number entered at the same moment by another call or person
        message = _("A contract with this number has already been entered.")
        return refused(422, "contract.number", message, campus_id=campus_id)
    answer = {
        "contract_id": contract.pk,
        "student_id": contract.student_id,
        "student_url": request.build_absolute_uri(contract.student.get_absolute_url()),
    }
    intake_reply_save(
        key=key,
        idempotency_key=idempotency_key,
        body_hash=body_hash,
        status=201,
        answer=answer,
        contract=contract,
    )
    return Answer(201, answer, contract=contract)


def _references(key: ApiKey, form: IntakeReferencesForm, errors: dict):
    """(the consultant, the campus's id), errors noted in `errors`; or the 403 of a campus the key
    may not write to (one unknown answers the same: the key learns no other campus's code)."""
    if not form.is_valid():
        errors.update({k: v for k, v in payload.body_errors(form).items() if k not in errors})
        return None, None
    code = form.cleaned_data["campus"]
    campus = campus_for(key, code)
    if campus is None:
        named = any_campus(code)
        message = _("This key may not enter contracts for the campus %(code)s.") % {"code": code}
        return refused(403, "student.campus", message, campus_id=named.pk if named else None)
    consultant = consultant_for(key, form.cleaned_data["consultant"])
    if consultant is None:
        errors["consultant"] = [_("No active consultant has this username on the campuses of this key.")]
    elif consultant.campus_id != campus.pk:
        errors["consultant"] = [_("This consultant works on another campus than the student's.")]
    return consultant, campus.pk
