from django.utils.functional import SimpleLazyObject

from .home import nav_counts
from .navigation import sections_for


def navigation(request):
    """The navigation bar: the sections of the user's role that are open, the one we are in, and the
    counts of the user's late and due-today deadlines and unread notices (accounts/home.py)."""
    user = getattr(request, "user", None)
    sections = [section for section in sections_for(user) if section.url]
    # The most specific section the page is in (课表 at /students/timetable/, not 学生).
    inside = [s for s in sections if request.path.startswith(s.url)]
    active = max(inside, key=lambda s: len(s.url)).key if inside else None
    # Counted when a template reads them (an htmx fragment without the navigation does not), once.
    counts = SimpleLazyObject(lambda: nav_counts(user))
    return {"nav_sections": sections, "nav_active": active, "nav_counts": counts}
