from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.bounds import key_from
from timeline.audience import students_for

from . import preferences, selectors, services
from .forms import DeadlineListForm, NoticeChoicesForm, WaiveForm
from .messages import notification_text, notification_url


@login_required
def inbox(request):
    """The newest notices, or with ?before=<notice id> the page after that notice."""
    before = key_from(request.GET.get("before", ""))
    page = selectors.inbox_page(request.user, before=before)
    items = [(n, *notification_text(n)) for n in page.notices]
    context = {"items": items, "next_before": page.next_before, "older": before is not None}
    return TemplateResponse(request, "deadlines/inbox.html", context)


@login_required
@require_POST
def notification_read(request, pk: int):
    notice = get_object_or_404(selectors.notifications_for(request.user).select_related("deadline"), pk=pk)
    services.notifications_mark_read(user=request.user, ids=[notice.pk])
    if not notice.deadline_id:  # about another record: readable, as notifications_for checked
        return redirect(notification_url(notice))
    student_id = notice.deadline.student_id
    if student_id and students_for(request.user).filter(pk=student_id).exists():
        return redirect(f"{reverse('students:detail', args=[student_id])}#deadline-{notice.deadline_id}")
    return redirect("deadlines:inbox")  # the student has moved out of the reader's caseload


@login_required
@require_POST
def notifications_read_all(request):
    count = services.notifications_mark_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return redirect("deadlines:inbox")


@login_required
def deadline_list(request):
    """A person's active deadlines, late first, LIST_PAGE a page: one bucket of My day (?bucket=) or
    all, their own or (?owner=) those of someone in their scope; where "show all" on the homes leads."""
    user, now = request.user, timezone.now()
    form = DeadlineListForm(
        request.GET or None, owners=selectors.list_owners(user), buckets=selectors.BUCKET_TITLES
    )
    form.is_valid()  # a bad value is dropped: the user's own deadlines, all of them
    chosen = getattr(form, "cleaned_data", {})
    owner, bucket = chosen.get("owner") or user, chosen.get("bucket") or ""
    whose = None if owner == user else owner
    rows = selectors.deadline_list(user, owner=owner, bucket=bucket, now=now)
    page = Paginator(rows, selectors.LIST_PAGE).get_page(request.GET.get("page"))
    links = selectors.RowLinks()
    for deadline in page:
        links.mark(deadline)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "owner": owner,
        "bucket": bucket,
        "buckets": [
            (key, title, selectors.list_url(owner=whose, bucket=key))
            for key, title in selectors.BUCKET_TITLES.items()
        ],
        "all_url": selectors.list_url(owner=whose),
        "query": query.urlencode(),
        "now": now,
    }
    return TemplateResponse(request, "deadlines/list.html", context)


@login_required
def waive(request, pk: int):
    deadline = get_object_or_404(selectors.deadlines_for(request.user), pk=pk)
    if request.user.role not in services.WAIVERS:
        raise PermissionDenied
    form = WaiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.deadline_waive(deadline=deadline, actor=request.user, reason=form.cleaned_data["reason"]):
            messages.success(request, _("Deadline %(rule)s waived.") % {"rule": deadline.rule})
        else:
            messages.info(request, _("This deadline was already closed."))
        return redirect(deadline.student.get_absolute_url() if deadline.student_id else "home")
    return TemplateResponse(request, "deadlines/waive.html", {"deadline": deadline, "form": form})


@login_required
def notice_choices(request):
    """The person's own choice of the channels that carry each kind of notice and the morning digest."""
    initial = preferences.choices_of(request.user)
    form = NoticeChoicesForm(request.POST or None, user=request.user, initial_choices=initial)
    if request.method == "POST" and form.is_valid():
        changed = preferences.notice_choices_save(user=request.user, choices=form.choices())
        if changed:
            messages.success(request, _("Your notification settings are saved."))
        else:
            messages.info(request, _("Nothing changed in your notification settings."))
        return redirect("deadlines:notice_choices")
    context = {"form": form, "wecom_on": preferences.wecom_enabled()}
    return TemplateResponse(request, "deadlines/notice_choices.html", context)
