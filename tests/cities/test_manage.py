"""The coordinator's pages under /c/<city>/manage/, through the test client."""

import html
import io
import re

import pytest

from cohortapp.audit import AuditEvent
from cohortapp.auth.models import Invitation, User
from cohortapp.cities.models import City, EnrolmentImport, LocalNote
from cohortapp.cities.services import StaleNotesError
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.extensions import db
from cohortapp.lessons.content import load_course
from cohortapp.lessons.models import PageProgress
from cohortapp.lessons.services import translation_status
from cohortapp.mail.models import OutboxMessage
from tests.conftest import app_db

MANAGE = "/c/alpha/manage"


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def coordinator(login_as, world):
    return login_as(world.coordinator)


@pytest.fixture
def course(app):
    return load_course(app.config["CONTENT_DIR"])


def cohort_data(**changes) -> dict:
    values = {
        "name": "Spring 2027",
        "slug": "spring-2027",
        "locale": "en",
        "starts_on": "2027-03-01",
        "ends_on": "2027-06-30",
        "pace_weeks": "12",
        "stall_days": "14",
        "join_domains": "",
    }
    values.update(changes)
    return values


def cohort_row(app, slug, city="alpha") -> Cohort | None:
    with app_db(app) as session:
        return session.scalar(
            db.select(Cohort).join(City).where(City.slug == city, Cohort.slug == slug)
        )


def user_id(app, email) -> int:
    with app_db(app) as session:
        return session.scalar(db.select(User.id).where(User.email == email))


def enrollment_row(app, email, cohort_slug="a1") -> Enrollment | None:
    with app_db(app) as session:
        return session.scalar(
            db.select(Enrollment)
            .join(User, User.id == Enrollment.user_id)
            .join(Cohort, Cohort.id == Enrollment.cohort_id)
            .where(User.email == email, Cohort.slug == cohort_slug)
        )


def outbox(app) -> list[OutboxMessage]:
    with app_db(app) as session:
        return list(session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


def invitations(app, email=None) -> list[Invitation]:
    with app_db(app) as session:
        query = db.select(Invitation).order_by(Invitation.id)
        if email:
            query = query.where(Invitation.email == email)
        return list(session.scalars(query))


def audit_actions(app, city="alpha") -> list[str]:
    with app_db(app) as session:
        return list(
            session.scalars(
                db.select(AuditEvent.action)
                .join(City, City.id == AuditEvent.city_id)
                .where(City.slug == city)
                .order_by(AuditEvent.id)
            )
        )


def invite_path(message: OutboxMessage) -> str:
    return re.search(r"http://cohort\.test(/invite/\S+)", message.body_text).group(1)


def enrol(client, email, role="learner", cohort="a1", name="", city="alpha"):
    return client.post(
        f"/c/{city}/manage/cohorts/{cohort}/enrol",
        data={"email": email, "role": role, "name": name},
        follow_redirects=True,
    )


# Cohorts: creating and editing


def test_coordinator_creates_a_cohort_as_a_draft(app, coordinator):
    response = coordinator.post(
        f"{MANAGE}/cohorts/new",
        data=cohort_data(join_domains=" @Rivertown.GOV.uk; example.org ,"),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"{MANAGE}/cohorts/spring-2027/"
    cohort = cohort_row(app, "spring-2027")
    assert cohort.status == "draft" and cohort.pace_weeks == 12
    assert str(cohort.starts_on) == "2027-03-01" and str(cohort.ends_on) == "2027-06-30"
    assert cohort.join_domains == "example.org,rivertown.gov.uk"
    assert "cohort.created" in audit_actions(app)
    assert "Spring 2027" in text_of(coordinator.get(f"{MANAGE}/"))


def test_cohort_address_taken_in_the_city_is_refused_but_another_citys_is_free(app, coordinator):
    taken = coordinator.post(f"{MANAGE}/cohorts/new", data=cohort_data(slug="a1"))
    assert taken.status_code == 422
    assert "Another cohort of the city already uses this address." in text_of(taken)
    with app_db(app) as session:
        assert session.scalar(db.select(db.func.count(Cohort.id))) == 3
    other_city = coordinator.post(f"{MANAGE}/cohorts/new", data=cohort_data(slug="b1"))
    assert other_city.status_code == 302
    assert cohort_row(app, "b1", city="alpha") is not None


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"ends_on": "2027-02-01"}, "The end date must come after the start date."),
        ({"starts_on": "", "ends_on": ""}, "A pace needs a start date."),
        (
            {"join_domains": "rivertown.gov.uk, not a domain"},
            "These are not email domains: not a domain",
        ),
        ({"join_domains": "example"}, "These are not email domains: example"),
        ({"slug": "Spring 2027"}, "Use lower-case letters, digits and dashes only"),
        ({"name": ""}, "Give the cohort a name."),
        ({"pace_weeks": "0"}, "Enter a number of weeks from 1 to 104."),
        ({"locale": "de"}, "Not a valid choice"),
    ],
)
def test_cohort_form_is_validated_with_reasons(app, coordinator, changes, message):
    response = coordinator.post(f"{MANAGE}/cohorts/new", data=cohort_data(**changes))
    assert response.status_code == 422
    assert message in text_of(response)
    assert cohort_row(app, "spring-2027") is None


