"""Every page type, in English and in Arabic: zero axe-core violations, no sideways scrolling at
320 px or at 200% zoom, a keyboard-only journey, and a right-to-left layout that mirrors."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cohortapp.auth.models import User
from cohortapp.auth.services import create_invitation
from cohortapp.cities.models import City
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.discussion.services import accept_answer, ask_question, post_answer, share_question
from cohortapp.extensions import db
from cohortapp.sqltypes import utcnow
from tests.conftest import PASSWORD, app_db

# Not test-results/: pytest-playwright empties that folder at each run.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture
def full_world(app, world, course):
    """The world, with a discussion, a shared question, a join link, an invitation and an upload."""
    with app.test_request_context(), app_db(app) as session:
        cohort = session.scalar(db.select(Cohort).where(Cohort.slug == "a1"))
        learner = session.scalar(db.select(User).where(User.email == world.learner))
        facilitator = session.scalar(db.select(User).where(User.email == world.facilitator))
        question = ask_question(
            cohort,
            learner,
            "How do we map our services?",
            "Any **example**?",
            page_key=course.pages[0].key,
        )
        session.flush()
        answer = post_answer(question, facilitator, "Start with the *welcome desk*.")
        session.flush()
        accept_answer(question, answer, actor=learner)
        share_question(question, show_names=True, actor=facilitator)
        ask_question(cohort, learner, "Is there a template for the action plan?", "")
        cohort.join_code = "join-a1"
        cohort.pace_weeks = 10
        enrollment = session.scalar(db.select(Enrollment).where(Enrollment.user_id == learner.id))
        enrollment.enrolled_at = utcnow() - timedelta(days=40)
        city = session.scalar(db.select(City).where(City.slug == "alpha"))
        city.locales = "en,fr,de,es,it,uk,ar"
        _invitation, token = create_invitation(
            city, "new@alpha.example", "learner", actor=facilitator, cohort=cohort
        )
        world.invitation_token = token
        world.question_id = question.id
    return world


def pages_by_role(world, course):
    lesson = course.pages[2]  # a page with a knowledge check
    reflection = next(
        p
        for p in course.pages
        if p.texts["en"].activity and p.texts["en"].activity.kind == "reflection"
    )
    a1 = "/c/alpha/cohorts/a1"
    return {
        None: [
            "/",
            "/login",
            "/password/forgot",
            "/login/link",
            "/join/join-a1",
            f"/invite/{world.invitation_token}",
            "/no-such-page",
        ],
        world.learner: [
            "/",
            "/c/alpha/",
            f"{a1}/",
            f"{a1}/pages/{lesson.key}",
            f"{a1}/pages/{reflection.key}",
            f"{a1}/qa/",
            f"{a1}/qa/?show=mine&q=nothing-matches",
            f"{a1}/qa/ask",
            f"{a1}/qa/{world.question_id}",
            "/c/alpha/library/",
            f"/c/alpha/library/{world.question_id}",
            "/account",
            "/account/password",
        ],
        world.facilitator: [
            f"{a1}/dashboard",
            f"{a1}/dashboard?status=stalled",
            f"{a1}/qa/flags",
            f"{a1}/qa/{world.question_id}",
        ],
        world.coordinator: [
            "/c/alpha/manage/",
            "/c/alpha/manage/cohorts/new",
            "/c/alpha/manage/cohorts/a1/",
            "/c/alpha/manage/cohorts/a1/edit",
            "/c/alpha/manage/people",
            "/c/alpha/manage/imports/new",
            "/c/alpha/manage/notes",
            f"/c/alpha/manage/notes/{lesson.key}",
            "/c/alpha/manage/audit",
            "/c/alpha/manage/translations",
        ],
        world.admin: [
            "/admin/",
            "/admin/cities/new",
            "/admin/cities/alpha/",
            "/admin/translations",
            "/library/",
        ],
    }


def sign_in_as(page, live_server, email):
    page.context.clear_cookies()
    if email is None:
        return
    page.goto(f"{live_server}/login?lang=en")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"{live_server}/")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_page_type_has_no_axe_violations(
    page, live_server, full_world, course, assert_accessible, language
):
    for email, paths in pages_by_role(full_world, course).items():
        sign_in_as(page, live_server, email)
        for path in paths:
            separator = "&" if "?" in path else "?"
            page.goto(f"{live_server}{path}{separator}lang={language}")
            assert page.locator("html").get_attribute("lang") == language
            assert page.locator("html").get_attribute("dir") == (
                "rtl" if language == "ar" else "ltr"
            )
            assert_accessible(page, f"{path} as {email or 'visitor'} in {language}")


def test_forms_with_errors_have_no_axe_violations_and_take_the_focus(
    page, live_server, full_world, assert_accessible
):
    page.goto(f"{live_server}/login?lang=ar")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert page.locator("#email").get_attribute("aria-invalid") == "true"
    described = page.locator("#email").get_attribute("aria-describedby")
    assert "email-error" in described and page.locator("#email-error").is_visible()
    assert_accessible(page, "sign-in form with errors, in Arabic")
    sign_in_as(page, live_server, full_world.coordinator)
    page.goto(f"{live_server}/c/alpha/manage/cohorts/new")
    page.locator("#name").fill("Winter")
    page.locator("#slug").fill("Not A Slug")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#name")).to_have_value("Winter")
    assert_accessible(page, "new cohort form with errors")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", [320, 640], ids=["320px", "zoom-200"])
def test_no_page_scrolls_sideways_on_a_narrow_screen_or_at_200_percent(
    browser, live_server, full_world, course, width
):
    # 200% zoom of a 1280 px wide window lays pages out in 640 CSS pixels.
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    wide = []
    for language in ("en", "ar"):
        for email, paths in pages_by_role(full_world, course).items():
            sign_in_as(page, live_server, email)
            for path in paths:
                separator = "&" if "?" in path else "?"
                page.goto(f"{live_server}{path}{separator}lang={language}")
                if not no_sideways_scroll(page):
                    wide.append(f"{path} ({language})")
    context.close()
    assert not wide, f"pages wider than {width}px: {wide}"


def tab_to(page, matches, limit=80):
    """Press Tab until the focused element satisfies `matches` (a JS predicate on `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {matches})(document.activeElement)"):
            return
    raise AssertionError(f"could not reach by keyboard: {matches}")


def follow(page):
    """Press Enter on a link or a submit button, and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_learner_journey_with_the_keyboard_only(page, live_server, full_world, course):
    page.goto(f"{live_server}/login")
    tab_to(page, "el.id === 'email'")
    page.keyboard.type(full_world.learner)
    tab_to(page, "el.id === 'password'")
    page.keyboard.type(PASSWORD)
    follow(page)
    assert page.url == f"{live_server}/"
    tab_to(page, "el.textContent.trim() === 'Alpha One'")
    follow(page)
    tab_to(page, "el.textContent.trim() === 'Start the course'")
    follow(page)
    for number in (1, 2):
        expect(page.get_by_text(f"Page {number} / 42")).to_be_visible()
        tab_to(page, "el.tagName === 'BUTTON' && el.value === 'next'")
        follow(page)
    check = course.pages[2].texts["en"].activity
    expect(page.get_by_text("Page 3 / 42")).to_be_visible()
    tab_to(page, f"el.type === 'radio' && el.value === '{check.options[0].id}'")
    while page.evaluate("document.activeElement.value") != check.correct:
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    tab_to(page, "el.tagName === 'BUTTON' && el.value === 'answer'")
    follow(page)
    expect(page.get_by_text("Your answer is correct.")).to_be_visible()
    tab_to(page, "el.tagName === 'BUTTON' && el.value === 'next'")
    follow(page)
    expect(page.get_by_text("Page 4 / 42")).to_be_visible()
    tab_to(page, "el.textContent.trim() === 'Ask a question about this page'")
    follow(page)
    tab_to(page, "el.id === 'title'")
    page.keyboard.type("Can I use this with my team?")
    tab_to(page, "el.tagName === 'BUTTON' && el.type === 'submit' && el.closest('form.form')")
    follow(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Can I use this with my team?")


def test_arabic_lays_out_right_to_left_with_mirrored_progress_and_navigation(
    page, live_server, full_world, course
):
    sign_in_as(page, live_server, full_world.learner)
    page.goto(f"{live_server}/c/alpha/cohorts/a1/pages/{course.pages[1].key}?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    previous = page.locator("a[rel=prev]").bounding_box()
    following = page.locator("button[value=next]").bounding_box()
    assert following["x"] < previous["x"], "Next sits on the left in a right-to-left page"
    progress = page.locator("progress").bounding_box()
    label = page.locator(".progress__label span").bounding_box()
    assert progress["x"] < label["x"], "the progress bar follows its label leftwards"
    direction = page.evaluate("getComputedStyle(document.querySelector('progress')).direction")
    assert direction == "rtl", "the bar fills from the right"
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / "lesson-page-arabic.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    assert re.search(r"[\u0600-\u06FF]", page.locator("main").inner_text()), (
        "the interface text is Arabic"
    )
