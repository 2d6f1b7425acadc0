"""What the apps above accounts contribute to a person's home and to the navigation bar: each app
registers, in its AppConfig.ready(), its work for the person (My day, the team's day, the follow-up
counts) and its counts for the navigation bar (late and due-today deadlines, unread notices). So the
home page and the navigation know none of the apps.

    # deadlines/apps.py
    home.register(home.Part("my_day", 10, roles=DEADLINE_OWNERS, context=my_day_context))
    home.count("deadlines", day_counts)

A part's context is a dict merged into the home page's context, in the order of `order`; a count is
a dict merged into the navigation's `nav_counts`. The home's layout stays in its template
(templates/accounts/home.html).

This module imports no models: an app's apps.py imports it at the top.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Part:
    key: str  # names the part: one registration per key
    order: int  # lower first
    roles: frozenset  # the roles whose home shows it
    context: Callable[[object, datetime], dict]  # (user, now) -> the values the part of the page reads


PARTS: dict[str, Part] = {}
COUNTS: dict[str, Callable[[object], dict]] = {}


def register(part: Part) -> None:
    """Adds (or, for the same key, replaces: ready() may run twice in tests) a part of the home."""
    PARTS[part.key] = part


def count(key: str, counts: Callable[[object], dict]) -> None:
    """Adds counts for the navigation bar: `counts(user)` for a signed-in user."""
    COUNTS[key] = counts


def home_context(user, *, now: datetime) -> dict:
    """The values of every part of the user's home, in order."""
    context: dict = {}
    for part in sorted(PARTS.values(), key=lambda p: (p.order, p.key)):
        if user.role in part.roles:
            context.update(part.context(user, now))
    return context


def nav_counts(user) -> dict:
    """The navigation's counts of a signed-in user ({} for anyone else)."""
    if not (user and user.is_authenticated):
        return {}
    counts: dict = {}
    for key in sorted(COUNTS):
        counts.update(COUNTS[key](user))
    return counts
