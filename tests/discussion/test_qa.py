"""The cohort Q&A through the test client, as learners and facilitators use it."""

import html
from datetime import timedelta

import pytest

from cohortapp.auth.models import User
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.discussion.models import Answer, Flag, Follow, Question, Vote
from cohortapp.extensions import db
from cohortapp.sqltypes import utcnow
from tests.conftest import app_db, login
from tests.discussion.conftest import (
    CLASSMATE,
    LESSON_KEY,
    LESSON_URL,
    OTHER_LESSON_KEY,
    QA,
    QA_A2,
    answered,
    ask,
    asked,
    audit_events,
    created_question,
    flashed,
    listed_titles,
    outbox,
    post_answer,
    row,
    rows,
    set_cohort,
    set_user,
    text_of,
    user_id,
)

TITLE = "How do we start the intercultural profile?"
HIDDEN_TAG = '<strong class="tag tag--warning">hidden from learners</strong>'


# Asking ------------------------------------------------------------------------------------


def test_asking_posts_the_question_and_lists_it(app, learner):
    response = ask(learner, TITLE, "We have **two weeks** before the council meets.")
    question_id = created_question(response)
    body = flashed(learner, response)
    assert "Your question is posted. You will get an email when someone answers." in body
    assert TITLE in body and "<strong>two weeks</strong>" in body
    assert "Lee Learner · <time" in body and "0 answers" in body
    (question,) = rows(app, Question)
    assert (question.id, question.title, question.page_key) == (question_id, TITLE, None)
    listing = text_of(learner.get(f"{QA}/"))
    assert listed_titles(listing) == [TITLE] and "1 question" in listing


def test_an_invalid_question_is_shown_again_with_its_errors_and_not_saved(app, learner):
    response = ask(learner, "Why?", "My details stay here.")
    assert response.status_code == 422
    body = text_of(response)
    assert "Write between 8 and 200 characters." in body
    assert "My details stay here." in body
    assert ask(learner, "").status_code == 422
    assert ask(learner, TITLE, page_key="welcome/no-such-page").status_code == 422
    assert rows(app, Question) == []


def test_a_question_about_a_lesson_page_is_listed_on_that_page(app, learner, facilitator):
    lesson = text_of(learner.get(LESSON_URL))
    assert "Questions about this page" in lesson
    assert "No questions about this page yet." in lesson
    ask_link = f"{QA}/ask?page={LESSON_KEY}"
    assert f'href="{ask_link}"' in lesson
    form = text_of(learner.get(ask_link))
    assert f'<option selected value="{LESSON_KEY}">' in form

    question_id = asked(learner, TITLE, page_key=LESSON_KEY)
    assert row(app, Question, question_id).page_key == LESSON_KEY
    answered(facilitator, question_id)
    for client in (learner, facilitator):
        lesson = text_of(client.get(LESSON_URL))
        assert f'<a href="{QA}/{question_id}">{html.escape(TITLE)}</a>' in lesson
        assert "(1 answer)" in lesson
        assert f'href="{QA}/?page_key={LESSON_KEY}"' in lesson
    other_lesson = text_of(learner.get("/c/alpha/cohorts/a1/pages/" + OTHER_LESSON_KEY))
    assert html.escape(TITLE) not in other_lesson
    question = text_of(learner.get(f"{QA}/{question_id}"))
    assert f'About the lesson page: <a href="{LESSON_URL}">How the course works</a>' in question


# Answering, accepting, endorsing -------------------------------------------------------------


def test_answering_shows_the_answer_and_counts_it(app, learner, facilitator):
    question_id = asked(learner, TITLE)
    response = post_answer(facilitator, question_id, "Read the *council's* statement first.")
    answer_id = int(response.headers["Location"].rsplit("#answer-", 1)[1])
    body = flashed(facilitator, response)
    assert "Your answer is posted." in body
    assert f'id="answer-{answer_id}"' in body
    assert "Read the <em>council's</em> statement first." in body
    assert "1 answer" in body
    assert row(app, Question, question_id).answer_count == 1
    assert "1 answer" in text_of(learner.get(f"{QA}/"))


def test_an_empty_answer_is_refused(app, learner, facilitator):
    question_id = asked(learner, TITLE)
    response = post_answer(facilitator, question_id, "   ")
    assert response.status_code == 422
    assert "Write your answer." in text_of(response)
    assert rows(app, Answer) == []
    assert row(app, Question, question_id).answer_count == 0


def test_the_author_accepts_an_answer_and_can_withdraw_it(app, learner, facilitator):
    question_id = asked(learner, TITLE)
    answer_id = answered(facilitator, question_id)
    response = learner.post(f"{QA}/answers/{answer_id}/accept")
    body = flashed(learner, response)
    assert "The answer is marked as accepted." in body
    assert '<span class="badge">Accepted answer</span>' in body
    assert row(app, Question, question_id).accepted_answer_id == answer_id
    assert '<span class="tag">answered</span>' in text_of(learner.get(f"{QA}/"))
    body = flashed(learner, learner.post(f"{QA}/answers/{answer_id}/accept"))
    assert "The answer is no longer marked as accepted." in body
    assert row(app, Question, question_id).accepted_answer_id is None


