"""Every shipped language is complete, and no template shows text that cannot be translated."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from cohortapp.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
TRANSLATED = [code for code in LANGUAGES if code != "en"]


def catalogue(code):
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=code)


def template_ids() -> set:
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        return {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(handle)
            if message.id
        }


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalogue_is_complete_with_nothing_fuzzy_or_obsolete(code):
    po = catalogue(code)
    untranslated, fuzzy = [], []
    for message in po:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"{code}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{code}: fuzzy: {fuzzy[:5]}"
    assert not po.obsolete, f"{code}: obsolete: {list(po.obsolete)[:5]}"
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in po if m.id}
    missing = template_ids() - ids
    assert not missing, (
        f"{code}: not in the catalogue (run make translations): {sorted(missing)[:5]}"
    )


@pytest.mark.parametrize("code", TRANSLATED)
def test_plural_forms_and_placeholders_are_kept(code):
    po = catalogue(code)
    placeholder = re.compile(r"%\((\w+)\)s")
    for message in po:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else [message.id]
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if isinstance(message.id, tuple | list):
            assert len(strings) == po.num_plurals, f"{code}: plural forms of {ids[0]!r}"
        expected = set(placeholder.findall(ids[-1])) | set(placeholder.findall(ids[0]))
        for text in strings:
            found = set(placeholder.findall(text))
            assert found <= expected, f"{code}: unknown placeholder in {text!r}"
            if not isinstance(message.id, tuple | list):
                assert found == expected, f"{code}: placeholders of {ids[0]!r} changed in {text!r}"


def test_template_catalogue_is_up_to_date_with_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_ngettext:1,2",
            "-o",
            str(fresh),
            "--no-location",
            "--sort-output",
            str(ROOT),
        ],
        check=True,
        cwd=ROOT,
    )
    with open(fresh, "rb") as handle:
        current = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert current == template_ids(), "the code changed its strings: run make translations"


JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
TAG = re.compile(r"<[^>]*>", re.S)
ALLOWED = re.compile(
    "^[\\s\u00b7\u2014\u2013\u2713\u2026/()\\[\\]:;,.%|\u203a\u2039+=\\-*#'\"0-9]*$"
)
TEXT_ATTRIBUTES = re.compile(r'\s(?:aria-label|title|placeholder|alt|data-confirm)="([^"]*)"')


def template_files():
    return sorted(
        p for p in (ROOT / "cohortapp").rglob("templates/**/*") if p.suffix in {".html", ".txt"}
    )


@pytest.mark.parametrize(
    "path", template_files(), ids=lambda p: str(p.relative_to(ROOT / "cohortapp"))
)
def test_templates_hold_no_visible_text_outside_translation_calls(path):
    source = path.read_text(encoding="utf-8")
    for value in TEXT_ATTRIBUTES.findall(source):
        leftover = JINJA.sub("", value)
        assert ALLOWED.match(leftover), f"untranslated attribute text {leftover!r}"
    without_code = JINJA.sub(" ", source)
    without_code = re.sub(r"<(style|script)\b.*?</\1>", " ", without_code, flags=re.S)
    text = TAG.sub(" ", without_code).replace("&nbsp;", " ")
    leftover = [word for word in text.split() if not ALLOWED.match(word)]
    assert not leftover, f"visible text outside _(): {leftover[:10]}"
