import re
from datetime import timedelta

from cohortapp.auth.models import AuthToken
from cohortapp.extensions import db
from cohortapp.mail.models import OutboxMessage
from tests.conftest import app_db, login

NEW = "river walks at dawn"


def outbox(app) -> list[OutboxMessage]:
    with app_db(app) as session:
        return list(session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


def reset_link(message: OutboxMessage) -> str:
    return re.search(r"http://cohort\.test(/password/reset/\S+)", message.body_text).group(1)


def test_forgot_password_sends_a_link_and_says_the_same_for_unknown_addresses(app, client, world):
    known = client.post("/password/forgot", data={"email": world.learner}, follow_redirects=True)
    unknown = client.post(
        "/password/forgot", data={"email": "ghost@alpha.example"}, follow_redirects=True
    )
    assert "If an account exists for learner@alpha.example" in known.get_data(as_text=True)
    assert "If an account exists for ghost@alpha.example" in unknown.get_data(as_text=True)
    messages = outbox(app)
    assert [m.to_address for m in messages] == [world.learner]
    assert messages[0].body_html and "/password/reset/" in messages[0].body_html


def test_reset_link_sets_a_new_password_once(app, client, world):
    client.post("/password/forgot", data={"email": world.learner})
    link = reset_link(outbox(app)[0])
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 302
    client.post("/logout")
    assert login(client, world.learner, NEW).status_code == 302
    again = client.post(
        link, data={"password": "another passphrase", "confirm": "another passphrase"}
    )
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)


def test_expired_reset_link_is_refused_with_a_clear_message(app, client, world):
    client.post("/password/forgot", data={"email": world.learner})
    link = reset_link(outbox(app)[0])
    with app_db(app) as session:
        token = session.scalar(db.select(AuthToken))
        token.expires_at = token.created_at - timedelta(minutes=1)
    response = client.get(link)
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)


def test_made_up_reset_link_is_not_found(client):
    assert client.get("/password/reset/made-up-token").status_code == 404


def test_reset_ends_sessions_on_other_devices(app, login_as, client, world):
    other_device = login_as(world.learner)
    client.post("/password/forgot", data={"email": world.learner})
    client.post(reset_link(outbox(app)[0]), data={"password": NEW, "confirm": NEW})
    assert other_device.get("/c/alpha/").status_code == 302


def test_weak_or_mismatched_passwords_are_refused_with_reasons(app, client, world):
    client.post("/password/forgot", data={"email": world.learner})
    link = reset_link(outbox(app)[0])
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.get_data(as_text=True)
    common = client.post(link, data={"password": "password123", "confirm": "password123"})
    assert "too easy to guess" in common.get_data(as_text=True)
    mismatch = client.post(link, data={"password": NEW, "confirm": NEW + "!"})
    assert "not the same" in mismatch.get_data(as_text=True)


def test_reset_email_is_written_in_the_users_language(app, client, world, make_user):
    make_user("marie@alpha.example", "Marie", locale="fr")
    client.post("/password/forgot", data={"email": "marie@alpha.example"})
    assert "Choisissez un nouveau mot de passe" in outbox(app)[0].subject
