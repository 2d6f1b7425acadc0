"""Keys are made in the admin, shown once, kept as a hash, revoked with a reason."""

import re

from django.contrib.messages import get_messages

from intake.models import ApiKey
from intake.selectors import key_hash
from timeline.models import Event

from .conftest import URL

ADD = "/admin/intake/apikey/add/"
LIST = "/admin/intake/apikey/"


def test_a_key_made_in_the_admin_is_shown_once_and_kept_as_a_hash(client, company, body):
    client.force_login(company.admin)
    response = client.post(ADD, {"name": "销售CRM", "campuses": [company.campus_a.pk]}, follow=True)
    assert response.status_code == 200
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request)) + response.content.decode()
    (token,) = set(re.findall(r"cwk_[0-9a-f]{8}_[\w-]{43}", shown))
    key = ApiKey.objects.get()
    assert key.secret_hash == key_hash(token) and token[4:12] == key.prefix
    assert token not in str(ApiKey.objects.values().get())
    assert list(key.campuses.all()) == [company.campus_a] and key.created_by == company.admin
    assert not key.user.is_active and not key.user.has_usable_password()
    created = Event.objects.get(kind="apikey.created")
    assert created.actor == company.admin and created.campus == company.campus_a
    # Never again: not on its page, not in the list.
    for page in (f"{LIST}{key.pk}/change/", LIST):
        html = client.get(page).content.decode()
        assert key.prefix in html and token not in html and key.secret_hash not in html
    client.logout()
    answer = client.post(
        URL,
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "1"},
    )
    assert answer.status_code == 201


def test_a_key_needs_a_campus(client, company):
    client.force_login(company.admin)
    response = client.post(ADD, {"name": "销售CRM"})
    assert response.status_code == 200 and not ApiKey.objects.exists()


def test_revoking_asks_why_then_the_key_answers_401(client, company, make_key, call, body):
    key, token = make_key()
    client.force_login(company.admin)
    chosen = {"action": "revoke", "_selected_action": [key.pk]}
    asked = client.post(LIST, chosen)
    assert asked.status_code == 200 and "reason" in asked.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None
    done = client.post(LIST, {**chosen, "reason": "换了新的CRM"})
    assert done.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert Event.objects.get(kind="apikey.revoked").reason == "换了新的CRM"
    client.logout()
    assert call(body, token=token).status_code == 401


def test_a_key_cannot_be_changed_or_deleted(client, company, make_key):
    key, _token = make_key()
    client.force_login(company.admin)
    client.post(f"{LIST}{key.pk}/change/", {"name": "改名", "campuses": [company.campus_b.pk]})
    client.post(f"{LIST}{key.pk}/delete/", {"post": "yes"})
    key.refresh_from_db()
    assert key.name == "销售CRM" and list(key.campuses.all()) == [company.campus_a]
