import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from timeline.services import timeline_add_many, timeline_event

from .models import ApiKey, IntakeReply
from .selectors import KEY_START, PREFIX_LENGTH, key_hash


def _key_events(key: ApiKey, *, kind: str, actor, reason: str = "") -> None:
    """One event on each campus the key writes to: each campus's history says who may write to it."""
    data = {"name": key.name, "prefix": key.prefix}
    timeline_add_many(
        [
            timeline_event(subject=key, kind=kind, campus_id=campus_id, actor=actor, reason=reason, data=data)
            for campus_id in key.campuses.values_list("pk", flat=True)
        ]
    )


@transaction.atomic
def apikey_create(*, key: ApiKey, campuses, actor) -> str:
    """Saves the new `key` (its name set) for `campuses`, with the inactive account the access log
    names for its calls; returns the key itself, which is kept nowhere: shown once, then only its hash."""
    key.prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    token = f"{KEY_START}{key.prefix}_{secrets.token_urlsafe(32)}"
    key.secret_hash = key_hash(token)
    user = User(username=f"api-{key.prefix}", full_name=f"{key.name} · API", role=Role.ADMIN, is_active=False)
    user.set_unusable_password()
    user.save()
    key.user, key.created_by = user, actor
    key.save()
    key.campuses.set(campuses)
    _key_events(key, kind="apikey.created", actor=actor)
    return token


@transaction.atomic
def apikey_revoke(*, key: ApiKey, actor, reason: str) -> bool:
    """The key answers 401 from now on; False if it was revoked already (nothing more is written)."""
    if not ApiKey.objects.filter(pk=key.pk, revoked_at=None).update(revoked_at=timezone.now()):
        return False
    key.refresh_from_db()
    _key_events(key, kind="apikey.revoked", actor=actor, reason=reason)
    return True


def apikey_used(*, key: ApiKey) -> None:
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())


RATE_WINDOW = 60  # seconds: settings.INTAKE_RATE_LIMIT calls a key may make in each


def rate_wait(*, key: ApiKey) -> int:
    """0 when the key may make this call, else the seconds until its next window. Counted in the
    cache: every web process must share one (CACHE_URL) for the limit to hold across them."""
    now = time.time()
    name = f"intake:rate:{key.pk}:{int(now // RATE_WINDOW)}"
    cache.add(name, 0, timeout=RATE_WINDOW + 5)
    try:
        calls = cache.incr(name)
    except ValueError:  # expired between the two: this call opens the window again
        cache.set(name, calls := 1, timeout=RATE_WINDOW + 5)
    if calls <= settings.INTAKE_RATE_LIMIT:
        return 0
    return max(1, RATE_WINDOW - int(now % RATE_WINDOW))


def intake_reply_save(
    *, key: ApiKey, idempotency_key: str, body_hash: str, status: int, answer: dict, contract
) -> IntakeReply:
    """Kept in the transaction that entered the contract: a retry finds the contract and its answer."""
    return IntakeReply.objects.create(
        api_key=key,
        idempotency_key=idempotency_key,
        body_hash=body_hash,
        status=status,
        answer=answer,
        contract=contract,
    )
