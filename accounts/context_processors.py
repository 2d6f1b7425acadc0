from .navigation import sections_for


def navigation(request):
    """The navigation bar: the sections of the user's role that are open, and the one we are in."""
    sections = [section for section in sections_for(getattr(request, "user", None)) if section.url]
    active = next((s.key for s in sections if request.path.startswith(s.url)), None)
    return {"nav_sections": sections, "nav_active": active}
