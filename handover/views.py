from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import ConsultantTalkForm, IntroCallForm, PaperCheckForm, ReceiveForm
from .models import PaperItem

# Each step of the page: its form (none for signing) and the service it calls with that form.
STEPS = {
    "receive": (
        ReceiveForm,
        lambda h, user, form: services.handover_receive(handover=h, actor=user, review=form.cleaned_data),
    ),
    "intro_call": (
        IntroCallForm,
        lambda h, user, form: services.handover_intro_call(
            handover=h, actor=user, notes=form.cleaned_data["notes"], file_changes=form.file_changes()
        ),
    ),
    "consultant_talk": (
        ConsultantTalkForm,
        lambda h, user, form: services.handover_consultant_talk(handover=h, actor=user, **form.cleaned_data),
    ),
    "paper_check": (
        PaperCheckForm,
        lambda h, user, form: services.handover_paper_check(handover=h, actor=user, items=form.items()),
    ),
    "sign": (None, lambda h, user, form: services.handover_sign(handover=h, actor=user)),
}


@login_required
def handover_list(request):
    return TemplateResponse(
        request, "handover/list.html", {"handovers": selectors.handover_list(request.user)[:200]}
    )


def _handover(request, pk: int):
    queryset = selectors.handovers_for(request.user).select_related(
        "student", "contract", "manager", "consultant", "campus"
    )
    return get_object_or_404(queryset, pk=pk)


@login_required
def handover_detail(request, pk: int, bound: dict | None = None, status: int = 200):
    handover = _handover(request, pk)
    forms = {
        name: form_class(handover=handover) for name, (form_class, _action) in STEPS.items() if form_class
    }
    forms.update(bound or {})
    context = {
        "handover": handover,
        "forms": forms,
        "items": list(handover.items.all()),
        "deadlines": selectors.handover_deadlines(handover),
        "is_manager": request.user.pk == handover.manager_id,
        "is_consultant": request.user.pk == handover.consultant_id,
        "now": timezone.now(),
    }
    return TemplateResponse(request, "handover/detail.html", context, status=status)


@login_required
@require_POST
def handover_step(request, pk: int, step: str):
    if step not in STEPS:
        raise Http404
    handover = _handover(request, pk)
    form_class, action = STEPS[step]
    form = form_class(request.POST, handover=handover) if form_class else None
    if form is None or form.is_valid():
        try:
            done = action(handover, request.user, form)
        except ValidationError as error:  # the handover's state forbids the step: say why on the page
            messages.error(request, " ".join(error.messages))
        else:
            if done:
                messages.success(request, _("Recorded."))
            else:
                messages.info(request, _("This was already recorded."))
        return redirect(handover)
    return handover_detail(request, pk, bound={step: form}, status=200)


@login_required
@require_POST
def item_received(request, pk: int, item_id: int):
    handover = _handover(request, pk)
    item = get_object_or_404(PaperItem, pk=item_id, handover=handover)
    try:
        done = services.paper_item_receive(item=item, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if done:
            messages.success(request, _("Recorded."))
        else:
            messages.info(request, _("This was already recorded."))
    return redirect(handover)
