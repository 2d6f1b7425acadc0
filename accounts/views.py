from urllib.parse import urlsplit

from axes.helpers import get_cool_off
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from . import home as parts
from . import selectors
from .forms import LoginForm
from .navigation import ROLE_DUTIES, sections_for


@login_required
def home(request):
    """Each role's home; for a learning manager it is My day. The apps contribute their parts
    (accounts/home.py): My day, the team's day, the follow-up counts."""
    user, now = request.user, timezone.now()
    context = {
        "duties": ROLE_DUTIES.get(user.role, ""),
        "sections": sections_for(user),
        "now": now,
        **selectors.home_facts(user),
        **parts.home_context(user, now=now),
    }
    return TemplateResponse(request, "accounts/home.html", context)


@login_required
def people(request):
    context = selectors.people_directory(request.user, page=request.GET.get("page"))
    return TemplateResponse(request, "accounts/people.html", context)


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
