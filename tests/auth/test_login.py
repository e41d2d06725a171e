import pytest

from cohortapp.auth.models import User
from cohortapp.extensions import db
from tests.conftest import PASSWORD, app_db, login


def test_learner_signs_in_and_lands_on_my_cohorts(client, world):
    response = login(client, world.learner)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    body = client.get("/").get_data(as_text=True)
    assert "My cohorts" in body and "Alpha One" in body


def test_email_is_matched_without_regard_to_case_or_spaces(client, world):
    assert login(client, "  Learner@ALPHA.example ").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_message(client, world):
    wrong = login(client, world.learner, "not the password")
    unknown = login(client, "nobody@nowhere.example", "not the password")
    assert wrong.status_code == unknown.status_code == 422
    message = "Wrong email address or password."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_failed_sign_in_keeps_the_email_typed(client, world):
    body = login(client, world.learner, "nope").get_data(as_text=True)
    assert 'value="learner@alpha.example"' in body


def test_sign_in_follows_a_safe_next_but_not_an_external_one(client, world):
    ok = client.post(
        "/login?next=/c/alpha/",
        data={"email": world.learner, "password": PASSWORD, "next": "/c/alpha/"},
    )
    assert ok.headers["Location"] == "/c/alpha/"
    client.post("/logout")
    evil = client.post(
        "/login", data={"email": world.learner, "password": PASSWORD, "next": "//evil.example/"}
    )
    assert evil.headers["Location"] == "/"


def test_deactivated_account_cannot_sign_in(app, client, world):
    with app_db(app) as session:
        session.scalar(db.select(User).where(User.email == world.learner)).is_active = False
    assert login(client, world.learner).status_code == 422


def test_sign_in_starts_a_new_session(client, world):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, world.learner)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].endswith(":1")


def test_remember_me_sets_a_lasting_cookie(client, world):
    login(client, world.learner, remember="y")
    assert client.get_cookie("remember_token") is not None


def test_logout_is_a_post_and_ends_the_session(client, world):
    login(client, world.learner)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/c/alpha/").status_code == 302


def test_logout_everywhere_ends_sessions_on_other_devices(login_as, world):
    laptop, phone = login_as(world.learner), login_as(world.learner)
    assert phone.post("/logout-everywhere").status_code == 302
    response = laptop.get("/c/alpha/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_remember_cookie_stops_working_after_logout_everywhere(app, world):
    laptop = app.test_client()
    login(laptop, world.learner, remember="y")
    with laptop.session_transaction() as session:
        session.clear()  # the browser was closed: only the remember-me cookie is left
    assert laptop.get("/c/alpha/").status_code == 200
    phone = app.test_client()
    login(phone, world.learner)
    phone.post("/logout-everywhere")
    with laptop.session_transaction() as session:
        session.clear()
    assert laptop.get("/c/alpha/").status_code == 302


def test_changing_password_ends_other_sessions_but_keeps_this_one(login_as, world):
    laptop, phone = login_as(world.learner), login_as(world.learner)
    response = phone.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert phone.get("/c/alpha/").status_code == 200
    assert laptop.get("/c/alpha/").status_code == 302


def test_change_password_rejects_wrong_current_password(login_as, world):
    client = login_as(world.learner)
    response = client.post(
        "/account/password",
        data={
            "current_password": "wrong",
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 422
    assert "This is not your current password." in response.get_data(as_text=True)


# A city page, and a cohort's pages, where the cohort query also reads the session's user.
SIGNED_IN_PAGES = ["/c/alpha/", "/c/alpha/cohorts/a1/", "/c/alpha/cohorts/a1/qa/"]


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_deactivating_a_user_ends_their_session_at_once(app, login_as, world, path):
    client = login_as(world.learner)
    assert client.get(path).status_code == 200
    with app_db(app) as session:
        session.scalar(db.select(User).where(User.email == world.learner)).is_active = False
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_an_older_session_version_is_signed_out_on_every_page(app, login_as, world, path):
    client = login_as(world.learner)
    with app_db(app) as session:
        session.scalar(db.select(User).where(User.email == world.learner)).session_version += 1
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_the_remember_me_cookie_alone_opens_every_page(app, world, path):
    laptop = app.test_client()
    login(laptop, world.learner, remember="y")
    with laptop.session_transaction() as session:
        session.clear()  # the browser was closed: only the remember-me cookie is left
    response = laptop.get(path)
    assert response.status_code == 200
    assert "Sign out" in response.get_data(as_text=True)


def test_account_page_saves_name_and_language(login_as, world, app):
    client = login_as(world.learner)
    response = client.post("/account", data={"name": "Lee L.", "locale": "fr"})
    assert response.status_code == 302
    with app_db(app) as session:
        user = session.scalar(db.select(User).where(User.email == world.learner))
        assert (user.name, user.locale) == ("Lee L.", "fr")
    assert '<html lang="fr"' in client.get("/account").get_data(as_text=True)


def test_account_form_with_empty_name_comes_back_with_a_message(login_as, world):
    response = login_as(world.learner).post("/account", data={"name": "", "locale": "en"})
    assert response.status_code == 422
    assert "Enter your name." in response.get_data(as_text=True)
