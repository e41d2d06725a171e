from datetime import timedelta

from cohortapp.auth.models import Invitation, User
from cohortapp.auth.services import create_invitation
from cohortapp.cities.models import City, Membership
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.extensions import db
from cohortapp.mail.models import OutboxMessage
from tests.conftest import app_db, login

PASSWORD = "meeting at the library"


def invite(app, email, role="learner", cohort_slug="a1") -> str:
    with app.test_request_context(), app_db(app) as session:
        city = session.scalar(db.select(City).where(City.slug == "alpha"))
        cohort = (
            session.scalar(db.select(Cohort).where(Cohort.slug == cohort_slug))
            if cohort_slug
            else None
        )
        _invitation, token = create_invitation(city, email, role, actor=None, cohort=cohort)
        return token


def test_invitation_email_is_queued_with_the_link(app, world):
    token = invite(app, "newcomer@alpha.example")
    with app_db(app) as session:
        message = session.scalar(db.select(OutboxMessage))
    assert message.to_address == "newcomer@alpha.example"
    assert f"http://cohort.test/invite/{token}" in message.body_text
    assert "Alpha One" in message.body_text


def test_invited_person_sets_name_and_password_and_is_enrolled(app, client, world):
    token = invite(app, "Newcomer@Alpha.example")
    page = client.get(f"/invite/{token}")
    assert page.status_code == 200 and "Alpha One" in page.get_data(as_text=True)
    response = client.post(
        f"/invite/{token}", data={"name": "Nia New", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/c/alpha/"
    assert client.get("/c/alpha/cohorts/a1/").status_code == 200
    with app_db(app) as session:
        user = session.scalar(db.select(User).where(User.email == "newcomer@alpha.example"))
        assert user.name == "Nia New"
        assert (
            session.scalar(db.select(Enrollment).where(Enrollment.user_id == user.id)).role
            == "learner"
        )
        assert (
            session.scalar(db.select(Membership.role).where(Membership.user_id == user.id))
            == "learner"
        )


def test_invitation_form_errors_keep_the_name(app, client, world):
    token = invite(app, "newcomer@alpha.example")
    response = client.post(
        f"/invite/{token}", data={"name": "Nia New", "password": "short", "confirm": "short"}
    )
    assert response.status_code == 422
    assert 'value="Nia New"' in response.get_data(as_text=True)


def test_invitation_works_only_once(app, client, world):
    token = invite(app, "newcomer@alpha.example")
    client.post(f"/invite/{token}", data={"name": "Nia", "password": PASSWORD, "confirm": PASSWORD})
    assert app.test_client().get(f"/invite/{token}").status_code == 410


def test_expired_invitation_says_so(app, client, world):
    token = invite(app, "newcomer@alpha.example")
    with app_db(app) as session:
        invitation = session.scalar(db.select(Invitation))
        invitation.expires_at = invitation.created_at - timedelta(seconds=1)
    response = client.get(f"/invite/{token}")
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)


def test_existing_account_signs_in_then_accepts(app, client, world):
    token = invite(app, world.other_learner, cohort_slug="a1")
    first = client.get(f"/invite/{token}")
    assert first.status_code == 302 and first.headers["Location"].startswith("/login")
    login(client, world.other_learner)
    assert client.post(f"/invite/{token}").status_code == 302
    assert client.get("/c/alpha/cohorts/a1/").status_code == 200


def test_someone_else_cannot_accept_an_invitation_for_an_existing_account(app, login_as, world):
    token = invite(app, world.other_learner)
    assert login_as(world.learner).post(f"/invite/{token}").status_code == 403