def test_a_facilitator_may_accept_an_answer_to_a_learners_question(
    app, learner, classmate, facilitator
):
    question_id = asked(learner, TITLE)
    answer_id = answered(classmate, question_id)
    assert facilitator.post(f"{QA}/answers/{answer_id}/accept").status_code == 302
    assert row(app, Question, question_id).accepted_answer_id == answer_id


def test_another_learner_may_not_accept_an_answer(app, learner, classmate, facilitator):
    question_id = asked(learner, TITLE)
    answer_id = answered(facilitator, question_id)
    assert classmate.post(f"{QA}/answers/{answer_id}/accept").status_code == 403
    assert row(app, Question, question_id).accepted_answer_id is None
    page = text_of(classmate.get(f"{QA}/{question_id}"))
    assert "Accept this answer" not in page


def test_a_facilitator_endorses_an_answer_and_learners_cannot(app, learner, classmate, facilitator):
    question_id = asked(learner, TITLE)
    answer_id = answered(classmate, question_id)
    assert learner.post(f"{QA}/answers/{answer_id}/endorse").status_code == 403
    assert not row(app, Answer, answer_id).is_endorsed
    body = flashed(facilitator, facilitator.post(f"{QA}/answers/{answer_id}/endorse"))
    assert "You endorse this answer." in body
    assert row(app, Answer, answer_id).is_endorsed
    assert "Endorsed by a facilitator" in text_of(learner.get(f"{QA}/{question_id}"))
    facilitator.post(f"{QA}/answers/{answer_id}/endorse")
    assert not row(app, Answer, answer_id).is_endorsed


# Votes ------------------------------------------------------------------------------------


def test_a_second_vote_takes_the_first_back(app, learner, classmate, facilitator):
    question_id = asked(learner, TITLE)
    answer_id = answered(facilitator, question_id)
    for url, model, post_id in (
        (f"{QA}/{question_id}/vote", Question, question_id),
        (f"{QA}/answers/{answer_id}/vote", Answer, answer_id),
    ):
        assert classmate.post(url).status_code == 302
        assert row(app, model, post_id).vote_count == 1
        assert "1 vote" in text_of(classmate.get(f"{QA}/{question_id}"))
        classmate.post(url)
        assert row(app, model, post_id).vote_count == 0
    assert rows(app, Vote) == []


def test_votes_of_several_people_add_up(app, learner, classmate, facilitator):
    question_id = asked(learner, TITLE)
    classmate.post(f"{QA}/{question_id}/vote")
    facilitator.post(f"{QA}/{question_id}/vote")
    assert row(app, Question, question_id).vote_count == 2
    assert "2 votes" in text_of(learner.get(f"{QA}/"))


def test_nobody_votes_for_their_own_post(app, learner, facilitator):
    question_id = asked(learner, TITLE)
    answer_id = answered(facilitator, question_id)
    page = text_of(learner.get(f"{QA}/{question_id}"))
    assert "Vote for this question" not in page and "Vote for this answer" in page
    for client, url in (
        (learner, f"{QA}/{question_id}/vote"),
        (facilitator, f"{QA}/answers/{answer_id}/vote"),
    ):
        assert "You cannot vote for your own post." in flashed(client, client.post(url))
    assert row(app, Question, question_id).vote_count == 0
    assert row(app, Answer, answer_id).vote_count == 0
    assert rows(app, Vote) == []


# The list: filters, search, order, pages -----------------------------------------------------


def test_the_list_filters_unanswered_mine_and_by_lesson_page(app, learner, classmate, facilitator):
    mine = asked(learner, "Mine, about the first page", page_key=LESSON_KEY)
    asked(classmate, "Theirs, about another page", page_key=OTHER_LESSON_KEY)
    asked(classmate, "Theirs, about no page in particular")
    answered(facilitator, mine)

    def titles(query):
        return sorted(listed_titles(text_of(learner.get(f"{QA}/?{query}"))))

    assert titles("") == sorted(
        [
            "Mine, about the first page",
            "Theirs, about another page",
            "Theirs, about no page in particular",
        ]
    )
    assert titles("show=unanswered") == [
        "Theirs, about another page",
        "Theirs, about no page in particular",
    ]
    assert titles("show=mine") == ["Mine, about the first page"]
    assert titles(f"page_key={LESSON_KEY}") == ["Mine, about the first page"]
    assert titles(f"page_key={OTHER_LESSON_KEY}&show=mine") == []
    assert "No question matches. Try another search." in text_of(
        learner.get(f"{QA}/?page_key={OTHER_LESSON_KEY}&show=mine")
    )


def test_the_list_sorts_by_date_or_by_votes(app, learner, classmate, facilitator):
    first = asked(learner, "The first question asked")
    asked(learner, "The second question asked")
    asked(learner, "The third question asked")
    classmate.post(f"{QA}/{first}/vote")
    facilitator.post(f"{QA}/{first}/vote")
    newest_first = listed_titles(text_of(learner.get(f"{QA}/")))
    assert newest_first == [
        "The third question asked",
        "The second question asked",
        "The first question asked",
    ]
    by_votes = listed_titles(text_of(learner.get(f"{QA}/?sort=votes")))
    assert by_votes == [
        "The first question asked",
        "The third question asked",
        "The second question asked",
    ]


