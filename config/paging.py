"""A list's pages counted a few pages past the one asked for, no further: counting a company's
100,000 students or a million log entries costs more than the page itself, and the pager needs no
more than "2 / 22+" (the `more` of the paginator: there are others beyond)."""

from functools import cached_property

from django.core.paginator import Paginator

from .bounds import key_from

PAGES_AHEAD = 20


class CountedAhead(Paginator):
    """A Paginator whose count stops PAGES_AHEAD pages past `asked` (the page number in the address,
    as typed). The list may count itself (`count_upto(n)`, e.g. the caseload); a queryset is counted
    through a slice, which PostgreSQL stops reading at its end."""

    def __init__(self, object_list, per_page, *, asked: str | None):
        super().__init__(object_list, per_page)
        page = min(key_from(asked or "") or 1, 10**6)
        self.limit = (page + PAGES_AHEAD) * per_page
        self.more = False

    @cached_property
    def count(self) -> int:
        upto = getattr(self.object_list, "count_upto", None)
        counted = upto(self.limit + 1) if upto else self.object_list[: self.limit + 1].count()
        self.more = counted > self.limit
        return min(counted, self.limit)
