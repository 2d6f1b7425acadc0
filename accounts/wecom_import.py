"""People's WeCom accounts (UserID) from a table the administrator uploads: .xlsx or CSV (any of the
encodings config.import_files reads), a header naming the person by 用户名 (username), 手机 (phone)
or 邮箱 (email) and their 企业微信账号 (WeCom UserID). All rows or none: a file with a bad row changes
nobody, and the message names every bad row."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from config import import_files

from .models import User

WHO = {
    "username": ("用户名", "username", "登录名"),
    "phone": ("手机", "手机号", "phone", "mobile"),
    "email": ("邮箱", "email", "e-mail"),
}
ACCOUNT = ("企业微信账号", "账号", "userid", "wecom_userid", "wecom user id")
# WeCom's UserID: 1 to 64 letters, digits and _ - . @ (its member rules).
USERID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone).removeprefix("86")[-11:]


def parse(text: str) -> tuple[str, list[tuple[int, str, str]], list[str]]:
    """Which column names the people (username, phone or email), (line, its value, the WeCom
    account) of each good row, and what is wrong with the others. A ValidationError when the file
    has no such columns."""
    rows = [row for row in import_files.text_rows(text) if any(cell.strip() for cell in row)]
    if not rows:
        raise ValidationError(_("The file has no rows."))
    header = [cell.strip().lower() for cell in rows[0]]
    account = next((header.index(name) for name in ACCOUNT if name in header), None)
    who = next(
        ((key, header.index(name)) for key, names in WHO.items() for name in names if name in header), None
    )
    if account is None or who is None:
        raise ValidationError(
            _("The first line must name the columns: 用户名 (or 手机, or 邮箱) and 企业微信账号.")
        )
    if len(rows) - 1 > import_files.MAX_ROWS:
        raise ValidationError(import_files.too_many_rows())
    parsed, errors = [], []
    for line, cells in enumerate(rows[1:], start=2):
        cells = [*cells, "", ""]
        value, userid = cells[who[1]].strip(), cells[account].strip()
        if not value:
            errors.append(_("Line %(line)d: whose account it is is empty.") % {"line": line})
        elif userid and not USERID.match(userid):
            errors.append(
                _(
                    "Line %(line)d: “%(value)s” is not a WeCom account "
                    "(letters, digits and _ - . @, 64 at most)."
                )
                % {"line": line, "value": userid[:70]}
            )
        else:
            parsed.append((line, value, userid))
    return who[0], parsed, errors


def _people(key: str, values: list[str]) -> dict[str, list[User]]:
    """The people each value names, by the column's kind (one query). A phone is compared by its
    digits: 138 1234 5678, +86 13812345678 and 13812345678 are one number."""
    if key == "phone":
        people, index = User.objects.exclude(phone=""), lambda person: _digits(person.phone)
    elif key == "email":
        lowered = [value.lower() for value in values]
        people = User.objects.annotate(lowered=Lower("email")).filter(lowered__in=lowered)
        index = lambda person: person.email.lower()  # noqa: E731
    else:
        people, index = User.objects.filter(username__in=values), lambda person: person.username
    found: dict[str, list[User]] = {}
    for person in people:
        found.setdefault(index(person), []).append(person)
    return found


def _key(key: str, value: str) -> str:
    return _digits(value) if key == "phone" else value.lower() if key == "email" else value


@transaction.atomic
def wecom_accounts_import(*, text: str) -> int:
    """Sets the WeCom account of each person of the file (an empty one clears it); returns how many
    people changed. Nothing changes when a row is wrong, a person appears twice or one account is
    given to two people."""
    key, rows, errors = parse(text)
    people = _people(key, [value for _line, value, _userid in rows])
    by_person, by_account = {}, {}
    for line, value, userid in rows:
        matches = people.get(_key(key, value), [])
        if len(matches) != 1:
            message = (
                _("Line %(line)d: nobody has “%(value)s”.")
                if not matches
                else _("Line %(line)d: several people have “%(value)s”.")
            )
            errors.append(message % {"line": line, "value": value[:70]})
            continue
        person = matches[0]
        if person.pk in by_person:
            errors.append(
                _("Line %(line)d: %(person)s is already on line %(other)d.")
                % {"line": line, "person": person.display_name, "other": by_person[person.pk][0]}
            )
            continue
        if userid and userid in by_account:
            errors.append(
                _("Line %(line)d: the account %(account)s is already on line %(other)d.")
                % {"line": line, "account": userid, "other": by_account[userid]}
            )
            continue
        by_person[person.pk] = (line, person, userid)
        if userid:
            by_account[userid] = line
    taken = User.objects.filter(wecom_userid__in=by_account).exclude(pk__in=by_person)
    for other in taken:
        errors.append(
            _("Line %(line)d: the account %(account)s belongs to %(person)s already.")
            % {
                "line": by_account[other.wecom_userid],
                "account": other.wecom_userid,
                "person": other.display_name,
            }
        )
    if errors:
        raise ValidationError(sorted(errors, key=_line_of))
    changed = [person for _line, person, userid in by_person.values() if person.wecom_userid != userid]
    for person in changed:
        person.wecom_userid = by_person[person.pk][2]
    User.objects.bulk_update(changed, ["wecom_userid"])
    return len(changed)


def _line_of(message: str) -> int:
    number = re.search(r"\d+", message)
    return int(number.group()) if number else 0
