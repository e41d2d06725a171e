"""Join links: /join/<code> enrols staff as learners, by a sign-in link or a single button."""

import html
import re

import pytest

from cohortapp.auth.models import User
from cohortapp.cities.models import City, Membership
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.extensions import db
from cohortapp.mail.models import OutboxMessage
from tests.conftest import app_db

UNAVAILABLE = "This join link does not work"


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def set_cohort(app, slug="a1", **values):
    with app_db(app) as session:
        cohort = session.scalar(db.select(Cohort).where(Cohort.slug == slug))
        for name, value in values.items():
            setattr(cohort, name, value)


@pytest.fixture
def code(app, world, login_as) -> str:
    """The join link of cohort a1, issued by its coordinator."""
    login_as(world.coordinator).post(
        "/c/alpha/manage/cohorts/a1/join-link", data={"action": "issue"}
    )
    with app_db(app) as session:
        return session.scalar(db.select(Cohort.join_code).where(Cohort.slug == "a1"))


def outbox(app) -> list[OutboxMessage]:
    with app_db(app) as session:
        return list(session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


def sign_in_link(message: OutboxMessage) -> str:
    return re.search(r"http://cohort\.test(/login/link/\S+)", message.body_text).group(1)


def user(app, email) -> User | None:
    with app_db(app) as session:
        return session.scalar(db.select(User).where(User.email == email))


def enrollment(app, email, cohort_slug="a1") -> Enrollment | None:
    with app_db(app) as session:
        return session.scalar(
            db.select(Enrollment)
            .join(User, User.id == Enrollment.user_id)
            .join(Cohort, Cohort.id == Enrollment.cohort_id)
            .where(User.email == email, Cohort.slug == cohort_slug)
        )


def test_a_visitor_joins_through_the_emailed_link(app, client, code):
    page = client.get(f"/join/{code}")
    assert page.status_code == 200 and "Join Alpha One" in text_of(page)
    response = client.post(f"/join/{code}", data={"name": "Nia New", "email": "Nia@Alpha.example"})
    assert response.status_code == 302 and response.headers["Location"] == f"/join/{code}"
    assert "We have sent a link to Nia@Alpha.example." in text_of(client.get(f"/join/{code}"))
    [message] = outbox(app)
    assert message.to_address == "nia@alpha.example"
    assert enrollment(app, "nia@alpha.example") is None

    button = client.get(sign_in_link(message))
    assert "Press the button to sign in on this device." in text_of(button)
    signed_in = client.post(sign_in_link(message))
    assert signed_in.headers["Location"] == f"/join/{code}"
    confirm = client.get(f"/join/{code}")
    assert (
        "You will join this cohort of Alpha City as a learner, with the account "
        "nia@alpha.example." in text_of(confirm)
    )
    assert enrollment(app, "nia@alpha.example") is None
    joined = client.post(f"/join/{code}")
    assert joined.status_code == 302 and joined.headers["Location"] == "/c/alpha/cohorts/a1/"
    assert "Welcome to Alpha One." in text_of(client.get("/c/alpha/cohorts/a1/"))
    assert enrollment(app, "nia@alpha.example").role == "learner"
    assert user(app, "nia@alpha.example").name == "Nia New"
    with app_db(app) as session:
        roles = session.scalars(
            db.select(Membership.role)
            .join(City, City.id == Membership.city_id)
            .join(User, User.id == Membership.user_id)
            .where(User.email == "nia@alpha.example", City.slug == "alpha")
        )
        assert list(roles) == ["learner"]


def test_the_visitor_form_needs_a_name_and_an_address(app, client, code):
    response = client.post(f"/join/{code}", data={"name": "", "email": "nope"})
    assert response.status_code == 422
    body = text_of(response)
    assert "Enter your name." in body
    assert "Enter a valid email address, like name@example.org." in body
    assert outbox(app) == []


def test_a_visitor_with_an_account_gets_a_link_to_that_account(app, client, code, world):
    client.post(f"/join/{code}", data={"name": "Someone Else", "email": world.other_learner})
    [message] = outbox(app)
    assert message.to_address == world.other_learner
    assert user(app, world.other_learner).name == "Olu Other"
    client.post(sign_in_link(message))
    client.post(f"/join/{code}")
    assert enrollment(app, world.other_learner).role == "learner"


def test_the_domain_rule_refuses_other_addresses_with_a_message(app, client, code):
    set_cohort(app, join_domains="alpha.example,city.example")
    page = text_of(client.get(f"/join/{code}"))
    assert "Only addresses ending in: alpha.example, city.example." in page
    refused = client.post(f"/join/{code}", data={"name": "Gil", "email": "gil@gmail.example"})
    assert refused.status_code == 422
    assert (
        "This cohort is open to addresses ending in alpha.example, city.example. "
        "Use your work address." in text_of(refused)
    )
    assert outbox(app) == [] and user(app, "gil@gmail.example") is None
    lookalike = client.post(f"/join/{code}", data={"name": "Eve", "email": "eve@evilalpha.example"})
    assert lookalike.status_code == 422
    allowed = client.post(f"/join/{code}", data={"name": "Gil", "email": "gil@City.Example"})
    assert allowed.status_code == 302
    assert [m.to_address for m in outbox(app)] == ["gil@city.example"]


def test_a_signed_in_member_outside_the_domains_is_told_and_not_enrolled(
    app, login_as, code, world
):
    set_cohort(app, join_domains="alpha.example")
    client = login_as(world.learner_b)
    page = client.get(f"/join/{code}")
    assert page.status_code == 200
    assert (
        "This cohort is open to addresses ending in alpha.example, and you are signed in as "
        f"{world.learner_b}." in text_of(page)
    )
    assert "Join the cohort" not in text_of(page)
    client.post(f"/join/{code}")
    assert enrollment(app, world.learner_b) is None


def test_a_signed_in_member_joins_with_one_post(app, login_as, code, world):
    client = login_as(world.other_learner)
    response = client.post(f"/join/{code}")
    assert response.status_code == 302 and response.headers["Location"] == "/c/alpha/cohorts/a1/"
    assert enrollment(app, world.other_learner).role == "learner"
    assert "Welcome to Alpha One." in text_of(client.get("/c/alpha/cohorts/a1/"))


def test_someone_already_enrolled_is_told_so(app, login_as, code, world):
    client = login_as(world.learner)
    before = enrollment(app, world.learner)
    response = client.get(f"/join/{code}", follow_redirects=True)
    assert "You are already in this cohort." in text_of(response)
    assert response.request.path == "/c/alpha/cohorts/a1/"
    client.post(f"/join/{code}")
    after = enrollment(app, world.learner)
    assert (after.id, after.enrolled_at, after.role) == (before.id, before.enrolled_at, "learner")


def test_a_facilitator_joining_is_told_they_are_already_in(app, login_as, code, world):
    response = login_as(world.facilitator).post(f"/join/{code}", follow_redirects=True)
    assert "You are already in this cohort." in text_of(response)
    assert enrollment(app, world.facilitator).role == "facilitator"


def test_a_removed_learner_who_joins_again_gets_the_same_enrolment_back(app, login_as, code, world):
    before = enrollment(app, world.learner)
    coordinator = login_as(world.coordinator)
    coordinator.post(f"/c/alpha/manage/cohorts/a1/enrollments/{before.id}/remove")
    login_as(world.learner).post(f"/join/{code}")
    after = enrollment(app, world.learner)
    assert after.id == before.id and after.removed_at is None


def test_an_unknown_code_gives_a_clear_not_found_page(client, world):
    response = client.get("/join/no-such-code")
    assert response.status_code == 404
    body = text_of(response)
    assert UNAVAILABLE in body
    assert "Ask your city coordinator for the current link." in body


def test_a_replaced_or_turned_off_code_no_longer_works(app, client, login_as, code, world):
    coordinator = login_as(world.coordinator)
    coordinator.post("/c/alpha/manage/cohorts/a1/join-link", data={"action": "issue"})
    replaced = client.get(f"/join/{code}")
    assert replaced.status_code == 404 and UNAVAILABLE in text_of(replaced)
    refused = client.post(f"/join/{code}", data={"name": "Nia", "email": "nia@alpha.example"})
    assert refused.status_code == 404 and outbox(app) == []
    with app_db(app) as session:
        current = session.scalar(db.select(Cohort.join_code).where(Cohort.slug == "a1"))
    assert client.get(f"/join/{current}").status_code == 200
    coordinator.post("/c/alpha/manage/cohorts/a1/join-link", data={"action": "disable"})
    assert client.get(f"/join/{current}").status_code == 404


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_a_cohort_that_is_not_open_cannot_be_joined(app, login_as, code, world, status):
    set_cohort(app, status=status)
    client = login_as(world.other_learner)
    response = client.post(f"/join/{code}")
    assert response.status_code == 404 and UNAVAILABLE in text_of(response)
    assert enrollment(app, world.other_learner) is None


def test_an_archived_citys_link_cannot_be_used(app, login_as, code, world):
    login_as(world.admin).post("/admin/cities/alpha/archive", data={"archived": "1"})
    client = login_as(world.other_learner)
    assert client.post(f"/join/{code}").status_code == 404
    assert enrollment(app, world.other_learner) is None


def test_the_sign_in_email_is_in_the_joiners_language(app, client, code, make_user):
    make_user("marie@alpha.example", "Marie", locale="fr")
    client.post(f"/join/{code}", data={"name": "Marie", "email": "marie@alpha.example"})
    [message] = outbox(app)
    assert message.subject == "Votre lien de connexion"
    assert message.body_text.startswith("Bonjour Marie,")
