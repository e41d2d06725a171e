"""Which language a page is served in: ?lang= -> account -> cohort -> city -> browser -> en."""

import re

from cohortapp.auth.models import User
from cohortapp.extensions import db
from tests.conftest import app_db


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_default_is_english(client):
    assert html_lang(client.get("/login")) == "en"


def test_browser_language_is_used_when_nothing_else_is_known(client):
    assert html_lang(client.get("/login", headers={"Accept-Language": "fr-BE,fr;q=0.9"})) == "fr"
    assert html_lang(client.get("/login", headers={"Accept-Language": "xx"})) == "en"


def test_explicit_choice_in_the_address_wins_and_is_remembered(client):
    assert html_lang(client.get("/login?lang=fr", headers={"Accept-Language": "en"})) == "fr"
    assert html_lang(client.get("/login", headers={"Accept-Language": "en"})) == "fr"


def test_unsupported_choice_is_ignored(client):
    assert html_lang(client.get("/login?lang=zz")) == "en"


def test_city_default_language_applies_inside_the_city(login_as, world):
    client = login_as(world.learner_b)  # beta's default is French
    assert html_lang(client.get("/c/beta/", headers={"Accept-Language": "en"})) == "fr"


def test_cohort_language_comes_before_the_city_default(app, login_as, world, make_cohort, add_role):
    make_cohort("beta", "b-en", "Beta English", locale="en")
    add_role(world.learner_b, "beta", "learner", "b-en")
    client = login_as(world.learner_b)
    assert html_lang(client.get("/c/beta/cohorts/b-en/")) == "en"
    assert html_lang(client.get("/c/beta/cohorts/b1/")) == "fr"


def test_account_preference_comes_before_cohort_and_city(app, login_as, world):
    with app_db(app) as session:
        session.scalar(db.select(User).where(User.email == world.learner_b)).locale = "en"
    client = login_as(world.learner_b)
    assert html_lang(client.get("/c/beta/cohorts/b1/")) == "en"


def test_switcher_keeps_the_visitor_on_the_page_and_saves_the_choice(app, login_as, world):
    client = login_as(world.learner)
    response = client.post("/language", data={"lang": "fr", "next": "/c/alpha/cohorts/a1/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/alpha/cohorts/a1/"
    assert html_lang(client.get("/c/alpha/cohorts/a1/")) == "fr"
    with app_db(app) as session:
        assert session.scalar(db.select(User.locale).where(User.email == world.learner)) == "fr"


def test_switcher_refuses_an_outside_destination(client):
    response = client.post("/language", data={"lang": "fr", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_switcher_offers_the_city_languages_on_every_page(login_as, world):
    body = login_as(world.learner).get("/c/alpha/").get_data(as_text=True)
    assert 'name="lang" value="en"' in body and 'name="lang" value="fr"' in body
    assert 'name="next" value="/c/alpha/"' in body


def test_interface_is_translated_into_french(client):
    body = client.get("/login?lang=fr").get_data(as_text=True)
    assert "Se connecter" in body
    assert "Mot de passe oublié" in body


def test_dates_are_formatted_for_the_locale(login_as, world):
    client = login_as(world.learner)
    english = client.get("/c/alpha/cohorts/a1/?lang=en").get_data(as_text=True)
    french = client.get("/c/alpha/cohorts/a1/?lang=fr").get_data(as_text=True)
    assert "Jan 5, 2026" in english
    assert "5 janv. 2026" in french
