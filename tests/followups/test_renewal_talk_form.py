"""The renewal talk's form (issue 17): no answer chosen beforehand, the family's own reason when it
declines (apart from the loss reasons, which judge the campus), and 咨询师 as everywhere else."""

import re
import uuid

import pytest
from django.core.exceptions import ValidationError

from followups.forms import RenewalForm
from followups.models import FamilyReason, Renewal
from followups.renewal import renewal_record
from students.models import LossReason
from timeline.models import Event


def _url(student):
    return f"/followups/students/{student.pk}/renewal/"


def _post(client, student, **data):
    return client.post(_url(student), {"request_key": str(uuid.uuid4()), **data}, HTTP_HX_REQUEST="true")


def _radios(html: str, name: str) -> list[str]:
    return re.findall(rf'<input[^>]*type="radio"[^>]*name="{name}"[^>]*>', html)


def _renewal_section(html: str) -> str:
    start = html.index('id="renewal"')
    return html[start : html.index("</section>", start)]


def test_the_form_on_the_student_page_starts_with_no_answer_chosen(client, company, taught):
    client.force_login(company.manager_a1)
    section = _renewal_section(client.get(f"/students/{taught.pk}/?open=renewal").content.decode())
    outcomes = _radios(section, "outcome")
    assert [re.search(r'value="(\w+)"', tag).group(1) for tag in outcomes] == ["declined", "undecided"]
    reasons = _radios(section, "family_reason")
    assert len(reasons) == len(FamilyReason.choices)
    assert not any("checked" in tag for tag in outcomes + reasons)
    assert "咨询师录入新合同后，续费会自动记录。" in section and "顾问" not in section


def test_a_talk_without_an_answer_is_refused_in_chinese(client, company, taught):
    client.force_login(company.manager_a1)
    refused = _post(client, taught, note="家长说再想想")
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "请选择家长的答复。" in html and "家长说再想想" in html  # what was typed stays
    assert not Renewal.objects.exists()


def test_the_renewal_messages_say_consultant_as_the_product_does(client, company, taught):
    client.force_login(company.manager_a1)
    with pytest.raises(ValidationError) as error:
        renewal_record(student=taught, actor=company.manager_a1, request_key=uuid.uuid4(), outcome="renewed")
    assert error.value.message_dict["contract"] == ["续费需要咨询师录入的新合同。"]


def test_the_family_reasons_are_not_the_loss_reasons(company):
    form = RenewalForm()
    assert "loss_reason" not in form.fields
    assert [value for value, _ in form.fields["family_reason"].choices] == [
        "price",
        "results",
        "schedule",
        "moving",
        "competitor",
        "child",
        "other",
    ]
    assert (set(FamilyReason.values) - {"other"}) & set(LossReason.values) == set()


def test_a_decline_without_the_familys_reason_is_refused(client, company, taught):
    client.force_login(company.manager_a1)
    html = _post(client, taught, outcome="declined", note="家长觉得太贵").content.decode()
    assert "请选择家长不续费的原因。" in html
    html = _post(client, taught, outcome="declined", family_reason="other").content.decode()
    assert "请简要写明家庭不续费的原因。" in html
    html = _post(client, taught, outcome="declined", family_reason="relationship").content.decode()
    assert "relationship 不在可用的选项中" in html  # a loss reason is not a family's reason
    assert not Renewal.objects.exists()


def test_the_familys_reason_is_stored_on_the_timeline_and_shown_on_the_student_page(client, company, taught):
    client.force_login(company.manager_a1)
    saved = _post(
        client,
        taught,
        outcome="declined",
        family_reason="other",
        family_reason_note="全家去外地",
        note="下学期搬走",
    )
    assert saved.headers["HX-Refresh"] == "true"
    talk = Renewal.objects.get()
    assert (talk.family_reason, talk.family_reason_note, talk.loss_reason) == ("other", "全家去外地", "")
    event = Event.objects.get(student_id=taught.pk, kind="renewal.declined")
    assert (event.data["family_reason"], event.data["family_reason_note"]) == ("other", "全家去外地")
    section = _renewal_section(client.get(f"/students/{taught.pk}/").content.decode())
    assert "不续费" in section and "其他 · 全家去外地" in section


def test_the_words_of_other_are_kept_only_for_other(company, taught):
    talk, _ = renewal_record(
        student=taught,
        actor=company.manager_a1,
        request_key=uuid.uuid4(),
        outcome="declined",
        family_reason="competitor",
        family_reason_note="隔壁机构",
    )
    assert (talk.family_reason, talk.family_reason_note) == ("competitor", "")
    undecided, _ = renewal_record(
        student=taught,
        actor=company.manager_a1,
        request_key=uuid.uuid4(),
        outcome="undecided",
        note="下周再问",
        family_reason="price",
    )
    assert undecided.family_reason == ""


def test_an_older_talk_shows_its_loss_reason(client, company, taught):
    Renewal.objects.create(
        student=taught, outcome="declined", loss_reason="relationship", recorded_by=company.manager_a1
    )
    client.force_login(company.manager_a1)
    section = _renewal_section(client.get(f"/students/{taught.pk}/").content.decode())
    assert "与家长和学生的关系" in section