def test_wtforms_own_messages_come_in_the_readers_language(app, coordinator):
    response = coordinator.post(f"{MANAGE}/cohorts/new?lang=fr", data=cohort_data(locale="de"))
    assert response.status_code == 422
    assert "N'est pas un choix valide." in text_of(response)
    english = coordinator.post(f"{MANAGE}/cohorts/new?lang=en", data=cohort_data(locale="de"))
    assert "Not a valid choice" in text_of(english)


def test_coordinator_edits_a_cohort(app, coordinator):
    response = coordinator.post(
        f"{MANAGE}/cohorts/a1/edit", data=cohort_data(name="Alpha First", slug="a1")
    )
    assert response.status_code == 302
    cohort = cohort_row(app, "a1")
    assert (cohort.name, cohort.pace_weeks) == ("Alpha First", 12)
    assert "cohort.updated" in audit_actions(app)


def test_editing_a_cohort_refuses_another_cohorts_address_and_bad_dates(app, coordinator):
    taken = coordinator.post(f"{MANAGE}/cohorts/a1/edit", data=cohort_data(slug="a2"))
    assert taken.status_code == 422
    assert "Another cohort of the city already uses this address." in text_of(taken)
    dates = coordinator.post(
        f"{MANAGE}/cohorts/a1/edit", data=cohort_data(slug="a1", ends_on="2027-01-01")
    )
    assert dates.status_code == 422
    assert "The end date must come after the start date." in text_of(dates)
    assert cohort_row(app, "a1").name == "Alpha One"


def test_unknown_cohort_is_not_found(coordinator):
    assert coordinator.get(f"{MANAGE}/cohorts/nope/").status_code == 404
    assert coordinator.get(f"{MANAGE}/cohorts/b1/").status_code == 404


# Opening and closing


def first_page_without_activity(course):
    return next(p for p in course.pages if p.texts["en"].activity is None)


def page_path(page, cohort="a1") -> str:
    return f"/c/alpha/cohorts/{cohort}/pages/{page.key}"


def progress_of(app, email, cohort="a1") -> list[PageProgress]:
    enrollment = enrollment_row(app, email, cohort)
    with app_db(app) as session:
        return list(
            session.scalars(
                db.select(PageProgress).where(PageProgress.enrollment_id == enrollment.id)
            )
        )


