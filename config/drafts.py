"""A form with a file keeps what was given: an uploaded file survives the form's re-render.

A form that comes back with an error (a field left out, a service's refusal) would ask for its file
again, and a scan chosen once is easily forgotten the second time. DraftUploadsMixin, mixed into
every form with a file, keeps each file that passed its own checks as a draft in the default storage,
`drafts/<user id>/<random>/<n><suffix>`, and gives the re-rendered form a hidden token naming it; the
page says "Uploaded: <name> (kept; choose a file again to replace it)". The next submit without a new
file takes the draft (checked again as a new file is); a new file replaces it.

No table: the token is signed (django.core.signing, salted with the form and the field) with the
user's id and the drafts' paths and lives a day, so one user can never claim another's draft or any
other stored file, and a changed token is refused. The stored name is made here, never the one the
browser sent (the token carries that, for the page and the record's file). drafts_clean (beat,
hourly) deletes the drafts older than a day; a draft is not deleted when its form succeeds, so that
the same form posted twice (a double click) finds its file and its request key answers with the
first record.

    class DocumentForm(DraftUploadsMixin, BoundedForm): ...
    form = DocumentForm(request.POST or None, request.FILES or None, uploader=request.user)
"""

import re
import secrets
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from celery import shared_task
from django import forms
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

DRAFTS = "drafts"
DRAFT_MAX_AGE = timedelta(days=1)
# A token names at most a handful of files (config.uploads.MultipleFileField bounds them).
TOKEN_MAX_LENGTH = 4000
SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")
REFUSED = _(
    "The file kept with this form can no longer be used (kept more than a day ago, or not yours): "
    "choose it again."
)


def token_field(name: str) -> str:
    """The hidden field carrying the draft of the file field `name`."""
    return f"{name}_draft"


def draft_save(uploads, *, owner_id: int) -> list[tuple[str, str]]:
    """Keeps the files in a new draft folder of their owner; returns (stored path, name given) each."""
    folder = f"{DRAFTS}/{owner_id}/{secrets.token_hex(16)}"
    kept = []
    for number, upload in enumerate(uploads, start=1):
        suffix = PurePosixPath(upload.name or "").suffix.lower()
        suffix = suffix if SUFFIX.fullmatch(suffix) else ""
        upload.seek(0)
        kept.append((default_storage.save(f"{folder}/{number}{suffix}", upload), upload.name))
    return kept


def draft_token(kept: list[tuple[str, str]], *, owner_id: int, salt: str) -> str:
    return signing.dumps({"u": owner_id, "f": kept}, salt=salt, compress=True)


def draft_files(token: str, *, owner_id: int, salt: str) -> list[tuple[str, str]] | None:
    """The drafts a token names, or None: not signed here with this salt, older than a day, another
    user's, a path outside the owner's drafts, or a file gone (cleaned up)."""
    try:
        payload = signing.loads(token, salt=salt, max_age=DRAFT_MAX_AGE)
    except (signing.BadSignature, ValueError):  # SignatureExpired is a BadSignature
        return None
    if not isinstance(payload, dict) or payload.get("u") != owner_id or not payload.get("f"):
        return None
    mine, kept = f"{DRAFTS}/{owner_id}/", []
    for item in payload["f"]:
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(part, str) for part in item)):
            return None
        path, name = item
        if not path.startswith(mine) or ".." in PurePosixPath(path).parts or not default_storage.exists(path):
            return None
        kept.append((path, name))
    return kept


def drafts_clean(*, older_than: datetime) -> int:
    """Deletes the draft folders whose files were all kept before `older_than`; returns how many files.
    Safe to run twice at once and beside forms keeping new drafts: a folder is its one draft's, and
    an owner's folder stays (a form may be making a draft in it)."""
    deleted = 0
    for owner in _folders(DRAFTS):
        for folder in _folders(f"{DRAFTS}/{owner}"):
            path = f"{DRAFTS}/{owner}/{folder}"
            files = _files(path)
            if files and all(_kept_before(f"{path}/{name}", older_than) for name in files):
                for name in files:
                    default_storage.delete(f"{path}/{name}")
                    deleted += 1
                with suppress(OSError):  # the emptied folder (FileSystemStorage removes it)
                    default_storage.delete(path)
    return deleted


def _folders(path: str) -> list[str]:
    try:
        return default_storage.listdir(path)[0]
    except FileNotFoundError:
        return []


def _files(path: str) -> list[str]:
    try:
        return default_storage.listdir(path)[1]
    except FileNotFoundError:
        return []


