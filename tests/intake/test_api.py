"""The intake API: the sales CRM posts a signed contract; the intake form checks it, contract_sign
enters it, a retry enters nothing twice, every call of a key is on the access log."""

import json
import logging

import pytest
from django.utils import translation

from accounts.models import Role
from intake.models import ApiKey
from intake.services import apikey_revoke
from students.models import Contract, Guardian, Student
from tests.factories import UserFactory
from timeline.models import Access, Event

from .conftest import URL, contract_body


def api_calls():
    return list(Access.objects.filter(action=Access.Action.API).order_by("pk"))


def test_a_good_call_enters_the_contract_student_and_guardian(call, token, body, company):
    response = call(body, token=token)
    assert response.status_code == 201, response.json()
    assert "no-store" in response["Cache-Control"]
    answer = response.json()
    contract = Contract.objects.get()
    student = contract.student
    assert answer == {
        "contract_id": contract.pk,
        "student_id": student.pk,
        "student_url": f"http://testserver/students/{student.pk}/",
    }
    assert contract.number == "HD-2026-0930" and contract.consultant == company.consultant_a
    assert contract.hours == 60 and contract.amount == 13200
    assert student.campus == company.campus_a and student.full_name == "赵一鸣"
    assert Guardian.objects.get(student=student, is_primary=True).phone == "13812345678"
    signed = Event.objects.get(kind="contract.signed")
    assert signed.actor == company.consultant_a and signed.subject_id == contract.pk
    (logged,) = api_calls()
    key = ApiKey.objects.get()
    assert logged.actor == key.user and logged.student == student and logged.campus == company.campus_a
    assert logged.detail == f"POST {URL} 201 HD-2026-0930"
    assert key.last_used_at is not None


def test_the_director_reads_the_calls_on_the_campus_s_access_log(call, token, body, client, company):
    call(body, token=token)
    client.force_login(company.director_a)
    html = client.get("/access-log/").content.decode()
    assert "销售CRM · API" in html and "调用了录入接口" in html and "HD-2026-0930" in html
    client.force_login(company.director_b)
    assert "调用了录入接口" not in client.get("/access-log/").content.decode()


def test_a_retry_gets_the_first_answer_and_enters_nothing_more(call, token, body):
    first = call(body, token=token)
    # The same body spelt otherwise (key order, spaces) is the same body.
    again = call(json.dumps(body, indent=2, sort_keys=True), token=token)
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert Contract.objects.count() == 1 and Student.objects.count() == 1
    assert Event.objects.filter(kind="contract.signed").count() == 1
    assert [entry.detail for entry in api_calls()] == [
        f"POST {URL} 201 HD-2026-0930",
        f"POST {URL} 201 HD-2026-0930 retry",
    ]


def test_the_same_idempotency_key_with_another_body_is_a_conflict(call, token, body):
    call(body, token=token)
    body["contract"]["number"] = "HD-2026-0931"
    response = call(body, token=token)
    assert response.status_code == 409
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert Contract.objects.count() == 1


