from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from accounts import scope
from config import exports
from config.paging import CountedAhead

from .exports import access_log_export, export_refused, export_response
from .forms import AccessLogFilterForm
from .selectors import ACTOR_MATCHES, LOG_READERS, access_log, actors_named


@login_required
def access_log_page(request):
    """Who opened which student file, document, scan or phone number: the director's campus, the
    administrator's company."""
    if request.user.role not in LOG_READERS:
        raise PermissionDenied
    # The people a `?person=<id>` may name; looked up by that id only, never listed.
    form = AccessLogFilterForm(request.GET or None, people=scope.people_for(request.user))
    filters = form.filters()
    who, too_many = filters.pop("who", ""), False
    if who:  # the people first (a few ids), then their entries
        filters["actor_ids"], too_many = actors_named(request.user, who)
    entries = access_log(request.user, **filters)
    if exports.asked(request):
        if not form.errors:
            return export_response(request, access_log_export(entries, form, too_many=too_many))
        export_refused(request)
    pages = CountedAhead(entries, 50, asked=request.GET.get("page"))
    page = pages.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    everyone = query.copy()  # the same filters without the one person: the note's link
    everyone.pop("person", None)
    context = {
        "form": form,
        "page": page,
        "more_pages": pages.more,
        "query": query.urlencode(),
        "person": form.chosen_person(),
        "everyone_query": everyone.urlencode(),
        "too_many": too_many,
        "actor_matches": ACTOR_MATCHES,
    }
    return TemplateResponse(request, "timeline/access_log.html", context)
