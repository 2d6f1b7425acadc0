"""The parts of the student page that the apps above the file contribute (the handovers, the follow-up
sections, the retention case): each app registers its section in its AppConfig.ready(), so the
student page asks this registry and knows none of them.

    # followups/apps.py
    sections.register(Section("followups", 40, context=followup_context, limited=concern_context))

A section's context is a dict merged into the page's context, in the order of `order`; the page's
own values come after and win. Each section decides what its reader may see (as the retention case
shown only to those who may open it). The page's layout stays in its template
(templates/students/detail.html), which renders each section's values where they belong.

This module imports no models: an app's apps.py imports it at the top.
"""

from collections.abc import Callable
from dataclasses import dataclass

# (student, user) -> the values the section's part of the page reads.
Context = Callable[[object, object], dict]
# (student, user, first day, last day) -> the values of its part of the printed record (record.html).
RecordContext = Callable[[object, object, object, object], dict]


@dataclass(frozen=True)
class Section:
    key: str  # names the section: one registration per key
    order: int  # lower first
    context: Context  # on the full student page
    limited: Context | None = None  # on a teacher's page (lessons and documents only); None: not shown
    record: RecordContext | None = None  # on the student's printed record of a period; None: not on it


SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    """Adds (or, for the same key, replaces: ready() may run twice in tests) a section of the page."""
    SECTIONS[section.key] = section


def sections_context(student, user, *, limited: bool = False) -> dict:
    """The values of every registered section for this reader, in order."""
    context: dict = {}
    for section in sorted(SECTIONS.values(), key=lambda s: (s.order, s.key)):
        part = section.limited if limited else section.context
        if part is not None:
            context.update(part(student, user))
    return context


def record_context(student, user, first, last) -> dict:
    """The values of every registered section for the student's printed record of the days from
    `first` to `last`, in order."""
    context: dict = {}
    for section in sorted(SECTIONS.values(), key=lambda s: (s.order, s.key)):
        if section.record is not None:
            context.update(section.record(student, user, first, last))
    return context
