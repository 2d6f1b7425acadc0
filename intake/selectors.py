import hashlib
import hmac

from django.db.models import QuerySet

from accounts.models import Campus, Role, User

from .models import ApiKey, IntakeReply

# A key as shown once: "cwk_" + its 8-character prefix + "_" + the secret.
KEY_START = "cwk_"
PREFIX_LENGTH = 8


def key_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def apikeys_for(user) -> QuerySet[ApiKey]:
    """The keys a user may read about: the administrators keep them."""
    if not (user.is_authenticated and user.role == Role.ADMIN):
        return ApiKey.objects.none()
    return ApiKey.objects.all()


def prefix_of(token: str) -> str | None:
    """The visible prefix of something shaped like a key (what a log may name), else None."""
    end = len(KEY_START) + PREFIX_LENGTH
    if token.startswith(KEY_START) and token[end : end + 1] == "_":
        prefix = token[len(KEY_START) : end]
        return prefix if prefix.isascii() and prefix.isalnum() else None
    return None


def key_for_token(token: str) -> ApiKey | None:
    """The unrevoked key the token is, compared in constant time; None for anything else."""
    prefix = prefix_of(token)
    key = ApiKey.objects.filter(prefix=prefix, revoked_at=None).first() if prefix else None
    if key is None or not hmac.compare_digest(key.secret_hash, key_hash(token)):
        return None
    return key


def campus_for(key: ApiKey, code: str) -> Campus | None:
    """The active campus of that code, if the key may write to it."""
    return key.campuses.filter(code=code, is_active=True).first()


def any_campus(code: str) -> Campus | None:
    """The campus of that code, in or out of the key's scope: the access log names it."""
    return Campus.objects.filter(code=code).first()


def consultant_for(key: ApiKey, username: str) -> User | None:
    """An active consultant of a campus the key may write to."""
    return (
        User.objects.filter(
            username=username, role=Role.CONSULTANT, is_active=True, campus__in=key.campuses.all()
        )
        .select_related("campus")
        .first()
    )


def reply_for(key: ApiKey, idempotency_key: str) -> IntakeReply | None:
    return IntakeReply.objects.filter(api_key=key, idempotency_key=idempotency_key).first()