def test_search_finds_words_in_titles_and_bodies_whatever_their_case(app, learner, classmate):
    asked(learner, "Who signs the public statement?")
    asked(classmate, "Where do we meet next week?", body="Near the LIBRARY, I hope.")
    asked(classmate, "A question about something else")

    def titles(search):
        return sorted(listed_titles(text_of(learner.get(f"{QA}/", query_string={"q": search}))))

    assert titles("STATEMENT") == ["Who signs the public statement?"]
    assert titles("library") == ["Where do we meet next week?"]
    assert titles("nothing like this") == []


def test_search_takes_percent_and_underscore_literally(app, learner):
    asked(learner, "Can 50% of the team join the course?")
    asked(learner, "Is there a room for 50 people or more?")
    asked(learner, "What does the file_name field mean?")
    asked(learner, "What does the filename field mean?")
    response = learner.get(f"{QA}/", query_string={"q": "50%"})
    assert listed_titles(text_of(response)) == ["Can 50% of the team join the course?"]
    response = learner.get(f"{QA}/", query_string={"q": "file_name"})
    assert listed_titles(text_of(response)) == ["What does the file_name field mean?"]


def insert_questions(app, count, *, title="Budget question", author=None, cohort="a1", **extra):
    """Questions inserted directly, one minute apart, the last one newest."""
    with app_db(app) as session:
        cohort_id = session.scalar(db.select(Cohort.id).where(Cohort.slug == cohort))
        author_id = author or session.scalar(
            db.select(User.id).where(User.email == "learner@alpha.example")
        )
        start = utcnow() - timedelta(days=1)
        session.add_all(
            Question(
                cohort_id=cohort_id,
                author_id=author_id,
                title=f"{title} {number:02d}",
                body_md="",
                body_html="",
                created_at=start + timedelta(minutes=number),
                **extra,
            )
            for number in range(1, count + 1)
        )


def test_the_list_shows_25_questions_a_page_and_keeps_the_filters_across_pages(app, learner):
    insert_questions(app, 30)
    insert_questions(app, 2, title="Unrelated")
    first = text_of(learner.get(f"{QA}/?q=budget"))
    assert "30 questions" in first and "Page 1 of 2" in first
    assert listed_titles(first) == [f"Budget question {n:02d}" for n in range(30, 5, -1)]
    assert f'href="{QA}/?page=2&amp;q=budget&amp;show=all&amp;sort=new&amp;page_key="' in first
    second = text_of(learner.get(f"{QA}/?q=budget&page=2"))
    assert listed_titles(second) == [f"Budget question {n:02d}" for n in range(5, 0, -1)]
    assert "Page 2 of 2" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert listed_titles(text_of(learner.get(f"{QA}/?q=budget&page=9"))) == []


# Editing and deleting ----------------------------------------------------------------------------


def test_editing_ones_own_question_saves_it_and_shows_edited(app, learner):
    question_id = asked(learner, TITLE, body="First words.")
    form = text_of(learner.get(f"{QA}/{question_id}/edit"))
    assert 'name="version" type="hidden" value="1"' in form and "First words." in form
    assert "edited" not in text_of(learner.get(f"{QA}/{question_id}"))
    response = learner.post(
        f"{QA}/{question_id}/edit",
        data={
            "title": "How do we start the profile, step by step?",
            "body": "Better words.",
            "page_key": LESSON_KEY,
            "version": "1",
        },
    )
    body = flashed(learner, response)
    assert "Your question is saved." in body
    assert "How do we start the profile, step by step?" in body and "Better words." in body
    assert "<span>edited</span>" in body
    question = row(app, Question, question_id)
    assert (question.version, question.page_key) == (2, LESSON_KEY)
    assert question.edited_at is not None


def test_editing_ones_own_answer_saves_it_and_shows_edited(app, learner, facilitator):
    question_id = asked(learner, TITLE)
    answer_id = answered(facilitator, question_id, "First answer.")
    assert "First answer." in text_of(facilitator.get(f"{QA}/answers/{answer_id}/edit"))
    response = facilitator.post(
        f"{QA}/answers/{answer_id}/edit", data={"body": "Second answer.", "version": "1"}
    )
    body = flashed(facilitator, response)
    assert "Your answer is saved." in body
    assert "Second answer." in body and "First answer." not in body
    assert "<span>edited</span>" in body
    assert row(app, Answer, answer_id).version == 2


def test_nobody_edits_or_deletes_someone_elses_post(app, learner, classmate, facilitator):
    question_id = asked(learner, TITLE, body="Untouched.")
    answer_id = answered(classmate, question_id, "Untouched answer.")
    for client in (classmate, facilitator):
        assert client.get(f"{QA}/{question_id}/edit").status_code == 403
        response = client.post(
            f"{QA}/{question_id}/edit",
            data={"title": "Changed by someone else", "body": "x", "version": "1"},
        )
        assert response.status_code == 403
        assert client.post(f"{QA}/{question_id}/delete").status_code == 403
    for client in (learner, facilitator):
        assert client.get(f"{QA}/answers/{answer_id}/edit").status_code == 403
        response = client.post(
            f"{QA}/answers/{answer_id}/edit", data={"body": "Changed", "version": "1"}
        )
        assert response.status_code == 403
        assert client.post(f"{QA}/answers/{answer_id}/delete").status_code == 403
    assert (row(app, Question, question_id).title, row(app, Question, question_id).version) == (
        TITLE,
        1,
    )
    assert row(app, Answer, answer_id).body_md == "Untouched answer."


