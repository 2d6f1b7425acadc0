"""The forms of a rendered page, as a browser sees them: action, method and each field's kind."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, date, datetime-local, number, checkbox, radio, select, hidden, file, button
    values: list[str] = field(default_factory=list)  # options, or the value(s) the page filled in
    multiple: bool = False


@dataclass
class Form:
    action: str  # a path
    method: str
    fields: dict[str, Field] = field(default_factory=dict)

    def add(self, name: str, kind: str, value: str | None = None, multiple: bool = False) -> Field:
        known = self.fields.get(name)
        if known is None:
            known = self.fields[name] = Field(name, kind, multiple=multiple)
        elif kind in ("checkbox", "radio", "button"):
            known.multiple = known.multiple or kind == "checkbox"
        if value is not None and value not in known.values:
            known.values.append(value)
        return known


class _Parser(HTMLParser):
    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            action = urlsplit(urljoin("http://testserver" + self.page_path, a.get("action") or "")).path
            self.form = Form(action=action, method=(a.get("method") or "get").lower())
            self.forms.append(self.form)
            return
        if tag == "option" and self.select is not None:
            self.select.values.append(a.get("value", ""))
            return
        if self.form is None or not a.get("name") or a["name"] == "csrfmiddlewaretoken":
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image", "reset"):
                kind = "button"
            self.form.add(name, kind, a.get("value", "on" if kind in ("checkbox", "radio") else ""))
        elif tag == "button":
            self.form.add(name, "button", a.get("value", ""))
        elif tag == "textarea":
            self.form.add(name, "textarea")
        elif tag == "select":
            self.select = self.form.add(name, "select", multiple="multiple" in a)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


def page_forms(html: str, page_path: str) -> list[Form]:
    parser = _Parser(page_path)
    parser.feed(html)
    return parser.forms
