import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from intake.models import ApiKey
from intake.services import apikey_create

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 30, 11, 0, tzinfo=SH)
URL = "/api/contracts/"


def contract_body(consultant, campus, **contract) -> dict:
    return {
        "consultant": consultant.username,
        "student": {
            "full_name": "赵一鸣",
            "gender": "male",
            "school": "海淀实验中学",
            "grade": "初二",
            "campus": campus.code,
        },
        "guardian": {"name": "赵爸爸", "relation": "father", "phone": "138 1234 5678"},
        "contract": {
            "number": "HD-2026-0930",
            "signed_at": "2026-09-30T10:00:00+08:00",
            "subjects": "数学 物理",
            "hours": 60,
            "unit_price": "220",
            "amount": 13200.00,
            **contract,
        },
    }


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    cache.clear()  # the rate limit's counts of another test's keys


@pytest.fixture
def make_key(company):
    def make(*campuses, name="销售CRM"):
        key = ApiKey(name=name)
        token = apikey_create(key=key, campuses=campuses or [company.campus_a], actor=company.admin)
        return key, token

    return make


@pytest.fixture
def token(make_key):
    return make_key()[1]


@pytest.fixture
def body(company):
    return contract_body(company.consultant_a, company.campus_a)


@pytest.fixture
def call(client):
    """POSTs a body (a dict as JSON, or raw bytes) with a key and an Idempotency-Key."""

    def post(body, *, token=None, key="crm-0001", headers=None, **meta):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if key:
            headers["Idempotency-Key"] = key
        data = body if isinstance(body, bytes | str) else json.dumps(body, ensure_ascii=False)
        return client.post(URL, data=data, content_type="application/json", headers=headers, **meta)

    return post
