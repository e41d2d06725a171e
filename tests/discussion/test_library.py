"""The shared library: a cohort's good question, with its accepted answer, for the whole city
and, once a platform admin promotes it, for every signed-in user."""

import html

import pytest

from cohortapp.discussion.models import Question
from tests.discussion.conftest import (
    LESSON_KEY,
    OTHER_LESSON_KEY,
    QA,
    answered,
    asked,
    audit_events,
    flashed,
    listed_titles,
    row,
    rows,
    text_of,
)

CITY_LIBRARY = "/c/alpha/library"
PLATFORM_LIBRARY = "/library"
TITLE = "How do we start the intercultural profile?"
ANSWER = "Begin with the public statement of the council."


@pytest.fixture
def share(learner, facilitator):
    """Ask (as the learner), answer (as the facilitator), accept, and share as the facilitator."""

    def shared(title=TITLE, body="Some details.", *, answer=ANSWER, show_names=False, **extra):
        question_id = asked(learner, title, body=body, **extra)
        answer_id = answered(facilitator, question_id, answer)
        assert learner.post(f"{QA}/answers/{answer_id}/accept").status_code == 302
        data = {"show_names": "y"} if show_names else {}
        response = facilitator.post(f"{QA}/{question_id}/share", data=data)
        assert response.status_code == 302
        return question_id, answer_id

    return shared


@pytest.fixture
def admin(login_as, world):
    return login_as(world.admin)


def test_a_question_without_an_accepted_answer_cannot_be_shared(app, learner, facilitator):
    question_id = asked(learner, TITLE)
    answered(facilitator, question_id, ANSWER)
    page = text_of(facilitator.get(f"{QA}/{question_id}"))
    assert "Share with its accepted answer in the city library" not in page
    response = facilitator.post(f"{QA}/{question_id}/share", data={"show_names": "y"})
    body = flashed(facilitator, response)
    assert "Only a visible question with an accepted answer can be shared." in body
    assert row(app, Question, question_id).shared_scope == "cohort"
    assert listed_titles(text_of(learner.get(f"{CITY_LIBRARY}/"))) == []
    assert learner.get(f"{CITY_LIBRARY}/{question_id}").status_code == 404
    assert audit_events(app) == []


def test_learners_cannot_share(app, learner, facilitator):
    question_id = asked(learner, TITLE)
    answer_id = answered(facilitator, question_id, ANSWER)
    learner.post(f"{QA}/answers/{answer_id}/accept")
    assert learner.post(f"{QA}/{question_id}/share").status_code == 403
    assert row(app, Question, question_id).shared_scope == "cohort"


def test_a_shared_question_is_in_the_library_of_every_member_of_the_city(
    app, share, login_as, world, learner, facilitator
):
    question_id = asked(learner, TITLE, body="We need a *first step*.")
    answered(learner, question_id, "A reply that was not accepted.")
    answer_id = answered(facilitator, question_id, ANSWER)
    learner.post(f"{QA}/answers/{answer_id}/accept")
    response = facilitator.post(f"{QA}/{question_id}/share")
    assert "The question and its accepted answer are in the city library." in flashed(
        facilitator, response
    )
    page = text_of(facilitator.get(f"{QA}/{question_id}"))
    assert "Shared in the library (city)." in page
    assert f'href="{CITY_LIBRARY}/{question_id}"' in page

    for email in (
        world.learner,
        world.other_learner,
        world.facilitator,
        world.coordinator,
        world.admin,
    ):
        client = login_as(email)
        listing = text_of(client.get(f"{CITY_LIBRARY}/"))
        assert listed_titles(listing) == [TITLE], email
        assert "1 item" in listing and html.escape(ANSWER) in listing
        item = client.get(f"{CITY_LIBRARY}/{question_id}")
        assert item.status_code == 200, email
        item = text_of(item)
        assert "We need a <em>first step</em>." in item
        assert "Accepted answer" in item and ANSWER in item
        assert "A reply that was not accepted." not in item
    fran = world.facilitator
    assert audit_events(app)[-1] == ("library.shared", fran, f"question {question_id}")


