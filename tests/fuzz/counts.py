"""What the fuzz did in this run, for the summary (var/fuzz-counts.txt and the terminal)."""

from collections import Counter

COUNTS: Counter = Counter()
ENDPOINTS: set[str] = set()
FORM_ENDPOINTS: set[str] = set()


def summary() -> str:
    return (
        f"fuzz: {len(ENDPOINTS)} endpoints ({len(FORM_ENDPOINTS)} with a form), "
        f"{COUNTS['requests']} requests, {COUNTS['http_500']} HTTP 500, "
        f"{COUNTS['exceptions']} exceptions, {COUNTS['out_of_bounds']} stores out of bounds"
    )