def test_a_draft_cohort_is_opened_then_closed(app, coordinator):
    coordinator.post(f"{MANAGE}/cohorts/new", data=cohort_data())
    opened = coordinator.post(
        f"{MANAGE}/cohorts/spring-2027/status", data={"status": "open"}, follow_redirects=True
    )
    assert "The cohort is open: learners can work through the course." in text_of(opened)
    assert cohort_row(app, "spring-2027").status == "open"
    closed = coordinator.post(
        f"{MANAGE}/cohorts/spring-2027/status", data={"status": "closed"}, follow_redirects=True
    )
    assert "The cohort is closed: it stays readable" in text_of(closed)
    assert cohort_row(app, "spring-2027").status == "closed"
    assert audit_actions(app)[-2:] == ["cohort.open", "cohort.closed"]
    assert (
        coordinator.post(f"{MANAGE}/cohorts/a1/status", data={"status": "gone"}).status_code == 400
    )


def test_a_closed_cohort_is_read_only_for_its_learners(app, coordinator, login_as, world, course):
    page = first_page_without_activity(course)
    coordinator.post(f"{MANAGE}/cohorts/a1/status", data={"status": "closed"})
    learner = login_as(world.learner)
    assert learner.get(page_path(page)).status_code == 200
    response = learner.post(page_path(page), data={"action": "next"}, follow_redirects=True)
    assert "This cohort is not open, so your work can no longer be changed." in text_of(response)
    assert progress_of(app, world.learner) == []


def test_nobody_can_be_enrolled_in_a_closed_cohort(app, coordinator, make_user):
    make_user("newbie@alpha.example", "Nia New")
    coordinator.post(f"{MANAGE}/cohorts/a1/status", data={"status": "closed"})
    response = enrol(coordinator, "newbie@alpha.example")
    assert "The cohort is closed: nobody can be enrolled in it." in text_of(response)
    assert enrollment_row(app, "newbie@alpha.example") is None
    enrol(coordinator, "stranger@alpha.example")
    assert invitations(app) == [] and outbox(app) == []


# Enrolling one person


def test_an_existing_account_is_enrolled_at_once_and_told_by_email(app, coordinator, make_user):
    make_user("nia@alpha.example", "Nia New")
    response = enrol(coordinator, " Nia@Alpha.example ", role="facilitator")
    assert "nia@alpha.example is enrolled and has been told by email." in text_of(response)
    assert enrollment_row(app, "nia@alpha.example").role == "facilitator"
    [message] = outbox(app)
    assert message.to_address == "nia@alpha.example"
    assert message.subject == "You are enrolled in Alpha One"
    assert "http://cohort.test/c/alpha/cohorts/a1/" in message.body_text
    assert "enrollment.enrolled" in audit_actions(app)


def test_a_new_address_is_invited_and_the_invitation_works(app, coordinator, client):
    response = enrol(coordinator, "newcomer@alpha.example", name="Nia New")
    assert "newcomer@alpha.example has no account yet: an invitation has been sent." in text_of(
        response
    )
    assert "newcomer@alpha.example (Nia New)" in text_of(coordinator.get(f"{MANAGE}/cohorts/a1/"))
    [message] = outbox(app)
    assert message.to_address == "newcomer@alpha.example"
    page = client.get(invite_path(message))
    assert page.status_code == 200 and 'value="Nia New"' in page.get_data(as_text=True)
    assert "invitation.created" in audit_actions(app)


def test_enrolment_and_invitation_emails_are_in_the_recipients_language(
    app, login_as, world, make_user
):
    make_user("marie@alpha.example", "Marie", locale="fr")
    enrol(login_as(world.coordinator), "marie@alpha.example")
    beta = login_as(world.coordinator_b)
    enrol(beta, "nouveau@beta.example", cohort="b1", city="beta")
    enrolled, invited = outbox(app)
    assert enrolled.subject == "Vous êtes inscrit dans Alpha One"
    assert enrolled.body_text.startswith("Bonjour Marie,")
    # A new address has no language yet: the cohort's (French in Beta Ville) is used.
    assert invited.subject == "Invitation de Beta Ville au cours sur la cité interculturelle"
    assert invited.body_text.startswith("Bonjour,")