def test_the_library_finds_items_by_words_and_by_lesson_page(app, share, other_learner):
    share("Who signs the public statement?", body="The mayor, we hope.", page_key=LESSON_KEY)
    share("Where do we meet residents?", answer="In the LIBRARY.", page_key=OTHER_LESSON_KEY)
    share("How long does the mapping take?", body="About the mapping.")

    def titles(**query):
        return sorted(
            listed_titles(text_of(other_learner.get(f"{CITY_LIBRARY}/", query_string=query)))
        )

    assert len(titles()) == 3
    assert titles(q="MAYOR") == ["Who signs the public statement?"]
    assert titles(q="mapping") == ["How long does the mapping take?"]
    assert titles(page_key=LESSON_KEY) == ["Who signs the public statement?"]
    assert titles(page_key=OTHER_LESSON_KEY) == ["Where do we meet residents?"]
    assert titles(page_key=LESSON_KEY, q="residents") == []
    body = text_of(other_learner.get(f"{CITY_LIBRARY}/", query_string={"q": "nothing here"}))
    assert "Nothing matches. Try another search." in body
    item_id = next(q.id for q in rows(app, Question) if q.page_key == LESSON_KEY)
    item = text_of(other_learner.get(f"{CITY_LIBRARY}/{item_id}"))
    assert "about: How the course works" in item


def test_names_are_shown_only_when_the_facilitator_chose_so(app, share, other_learner):
    anonymous_id, _ = share("A question shared without names")
    named_id, _ = share("A question shared with names", show_names=True)
    item = text_of(other_learner.get(f"{CITY_LIBRARY}/{anonymous_id}"))
    assert "Asked by a member of a cohort" in item
    assert "Answered by a member of the cohort" in item
    assert "Lee Learner" not in item and "Fran Facilitator" not in item
    listing = text_of(other_learner.get(f"{CITY_LIBRARY}/"))
    assert "Lee Learner" not in listing and "Fran Facilitator" not in listing
    item = text_of(other_learner.get(f"{CITY_LIBRARY}/{named_id}"))
    assert "Asked by Lee Learner" in item and "Answered by Fran Facilitator" in item


def test_other_cities_get_404_for_the_city_library(app, share, login_as, world):
    question_id, _ = share()
    for email in (world.learner_b, world.coordinator_b):
        client = login_as(email)
        assert client.get(f"{CITY_LIBRARY}/").status_code == 404, email
        assert client.get(f"{CITY_LIBRARY}/{question_id}").status_code == 404, email
        assert client.get(f"/c/beta/library/{question_id}").status_code == 404, email
        assert listed_titles(text_of(client.get("/c/beta/library/"))) == []
        assert client.get(f"{PLATFORM_LIBRARY}/{question_id}").status_code == 404, email
        assert listed_titles(text_of(client.get(f"{PLATFORM_LIBRARY}/"))) == []


def test_the_platform_admin_promotes_an_item_to_the_platform_library(
    app, share, admin, login_as, world, client
):
    question_id, _ = share()
    for email in (world.coordinator, world.facilitator):
        response = login_as(email).post(
            f"{CITY_LIBRARY}/{question_id}/promote", data={"platform": "1"}
        )
        assert response.status_code == 403, email
    assert row(app, Question, question_id).shared_scope == "city"

    item = text_of(admin.get(f"{CITY_LIBRARY}/{question_id}"))
    assert "Promote to the platform library" in item
    response = admin.post(f"{CITY_LIBRARY}/{question_id}/promote", data={"platform": "1"})
    assert "The item is now in the platform library, for every signed-in user." in flashed(
        admin, response
    )
    for email in (world.learner_b, world.coordinator_b, world.learner):
        reader = login_as(email)
        listing = text_of(reader.get(f"{PLATFORM_LIBRARY}/"))
        assert listed_titles(listing) == [TITLE], email
        assert f'href="{PLATFORM_LIBRARY}/{question_id}"' in listing
        item = text_of(reader.get(f"{PLATFORM_LIBRARY}/{question_id}"))
        assert TITLE in item and ANSWER in item
    assert client.get(f"{PLATFORM_LIBRARY}/{question_id}").status_code == 302  # sign in first
    assert listed_titles(text_of(login_as(world.learner).get(f"{CITY_LIBRARY}/"))) == [TITLE]

    response = admin.post(f"{CITY_LIBRARY}/{question_id}/promote", data={"platform": "0"})
    assert "The item is back in its city&#39;s library only." in flashed(admin, response)
    reader = login_as(world.learner_b)
    assert listed_titles(text_of(reader.get(f"{PLATFORM_LIBRARY}/"))) == []
    assert reader.get(f"{PLATFORM_LIBRARY}/{question_id}").status_code == 404
    assert [event[0] for event in audit_events(app)][-2:] == [
        "library.promoted",
        "library.demoted",
    ]


