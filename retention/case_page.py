"""The parts of a retention case's page that the apps above retention contribute (the refund of a
lost case): each registers in its AppConfig.ready(), so the case page knows none of them.

    # refunds/apps.py
    case_page.register(case_page.Part("refund", 10, context=case_refund, story=refund_events))

A part's context is a dict merged into the case page's context; its story adds the timeline rows of
its records to the case's story (the rows still pass through the reader's audience).

This module imports no models: an app's apps.py imports it at the top.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    key: str  # names the part: one registration per key
    order: int  # lower first
    context: Callable[[object, object], dict]  # (user, case) -> the values the part of the page reads
    story: Callable[[object], object] | None = None  # (case) -> a Q of the Events that tell its part


PARTS: dict[str, Part] = {}


def register(part: Part) -> None:
    """Adds (or, for the same key, replaces: ready() may run twice in tests) a part of the page."""
    PARTS[part.key] = part


def parts() -> list[Part]:
    return sorted(PARTS.values(), key=lambda p: (p.order, p.key))


def case_context(user, case) -> dict:
    """The values of every part of the case page for this reader, in order."""
    context: dict = {}
    for part in parts():
        context.update(part.context(user, case))
    return context