def test_enrolling_again_changes_nothing(app, coordinator, world, make_user):
    make_user("nia@alpha.example", "Nia New")
    enrol(coordinator, "nia@alpha.example")
    enrol(coordinator, "newcomer@alpha.example")
    events, messages = len(audit_actions(app)), len(outbox(app))
    already = enrol(coordinator, "nia@alpha.example")
    assert "nia@alpha.example already has this role: nothing changed." in text_of(already)
    invited = enrol(coordinator, "NEWCOMER@alpha.example")
    assert "newcomer@alpha.example has already been invited: nothing changed." in text_of(invited)
    learner = enrol(coordinator, world.learner)
    assert "already has this role: nothing changed." in text_of(learner)
    assert len(audit_actions(app)) == events and len(outbox(app)) == messages
    assert len(invitations(app)) == 1


def test_enrolling_a_bad_address_shows_the_form_again(app, coordinator):
    response = coordinator.post(
        f"{MANAGE}/cohorts/a1/enrol", data={"email": "nope@", "role": "learner"}
    )
    assert response.status_code == 422
    assert "Enter a valid email address, like name@example.org." in text_of(response)
    assert outbox(app) == []


# Removing and restoring


def test_removed_learner_keeps_progress_and_enrolling_again_restores_it(
    app, coordinator, login_as, world, course
):
    page = first_page_without_activity(course)
    learner = login_as(world.learner)
    learner.post(page_path(page), data={"action": "next"})
    before = progress_of(app, world.learner)
    assert [p.completed_at is not None for p in before] == [True]
    enrollment = enrollment_row(app, world.learner)
    removed = coordinator.post(
        f"{MANAGE}/cohorts/a1/enrollments/{enrollment.id}/remove", follow_redirects=True
    )
    assert "Lee Learner is removed from the cohort. Their progress is kept" in text_of(removed)
    assert enrollment_row(app, world.learner).removed_at is not None
    assert learner.get("/c/alpha/cohorts/a1/").status_code == 404
    assert [(p.id, p.completed_at) for p in progress_of(app, world.learner)] == [
        (p.id, p.completed_at) for p in before
    ]
    restored = enrol(coordinator, world.learner)
    assert "learner@alpha.example is enrolled again, with their earlier progress." in text_of(
        restored
    )
    again = enrollment_row(app, world.learner)
    assert again.id == enrollment.id and again.removed_at is None
    assert learner.get("/c/alpha/cohorts/a1/").status_code == 200
    assert [p.id for p in progress_of(app, world.learner)] == [p.id for p in before]
    assert audit_actions(app)[-2:] == ["enrollment.removed", "enrollment.restored"]


def test_removing_an_enrolment_of_another_cohort_is_not_found(app, coordinator, world):
    other = enrollment_row(app, world.other_learner, "a2")
    beta = enrollment_row(app, world.learner_b, "b1")
    for enrollment_id in (other.id, beta.id, 999999):
        response = coordinator.post(f"{MANAGE}/cohorts/a1/enrollments/{enrollment_id}/remove")
        assert response.status_code == 404
    assert enrollment_row(app, world.other_learner, "a2").removed_at is None
    assert enrollment_row(app, world.learner_b, "b1").removed_at is None


# Invitations: resend and revoke


def test_resending_an_invitation_replaces_its_link(app, coordinator, client):
    enrol(coordinator, "newcomer@alpha.example")
    [first] = invitations(app)
    old_link = invite_path(outbox(app)[0])
    response = coordinator.post(f"{MANAGE}/invitations/{first.id}/resend", follow_redirects=True)
    assert "A new invitation has been sent to newcomer@alpha.example." in text_of(response)
    messages = outbox(app)
    assert [m.to_address for m in messages] == ["newcomer@alpha.example"] * 2
    new_link = invite_path(messages[1])
    assert new_link != old_link
    old = client.get(old_link)
    assert old.status_code == 404 and "This link is not valid." in text_of(old)
    assert client.get(new_link).status_code == 200
    assert "invitation.resent" in audit_actions(app)


