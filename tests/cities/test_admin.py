"""The platform admin's pages: cities, their archive, their coordinators."""

import html

import pytest

from cohortapp.audit import AuditEvent
from cohortapp.auth.models import Invitation, User
from cohortapp.cities.models import City, Membership
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.extensions import db
from cohortapp.mail.models import OutboxMessage
from tests.conftest import app_db


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def city_data(**changes) -> dict:
    values = {
        "slug": "rivertown",
        "name": "Rivertown",
        "country": "gb",
        "locales": "en, fr",
        "default_locale": "en",
        "brand_color": "#1F5F8B",
    }
    values.update(changes)
    return values


def city_row(app, slug) -> City | None:
    with app_db(app) as session:
        return session.scalar(db.select(City).where(City.slug == slug))


def audit_actions(app) -> list[str]:
    with app_db(app) as session:
        return list(session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))


def outbox(app) -> list[OutboxMessage]:
    with app_db(app) as session:
        return list(session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def admin(login_as, world):
    return login_as(world.admin)


def test_admin_creates_a_city_and_sees_it_listed(app, admin):
    response = admin.post("/admin/cities/new", data=city_data())
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/cities/rivertown/"
    city = city_row(app, "rivertown")
    assert (city.name, city.country, city.locales, city.default_locale, city.brand_color) == (
        "Rivertown",
        "GB",
        "en,fr",
        "en",
        "#1f5f8b",
    )
    assert "city.created" in audit_actions(app)
    assert "Rivertown" in text_of(admin.get("/admin/"))
    assert admin.get("/c/rivertown/").status_code == 200


@pytest.mark.parametrize(
    "slug, message",
    [
        ("Bad Slug", "Use lower-case letters, digits and dashes only"),
        ("-dash-first", "Use lower-case letters, digits and dashes only"),
        ("x", "Use between 2 and 40 characters."),
        ("", "Choose a short address."),
    ],
)
def test_city_address_is_validated(app, admin, slug, message):
    response = admin.post("/admin/cities/new", data=city_data(slug=slug))
    assert response.status_code == 422
    assert message in text_of(response)
    with app_db(app) as session:
        assert session.scalar(db.select(db.func.count(City.id))) == 2


def test_city_address_must_be_unique_and_is_never_reused(app, admin):
    taken = admin.post("/admin/cities/new", data=city_data(slug="alpha"))
    assert taken.status_code == 422
    assert "A city already uses this address (addresses are never reused)." in text_of(taken)
    admin.post("/admin/cities/alpha/archive", data={"archived": "1"})
    archived = admin.post("/admin/cities/new", data=city_data(slug="alpha", name="New Alpha"))
    assert archived.status_code == 422
    assert city_row(app, "alpha").name == "Alpha City"


@pytest.mark.parametrize("colour", ["#ffff00", "#ffffff", "#777777", "#7FB2E5"])
def test_brand_colour_too_light_for_white_text_is_refused_with_its_contrast(app, admin, colour):
    response = admin.post("/admin/cities/new", data=city_data(brand_color=colour))
    assert response.status_code == 422
    body = text_of(response)
    assert "White text on this colour has a contrast of" in body
    assert "at least 4.5 to 1 is needed to be readable (WCAG AA)" in body
    assert city_row(app, "rivertown") is None


def test_brand_colour_message_states_the_measured_ratio(admin):
    # Pure yellow against white: (1.05) / (0.9278 + 0.05) = 1.07, shown as 1.1.
    body = text_of(admin.post("/admin/cities/new", data=city_data(brand_color="#ffff00")))
    assert "contrast of 1.1 to 1" in body


@pytest.mark.parametrize("colour", ["#767676", "#000000", "#1f5f8b"])
def test_brand_colour_dark_enough_for_white_text_is_accepted(app, admin, colour):
    # #767676 is the lightest grey that reaches 4.5:1 against white (4.54:1).
    response = admin.post("/admin/cities/new", data=city_data(brand_color=colour))
    assert response.status_code == 302
    assert city_row(app, "rivertown").brand_color == colour


def test_brand_colour_must_be_a_colour_code(admin):
    response = admin.post("/admin/cities/new", data=city_data(brand_color="blue"))
    assert response.status_code == 422
    assert "Use a colour code like #1f5f8b." in text_of(response)


def test_unknown_language_codes_are_named(app, admin):
    response = admin.post("/admin/cities/new", data=city_data(locales="en,xx,zz"))
    assert response.status_code == 422
    assert "Unknown language codes: xx, zz." in text_of(response)
    assert city_row(app, "rivertown") is None


def test_default_language_must_be_among_the_languages_offered(app, admin):
    response = admin.post("/admin/cities/new", data=city_data(locales="en", default_locale="fr"))
    assert response.status_code == 422
    assert "The default language must be one of the languages offered." in text_of(response)
    assert city_row(app, "rivertown") is None


def test_admin_edits_a_city_but_its_address_never_changes(app, admin):
    response = admin.post(
        "/admin/cities/alpha/",
        data=city_data(slug="renamed", name="Alpha Town", locales="fr,en", default_locale="fr"),
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/cities/alpha/"
    city = city_row(app, "alpha")
    assert (city.name, city.locales, city.default_locale) == ("Alpha Town", "fr,en", "fr")
    assert city_row(app, "renamed") is None
    assert "city.updated" in audit_actions(app)


def test_editing_a_city_validates_like_creating_it(app, admin):
    response = admin.post("/admin/cities/alpha/", data=city_data(brand_color="#eeeeee"))
    assert response.status_code == 422
    assert "White text on this colour has a contrast of" in text_of(response)
    assert city_row(app, "alpha").brand_color != "#eeeeee"


def test_saving_a_city_unchanged_writes_no_audit_event(app, admin):
    data = city_data(name="Alpha Town")
    admin.post("/admin/cities/alpha/", data=data)
    after_first = audit_actions(app).count("city.updated")
    admin.post("/admin/cities/alpha/", data=data)
    assert after_first == 1
    assert audit_actions(app).count("city.updated") == after_first


def counts(app) -> tuple[int, int, int]:
    with app_db(app) as session:
        return tuple(
            session.scalar(db.select(db.func.count()).select_from(model))
            for model in (Cohort, Enrollment, Membership)
        )


def test_archiving_a_city_shuts_its_people_out_and_deletes_nothing(app, admin, login_as, world):
    learner, coordinator = login_as(world.learner), login_as(world.coordinator)
    before = counts(app)
    response = admin.post(
        "/admin/cities/alpha/archive", data={"archived": "1"}, follow_redirects=True
    )
    assert "Alpha City is archived: its people no longer have access." in text_of(response)
    assert learner.get("/c/alpha/").status_code == 404
    assert learner.get("/c/alpha/cohorts/a1/").status_code == 404
    assert coordinator.get("/c/alpha/manage/").status_code == 404
    assert login_as(world.learner_b).get("/c/beta/").status_code == 200
    assert counts(app) == before
    assert city_row(app, "alpha").archived_at is not None
    assert "(archived)" in text_of(admin.get("/admin/"))
    assert "city.archived" in audit_actions(app)


def test_restoring_an_archived_city_gives_access_back(app, admin, login_as, world):
    admin.post("/admin/cities/alpha/archive", data={"archived": "1"})
    response = admin.post(
        "/admin/cities/alpha/archive", data={"archived": "0"}, follow_redirects=True
    )
    assert "Alpha City is active again." in text_of(response)
    assert login_as(world.learner).get("/c/alpha/cohorts/a1/").status_code == 200
    assert city_row(app, "alpha").archived_at is None
    assert audit_actions(app)[-1] == "city.restored"


def test_appointing_an_existing_account_makes_it_coordinator(app, admin, login_as, world):
    assert login_as(world.learner).get("/c/alpha/manage/").status_code == 403
    response = admin.post(
        "/admin/cities/alpha/coordinators", data={"email": " Learner@Alpha.example "}
    )
    assert response.status_code == 302
    assert login_as(world.learner).get("/c/alpha/manage/").status_code == 200
    page = text_of(admin.get("/admin/cities/alpha/"))
    assert "Lee Learner (learner@alpha.example)" in page
    assert "coordinator.appointed" in audit_actions(app)
    again = admin.post(
        "/admin/cities/alpha/coordinators", data={"email": world.learner}, follow_redirects=True
    )
    assert "learner@alpha.example already has this role: nothing changed." in text_of(again)
    assert audit_actions(app).count("coordinator.appointed") == 1


def test_appointing_an_unknown_address_sends_an_invitation(app, admin):
    response = admin.post(
        "/admin/cities/alpha/coordinators",
        data={"email": "New.Boss@Alpha.example"},
        follow_redirects=True,
    )
    body = text_of(response)
    assert "new.boss@alpha.example has no account yet: an invitation has been sent." in body
    assert "Invited, waiting for an answer: new.boss@alpha.example" in body
    messages = outbox(app)
    assert [m.to_address for m in messages] == ["new.boss@alpha.example"]
    assert "/invite/" in messages[0].body_text
    with app_db(app) as session:
        invitation = session.scalar(db.select(Invitation))
        assert (invitation.role, invitation.cohort_id) == ("coordinator", None)
        assert session.scalar(db.select(User).where(User.email == "new.boss@alpha.example")) is None
    admin.post("/admin/cities/alpha/coordinators", data={"email": "new.boss@alpha.example"})
    assert len(outbox(app)) == 1


def test_appointing_with_a_bad_address_says_so(app, admin):
    response = admin.post(
        "/admin/cities/alpha/coordinators", data={"email": "not an address"}, follow_redirects=True
    )
    assert "Enter a valid email address" in text_of(response)
    assert outbox(app) == []


def test_removing_a_coordinator_takes_the_manage_pages_away(app, admin, login_as, world):
    with app_db(app) as session:
        user_id = session.scalar(db.select(User.id).where(User.email == world.coordinator))
    coordinator = login_as(world.coordinator)
    response = admin.post(
        f"/admin/cities/alpha/coordinators/{user_id}/remove", follow_redirects=True
    )
    assert "Cora Coordinator is no longer a coordinator of Alpha City." in text_of(response)
    assert coordinator.get("/c/alpha/manage/").status_code == 404
    assert "coordinator.removed" in audit_actions(app)
    assert admin.post(f"/admin/cities/alpha/coordinators/{user_id}/remove").status_code == 404


def test_removing_someone_who_is_not_coordinator_is_not_found(app, admin, world):
    with app_db(app) as session:
        learner_id = session.scalar(db.select(User.id).where(User.email == world.learner))
    assert admin.post(f"/admin/cities/alpha/coordinators/{learner_id}/remove").status_code == 404
    assert admin.post("/admin/cities/alpha/coordinators/999999/remove").status_code == 404
    assert admin.get("/admin/cities/nowhere/").status_code == 404


@pytest.mark.parametrize("who", ["coordinator", "facilitator", "learner", "coordinator_b"])
def test_only_platform_admins_reach_the_admin_pages(app, login_as, world, who):
    client = login_as(getattr(world, who))
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/cities/alpha/").status_code == 403
    assert client.post("/admin/cities/new", data=city_data()).status_code == 403
    assert client.post("/admin/cities/alpha/archive", data={"archived": "1"}).status_code == 403
    assert (
        client.post("/admin/cities/alpha/coordinators", data={"email": world.learner}).status_code
        == 403
    )
    assert city_row(app, "rivertown") is None
    assert city_row(app, "alpha").archived_at is None


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get("/admin/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