def test_unsharing_removes_the_item_from_both_libraries(
    app, share, admin, facilitator, login_as, world
):
    question_id, _ = share()
    admin.post(f"{CITY_LIBRARY}/{question_id}/promote", data={"platform": "1"})
    response = facilitator.post(f"{QA}/{question_id}/unshare")
    assert "The question is no longer in the library." in flashed(facilitator, response)
    assert row(app, Question, question_id).shared_scope == "cohort"
    reader = login_as(world.learner)
    assert listed_titles(text_of(reader.get(f"{CITY_LIBRARY}/"))) == []
    assert listed_titles(text_of(reader.get(f"{PLATFORM_LIBRARY}/"))) == []
    assert reader.get(f"{CITY_LIBRARY}/{question_id}").status_code == 404
    assert reader.get(f"{PLATFORM_LIBRARY}/{question_id}").status_code == 404
    assert reader.get(f"{QA}/{question_id}").status_code == 200  # the discussion stays
    assert audit_events(app)[-1] == (
        "library.unshared",
        world.facilitator,
        f"question {question_id}",
    )


def test_a_hidden_question_leaves_the_library(app, share, admin, facilitator, other_learner):
    question_id, _ = share()
    admin.post(f"{CITY_LIBRARY}/{question_id}/promote", data={"platform": "1"})
    facilitator.post(f"{QA}/{question_id}/hide", data={"hidden": "1"})
    assert listed_titles(text_of(other_learner.get(f"{CITY_LIBRARY}/"))) == []
    assert other_learner.get(f"{CITY_LIBRARY}/{question_id}").status_code == 404
    assert listed_titles(text_of(other_learner.get(f"{PLATFORM_LIBRARY}/"))) == []
    assert other_learner.get(f"{PLATFORM_LIBRARY}/{question_id}").status_code == 404


def test_a_hidden_accepted_answer_leaves_the_library(app, share, admin, facilitator, other_learner):
    question_id, answer_id = share()
    admin.post(f"{CITY_LIBRARY}/{question_id}/promote", data={"platform": "1"})
    facilitator.post(f"{QA}/answers/{answer_id}/hide", data={"hidden": "1"})
    for library in (CITY_LIBRARY, PLATFORM_LIBRARY):
        listing = text_of(other_learner.get(f"{library}/"))
        assert listed_titles(listing) == [] and html.escape(ANSWER) not in listing
        item = other_learner.get(f"{library}/{question_id}")
        assert item.status_code == 404 and ANSWER not in text_of(item)


def test_withdrawing_the_acceptance_takes_the_item_out_of_the_library(
    app, share, learner, other_learner
):
    question_id, answer_id = share()
    learner.post(f"{QA}/answers/{answer_id}/accept")  # withdraws it
    assert row(app, Question, question_id).accepted_answer_id is None
    assert listed_titles(text_of(other_learner.get(f"{CITY_LIBRARY}/"))) == []
    assert other_learner.get(f"{CITY_LIBRARY}/{question_id}").status_code == 404
