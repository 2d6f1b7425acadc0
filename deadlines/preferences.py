"""Which outside channels carry what to whom: each person's choice per topic (NoticeChoice), or the
topic's default. The bell and the inbox always show every notice; these choices are about email and
WeCom only.

A default that is on goes to one channel, WeCom when it reaches the person, else email: nobody gets
the same notice twice without asking for it. Reminders are off by default because the morning
digest lists what is due; the rest go out as they happen, within working hours.

The same rule is written once, as SQL (deliveries_insert), so the sweep's single statement per batch
and the services' notices choose the same channels.
"""

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from . import wecom
from .models import Delivery, Kind, NoticeChoice, Topic

DEFAULT_ON = {
    Topic.NEW_TASK: True,
    Topic.REMINDER: False,
    Topic.OVERDUE: True,
    Topic.ESCALATION: True,
    Topic.APPROVAL: True,
    Topic.DIGEST: True,
}

TOPIC_OF_KIND = {
    Kind.OPENED: Topic.NEW_TASK,
    Kind.REMINDER: Topic.REMINDER,
    Kind.OVERDUE: Topic.OVERDUE,
    Kind.ESCALATED_SUPERVISOR: Topic.ESCALATION,
    Kind.ESCALATED_DIRECTOR: Topic.ESCALATION,
    Kind.APPROVAL: Topic.APPROVAL,
}

# The digest is made at the opening: it has no "outside working hours".
TIMED_TOPICS = tuple(topic for topic in Topic if topic != Topic.DIGEST)


def wecom_enabled() -> bool:
    """WeCom is offered once the company connected it (README, "Connecting WeCom")."""
    return wecom.configured()


@dataclass(frozen=True)
class Choice:
    email: bool
    wecom: bool
    off_hours: bool = False


def reachable(user) -> dict[str, bool]:
    """The outside channels that can reach this person at all."""
    return {"email": bool(user.email), "wecom": wecom_enabled() and bool(user.wecom_userid)}


def default_choice(user, topic: str) -> Choice:
    if not DEFAULT_ON[topic]:
        return Choice(email=False, wecom=False)
    reach = reachable(user)
    return Choice(email=reach["email"] and not reach["wecom"], wecom=reach["wecom"])


def choices_of(user) -> dict[str, Choice]:
    """The person's choice for every topic (their own where they made one, else the default). One query."""
    made = {c.topic: Choice(c.email, c.wecom, c.off_hours) for c in NoticeChoice.objects.filter(user=user)}
    return {topic: made.get(topic) or default_choice(user, topic) for topic in Topic}


def channels_for(user, topic: str) -> list[str]:
    """The channels a message of this topic goes through for this person: chosen and reaching them."""
    choice, reach = choices_of(user)[topic], reachable(user)
    return [name for name in ("email", "wecom") if getattr(choice, name) and reach[name]]


def deliveries_insert(source: str, source_params: list, kind: str) -> tuple[str, list]:
    """INSERT of the pending deliveries of the notices in `source` (an SQL relation with the columns
    id, recipient_id, created_at and deliver_after, all of notice kind `kind`): one per channel the
    recipient chose for its topic and that reaches them; at the campus's opening (deliver_after), or
    at once for someone who chose this topic outside working hours too. A delivery already there is
    kept. Plain SQL that PostgreSQL and SQLite both run, usable inside a data-modifying CTE."""
    topic = TOPIC_OF_KIND[kind]
    quote = connection.ops.quote_name
    deliveries, users, choices = (quote(model._meta.db_table) for model in (Delivery, User, NoticeChoice))
    wecom_on, default = wecom_enabled(), DEFAULT_ON[topic]
    sql = f"""
        INSERT INTO {deliveries} (notification_id, digest_id, channel, state, attempts, next_attempt_at,
            sent_at, last_error)
        SELECT n.id, NULL, c.channel, %s, 0,
            CASE WHEN COALESCE(p.off_hours, FALSE) THEN n.created_at ELSE n.deliver_after END, NULL, ''
        FROM {source} AS n
        JOIN {users} AS u ON u.id = n.recipient_id
        LEFT JOIN {choices} AS p ON p.user_id = n.recipient_id AND p.topic = %s
        JOIN (SELECT 'email' AS channel UNION ALL SELECT 'wecom') AS c ON
            (c.channel = 'email' AND u.email <> ''
                AND COALESCE(p.email, %s AND NOT (%s AND u.wecom_userid <> '')))
            OR (c.channel = 'wecom' AND %s AND u.wecom_userid <> '' AND COALESCE(p.wecom, %s))
        WHERE TRUE
        ON CONFLICT (notification_id, channel) DO NOTHING"""
    return sql, [Delivery.State.PENDING, *source_params, topic, default, wecom_on, wecom_on, default]


def deliveries_create(notices, kind: str) -> int:
    """The deliveries of these notices (a queryset of notices of kind `kind`), chosen as above."""
    rows = notices.order_by().values("id", "recipient_id", "created_at", "deliver_after")
    try:
        select, params = rows.query.sql_with_params()
    except EmptyResultSet:  # no notices (an empty list of ids)
        return 0
    with connection.cursor() as cursor:
        cursor.execute(*deliveries_insert(f"({select})", list(params), kind))
        return cursor.rowcount


@transaction.atomic
def notice_choices_save(*, user, choices: dict[str, dict[str, bool]]) -> int:
    """Keeps the person's choice for every topic where it differs from the default or was made
    before (a channel that cannot reach them stays off); returns how many topics changed. The same
    choices saved twice change nothing."""
    reach, changed = reachable(user), 0
    made = {c.topic: c for c in NoticeChoice.objects.select_for_update().filter(user=user)}
    for topic in Topic:
        asked = choices[topic]
        choice = Choice(
            email=asked["email"] and reach["email"],
            wecom=asked["wecom"] and reach["wecom"],
            off_hours=asked["off_hours"] and topic in TIMED_TOPICS,
        )
        row = made.get(topic)
        before = Choice(row.email, row.wecom, row.off_hours) if row else default_choice(user, topic)
        if choice == before:
            continue
        NoticeChoice.objects.update_or_create(
            user=user,
            topic=topic,
            defaults={"email": choice.email, "wecom": choice.wecom, "off_hours": choice.off_hours},
        )
        changed += 1
    return changed


TOPIC_HELP = {
    Topic.NEW_TASK: _(
        "A task someone else's change gave you, such as telling a family about a new lesson time."
    ),
    Topic.REMINDER: _("A deadline comes close. The morning digest lists these as well."),
    Topic.OVERDUE: _("A deadline of yours has passed."),
    Topic.ESCALATION: _("A late deadline of your team or campus was escalated to you."),
    Topic.APPROVAL: _("A refund reached your step of the approval."),
    Topic.DIGEST: _(
        "Every working day at your campus's opening: what is late, due today and waiting for you."
    ),
}
