"""Follow-up's part of a learning manager's home (registered in accounts.home)."""

from accounts import home
from accounts.models import Role

from .selectors import followup_counts


def counts(user, now) -> dict:
    """Callbacks and talks due this week, students below the renewal threshold."""
    return {"followup_counts": followup_counts(user, now=now)}


PART = home.Part("followups", 20, frozenset({Role.LEARNING_MANAGER}), counts)
