from axes.helpers import get_cool_off
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.utils import timezone

from . import selectors
from .forms import LoginForm
from .navigation import ROLE_DUTIES, sections_for


@login_required
def home(request):
    user = request.user
    context = {
        "duties": ROLE_DUTIES.get(user.role, ""),
        "sections": sections_for(user),
        **selectors.home_facts(user),
    }
    return TemplateResponse(request, "accounts/home.html", context)


@login_required
def people(request):
    return TemplateResponse(request, "accounts/people.html", selectors.people_directory(request.user))


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


def locked_out(request, original_response=None, credentials=None):
    """Called by the lockout check: the login page again, saying when the user may retry."""
    cool_off = get_cool_off(request)
    context = {
        "form": LoginForm(request, data=None, initial={"username": (credentials or {}).get("username", "")}),
        "locked_out": True,
        "retry_at": timezone.localtime(timezone.now() + cool_off) if cool_off else None,
    }
    return TemplateResponse(request, "registration/login.html", context, status=429).render()
