"""Cached fragments of pages (`{% cached %}`): reused by key, never anyone else's token."""

import re
import uuid
from contextlib import contextmanager

import pytest
from flask import g, render_template_string
from flask_babel import force_locale, gettext

from cohortapp.cohorts.models import Cohort
from cohortapp.extensions import db
from cohortapp.fragments import FragmentKeyError
from cohortapp.lessons.content import load_course
from tests.conftest import app_db
from tests.discussion.conftest import QA, answered, asked

LESSON = "/c/alpha/cohorts/a1/pages/welcome/diversity-as-advantage"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def renders(app):
    """Render a template string in a request and count how often the fragment's body ran."""
    calls = []

    def render(source: str, **context) -> str:
        # The suite's check renders each reused fragment again; here only real renders count.
        with setting(app, "CACHE_VERIFY", False), app.test_request_context("/"):
            app.preprocess_request()
            return render_template_string(source, body_ran=lambda: calls.append(1) or "", **context)

    render.count = lambda: len(calls)
    return render


def unique() -> str:
    """A key no other test uses: the app, and so its cache, lasts the whole test session."""
    return uuid.uuid4().hex


@contextmanager
def setting(app, name, value):
    before = app.config[name]
    app.config[name] = value
    try:
        yield
    finally:
        app.config[name] = before


def test_a_fragment_is_rendered_once_for_each_key(renders):
    source = "{% cached key %}{{ body_ran() }}<p>{{ key }}</p>{% endcached %}"
    first, second = unique(), unique()
    assert renders(source, key=first) == f"<p>{first}</p>"
    assert renders(source, key=first) == f"<p>{first}</p>"
    assert renders.count() == 1
    assert renders(source, key=second) == f"<p>{second}</p>"
    assert renders.count() == 2


def test_the_language_of_the_request_is_part_of_every_key(app, renders):
    source = "{% cached key %}{{ body_ran() }}{{ _('Sign out') }}{% endcached %}"
    key = unique()
    english = renders(source, key=key)
    with app.test_request_context("/"), force_locale("fr"):
        french_sign_out = gettext("Sign out")
        french = render_template_string(source, body_ran=lambda: "", key=key)
    assert english == "Sign out"
    assert french == french_sign_out != "Sign out"


def test_a_stored_fragment_holds_no_csrf_token_or_nonce(app):
    source = (
        '{% cached key %}<input value="{{ csrf_token() }}">'
        '<style nonce="{{ csp_nonce }}"></style>{% endcached %}'
    )
    key, seen = unique(), []
    for _visitor in range(2):
        with app.test_request_context("/"):
            app.preprocess_request()
            html = render_template_string(source, key=key)
            assert html == f'<input value="{g.csrf_token}"><style nonce="{g.csp_nonce}"></style>'
            seen.append((g.csrf_token, g.csp_nonce))
    assert seen[0][0] != seen[1][0] and seen[0][1] != seen[1][1]
    stored = "".join(app.jinja_env.fragment_cache.values())
    assert not any(value in stored for pair in seen for value in pair)


def test_the_cache_keeps_the_most_recently_used_fragments(app, renders):
    source = "{% cached key %}{{ body_ran() }}{{ key }}{% endcached %}"
    a, b, c = unique(), unique(), unique()
    with setting(app, "FRAGMENT_CACHE_SIZE", 2):
        renders(source, key=a)
        renders(source, key=b)
        renders(source, key=a)  # a is now the most recently used, b the least
        renders(source, key=c)
        assert len(app.jinja_env.fragment_cache) == 2
        renders(source, key=a)
        assert renders.count() == 3
        renders(source, key=b)
        assert renders.count() == 4


def test_the_suites_check_catches_a_key_that_misses_what_the_fragment_shows(app):
    source = "{% cached key %}<p>{{ shown }}</p>{% endcached %}"
    key = unique()
    with app.test_request_context("/"):
        assert render_template_string(source, key=key, shown="Alpha One") == "<p>Alpha One</p>"
        with pytest.raises(FragmentKeyError, match=r"fragment at None:1 needs more in its key"):
            render_template_string(source, key=key, shown="Alpha Prime")


