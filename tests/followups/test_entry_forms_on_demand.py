"""Issue 13: the student page draws none of its entry forms (callback, score, exam, growth record,
concern, renewal talk) — each is drawn when its section is opened, by the URL it is sent to (htmx
swaps the section; without JavaScript a link opens it on a page of its own). A link that asks for a
form open (?open=) still draws it with the page, and a refused form still comes back as typed."""

import pytest
from django.urls import reverse

ENTRIES = [
    # (url name, a field only its form has, the section it swaps)
    ("followups:callback_new", 'name="summary"', 'id="callbacks"'),
    ("followups:score_new", 'name="full_marks"', 'id="scores"'),
    ("followups:exam_for_student", 'name="date"', 'id="scores"'),
    ("followups:growth_new", 'name="text"', 'id="growth"'),
    ("followups:concern_new", 'name="description"', 'id="concerns"'),
    ("followups:renewal_new", 'name="outcome"', 'id="renewal"'),
]
HTMX = {"HTTP_HX_REQUEST": "true"}


def page(client, student, query=""):
    return client.get(f"/students/{student.pk}/{query}").content.decode()


def test_the_student_page_draws_no_entry_form_but_a_way_to_open_each(client, company, taught):
    client.force_login(company.manager_a1)
    html = page(client, taught)
    for name, field, _section in ENTRIES:
        url = reverse(name, args=[taught.pk])
        assert field not in html, name
        assert f'hx-get="{url}" hx-trigger="toggle from:closest details once"' in html, name
        assert f'<a href="{url}">打开表单</a>' in html, name


@pytest.mark.parametrize(("name", "field", "section"), ENTRIES)
def test_opening_a_form_draws_its_section_with_the_form_open(client, company, taught, name, field, section):
    client.force_login(company.manager_a1)
    url = reverse(name, args=[taught.pk])

    swapped = client.get(url, **HTMX)
    html = swapped.content.decode()
    assert swapped.status_code == 200 and section in html and field in html
    assert "<html" not in html  # the section alone, for htmx to put in place
    assert "<details open" in html

    alone = client.get(url).content.decode()  # without JavaScript: a page of its own
    assert "<html" in alone and field in alone and taught.full_name in alone


@pytest.mark.parametrize(("name", "field", "section"), ENTRIES)
def test_only_who_may_enter_may_open_the_form(client, company, taught, name, field, section):
    url = reverse(name, args=[taught.pk])
    client.force_login(company.manager_a2)  # not her student
    assert client.get(url, **HTMX).status_code == 404
    client.force_login(company.consultant_a)  # may see the student, may enter none of these
    assert client.get(url, **HTMX).status_code in (403, 404)


def test_a_teacher_opens_the_concern_form_only(client, company, taught):
    client.force_login(company.teacher_a)
    assert client.get(reverse("followups:concern_new", args=[taught.pk]), **HTMX).status_code == 200
    assert client.get(reverse("followups:callback_new", args=[taught.pk]), **HTMX).status_code == 403


def test_a_link_asking_for_a_form_draws_it_with_the_page(client, company, taught):
    client.force_login(company.manager_a1)
    html = page(client, taught, "?open=callbacks")
    assert 'name="summary"' in html and 'name="full_marks"' not in html


def test_a_refused_entry_comes_back_with_what_was_typed(client, company, taught):
    client.force_login(company.manager_a1)
    url = reverse("followups:growth_new", args=[taught.pk])
    refused = client.post(url, {"text": ""}, **HTMX)
    assert refused.status_code == 200 and 'name="text"' in refused.content.decode()
    assert "invalid-feedback" in refused.content.decode()
