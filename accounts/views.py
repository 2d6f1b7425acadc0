from urllib.parse import urlsplit

from axes.helpers import get_cool_off
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from deadlines import calendar
from deadlines import selectors as deadline_selectors
from followups.selectors import followup_counts

from . import selectors
from .forms import LoginForm
from .models import Role
from .navigation import ROLE_DUTIES, sections_for

# Roles that own deadlines see their day first; a supervisor also sees the team's.
DEADLINE_OWNERS = (Role.LEARNING_MANAGER, Role.SUPERVISOR, Role.DIRECTOR)
CALENDAR_KEEPERS = (Role.DIRECTOR, Role.ADMIN)


@login_required
def home(request):
    """Each role's home; for a learning manager it is My day."""
    user, now = request.user, timezone.now()
    context = {
        "duties": ROLE_DUTIES.get(user.role, ""),
        "sections": sections_for(user),
        "now": now,
        **selectors.home_facts(user),
    }
    if user.role in DEADLINE_OWNERS:
        context["my_day"] = deadline_selectors.my_day(user, now=now)
        context["my_day_has_items"] = any(bucket.count for bucket in context["my_day"])
    if user.role == Role.LEARNING_MANAGER:
        context["followup_counts"] = followup_counts(user, now=now)
    if user.role == Role.SUPERVISOR:
        context["team_day"] = deadline_selectors.team_day(user, now=now)
    if user.role in CALENDAR_KEEPERS:
        context["missing_schedule_year"] = calendar.missing_schedule_year(timezone.localdate(now))
    return TemplateResponse(request, "accounts/home.html", context)


@login_required
def people(request):
    return TemplateResponse(request, "accounts/people.html", selectors.people_directory(request.user))


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self):
        """`next`, unless it leads back to this page (a redirect loop: Django answers 500) or off
        the site (Django's own check); then the home page."""
        url = super().get_redirect_url()
        if url and urlsplit(url).path.rstrip("/") == reverse("login").rstrip("/"):
            return ""
        return url


def locked_out(request, original_response=None, credentials=None):
    """Called by the lockout check: the login page again, saying when the user may retry."""
    cool_off = get_cool_off(request)
    context = {
        "form": LoginForm(request, data=None, initial={"username": (credentials or {}).get("username", "")}),
        "locked_out": True,
        "retry_at": timezone.localtime(timezone.now() + cool_off) if cool_off else None,
    }
    return TemplateResponse(request, "registration/login.html", context, status=429).render()
