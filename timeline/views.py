from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template.response import TemplateResponse

from accounts import scope

from .forms import AccessLogFilterForm
from .selectors import LOG_READERS, access_log


@login_required
def access_log_page(request):
    """Who opened which student file, document, scan or phone number: the director's campus, the
    administrator's company."""
    if request.user.role not in LOG_READERS:
        raise PermissionDenied
    people = scope.people_for(request.user).order_by("full_name", "username")
    form = AccessLogFilterForm(request.GET or None, people=people)
    entries = access_log(request.user, **form.filters())
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return TemplateResponse(request, "timeline/access_log.html", context)