def test_a_stale_question_edit_gives_409_and_keeps_the_text(app, learner):
    question_id = asked(learner, TITLE, body="Original.")
    saved = {"title": "The edit saved in another tab", "body": "Other tab.", "version": "1"}
    assert learner.post(f"{QA}/{question_id}/edit", data=saved).status_code == 302
    stale = {"title": "The edit from the old tab", "body": "My careful new text.", "version": "1"}
    response = learner.post(f"{QA}/{question_id}/edit", data=stale)
    assert response.status_code == 409
    body = text_of(response)
    assert "Someone else changed this post while you were editing it." in body
    assert 'value="The edit from the old tab"' in body and "My careful new text." in body
    question = row(app, Question, question_id)
    assert (question.title, question.body_md, question.version) == (
        "The edit saved in another tab",
        "Other tab.",
        2,
    )


def test_a_stale_answer_edit_gives_409_and_keeps_the_text(app, learner, facilitator):
    question_id = asked(learner, TITLE)
    answer_id = answered(facilitator, question_id, "Original.")
    url = f"{QA}/answers/{answer_id}/edit"
    assert facilitator.post(url, data={"body": "Other tab.", "version": "1"}).status_code == 302
    response = facilitator.post(url, data={"body": "My careful new text.", "version": "1"})
    assert response.status_code == 409
    assert "Someone else changed this post" in text_of(response)
    assert "My careful new text." in text_of(response)
    assert row(app, Answer, answer_id).body_md == "Other tab."


def test_a_question_without_answers_can_be_deleted(app, learner):
    question_id = asked(learner, TITLE)
    response = learner.post(f"{QA}/{question_id}/delete")
    assert response.headers["Location"] == f"{QA}/"
    assert "Your question is deleted." in flashed(learner, response)
    assert rows(app, Question) == [] and rows(app, Follow) == []
    assert learner.get(f"{QA}/{question_id}").status_code == 404


def test_a_question_with_answers_cannot_be_deleted(app, learner, facilitator):
    question_id = asked(learner, TITLE)
    answered(facilitator, question_id)
    assert "Delete your question?" not in text_of(learner.get(f"{QA}/{question_id}"))
    body = flashed(learner, learner.post(f"{QA}/{question_id}/delete"))
    assert "A question that has answers cannot be deleted. You can still edit it." in body
    assert len(rows(app, Question)) == 1


def test_a_question_whose_only_answer_is_hidden_still_cannot_be_deleted(app, learner, facilitator):
    question_id = asked(learner, TITLE)
    answer_id = answered(facilitator, question_id)
    facilitator.post(f"{QA}/answers/{answer_id}/hide", data={"hidden": "1"})
    learner.post(f"{QA}/{question_id}/delete")
    assert len(rows(app, Question)) == 1 and len(rows(app, Answer)) == 1


# Reflect first -----------------------------------------------------------------------------


def test_a_reflection_prompt_shows_the_others_answers_after_ones_own(
    app, learner, classmate, facilitator
):
    question_id = asked(facilitator, "What does interculturality mean in your city?")
    page = text_of(learner.get(f"{QA}/{question_id}"))
    assert "Make it a reflect-first prompt" not in page
    response = facilitator.post(f"{QA}/{question_id}/reflection-prompt", data={"value": "1"})
    assert "Learners now see the other answers only after posting their own." in flashed(
        facilitator, response
    )
    answered(classmate, question_id, "The view of the classmate: their own view.")

    before = text_of(learner.get(f"{QA}/{question_id}"))
    assert "Reflect first: write your own answer before reading the others." in before
    assert "1 colleague has answered. Post your own answer to read theirs." in before
    assert "own view" not in before
    assert '<span class="tag">reflect first</span>' in text_of(learner.get(f"{QA}/"))
    assert "own view" in text_of(facilitator.get(f"{QA}/{question_id}"))

    answered(learner, question_id, "The view of the learner.")
    after = text_of(learner.get(f"{QA}/{question_id}"))
    assert "their own view." in after and "The view of the learner." in after
    assert "Post your own answer to read theirs." not in after


def test_ending_reflect_first_shows_every_answer_again(app, learner, classmate, facilitator):
    question_id = asked(facilitator, "What does interculturality mean in your city?")
    facilitator.post(f"{QA}/{question_id}/reflection-prompt", data={"value": "1"})
    answered(classmate, question_id, "The view of the classmate.")
    assert "view of the classmate" not in text_of(learner.get(f"{QA}/{question_id}"))
    response = facilitator.post(f"{QA}/{question_id}/reflection-prompt", data={"value": "0"})
    assert "Everyone sees every answer again." in flashed(facilitator, response)
    assert not row(app, Question, question_id).is_reflection_prompt
    assert "view of the classmate" in text_of(learner.get(f"{QA}/{question_id}"))


