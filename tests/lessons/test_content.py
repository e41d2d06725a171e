"""The course loader and `flask content check|stamp`, on small courses written by the tests."""

import shutil
from pathlib import Path

import pytest

from cohortapp import create_app
from cohortapp.lessons.content import load_course
from tests.conftest import config_for_tests

OUTLINE = """\
id: tiny
source_locale: en
title: {en: Tiny course, fr: Petit cours}
modules:
  - slug: one
    title: {en: One, fr: Un}
    pages: [first, second]
"""

FIRST = """\
---
title: First page
minutes: 3
activity:
  kind: check
  question: Which is right?
  options:
    - {id: a, text: This one, feedback: Yes.}
    - {id: b, text: That one, feedback: No.}
  correct: a
---
Body of the first page.
"""

SECOND = """\
---
title: Second page
video:
  title: A short film
  transcript: Everything said in the film.
activity:
  kind: reflection
  prompt: What do you think?
---
Body of the second page.
"""


def write_course(root: Path, pages: dict[str, str], outline: str = OUTLINE) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "course.yaml").write_text(outline, encoding="utf-8")
    for relative, text in pages.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def valid_pages() -> dict[str, str]:
    return {"en/one/first.md": FIRST, "en/one/second.md": SECOND}


def problems(root: Path) -> list[str]:
    return [str(problem) for problem in load_course(root).problems]


def test_valid_course_loads_with_pages_numbered_in_order(tmp_path):
    course = load_course(write_course(tmp_path, valid_pages()))
    assert course.problems == []
    assert [page.key for page in course.pages] == ["one/first", "one/second"]
    assert [page.number for page in course.pages] == [1, 2]
    first = course.pages[0].texts["en"]
    assert first.activity.correct == "a" and "<p>Body of the first page.</p>" in first.body_html


@pytest.mark.parametrize(
    ("relative", "text", "message"),
    [
        ("en/one/first.md", "no front matter here", "must start with front matter"),
        ("en/one/first.md", "---\ntitle: [unclosed\n---\nBody", "not valid YAML"),
        ("en/one/first.md", "---\n- a list\n---\nBody", "must be a mapping"),
        ("en/one/first.md", "---\nsummary: no title\n---\nBody", "'title' is required"),
        ("en/one/first.md", "---\ntitle: T\nminutes: soon\n---\nBody", "positive whole number"),
        ("en/one/first.md", "---\ntitle: T\n---\n", "no body text"),
        (
            "en/one/first.md",
            "---\ntitle: T\nactivity: {kind: quiz}\n---\nB",
            "'reflection' or 'check'",
        ),
        (
            "en/one/first.md",
            "---\ntitle: T\nactivity: {kind: reflection}\n---\nB",
            "activity.prompt",
        ),
        (
            "en/one/first.md",
            FIRST.replace("correct: a", "correct: z"),
            "not one of the option ids",
        ),
        (
            "en/one/first.md",
            FIRST.replace("{id: b, text: That one", "{id: a, text: That one"),
            "different ids",
        ),
        (
            "en/one/first.md",
            FIRST.replace("    - {id: b, text: That one, feedback: No.}\n", ""),
            "between 2 and 6",
        ),
        (
            "en/one/first.md",
            FIRST.replace(", feedback: No.", ""),
            "activity.options[2].feedback",
        ),
        (
            "en/one/second.md",
            SECOND.replace("  transcript: Everything said in the film.\n", ""),
            "video.transcript",
        ),
        (
            "en/one/second.md",
            SECOND.replace(
                "  title: A short film\n", "  title: A short film\n  url: http://x.org/v\n"
            ),
            "https://",
        ),
    ],
)
def test_each_kind_of_broken_page_is_reported_with_its_file(tmp_path, relative, text, message):
    pages = {**valid_pages(), relative: text}
    found = problems(write_course(tmp_path, pages))
    assert len(found) == 1
    assert relative in found[0] and message in found[0]


def test_non_utf8_file_is_reported(tmp_path):
    root = write_course(tmp_path, valid_pages())
    (root / "en/one/first.md").write_bytes("---\ntitle: Caf\xe9\n---\nB".encode("latin-1"))
    assert "not UTF-8" in problems(root)[0]