def _kept_before(path: str, moment: datetime) -> bool:
    try:
        return default_storage.get_modified_time(path) < moment
    except FileNotFoundError:  # deleted meanwhile by another run
        return True


@shared_task(name="config.drafts_clean")
def drafts_clean_task() -> int:
    """Hourly housekeeping (config/settings.py's beat schedule): drafts live a day. Safe to run twice."""
    return drafts_clean(older_than=timezone.now() - DRAFT_MAX_AGE)


class DraftUploadsMixin:
    """Mixed into every form with a file, before its Bounded base: each file field keeps its valid
    file across a re-render (the module's docstring). Built with `uploader=` the signed-in user; a
    form built without one keeps nothing. The hidden token fields never reach cleaned_data."""

    def __init__(self, *args, uploader=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.uploader_id = getattr(uploader, "pk", None)
        self.file_fields = [name for name, f in self.fields.items() if isinstance(f, forms.FileField)]
        self.help_texts = {name: self.fields[name].help_text for name in self.file_fields}
        self.kept: dict[str, list[tuple[str, str]]] = {}  # field -> its draft: (stored path, name given)
        self._refused: list[str] = []
        self._drafts_ready = False  # set once cleaned: a service's error added later keeps the files
        for name in self.file_fields:
            self.fields[token_field(name)] = forms.CharField(
                required=False, max_length=TOKEN_MAX_LENGTH, widget=forms.HiddenInput
            )

    def full_clean(self):
        self._drafts_ready, self._refused = False, []
        if self.is_bound and self.uploader_id is not None:
            self._take_drafts()
        super().full_clean()
        if not self.is_bound:
            return
        for name in self.file_fields:
            self.cleaned_data.pop(token_field(name), None)
            self._errors.pop(token_field(name), None)  # a bad token is the file field's message
        for name in self._refused:
            self._errors.pop(name, None)  # not "required": why the kept file is gone
            self.add_error(name, REFUSED)
        self._drafts_ready = self.uploader_id is not None
        if self._errors:
            self._keep_drafts()

    def add_error(self, field, error):
        super().add_error(field, error)
        if self._drafts_ready:
            self._keep_drafts()

    def _salt(self, name: str) -> str:
        return f"config.drafts:{type(self).__module__}.{type(self).__qualname__}.{name}"

    def _take_drafts(self) -> None:
        """Each file field left empty takes the draft its token names; a token naming none is refused."""
        for name in self.file_fields:
            token = str(self.data.get(self.add_prefix(token_field(name))) or "")
            if not token or self.files.get(self.add_prefix(name)):  # none kept, or a new file chosen
                continue
            kept = draft_files(token, owner_id=self.uploader_id, salt=self._salt(name))
            if kept is None:
                self._refused.append(name)
                self._set_token(name, "")
                continue
            self.kept[name] = kept
            files = _copied(self.files)
            files.setlist(
                self.add_prefix(name),
                [File(default_storage.open(path, "rb"), name=given) for path, given in kept],
            )
            self.files = files

    def _keep_drafts(self) -> None:
        """The form goes back to its user: each file field without an error keeps its file(s)."""
        for name in self.file_fields:
            if name in self._errors:
                if self.kept.pop(name, None) is not None:
                    self._set_token(name, "")
                    self._help(name, self.help_texts[name])
                continue
            if name not in self.kept:
                value = self.cleaned_data.get(name)
                uploads = list(value) if isinstance(value, list | tuple) else [value] if value else []
                if not uploads:
                    continue
                self.kept[name] = draft_save(uploads, owner_id=self.uploader_id)
                token = draft_token(self.kept[name], owner_id=self.uploader_id, salt=self._salt(name))
                self._set_token(name, token)
            given = pgettext("list of names", ", ").join(given for _path, given in self.kept[name])
            kept = _("Uploaded: %(name)s (kept; choose a file again to replace it)") % {"name": given}
            self._help(
                name, format_html('<span class="upload-kept">{}</span> {}', kept, self.help_texts[name])
            )

    def _help(self, name: str, text) -> None:
        """The file field's help text, also on its bound field (made, and cached, while cleaning)."""
        self.fields[name].help_text = text
        self[name].help_text = text

    def _set_token(self, name: str, token: str) -> None:
        data = self.data.copy()  # the request's QueryDict is read-only; its copy is not
        data[self.add_prefix(token_field(name))] = token
        self.data = data


def _copied(files) -> MultiValueDict:
    """A form's files (the request's MultiValueDict, or a plain dict a caller gave) as a copy to change."""
    if isinstance(files, MultiValueDict):
        return files.copy()
    return MultiValueDict({key: [value] for key, value in files.items()})