def test_another_idempotency_key_with_the_same_number_is_a_taken_number(call, token, body):
    call(body, token=token)
    response = call(body, token=token, key="crm-0002")
    assert response.status_code == 422
    with translation.override("zh-hans"):
        taken = translation.gettext("A contract with this number has already been entered.")
    assert response.json() == {"errors": {"contract.number": [taken]}}
    assert taken != "A contract with this number has already been entered."  # Chinese by default
    assert Contract.objects.count() == 1


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe", b"", b"[" * 100_000])
def test_a_body_that_is_no_json_object_is_400(call, token, raw):
    response = call(raw, token=token)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["body"]
    assert not Student.objects.exists()
    assert [entry.detail for entry in api_calls()] == [f"POST {URL} 400"]


def test_a_body_over_the_upload_limit_is_413_and_logged(call, token, body, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body["student"]["school"] = "长" * 1000
    response = call(body, token=token)
    assert response.status_code == 413 and list(response.json()["errors"]) == ["body"]
    assert [entry.detail for entry in api_calls()] == [f"POST {URL} 413"]


def test_missing_and_misshapen_fields_are_named(call, token, body):
    del body["contract"]["number"]
    del body["consultant"]
    body["guardian"] = "赵爸爸"
    body["student"]["grade"] = ["初二"]
    body["contract"]["confirm_amount"] = "yes"
    response = call(body, token=token)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {
        "contract.number",
        "consultant",
        "guardian",
        "student.grade",
        "contract.confirm_amount",
        "guardian.name",
        "guardian.relation",
        "guardian.phone",
    }
    assert not Student.objects.exists()


def test_the_form_s_checks_apply_a_bad_phone_a_future_date(call, token, body):
    body["guardian"]["phone"] = "12345"
    body["contract"]["signed_at"] = "2026-10-01T10:00:00+08:00"
    body["contract"]["hours"] = "0"
    response = call(body, token=token)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"guardian.phone", "contract.signed_at", "contract.hours"}


def test_an_amount_off_hours_times_price_is_refused_unless_confirmed(call, token, body):
    body["contract"]["amount"] = "12000"
    response = call(body, token=token)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["contract.amount"]
    assert "13200" in response.json()["errors"]["contract.amount"][0]
    body["contract"]["confirm_amount"] = True
    response = call(body, token=token)  # the same key, another body: the first call entered nothing
    assert response.status_code == 201
    assert Contract.objects.get().amount == 12000
    assert Event.objects.get(kind="contract.signed").data["amount_confirmed"]


def test_english_when_asked(call, token, body):
    del body["contract"]["number"]
    response = call(body, token=token, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"]["contract.number"] == ["This field is required."]
    response = call(body, token=token)
    assert response.json()["errors"]["contract.number"] == ["这个字段是必填项。"]


def test_a_campus_outside_the_key_s_scope_is_403_and_logged_on_that_campus(call, token, company):
    body = contract_body(company.consultant_a, company.campus_b)
    response = call(body, token=token)
    assert response.status_code == 403
    assert response.json() == {"errors": {"student.campus": ["此密钥不能为校区 b 录入合同。"]}}
    assert not Student.objects.exists()
    (logged,) = api_calls()
    assert logged.campus == company.campus_b and logged.detail == f"POST {URL} 403"
    # A campus that does not exist answers the same: the key learns no campus's code.
    body["student"]["campus"] = "nowhere"
    unknown = call(body, token=token, key="crm-0002")
    assert unknown.status_code == 403 and api_calls()[-1].campus is None


def test_the_consultant_must_be_an_active_consultant_of_the_student_s_campus(call, make_key, company):
    _key, token = make_key(company.campus_a, company.campus_b)
    consultant_b = UserFactory(role=Role.CONSULTANT, campus=company.campus_b)
    inactive = UserFactory(role=Role.CONSULTANT, campus=company.campus_a, is_active=False)
    for n, (person, campus) in enumerate(
        [
            (consultant_b, company.campus_a),  # of another campus than the student's
            (inactive, company.campus_a),
            (company.manager_a1, company.campus_a),  # not a consultant
        ]
    ):
        response = call(contract_body(person, campus), token=token, key=f"crm-{n}")
        assert response.status_code == 422, person
        assert list(response.json()["errors"]) == ["consultant"]
    assert not Student.objects.exists()


def test_a_consultant_of_a_campus_outside_the_scope_is_unknown_to_the_key(call, token, company):
    consultant_b = UserFactory(role=Role.CONSULTANT, campus=company.campus_b)
    response = call(contract_body(consultant_b, company.campus_a), token=token)
    assert response.status_code == 422 and list(response.json()["errors"]) == ["consultant"]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer nonsense", "Bearer cwk_00000000_secret", "Basic dXNlcjpwYXNz", "Bearer "],
)
def test_without_a_valid_key_401_on_the_python_log_only(call, body, caplog, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    with caplog.at_level(logging.WARNING, logger="intake.api"):
        response = call(body, headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert list(response.json()["errors"]) == ["Authorization"]
    assert "refused" in caplog.text
    assert not api_calls() and not Student.objects.exists()


def test_a_key_with_a_wrong_secret_is_refused(call, token, body):
    response = call(body, token=token[:-4] + "AAAA")
    assert response.status_code == 401 and not Student.objects.exists()


def test_a_revoked_key_is_401(call, make_key, body, company, caplog):
    key, token = make_key()
    assert apikey_revoke(key=key, actor=company.admin, reason="CRM replaced")
    assert not apikey_revoke(key=key, actor=company.admin, reason="twice")
    with caplog.at_level(logging.WARNING, logger="intake.api"):
        response = call(body, token=token)
    assert response.status_code == 401
    assert f"prefix {key.prefix}" in caplog.text  # the log says which revoked key is still in use
    assert not api_calls() and not Student.objects.exists()
    revoked = Event.objects.get(kind="apikey.revoked")
    assert revoked.actor == company.admin and revoked.reason == "CRM replaced"


def test_the_idempotency_key_is_required_and_bounded(call, token, body):
    for key in ("", "x" * 101, "клю́ч"):
        response = call(body, token=token, key=None, HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code == 422
        assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert call(body, token=token, key="x" * 100).status_code == 201


def test_too_many_calls_answer_429_with_retry_after(call, token, body, settings):
    settings.INTAKE_RATE_LIMIT = 2
    del body["contract"]["number"]
    statuses = [call(body, token=token, key=f"crm-{n}").status_code for n in range(3)]
    assert statuses == [422, 422, 429]
    response = call(body, token=token, key="crm-9")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60  # the clock stands still at 11:00:00: the whole minute
    assert [entry.detail.split()[2] for entry in api_calls()] == ["422", "422", "429", "429"]


def test_another_key_has_its_own_limit(call, make_key, body, settings):
    settings.INTAKE_RATE_LIMIT = 1
    _one, first = make_key()
    _two, second = make_key(name="另一个CRM")
    assert call(body, token=first).status_code == 201
    assert call(body, token=first, key="crm-2").status_code == 429
    assert call(body, token=second, key="crm-3").status_code == 422  # its own count; the number is taken


def test_the_openapi_document_describes_the_endpoint(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    document = response.json()
    operation = document["paths"][URL]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == {"consultant", "student", "guardian", "contract"}
    contract = schema["properties"]["contract"]["properties"]
    assert {"number", "signed_at", "hours", "unit_price", "amount", "confirm_amount"} <= set(contract)
    assert "Idempotency-Key" in [parameter["name"] for parameter in operation["parameters"]]
    assert set(operation["responses"]) >= {"201", "400", "401", "403", "409", "422", "429"}
    assert document["components"]["securitySchemes"]["KeyAuth"]["scheme"] == "bearer"
    assert client.get("/api/docs").status_code == 404


def test_only_post_is_answered(client, token):
    response = client.get(URL, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405