def test_missing_source_page_and_unlisted_file_are_reported(tmp_path):
    pages = {"en/one/first.md": FIRST, "en/one/stray.md": SECOND}
    found = problems(write_course(tmp_path, pages))
    assert any("second.md: the page is missing" in p for p in found)
    assert any("stray.md: this file is not listed in course.yaml" in p for p in found)


@pytest.mark.parametrize(
    "outline",
    [
        "modules: nope",
        "modules:\n  - slug: Bad Slug\n    pages: [a]",
        "modules:\n  - slug: m\n    pages: []",
        ":",
    ],
)
def test_broken_outline_is_reported(tmp_path, outline):
    found = problems(write_course(tmp_path, {}, outline=outline))
    assert len(found) == 1 and "course.yaml" in found[0]


def test_translation_with_a_different_activity_is_a_structural_error(tmp_path):
    pages = {**valid_pages(), "fr/one/first.md": FIRST.replace("correct: a", "correct: b")}
    course = load_course(write_course(tmp_path, pages))
    assert "fr/one/first.md" in str(course.problems[0]) and "activity differs" in str(
        course.problems[0]
    )
    text, fallback = course.text(course.pages[0], "fr")
    assert fallback and text.locale == "en", "a broken translation falls back to the source"


def test_translation_is_outdated_when_its_source_changes(tmp_path):
    root = write_course(
        tmp_path, {**valid_pages(), "fr/one/first.md": FIRST.replace("First", "Première")}
    )
    app = create_app({**config_for_tests("sqlite://"), "CONTENT_DIR": str(root)})
    runner = app.test_cli_runner()
    assert load_course(root).is_outdated(load_course(root).pages[0], "fr"), "never stamped"
    assert "stamped 1 page(s) of fr" in runner.invoke(args=["content", "stamp", "fr"]).output
    course = load_course(root)
    assert not course.is_outdated(course.pages[0], "fr")
    (root / "en/one/first.md").write_text(FIRST.replace("Body of", "New body of"), encoding="utf-8")
    course = load_course(root)
    assert course.is_outdated(course.pages[0], "fr")


def test_content_check_reports_coverage_and_exits_0_when_sound(tmp_path):
    root = write_course(tmp_path, {**valid_pages(), "fr/one/first.md": FIRST})
    app = create_app({**config_for_tests("sqlite://"), "CONTENT_DIR": str(root)})
    result = app.test_cli_runner().invoke(args=["content", "check", "-v"])
    assert result.exit_code == 0, result.output
    assert "en: 2/2 present, 0 missing, 0 outdated, 0 with errors" in result.output
    assert "fr: 1/2 present, 1 missing, 1 outdated, 0 with errors" in result.output
    assert "missing: one/second" in result.output


def test_content_check_exits_1_on_structural_errors(tmp_path):
    root = write_course(tmp_path, {**valid_pages(), "en/one/first.md": "broken"})
    app = create_app({**config_for_tests("sqlite://"), "CONTENT_DIR": str(root)})
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "first.md: the file must start with front matter" in result.output


def test_the_real_course_has_42_pages_in_english_and_french_with_nothing_outdated(app):
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "en: 42/42 present, 0 missing, 0 outdated, 0 with errors" in result.output
    assert "fr: 42/42 present, 0 missing, 0 outdated, 0 with errors" in result.output


def test_the_real_course_has_enough_activities_and_videos(app):
    course = load_course(app.config["CONTENT_DIR"])
    english = [page.texts["en"] for page in course.pages]
    kinds = [text.activity.kind for text in english if text.activity]
    assert kinds.count("reflection") >= 12
    assert kinds.count("check") >= 12
    assert sum(1 for text in english if text.video) >= 6
    for text in english:
        words = len(text.body_html.split())
        assert words >= 250, f"{text.title} is too short"


def test_copying_the_real_course_keeps_it_valid(tmp_path, app):
    copy = tmp_path / "content"
    shutil.copytree(app.config["CONTENT_DIR"], copy)
    assert load_course(copy).problems == []
