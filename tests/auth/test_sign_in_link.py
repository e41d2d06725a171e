"""Sign-in links: asked for by email, opened (which uses nothing), then used once by a button."""

import html
import re
from datetime import timedelta

from cohortapp.auth.models import AuthToken, User
from cohortapp.extensions import db
from cohortapp.mail.models import OutboxMessage
from tests.conftest import app_db

ASKED = "we have sent it a sign-in link. It works once, within 30 minutes."


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def outbox(app) -> list[OutboxMessage]:
    with app_db(app) as session:
        return list(session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


def sign_in_link(message: OutboxMessage) -> str:
    return re.search(r"http://cohort\.test(/login/link/\S+)", message.body_text).group(1)


def tokens(app) -> list[AuthToken]:
    with app_db(app) as session:
        return list(session.scalars(db.select(AuthToken).where(AuthToken.purpose == "signin")))


def ask(client, email, **extra):
    return client.post("/login/link", data={"email": email, **extra}, follow_redirects=True)


def is_signed_in(client) -> bool:
    return client.get("/c/alpha/").status_code == 200


def test_asking_for_a_link_sends_one_to_the_account(app, client, world):
    response = ask(client, " Learner@Alpha.example ")
    assert f"If an account exists for Learner@Alpha.example, {ASKED}" in text_of(response)
    [message] = outbox(app)
    assert message.to_address == world.learner
    assert message.subject == "Your sign-in link"
    assert "Hello Lee Learner," in message.body_text
    assert sign_in_link(message) in message.body_html


def test_unknown_and_deactivated_addresses_get_the_same_message_and_no_email(app, client, world):
    with app_db(app) as session:
        session.scalar(db.select(User).where(User.email == world.other_learner)).is_active = False
    unknown = ask(client, "ghost@alpha.example")
    deactivated = ask(client, world.other_learner)
    assert f"If an account exists for ghost@alpha.example, {ASKED}" in text_of(unknown)
    assert f"If an account exists for {world.other_learner}, {ASKED}" in text_of(deactivated)
    assert outbox(app) == [] and tokens(app) == []
    with app_db(app) as session:
        assert session.scalar(db.select(User).where(User.email == "ghost@alpha.example")) is None


def test_asking_with_a_bad_address_shows_the_form_again(app, client):
    response = client.post("/login/link", data={"email": "not-an-address"})
    assert response.status_code == 422
    assert "Enter a valid email address, like name@example.org." in text_of(response)
    assert outbox(app) == []


def test_opening_the_link_shows_a_button_and_uses_nothing(app, client, world):
    ask(client, world.learner)
    link = sign_in_link(outbox(app)[0])
    for _ in range(2):  # a mail scanner, then the person
        page = client.get(link)
        assert page.status_code == 200
        assert "Press the button to sign in on this device." in text_of(page)
    assert [t.used_at for t in tokens(app)] == [None]
    assert not is_signed_in(client)


def test_pressing_the_button_signs_in_once(app, client, world):
    ask(client, world.learner)
    link = sign_in_link(outbox(app)[0])
    response = client.post(link)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert is_signed_in(client)
    assert tokens(app)[0].used_at is not None
    other_device = app.test_client()
    again = other_device.post(link)
    assert again.status_code == 410
    assert "This link has already been used. Each link works only once." in text_of(again)
    assert other_device.get(link).status_code == 410
    assert not is_signed_in(other_device)


def test_an_expired_link_says_so_and_offers_a_new_one(app, client, world):
    ask(client, world.learner)
    link = sign_in_link(outbox(app)[0])
    with app_db(app) as session:
        token = session.scalar(db.select(AuthToken))
        token.expires_at = token.created_at - timedelta(seconds=1)
    page = client.get(link)
    assert page.status_code == 410
    body = text_of(page)
    assert "This link has expired. Ask for a new one." in body
    assert 'href="/login/link"' in body
    assert client.post(link).status_code == 410
    assert not is_signed_in(client)


def test_the_link_lasts_thirty_minutes(app, client, world):
    ask(client, world.learner)
    [token] = tokens(app)
    lifetime = token.expires_at - token.created_at
    assert timedelta(minutes=29, seconds=58) < lifetime <= timedelta(minutes=30)


def test_a_made_up_link_is_not_found(client):
    response = client.get("/login/link/made-up-token")
    assert response.status_code == 404
    assert "This link is not valid." in text_of(response)
    assert client.post("/login/link/made-up-token").status_code == 404


def test_a_password_reset_link_does_not_sign_in(app, client, world):
    client.post("/password/forgot", data={"email": world.learner})
    reset = re.search(r"/password/reset/(\S+)", outbox(app)[0].body_text).group(1)
    assert client.post(f"/login/link/{reset}").status_code == 404
    assert not is_signed_in(client)


def test_the_link_takes_you_back_to_the_page_you_wanted(app, client, world):
    form = client.get("/login/link?next=/c/alpha/cohorts/a1/")
    assert 'value="/c/alpha/cohorts/a1/"' in form.get_data(as_text=True)
    ask(client, world.learner, next="/c/alpha/cohorts/a1/")
    response = client.post(sign_in_link(outbox(app)[0]))
    assert response.headers["Location"] == "/c/alpha/cohorts/a1/"


def test_an_outside_next_address_is_ignored(app, client, world):
    ask(client, world.learner, next="//evil.example/")
    response = client.post(sign_in_link(outbox(app)[0]))
    assert response.headers["Location"] == "/"


def test_signing_in_by_link_starts_a_fresh_session(app, client, world):
    ask(client, world.learner)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    client.post(sign_in_link(outbox(app)[0]))
    with client.session_transaction() as session:
        assert "planted" not in session


def test_the_email_is_in_the_users_language(app, client, make_user):
    make_user("marie@alpha.example", "Marie", locale="fr")
    ask(client, "marie@alpha.example")
    [message] = outbox(app)
    assert message.subject == "Votre lien de connexion"
    assert message.body_text.startswith("Bonjour Marie,")
