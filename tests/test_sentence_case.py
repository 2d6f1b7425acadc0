"""The English UI writes headers, titles and labels in sentence case ("Hours left", not "Hours Left"),
as the Chinese one has no case to get wrong. Every msgid the templates and the code translate is
scanned for two capitalised words in a row within one sentence."""

import ast
import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

from deadlines.calendar import HOLIDAY_NAMES

ROOT = Path(settings.BASE_DIR)
# Not the project's code, or not translated text.
SKIPPED = {".venv", "build", "var", "node_modules", "staticfiles", "tests", "migrations", "benchmarks"}
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
PGETTEXT = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}  # the first argument: context

# Proper nouns written as their owners write them: products whose names are capitalised words, and
# the body that publishes the official working-day schedule (国务院). Keep this short: a name belongs
# here only when it is a name in any sentence. The public holidays' names come from the calendar.
PROPER_NOUNS = {"WeChat", "WeCom", "Word", "Excel", "PowerPoint"}
PROPER_NAMES = ("State Council",)


def _official_names() -> set[str]:
    """The public holidays' official English names (deadlines.calendar), proper nouns as a whole."""
    with translation.override(None):  # the msgids
        return {str(name) for name in HOLIDAY_NAMES.values()}


# A sentence ends at its punctuation; "·" and a placeholder separate the parts of a line.
SEGMENTS = re.compile(r"[.:;?!·()\[\]—–]|%\([^)]*\)[sd]|%[sd]|\n")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def _capitalised(word: str) -> bool:
    """Hours, Left; not PDF, L2, UTF-8 or a proper noun."""
    return len(word) > 1 and word[0].isupper() and word[1].islower() and word not in PROPER_NOUNS


def title_case(text: str) -> bool:
    """Whether the text has two capitalised words in a row within one sentence."""
    for name in PROPER_NAMES:
        text = text.replace(name, "·")
    for segment in SEGMENTS.split(text):
        words = WORD.findall(segment)
        if any(_capitalised(a) and _capitalised(b) for a, b in zip(words, words[1:], strict=False)):
            return True
    return False


TRANSLATE = re.compile(r"""{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')""")
BLOCK = re.compile(r"{%\s*blocktrans(?:late)?\b.*?%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.S)
VARIABLE = re.compile(r"{{.*?}}|{%\s*plural\s*%}", re.S)


def template_msgids():
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for found in TRANSLATE.finditer(text):
            yield path, found.group(1) or found.group(2)
        for found in BLOCK.finditer(text):
            for part in VARIABLE.split(found.group(1)):
                yield path, part


def _strings(node: ast.Call, skip: int):
    for arg in node.args[skip:]:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            yield arg.value


def code_msgids():
    for path in sorted(ROOT.rglob("*.py")):
        if SKIPPED & set(path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in GETTEXT:
                    yield from ((path, s) for s in _strings(node, 0))
                elif node.func.id in PGETTEXT:
                    yield from ((path, s) for s in _strings(node, 1))


def test_the_scanner_tells_title_case_from_sentence_case():
    for header in ("Hours Left", "Next Lesson", "Open deadlines · Due Date", "Export To Excel"):
        assert title_case(header), header
    for fine in (
        "Hours left",
        "Upload a PDF, Word, Excel, PowerPoint or image file",
        "Check L2 and R1 (UTF-8, 5 MB)",
        "Nothing late. Well kept.",
        "Student: %(student)s · Learning manager: %(manager)s",
        "WeChat Pay",
        "as soon as the State Council publishes it",
    ):
        assert not title_case(fine), fine


def test_the_scanner_reads_the_msgids_of_templates_and_code():
    templates = {msgid for _, msgid in template_msgids()}
    code = {msgid for _, msgid in code_msgids()}
    assert {"Hours left", "Next lesson", "Open deadlines"} <= templates
    assert {"hours left", "Renewal rate", "Why the families declined"} <= code


def test_no_header_or_label_is_in_title_case():
    allowed = _official_names()
    offenders = [
        f"{path.relative_to(ROOT)}: {msgid!r}"
        for path, msgid in [*template_msgids(), *code_msgids()]
        if msgid not in allowed and title_case(msgid)
    ]
    assert offenders == []