def test_nothing_is_cached_while_templates_reload(app, renders):
    source = "{% cached key %}{{ body_ran() }}{% endcached %}"
    key = unique()
    app.jinja_env.auto_reload = True
    try:
        renders(source, key=key)
        renders(source, key=key)
    finally:
        app.jinja_env.auto_reload = False
    assert renders.count() == 2


def tokens_of(client) -> set[str]:
    return set(TOKEN.findall(client.get(LESSON).get_data(as_text=True)))


def test_two_people_on_one_lesson_page_each_get_their_own_name_and_working_tokens(
    app, login_as, world
):
    learner, facilitator = login_as(world.learner), login_as(world.facilitator)
    for _visit in range(2):  # the second visits are served from the cache
        learner_page = learner.get(LESSON).get_data(as_text=True)
        facilitator_page = facilitator.get(LESSON).get_data(as_text=True)
    assert "Lee Learner" in learner_page and "Fran Facilitator" not in learner_page
    assert "Fran Facilitator" in facilitator_page and "Lee Learner" not in facilitator_page
    learner_tokens, facilitator_tokens = tokens_of(learner), tokens_of(facilitator)
    assert len(learner_tokens) == len(facilitator_tokens) == 1
    assert learner_tokens != facilitator_tokens
    with setting(app, "WTF_CSRF_ENABLED", True):
        refused = learner.post("/logout", data={"csrf_token": facilitator_tokens.pop()})
        signed_out = learner.post("/logout", data={"csrf_token": learner_tokens.pop()})
    assert refused.status_code == 400
    assert signed_out.status_code == 302
    assert learner.get(LESSON).status_code == 302  # to the sign-in page


def test_a_renamed_cohort_shows_at_once_on_pages_already_cached(app, login_as, world):
    learner = login_as(world.learner)
    assert "Alpha One" in learner.get(LESSON).get_data(as_text=True)
    with app_db(app) as session:
        session.scalar(db.select(Cohort).where(Cohort.slug == "a1")).name = "Alpha Prime"
    body = learner.get(LESSON).get_data(as_text=True)
    assert "Alpha Prime" in body and "Alpha One" not in body


def test_the_question_list_shows_new_answers_and_votes_after_it_was_cached(login_as, world):
    learner, facilitator = login_as(world.learner), login_as(world.facilitator)
    question_id = asked(learner, "Who drafts the city's intercultural statement?")
    before = learner.get(f"{QA}/").get_data(as_text=True)
    assert "0 answers" in before and "0 votes" in before
    answered(facilitator, question_id)
    assert facilitator.post(f"{QA}/{question_id}/vote").status_code == 302
    after = learner.get(f"{QA}/").get_data(as_text=True)
    assert "1 answer" in after and "0 answers" not in after
    assert "1 vote" in after and "0 votes" not in after


def test_in_a_closed_cohort_a_learner_does_not_see_the_answers_a_facilitator_saw(
    app, login_as, world
):
    course = load_course(app.config["CONTENT_DIR"])
    check = next(p for p in course.pages if getattr(p.texts["en"].activity, "kind", "") == "check")
    path = f"/c/alpha/cohorts/a1/pages/{check.key}"
    with app_db(app) as session:
        session.scalar(db.select(Cohort).where(Cohort.slug == "a1")).status = "closed"
    facilitator, learner = login_as(world.facilitator), login_as(world.learner)
    assert "Correct answer" in facilitator.get(path).get_data(as_text=True)
    assert "Correct answer" not in learner.get(path).get_data(as_text=True)


def test_the_prefix_the_app_is_served_under_is_part_of_every_key(app):
    source = "{% cached key %}<a href=\"{{ url_for('home.index') }}\">{{ key }}</a>{% endcached %}"
    key = unique()
    shown = []
    for base_url in ("http://localhost/", "http://localhost/learn/", "http://localhost/"):
        with app.test_request_context("/", base_url=base_url):
            app.preprocess_request()
            shown.append(render_template_string(source, key=key))
    assert shown == [f'<a href="/">{key}</a>', f'<a href="/learn/">{key}</a>', shown[0]]
