"""The client's address, as the proxies in front of the app (settings.PROXY_COUNT of them) saw it.

Each trusted proxy appends the address it was connected from to X-Forwarded-For, so with N of
them the client is the N-th entry from the right; whatever a client wrote further left is its own
invention and is ignored. django-ipware counts the same chain differently (the proxies *listed*
in the header, the last one being in REMOTE_ADDR), hence ``proxy_count=N - 1``, and non-strict,
so a chain a client padded still yields the address our proxy appended. Without a proxy (N = 0)
the header is not read at all: anyone could write it.
"""

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip


def client_ip(request: HttpRequest) -> str | None:
    """Used by the sign-in lockout (AXES_CLIENT_IP_CALLABLE); the one answer to "who is asking"."""
    proxies = settings.PROXY_COUNT
    if proxies > 0:
        address, _routable = get_client_ip(
            request,
            proxy_count=proxies - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            strict=False,
        )
        if address:
            return address
    return request.META.get("REMOTE_ADDR") or None