def test_revoking_an_invitation_stops_its_link(app, coordinator, client):
    enrol(coordinator, "newcomer@alpha.example")
    [invitation] = invitations(app)
    link = invite_path(outbox(app)[0])
    response = coordinator.post(
        f"{MANAGE}/invitations/{invitation.id}/revoke", follow_redirects=True
    )
    body = text_of(response)
    assert "The invitation to newcomer@alpha.example is withdrawn" in body
    assert "No invitation is waiting." in body
    assert client.get(link).status_code == 404
    assert "invitation.revoked" in audit_actions(app)


def test_another_citys_invitation_is_not_found(app, coordinator, login_as, world):
    enrol(login_as(world.coordinator_b), "nouveau@beta.example", cohort="b1", city="beta")
    with app_db(app) as session:
        beta_invitation = session.scalar(db.select(Invitation))
    for action in ("resend", "revoke"):
        response = coordinator.post(f"{MANAGE}/invitations/{beta_invitation.id}/{action}")
        assert response.status_code == 404
    [invitation] = invitations(app)
    assert invitation.revoked_at is None
    assert len(outbox(app)) == 1


def test_enrolling_in_beta_from_alphas_pages_is_not_possible(app, coordinator):
    response = coordinator.post(
        f"{MANAGE}/cohorts/b1/enrol", data={"email": "x@beta.example", "role": "learner"}
    )
    assert response.status_code == 404
    assert invitations(app) == []


# People


def emails_listed(body: str) -> list[str]:
    return re.findall(r"<td>([^<@\s]+@[^<\s]+)</td>", body)


def test_people_list_is_paged_searchable_and_filtered_by_role(
    app, coordinator, make_user, add_role, world
):
    made = []
    for number in range(30):
        email = f"person{number:02d}@alpha.example"
        make_user(email, f"Person {number:02d}")
        add_role(email, "alpha", "learner", "a2")
        made.append(email)
    members = {world.coordinator, world.facilitator, world.learner, world.other_learner, *made}
    first = coordinator.get(f"{MANAGE}/people")
    assert "34 people" in text_of(first)
    page_one = emails_listed(first.get_data(as_text=True))
    assert len(page_one) == app.config["PAGE_SIZE"] == 25
    assert "Page 1 of 2" in text_of(first)
    second = coordinator.get(f"{MANAGE}/people?page=2")
    page_two = emails_listed(second.get_data(as_text=True))
    assert len(page_two) == len(members) - 25
    assert set(page_one) | set(page_two) == members
    assert not set(page_one) & set(page_two)
    assert world.learner_b not in page_one + page_two

    search = coordinator.get(f"{MANAGE}/people?q=PERSON 1")
    assert sorted(emails_listed(search.get_data(as_text=True))) == sorted(
        e for e in made if e.startswith("person1")
    )
    by_email = coordinator.get(f"{MANAGE}/people?q=learner2@")
    assert emails_listed(by_email.get_data(as_text=True)) == [world.other_learner]
    facilitators = coordinator.get(f"{MANAGE}/people?role=facilitator")
    assert emails_listed(facilitators.get_data(as_text=True)) == [world.facilitator]
    nobody = coordinator.get(f"{MANAGE}/people?q=zzz-nobody")
    assert "Nobody matches. Try another name or role." in text_of(nobody)


def test_people_list_marks_removed_enrolments_and_shows_invitations(app, coordinator, world):
    enrollment = enrollment_row(app, world.learner)
    coordinator.post(f"{MANAGE}/cohorts/a1/enrollments/{enrollment.id}/remove")
    enrol(coordinator, "newcomer@alpha.example")
    body = text_of(coordinator.get(f"{MANAGE}/people"))
    assert "Alpha One</a> (removed)" in body
    assert "newcomer@alpha.example" in body


# Join links


def join_code(app, slug="a1") -> str | None:
    return cohort_row(app, slug).join_code


