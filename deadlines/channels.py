"""Outside channels a message can go through: email and WeCom. Add SMS by adding a class here."""

from dataclasses import dataclass

from django.core.mail import send_mail

from . import wecom


@dataclass(frozen=True)
class Message:
    """What one person is told outside the site: a notice or the morning digest, in their language."""

    recipient: object  # accounts.User
    title: str
    body: str  # plain text, one line per item
    url: str  # absolute: where the person acts on it


class ChannelBusy(Exception):
    """The channel asks to be left alone for a while (a rate limit): the rest of the batch waits."""


class Channel:
    name: str

    def reaches(self, user) -> bool:
        """Whether the channel can reach this person at all (an address, an account)."""
        raise NotImplementedError

    def send(self, message: Message) -> None:
        """Sends or raises; the delivery row records failures and retries."""
        raise NotImplementedError


class EmailChannel(Channel):
    name = "email"

    def reaches(self, user) -> bool:
        return bool(user.email)

    def send(self, message: Message) -> None:
        recipient = message.recipient
        if not recipient.email:
            raise ValueError(f"{recipient.username} has no email address")
        body = f"{message.body}\n\n{message.url}" if message.url else message.body
        send_mail(message.title, body, None, [recipient.email], fail_silently=False)


class WeComChannel(Channel):
    """An application message of the company's WeCom: a text card that opens the item."""

    name = "wecom"

    def reaches(self, user) -> bool:
        return wecom.configured() and bool(user.wecom_userid)

    def send(self, message: Message) -> None:
        recipient = message.recipient
        if not recipient.wecom_userid:
            raise ValueError(f"{recipient.username} has no WeCom account")
        try:
            wecom.send_text_card(recipient.wecom_userid, message.title, message.body, message.url)
        except wecom.WeComBusy as error:
            raise ChannelBusy(str(error)) from None


CHANNELS: dict[str, Channel] = {channel.name: channel for channel in [EmailChannel(), WeComChannel()]}
