import re

from playwright.sync_api import expect

from cohortapp.lessons.content import load_course


def test_learner_signs_in_and_sees_the_city_home(
    page, live_server, world, sign_in, assert_accessible
):
    page.goto(live_server)
    assert_accessible(page, "landing page")
    page.get_by_role("link", name="Sign in").first.click()
    assert_accessible(page, "sign-in page")
    sign_in(page, world.learner)
    assert_accessible(page, "my cohorts")
    page.get_by_role("link", name="Alpha City").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha City")
    assert_accessible(page, "city home")


def test_wrong_password_form_is_accessible(page, live_server, world, assert_accessible):
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(world.learner)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Wrong email address or password.").first).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_value(world.learner)
    assert_accessible(page, "sign-in page with an error")


def test_learner_walks_three_pages_of_the_course(
    app, page, live_server, world, sign_in, assert_accessible
):
    course = load_course(app.config["CONTENT_DIR"])
    sign_in(page, world.learner)
    page.goto(f"{live_server}/c/alpha/cohorts/a1/")
    assert_accessible(page, "cohort home")
    page.get_by_role("link", name="Start the course").click()
    for number, lesson in enumerate(course.pages[:3], start=1):
        expect(page.get_by_text(f"Page {number} / 42")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_have_text(lesson.texts["en"].title)
        activity = lesson.texts["en"].activity
        if activity and activity.kind == "check":
            page.get_by_role("button", name="Next").click()
            expect(page.get_by_text("Answer the question before going on.").first).to_be_visible()
            assert_accessible(page, f"page {number} with an unanswered check")
            correct = activity.option(activity.correct)
            page.get_by_label(correct.text).check()
            page.get_by_role("button", name="Check my answer").click()
            expect(page.get_by_text("Your answer is correct.")).to_be_visible()
        if activity and activity.kind == "reflection":
            page.get_by_label("Your reflection").fill("We could start in the library.")
        assert_accessible(page, f"lesson page {number}")
        page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Page 4 / 42")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^7% complete$"))).to_be_visible()