def test_join_link_is_issued_replaced_and_turned_off(app, coordinator, client):
    assert join_code(app) is None
    coordinator.post(f"{MANAGE}/cohorts/a1/join-link", data={"action": "issue"})
    first = join_code(app)
    assert first
    assert f"http://cohort.test/join/{first}" in text_of(coordinator.get(f"{MANAGE}/cohorts/a1/"))
    assert client.get(f"/join/{first}").status_code == 200
    response = coordinator.post(
        f"{MANAGE}/cohorts/a1/join-link", data={"action": "issue"}, follow_redirects=True
    )
    assert "A new join link is ready. Any earlier link no longer works." in text_of(response)
    second = join_code(app)
    assert second and second != first
    assert client.get(f"/join/{first}").status_code == 404
    assert client.get(f"/join/{second}").status_code == 200
    coordinator.post(f"{MANAGE}/cohorts/a1/join-link", data={"action": "disable"})
    assert join_code(app) is None
    assert client.get(f"/join/{second}").status_code == 404
    assert "The join link is off." in text_of(coordinator.get(f"{MANAGE}/cohorts/a1/"))
    assert audit_actions(app)[-3:] == [
        "cohort.join_link_issued",
        "cohort.join_link_issued",
        "cohort.join_link_disabled",
    ]
    assert (
        coordinator.post(f"{MANAGE}/cohorts/a1/join-link", data={"action": "x"}).status_code == 400
    )


# Local notes


def note_path(page) -> str:
    return f"{MANAGE}/notes/{page.key}"


def test_notes_are_saved_per_language_and_shown_in_an_in_city_box(
    app, coordinator, login_as, world, course
):
    page = course.pages[0]
    response = coordinator.post(
        note_path(page),
        data={"note_en": "Call **Maria** at the library.", "note_fr": "Appelez **Maria**."},
    )
    assert response.status_code == 302
    with app_db(app) as session:
        notes = {n.locale: n.body_md for n in session.scalars(db.select(LocalNote))}
    assert notes == {"en": "Call **Maria** at the library.", "fr": "Appelez **Maria**."}
    learner = login_as(world.learner)
    english = learner.get(page_path(page)).get_data(as_text=True)
    assert "In Alpha City" in english
    assert "Call <strong>Maria</strong> at the library." in english
    french = learner.get(page_path(page) + "?lang=fr").get_data(as_text=True)
    assert "Appelez <strong>Maria</strong>." in french
    assert "Call <strong>Maria</strong>" not in french
    assert "note in: en, fr" in text_of(coordinator.get(f"{MANAGE}/notes"))
    edit_page = text_of(coordinator.get(note_path(page)))
    assert "Call **Maria** at the library." in edit_page
    assert "note.saved" in audit_actions(app)


def test_a_note_is_not_shown_in_another_city(app, coordinator, login_as, world, course):
    page = course.pages[0]
    coordinator.post(note_path(page), data={"note_en": "Alpha only", "note_fr": "Alpha seulement"})
    beta = login_as(world.learner_b).get(f"/c/beta/cohorts/b1/pages/{page.key}")
    assert beta.status_code == 200
    assert "Alpha only" not in text_of(beta) and "Alpha seulement" not in text_of(beta)


def test_markdown_in_a_note_is_sanitised(app, coordinator, login_as, world, course):
    page = course.pages[0]
    note = (
        "Hello <script>alert('note')</script>\n\n"
        '<img src=x onerror="alert(1)">\n\n'
        "[click](javascript:alert(2)) and [site](https://example.org)"
    )
    coordinator.post(note_path(page), data={"note_en": note, "note_fr": ""})
    body = login_as(world.learner).get(page_path(page)).get_data(as_text=True)
    box = body[body.index('class="local-note"') :]
    box = box[: box.index("</aside>")]
    assert "<script" not in box and "<img" not in box
    assert 'href="javascript:' not in box
    assert 'href="https://example.org"' in box
    with app_db(app) as session:
        stored = session.scalar(db.select(LocalNote.body_html))
    assert "<script" not in stored


