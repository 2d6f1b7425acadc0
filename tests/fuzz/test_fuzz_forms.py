"""No input breaks a page: generated values posted to every endpoint of every app, as a role that may
use it, answer without a 500 and store nothing out of bounds.

The endpoints come from the URL resolver (registry.endpoints); the registry only says how to build
each. For each endpoint the page showing its form is fetched and the form's fields read from the
HTML (or, for a form the record's state does not show, from the view's form class); then Hypothesis
posts values of each field's kind and beyond: any text with NUL, control characters and U+2028,
very long texts, dates at and past 2000-01-01 and 2100-12-31 (0001-01-01, 9999-12-31), huge and
negative numbers, wrong choices, missing fields, files whose content is not their name's.
FUZZ_EXAMPLES (default 15) sets the number of requests per endpoint.
"""

import os
from urllib.parse import urlsplit

import pytest
from django import forms as django_forms
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from .counts import COUNTS, ENDPOINTS, FORM_ENDPOINTS
from .html_forms import Field, page_forms
from .registry import REGISTRY, endpoints, kwargs_for, role_for, url_patterns
from .stored import out_of_bounds
from .strategies import post_data
from .world import NOW, build

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
# Endpoints that sign out or change the session: the fuzz signs in again before each request.
SESSION_CHANGERS = {"login", "logout", "password_change", "set_language"}
ALL = endpoints()
# What list and detail pages read from the query string.
QUERY_FIELDS = {
    name: Field(name, "text") for name in ("page", "show", "open", "manager", "all", "closed", "next")
}
# A list or report page answers ?format=xlsx with its workbook (config/exports.py): every page read
# with a query string is asked for it too, with whatever else the query holds.
EXPORT_FIELD = Field("format", "select", values=["xlsx", "html"])


def test_every_url_pattern_can_be_built():
    missing = [name for name, slug in ALL if slug is None]
    assert not missing, f"add these URL patterns to tests/fuzz/registry.py: {missing}"
    no_role = [f"{name}[{slug}]" for name, slug in ALL if slug and slug not in REGISTRY[name].slugs]
    assert not no_role, f"give these a role in tests/fuzz/registry.py: {no_role}"
    stale = set(REGISTRY) - {name for name, _route in url_patterns()}
    assert not stale, f"the registry names URL patterns that are gone: {stale}"


def _flat(choices) -> list[str]:
    values = []
    for value, label in choices:
        values += _flat(label) if isinstance(label, list | tuple) else [str(value)]
    return values


def _class_fields(form) -> dict[str, Field]:
    """A form the page does not show in this state: its fields' kinds from the view's form."""
    fields = {}
    for name, f in (form.fields if form else {}).items():
        if isinstance(f, django_forms.DateTimeField):
            kind = "datetime-local"
        elif isinstance(f, django_forms.DateField):
            kind = "date"
        elif isinstance(f, django_forms.IntegerField):
            kind = "number"
        elif isinstance(f, django_forms.BooleanField):
            kind = "checkbox"
        elif isinstance(f, django_forms.FileField):
            kind = "file"
        elif isinstance(f, django_forms.ChoiceField):
            kind = "select"
        else:
            kind = "text"
        values = (
            _flat(getattr(f, "choices", [])) if kind == "select" else ["on"] if kind == "checkbox" else []
        )
        multiple = isinstance(f, django_forms.MultipleChoiceField)
        fields[name] = Field(name, kind, values=values, multiple=multiple)
    return fields


def _shown(text, limit: int = 60) -> str:
    if hasattr(text, "read"):
        return f"<file {text.name[:limit]!r} size {text.size}>"
    text = repr(text)
    return text if len(text) <= limit else f"{text[:limit]}…({len(text)} chars)"


@pytest.mark.parametrize(("name", "slug"), ALL, ids=[f"{n}[{s}]" if s else n for n, s in ALL])
def test_no_input_breaks_the_endpoint(name, slug, client, company, time_machine, settings, tmp_path):
    entry = REGISTRY.get(name)
    if entry is None:
        pytest.fail(f"{name}: the fuzz cannot build this endpoint; add it to tests/fuzz/registry.py")
    role = role_for(entry, slug)
    label = f"{name}[{slug}]" if slug else name
    time_machine.move_to(NOW, tick=False)
    settings.MEDIA_ROOT = tmp_path
    world = build(company)
    url = reverse(name, kwargs=kwargs_for(name, entry, slug, world))
    user = getattr(company, role) if role else None
    assert not out_of_bounds(), "the fuzz's world itself is out of bounds"

    def sign_in():
        client.logout()
        if user is not None:
            client.force_login(user)

    sign_in()
    host = entry.host(world, kwargs_for(name, entry, slug, world)) if entry.host else url
    page = client.get(host)
    assert page.status_code < 500
    shown = []
    if "html" in page.get("Content-Type", ""):
        shown = [f for f in page_forms(page.content.decode(), host) if f.action == urlsplit(url).path]
    fields = {name: f for form in shown for name, f in form.fields.items()}
    methods = sorted({form.method for form in shown})
    if not shown and entry.form:
        fields, methods = _class_fields(entry.form(slug, world)), ["post"]
    ENDPOINTS.add(label)
    if methods:
        FORM_ENDPOINTS.add(label)
    else:  # a page without a form (or a button not shown now): its query string, and a blind post
        fields, methods = QUERY_FIELDS, ["get", "post"]
    if "get" in methods:
        fields = {**fields, "format": EXPORT_FIELD}

    @examples(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=post_data(fields), method=st.sampled_from(methods), htmx=st.booleans())
    def fuzz(data, method, htmx):
        if name in SESSION_CHANGERS:
            sign_in()
        headers = {"HX-Request": "true"} if htmx else {}
        if method == "get":
            data = {k: (v.name if hasattr(v, "read") else v) for k, v in data.items()}
        shown_input = f"{method.upper()} {url} " + ", ".join(f"{k}={_shown(v)}" for k, v in data.items())
        COUNTS["requests"] += 1
        try:
            with transaction.atomic():
                send = client.get if method == "get" else client.post
                response = send(url, data, headers=headers)
        except Exception as error:
            COUNTS["exceptions"] += 1
            raise AssertionError(
                f"{label}: {type(error).__name__}: {error}\n  input: {shown_input}"
            ) from error
        if response.streaming:  # read to the end: the client closes it as a server would
            b"".join(response.streaming_content)
        if response.status_code >= 500:
            COUNTS["http_500"] += 1
            pytest.fail(f"{label}: HTTP {response.status_code}\n  input: {shown_input}")
        stored = out_of_bounds()
        if stored:
            COUNTS["out_of_bounds"] += 1
            pytest.fail(f"{label}: stored out of bounds in {stored}\n  input: {shown_input}")

    fuzz()