def login_again(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def test_a_learner_cannot_turn_on_reflect_first(app, learner, facilitator):
    question_id = asked(facilitator, "What does interculturality mean in your city?")
    response = learner.post(f"{QA}/{question_id}/reflection-prompt", data={"value": "1"})
    assert response.status_code == 403
    assert not row(app, Question, question_id).is_reflection_prompt


# Following and emails ----------------------------------------------------------------------------


def test_the_author_follows_their_question_and_may_stop(app, learner):
    question_id = asked(learner, TITLE)
    assert [f.user_id for f in rows(app, Follow)] == [user_id(app, "learner@alpha.example")]
    assert 'aria-pressed="true">Stop following' in text_of(learner.get(f"{QA}/{question_id}"))
    body = flashed(learner, learner.post(f"{QA}/{question_id}/follow"))
    assert "You no longer follow this question." in body
    assert 'aria-pressed="false">Follow' in body
    assert rows(app, Follow) == []


def test_followers_get_one_email_per_new_answer_but_not_for_their_own(
    app, learner, classmate, facilitator
):
    question_id = asked(learner, TITLE)
    body = flashed(classmate, classmate.post(f"{QA}/{question_id}/follow"))
    assert "You follow this question: you will get an email for each new answer." in body

    answered(facilitator, question_id, "Start with the **council**.")
    messages = outbox(app)
    assert sorted(m.to_address for m in messages) == [CLASSMATE, "learner@alpha.example"]
    to_learner = next(m for m in messages if m.to_address == "learner@alpha.example")
    assert to_learner.subject == f"New answer: {TITLE}"
    assert "Hello Lee Learner," in to_learner.body_text
    assert "Fran Facilitator answered a question you follow:" in to_learner.body_text
    assert "Start with the **council**." in to_learner.body_text
    assert f"http://cohort.test{QA}/{question_id}" in to_learner.body_text
    assert "<strong>council</strong>" in to_learner.body_html

    answered(learner, question_id, "Thank you, I will.")
    assert [m.to_address for m in outbox(app)[2:]] == [CLASSMATE]
    classmate.post(f"{QA}/{question_id}/follow")  # stops following
    answered(facilitator, question_id, "One more thing.")
    assert [m.to_address for m in outbox(app)[3:]] == ["learner@alpha.example"]


def test_a_reflection_prompt_is_not_read_by_email_before_ones_own_answer(
    app, learner, classmate, facilitator
):
    question_id = asked(facilitator, "What does interculturality mean in your city?")
    facilitator.post(f"{QA}/{question_id}/reflection-prompt", data={"value": "1"})
    learner.post(f"{QA}/{question_id}/follow")
    answered(classmate, question_id, "The view of the classmate.")
    app.test_cli_runner().invoke(args=["notifications", "digest"])
    to_facilitator = [m for m in outbox(app) if m.to_address == "facilitator@alpha.example"]
    assert len(to_facilitator) == 1 and "view of the classmate" in to_facilitator[0].body_text
    to_learner = [m for m in outbox(app) if m.to_address == "learner@alpha.example"]
    assert not [m for m in to_learner if "view of the classmate" in m.body_text + m.body_html]

    answered(learner, question_id, "The view of the learner.")
    answered(classmate, question_id, "A second view of the classmate.")
    to_learner = [m for m in outbox(app) if m.to_address == "learner@alpha.example"]
    assert [m for m in to_learner if "A second view of the classmate." in m.body_text]


def test_someone_removed_from_the_cohort_gets_no_more_answers_by_email(
    app, learner, classmate, facilitator, login_as, world
):
    question_id = asked(learner, TITLE)
    classmate.post(f"{QA}/{question_id}/follow")
    with app_db(app) as session:
        enrollment_id = session.scalar(
            db.select(Enrollment.id).join(Enrollment.user).where(User.email == CLASSMATE)
        )
    coordinator = login_as(world.coordinator)
    assert (
        coordinator.post(f"/c/alpha/manage/cohorts/a1/enrollments/{enrollment_id}/remove")
    ).status_code == 302
    assert classmate.get(f"{QA}/{question_id}").status_code == 404
    answered(facilitator, question_id, "An answer the classmate may no longer read.")
    app.test_cli_runner().invoke(args=["notifications", "digest"])
    assert [m.to_address for m in outbox(app)] == ["learner@alpha.example"]


def test_a_follower_who_chose_the_digest_gets_one_digest_email(
    app, learner, classmate, facilitator
):
    set_user(app, CLASSMATE, wants_digest=True)
    question_id = asked(learner, TITLE)
    other_id = asked(learner, "Another question the classmate follows")
    for followed in (question_id, other_id):
        classmate.post(f"{QA}/{followed}/follow")
    answered(facilitator, question_id, "First answer.")
    answered(facilitator, question_id, "Second answer.")
    answered(facilitator, other_id, "Third answer.")
    assert CLASSMATE not in {m.to_address for m in outbox(app)}

    runner = app.test_cli_runner()
    result = runner.invoke(args=["notifications", "digest"])
    assert result.exit_code == 0, result.output
    assert "1 digest email(s) queued" in result.output
    digests = [m for m in outbox(app) if m.to_address == CLASSMATE]
    assert len(digests) == 1
    digest = digests[0]
    assert digest.subject == "New answers to the questions you follow"
    assert "Hello Cam Classmate," in digest.body_text
    assert f"{TITLE}\n2 new answers: http://cohort.test{QA}/{question_id}" in digest.body_text
    assert f"1 new answer: http://cohort.test{QA}/{other_id}" in digest.body_text

    result = runner.invoke(args=["notifications", "digest"])
    assert "0 digest email(s) queued" in result.output
    assert len([m for m in outbox(app) if m.to_address == CLASSMATE]) == 1


def test_emails_are_in_the_followers_language(
    app, learner, facilitator, make_user, add_role, login_as
):
    make_user("francoise@alpha.example", "Françoise", locale="fr")
    add_role("francoise@alpha.example", "alpha", "learner", "a1")
    question_id = asked(learner, TITLE)
    login_as("francoise@alpha.example").post(f"{QA}/{question_id}/follow")
    answered(facilitator, question_id, "Start with the council.")
    to_french = next(m for m in outbox(app) if m.to_address == "francoise@alpha.example")
    to_english = next(m for m in outbox(app) if m.to_address == "learner@alpha.example")
    assert "Bonjour Françoise," in to_french.body_text
    assert 'lang="fr"' in to_french.body_html
    assert "Ce message a été envoyé par la plateforme" in to_french.body_html
    assert "Hello Lee Learner," in to_english.body_text
    assert to_french.subject == f"Nouvelle réponse : {TITLE}"


def test_the_digest_is_in_the_language_of_the_followers_cohort(app, login_as, world):
    """Beta's learner has chosen no language: beta's cohort is French, so are their emails."""
    set_user(app, world.learner_b, wants_digest=True)
    beta = "/c/beta/cohorts/b1/qa"
    question_id = asked(login_as(world.learner_b), TITLE, base=beta)
    answered(login_as(world.coordinator_b), question_id, "Une réponse.", base=beta)
    assert outbox(app) == []
    app.test_cli_runner().invoke(args=["notifications", "digest"])
    (digest,) = outbox(app)
    assert "Bonjour Bruno Apprenant," in digest.body_text


def test_the_immediate_email_is_in_the_language_of_the_followers_cohort(app, login_as, world):
    beta = "/c/beta/cohorts/b1/qa"
    question_id = asked(login_as(world.learner_b), TITLE, base=beta)
    answered(login_as(world.coordinator_b), question_id, "Une réponse.", base=beta)
    (email,) = outbox(app)
    assert "Bonjour Bruno Apprenant," in email.body_text


# Moderation --------------------------------------------------------------------------------------


def test_flagging_records_the_reason_once_per_person(app, learner, classmate):
    question_id = asked(learner, TITLE)
    url = f"{QA}/{question_id}/flag"
    body = flashed(classmate, classmate.post(url, data={"reason": "spam", "comment": " Ads "}))
    assert "Thank you. A facilitator will look at it." in body
    body = flashed(classmate, classmate.post(url, data={"reason": "offensive", "comment": "x"}))
    assert "You have already flagged this. A facilitator will look at it." in body
    (flag,) = rows(app, Flag)
    assert (flag.post_kind, flag.post_id, flag.reason, flag.comment) == (
        "question",
        question_id,
        "spam",
        "Ads",
    )


def test_a_flag_needs_a_known_reason(app, learner, classmate):
    question_id = asked(learner, TITLE)
    response = classmate.post(f"{QA}/{question_id}/flag", data={"reason": "boring"})
    assert "Choose a reason for the flag." in flashed(classmate, response)
    assert rows(app, Flag) == []


def test_facilitators_see_the_flag_queue_and_learners_do_not(app, learner, classmate, facilitator):
    question_id = asked(learner, TITLE, body="Question body.")
    answer_id = answered(learner, question_id, "Buy cheap watches here.")
    classmate.post(f"{QA}/answers/{answer_id}/flag", data={"reason": "spam", "comment": "Ads"})
    assert classmate.get(f"{QA}/flags").status_code == 403
    assert "Flag queue (1 open)" in text_of(facilitator.get(f"{QA}/"))
    queue = text_of(facilitator.get(f"{QA}/flags"))
    assert "Spam or advertising" in queue and "flagged by Cam Classmate" in queue
    assert "Buy cheap watches here." in queue and "Ads" in queue
    assert f'href="{QA}/{question_id}#answer-{answer_id}"' in queue


def test_hiding_a_question_removes_it_for_learners_only(app, learner, classmate, facilitator):
    question_id = asked(learner, TITLE, page_key=LESSON_KEY)
    answer_id = answered(classmate, question_id)
    classmate.post(f"{QA}/{question_id}/flag", data={"reason": "off_topic"})
    response = facilitator.post(f"{QA}/{question_id}/hide", data={"hidden": "1"})
    assert "The question is hidden from learners." in flashed(facilitator, response)
    assert row(app, Question, question_id).is_hidden
    for client in (learner, classmate):
        assert client.get(f"{QA}/{question_id}").status_code == 404
        assert listed_titles(text_of(client.get(f"{QA}/"))) == []
        assert html.escape(TITLE) not in text_of(client.get(LESSON_URL))
        assert client.post(f"{QA}/answers/{answer_id}/vote").status_code == 404
    assert post_answer(classmate, question_id).status_code == 404
    page = text_of(facilitator.get(f"{QA}/{question_id}"))
    assert HIDDEN_TAG in page and "Show to learners again" in page
    assert listed_titles(text_of(facilitator.get(f"{QA}/"))) == [TITLE]
    assert "No open flags." in text_of(facilitator.get(f"{QA}/flags"))

    response = facilitator.post(f"{QA}/{question_id}/hide", data={"hidden": "0"})
    assert "The question is visible again." in flashed(facilitator, response)
    assert learner.get(f"{QA}/{question_id}").status_code == 200
    assert listed_titles(text_of(learner.get(f"{QA}/"))) == [TITLE]


def test_hiding_an_answer_removes_it_for_learners_only(app, learner, classmate, facilitator):
    question_id = asked(learner, TITLE)
    answer_id = answered(classmate, question_id, "An answer to hide.")
    facilitator.post(f"{QA}/answers/{answer_id}/hide", data={"hidden": "1"})
    page = text_of(learner.get(f"{QA}/{question_id}"))
    assert "An answer to hide." not in page and "0 answers" in page
    assert "0 answers" in text_of(learner.get(f"{QA}/"))
    assert learner.post(f"{QA}/answers/{answer_id}/vote").status_code == 404
    assert learner.post(f"{QA}/answers/{answer_id}/accept").status_code == 404
    moderator_page = text_of(facilitator.get(f"{QA}/{question_id}"))
    assert "An answer to hide." in moderator_page and HIDDEN_TAG in moderator_page
    facilitator.post(f"{QA}/answers/{answer_id}/hide", data={"hidden": "0"})
    assert "An answer to hide." in text_of(learner.get(f"{QA}/{question_id}"))
    assert row(app, Question, question_id).answer_count == 1


def test_dismissing_a_flag_empties_the_queue_and_leaves_the_post(
    app, learner, classmate, facilitator
):
    question_id = asked(learner, TITLE)
    classmate.post(f"{QA}/{question_id}/flag", data={"reason": "other", "comment": "Hmm"})
    (flag,) = rows(app, Flag)
    assert classmate.post(f"{QA}/flags/{flag.id}/dismiss").status_code == 403
    response = facilitator.post(f"{QA}/flags/{flag.id}/dismiss")
    assert response.headers["Location"] == f"{QA}/flags"
    body = flashed(facilitator, response)
    assert "The flag is dismissed; the post stays visible." in body
    assert "No open flags. Nothing needs your attention." in body
    assert row(app, Flag, flag.id).resolved_at is not None
    assert learner.get(f"{QA}/{question_id}").status_code == 200


def test_every_moderation_action_is_in_the_audit_log(app, learner, classmate, facilitator):
    question_id = asked(learner, TITLE)
    answer_id = answered(classmate, question_id)
    classmate.post(f"{QA}/{question_id}/flag", data={"reason": "spam"})
    (flag,) = rows(app, Flag)
    actions = [
        (f"{QA}/flags/{flag.id}/dismiss", {}),
        (f"{QA}/{question_id}/hide", {"hidden": "1"}),
        (f"{QA}/{question_id}/hide", {"hidden": "0"}),
        (f"{QA}/answers/{answer_id}/hide", {"hidden": "1"}),
        (f"{QA}/answers/{answer_id}/hide", {"hidden": "0"}),
        (f"{QA}/answers/{answer_id}/endorse", {}),
        (f"{QA}/answers/{answer_id}/endorse", {}),
        (f"{QA}/answers/{answer_id}/accept", {}),
        (f"{QA}/answers/{answer_id}/accept", {}),
        (f"{QA}/{question_id}/reflection-prompt", {"value": "1"}),
        (f"{QA}/{question_id}/reflection-prompt", {"value": "0"}),
    ]
    for url, data in actions:
        assert facilitator.post(url, data=data).status_code == 302, url
    fran = "facilitator@alpha.example"
    assert audit_events(app) == [
        ("qa.flag_dismissed", fran, f"question {question_id}"),
        ("qa.hidden", fran, f"question {question_id}"),
        ("qa.unhidden", fran, f"question {question_id}"),
        ("qa.hidden", fran, f"answer {answer_id}"),
        ("qa.unhidden", fran, f"answer {answer_id}"),
        ("qa.answer_endorsed", fran, f"answer {answer_id}"),
        ("qa.answer_unendorsed", fran, f"answer {answer_id}"),
        ("qa.answer_accepted", fran, f"answer {answer_id}"),
        ("qa.answer_unaccepted", fran, f"answer {answer_id}"),
        ("qa.reflection_prompt_on", fran, f"question {question_id}"),
        ("qa.reflection_prompt_off", fran, f"question {question_id}"),
    ]
    log = text_of(login_again(app, "coordinator@alpha.example").get("/c/alpha/manage/audit"))
    assert "<code>qa.flag_dismissed</code>" in log and f"answer {answer_id}" in log


# Safety ------------------------------------------------------------------------------------------


def test_a_double_submitted_question_is_posted_once(app, learner):
    first = ask(learner, TITLE, submission_key="same-form")
    second = ask(learner, TITLE, submission_key="same-form")
    assert first.headers["Location"] == second.headers["Location"]
    assert len(rows(app, Question)) == 1 and len(rows(app, Follow)) == 1


def test_a_double_submitted_answer_is_posted_once(app, learner, facilitator):
    question_id = asked(learner, TITLE)
    first = post_answer(facilitator, question_id, submission_key="same-form")
    second = post_answer(facilitator, question_id, submission_key="same-form")
    assert first.headers["Location"] == second.headers["Location"]
    assert len(rows(app, Answer)) == 1
    assert row(app, Question, question_id).answer_count == 1
    assert len(outbox(app)) == 1


def test_another_cohorts_question_is_not_found_even_in_the_same_city(
    app, learner, facilitator, other_learner
):
    question_id = asked(learner, TITLE)
    answer_id = answered(facilitator, question_id)
    assert other_learner.get(f"{QA}/{question_id}").status_code == 404
    assert other_learner.get(f"{QA}/").status_code == 404
    for method, path in (
        ("GET", f"{QA_A2}/{question_id}"),
        ("POST", f"{QA_A2}/{question_id}/answers"),
        ("POST", f"{QA_A2}/{question_id}/vote"),
        ("POST", f"{QA_A2}/{question_id}/follow"),
        ("POST", f"{QA_A2}/{question_id}/flag"),
        ("POST", f"{QA_A2}/answers/{answer_id}/vote"),
        ("POST", f"{QA_A2}/answers/{answer_id}/flag"),
    ):
        response = other_learner.open(
            path, method=method, data={"body": "Hello from a2", "reason": "spam"}
        )
        assert response.status_code == 404, f"{method} {path}"
    assert listed_titles(text_of(other_learner.get(f"{QA_A2}/"))) == []
    assert len(rows(app, Answer)) == 1 and rows(app, Vote) == [] and rows(app, Flag) == []
    assert len(rows(app, Follow)) == 1


def test_a_closed_cohort_is_read_only(app, learner, classmate, facilitator):
    question_id = asked(learner, TITLE)
    answer_id = answered(facilitator, question_id, "Posted while open.")
    set_cohort(app, status="closed")
    refusal = "This cohort is not open: its questions can be read but not changed."

    response = learner.get(f"{QA}/ask")
    assert response.status_code == 302 and refusal in flashed(learner, response)
    assert refusal in flashed(learner, ask(learner, "A question after the end"))
    assert refusal in flashed(classmate, post_answer(classmate, question_id, "Too late."))
    assert refusal in flashed(classmate, classmate.post(f"{QA}/{question_id}/vote"))
    assert refusal in flashed(learner, learner.post(f"{QA}/answers/{answer_id}/accept"))
    edit = {"title": "Changed after the end", "body": "x", "version": "1"}
    assert refusal in flashed(learner, learner.post(f"{QA}/{question_id}/edit", data=edit))
    assert refusal in flashed(learner, learner.post(f"{QA}/{question_id}/delete"))

    assert [q.title for q in rows(app, Question)] == [TITLE]
    assert [a.body_md for a in rows(app, Answer)] == ["Posted while open."]
    assert rows(app, Vote) == [] and row(app, Question, question_id).accepted_answer_id is None
    page = text_of(classmate.get(f"{QA}/{question_id}"))
    assert "Posted while open." in page and refusal in page
    assert "Post the answer" not in page and "Vote for this" not in page
    assert "Ask a question" not in text_of(learner.get(f"{QA}/"))


# Bounded queries ---------------------------------------------------------------------------------


def insert_people(app, count, prefix) -> list[int]:
    with app_db(app) as session:
        people = [
            User(email=f"{prefix}{n}@alpha.example", name=f"Person {prefix}{n}")
            for n in range(count)
        ]
        session.add_all(people)
        session.flush()
        return [person.id for person in people]


def insert_answers(app, question_id, authors) -> None:
    with app_db(app) as session:
        start = utcnow()
        session.add_all(
            Answer(
                question_id=question_id,
                author_id=author,
                body_md=f"Answer {n}",
                body_html=f"<p>Answer {n}</p>",
                created_at=start + timedelta(seconds=n),
                vote_count=n % 3,
            )
            for n, author in enumerate(authors)
        )
        question = session.get(Question, question_id)
        question.answer_count += len(authors)


def statements_for(count_queries, client, url) -> int:
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("viewer", ["learner", "facilitator"])
def test_the_question_page_runs_as_many_queries_for_200_answers_as_for_5(
    app, request, viewer, count_queries, learner, facilitator
):
    client = request.getfixturevalue(viewer)
    question_id = asked(learner, TITLE)
    authors = insert_people(app, 200, "answerer")
    insert_answers(app, question_id, authors[:5])
    url = f"{QA}/{question_id}"
    with_five = statements_for(count_queries, client, url)
    assert text_of(client.get(url)).count('class="post post--answer') == 5
    insert_answers(app, question_id, authors[5:])
    assert text_of(client.get(url)).count('class="post post--answer') == 200
    assert statements_for(count_queries, client, url) == with_five


@pytest.mark.parametrize("viewer", ["learner", "facilitator"])
def test_the_list_runs_as_many_queries_for_60_questions_as_for_5(
    app, request, viewer, count_queries, learner, facilitator
):
    client = request.getfixturevalue(viewer)
    authors = insert_people(app, 60, "asker")
    for number, author in enumerate(authors[:5]):
        insert_questions(app, 1, title=f"Early {number}", author=author, page_key=LESSON_KEY)
    with_five = statements_for(count_queries, client, f"{QA}/")
    for number, author in enumerate(authors[5:]):
        insert_questions(app, 1, title=f"Later {number}", author=author, page_key=LESSON_KEY)
    assert "60 questions" in text_of(client.get(f"{QA}/"))
    assert statements_for(count_queries, client, f"{QA}/") == with_five
    assert statements_for(count_queries, client, f"{QA}/?page=3") == with_five