def test_an_empty_note_removes_it(app, coordinator, course):
    page = course.pages[0]
    coordinator.post(note_path(page), data={"note_en": "Something", "note_fr": "Quelque chose"})
    coordinator.post(note_path(page), data={"note_en": "", "note_fr": "Quelque chose"})
    with app_db(app) as session:
        assert list(session.scalars(db.select(LocalNote.locale))) == ["fr"]
    assert "note.deleted" in audit_actions(app)


def test_changed_and_removed_notes_show_at_once_on_pages_read_before(
    coordinator, login_as, world, course
):
    page = course.pages[0]
    learner = login_as(world.learner)
    coordinator.post(note_path(page), data={"note_en": "First version", "note_fr": ""})
    for _visit in range(2):  # the second is served from the notes kept for the city
        assert "First version" in text_of(learner.get(page_path(page)))
    coordinator.post(note_path(page), data={"note_en": "Second version", "note_fr": ""})
    body = text_of(learner.get(page_path(page)))
    assert "Second version" in body and "First version" not in body
    coordinator.post(note_path(page), data={"note_en": "", "note_fr": ""})
    assert 'class="local-note"' not in text_of(learner.get(page_path(page)))


def test_lesson_pages_read_a_citys_notes_once_per_change(
    app, coordinator, login_as, world, course, count_queries, monkeypatch
):
    coordinator.post(note_path(course.pages[0]), data={"note_en": "Kept", "note_fr": ""})
    learner = login_as(world.learner)
    learner.get(page_path(course.pages[0]))
    monkeypatch.setitem(app.config, "CACHE_VERIFY", False)  # the check reads again, on purpose
    with count_queries() as statements:
        assert "Kept" in text_of(learner.get(page_path(course.pages[0])))
        learner.get(page_path(course.pages[1]))
    assert not [s for s in statements if "FROM local_notes" in s], statements


def test_the_suites_check_catches_a_note_changed_without_a_new_token(
    app, coordinator, login_as, world, course
):
    page = course.pages[0]
    coordinator.post(note_path(page), data={"note_en": "Kept", "note_fr": ""})
    learner = login_as(world.learner)
    learner.get(page_path(page))
    with app_db(app) as session:  # a change that does not go through save_local_note
        session.scalar(db.select(LocalNote)).body_html = "<p>Changed behind its back</p>"
    with pytest.raises(StaleNotesError):
        learner.get(page_path(page))


def test_a_note_that_is_too_long_is_refused(app, coordinator, course):
    response = coordinator.post(
        note_path(course.pages[0]), data={"note_en": "x" * 5001, "note_fr": ""}
    )
    assert response.status_code == 422
    assert "Keep the note under 5000 characters." in text_of(response)
    with app_db(app) as session:
        assert session.scalar(db.select(db.func.count(LocalNote.id))) == 0


def test_a_note_on_an_unknown_page_is_not_found(coordinator):
    assert coordinator.get(f"{MANAGE}/notes/nowhere/nothing").status_code == 404


# Audit log and translations


