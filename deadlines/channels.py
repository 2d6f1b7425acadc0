"""Outside channels a notification can go through. Add WeCom or SMS by adding a class here."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation

from .messages import notification_text


class Channel:
    name: str

    def send(self, notification) -> None:
        """Sends or raises; the delivery row records failures and retries."""
        raise NotImplementedError


class EmailChannel(Channel):
    name = "email"

    def send(self, notification) -> None:
        recipient = notification.recipient
        if not recipient.email:
            raise ValueError(f"{recipient.username} has no email address")
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = notification_text(notification)
        send_mail(subject, body, None, [recipient.email], fail_silently=False)


CHANNELS: dict[str, Channel] = {channel.name: channel for channel in [EmailChannel()]}
