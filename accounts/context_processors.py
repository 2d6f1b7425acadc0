from .home import nav_counts
from .navigation import sections_for


def navigation(request):
    """The navigation bar: the sections of the user's role that are open, the one we are in, and the
    counts of the user's late and due-today deadlines and unread notices (accounts/home.py)."""
    user = getattr(request, "user", None)
    sections = [section for section in sections_for(user) if section.url]
    active = next((s.key for s in sections if request.path.startswith(s.url)), None)
    return {"nav_sections": sections, "nav_active": active, "nav_counts": nav_counts(user)}