def test_each_change_appears_in_the_audit_log(app, coordinator, login_as, world, course):
    coordinator.post(f"{MANAGE}/cohorts/new", data=cohort_data())
    coordinator.post(f"{MANAGE}/cohorts/spring-2027/status", data={"status": "open"})
    enrol(coordinator, world.learner_b, cohort="spring-2027")
    enrol(coordinator, "newcomer@alpha.example", cohort="spring-2027")
    [invitation] = invitations(app)
    coordinator.post(f"{MANAGE}/invitations/{invitation.id}/resend")
    fresh = invitations(app)[-1]
    coordinator.post(f"{MANAGE}/invitations/{fresh.id}/revoke")
    enrollment = enrollment_row(app, world.learner_b, "spring-2027")
    coordinator.post(f"{MANAGE}/cohorts/spring-2027/enrollments/{enrollment.id}/remove")
    coordinator.post(f"{MANAGE}/cohorts/spring-2027/join-link", data={"action": "issue"})
    coordinator.post(note_path(course.pages[0]), data={"note_en": "Hi", "note_fr": ""})
    expected = [
        "cohort.created",
        "cohort.open",
        "enrollment.enrolled",
        "invitation.created",
        "invitation.resent",
        "invitation.revoked",
        "enrollment.removed",
        "cohort.join_link_issued",
        "note.saved",
    ]
    assert audit_actions(app) == expected
    body = text_of(coordinator.get(f"{MANAGE}/audit"))
    shown = re.findall(r"<td><code>([a-z_.]+)</code></td>", body)
    assert shown == list(reversed(expected))
    assert "Cora Coordinator" in body and world.learner_b in body
    beta_log = text_of(login_as(world.coordinator_b).get("/c/beta/manage/audit"))
    assert "Rien n'a encore été modifié." in beta_log  # beta's pages are in French


def test_translation_status_page_shows_each_language(app, coordinator, course):
    response = coordinator.get(f"{MANAGE}/translations")
    assert response.status_code == 200
    body = text_of(response)
    statuses = translation_status(course)
    assert {s.locale for s in statuses} >= {"en", "fr"}
    for status in statuses:
        assert re.search(
            rf"<th scope=\"row\">{status.locale}</th>\s*<td>{status.present} / {status.total}</td>",
            body,
        )


# Who may use these pages

GET_PAGES = [
    "/",
    "/cohorts/new",
    "/cohorts/a1/",
    "/cohorts/a1/edit",
    "/people",
    "/imports/new",
    "/notes",
    "/audit",
    "/translations",
]
POSTS = [
    ("/cohorts/new", cohort_data()),
    ("/cohorts/a1/status", {"status": "closed"}),
    ("/cohorts/a1/enrol", {"email": "someone@alpha.example", "role": "learner"}),
    ("/cohorts/a1/join-link", {"action": "issue"}),
]


@pytest.mark.parametrize("who", ["facilitator", "learner"])
def test_facilitators_and_learners_cannot_manage(app, login_as, world, who):
    client = login_as(getattr(world, who))
    for path in GET_PAGES:
        assert client.get(MANAGE + path).status_code == 403, path
    for path, data in POSTS:
        assert client.post(MANAGE + path, data=data).status_code == 403, path
    assert cohort_row(app, "a1").status == "open" and cohort_row(app, "a1").join_code is None
    assert cohort_row(app, "spring-2027") is None
    assert invitations(app) == [] and audit_actions(app) == []


def test_another_citys_coordinator_does_not_learn_the_pages_exist(app, login_as, world):
    client = login_as(world.coordinator_b)
    for path in GET_PAGES:
        assert client.get(MANAGE + path).status_code == 404, path
    for path, data in POSTS:
        assert client.post(MANAGE + path, data=data).status_code == 404, path
    assert invitations(app) == [] and audit_actions(app) == []


def test_platform_admin_manages_every_city(login_as, world):
    admin = login_as(world.admin)
    assert admin.get(f"{MANAGE}/").status_code == 200
    assert admin.get("/c/beta/manage/people").status_code == 200


def test_another_citys_import_is_not_found(app, coordinator, login_as, world):
    beta = login_as(world.coordinator_b)
    upload = beta.post(
        "/c/beta/manage/imports/new",
        data={"file": (io.BytesIO(b"email,cohort\nx@beta.example,b1\n"), "b.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    with app_db(app) as session:
        import_id = session.scalar(db.select(EnrolmentImport.id))
    assert coordinator.get(f"{MANAGE}/imports/{import_id}").status_code == 404
    assert coordinator.post(f"{MANAGE}/imports/{import_id}/apply").status_code == 404
    assert coordinator.get(f"{MANAGE}/imports/{import_id}/rejected.csv").status_code == 404
    assert beta.get(f"/c/beta/manage/imports/{import_id}").status_code == 200
    assert invitations(app) == []
