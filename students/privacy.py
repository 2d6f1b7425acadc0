"""How much of a family's contact details each role reads, declared once.

The roles that call families read guardians' phone numbers and WeChat in full; the roles that reach a
family only now and then (a lesson moved, a question from head office) read them masked and reveal one
with a click, which the access log records; the others read them masked.
"""

from accounts.models import Role

IN_FULL = frozenset(
    {Role.LEARNING_MANAGER, Role.SUPERVISOR, Role.DIRECTOR, Role.HEAD_TEACHER, Role.CONSULTANT}
)
ON_REQUEST = frozenset({Role.SCHEDULER, Role.PRESIDENT, Role.ADMIN})


def reads_contacts_in_full(user) -> bool:
    return user.role in IN_FULL


def may_reveal_contacts(user) -> bool:
    return user.role in IN_FULL | ON_REQUEST


def masked_phone(phone: str) -> str:
    """138****0009: the first three and last four digits of a mobile, less of a shorter number."""
    if not phone:
        return ""
    keep_start, keep_end = (3, 4) if len(phone) >= 11 else (min(2, len(phone) // 3), min(2, len(phone) // 3))
    hidden = len(phone) - keep_start - keep_end
    return f"{phone[:keep_start]}{'*' * max(hidden, 4)}{phone[len(phone) - keep_end :] if keep_end else ''}"


def masked_text(text: str) -> str:
    """A WeChat id: its first character and stars."""
    return f"{text[:1]}***" if text else ""
