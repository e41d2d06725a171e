"""The cohort Q&A in a real browser: a learner asks, a facilitator answers, the learner accepts."""

from playwright.sync_api import expect

QA = "/c/alpha/cohorts/a1/qa/"
TITLE = "How do we start the intercultural profile?"
ANSWER = "Begin with the public statement of the council."


def test_learner_asks_facilitator_answers_and_learner_accepts(
    page, browser, live_server, world, sign_in, assert_accessible
):
    sign_in(page, world.learner)
    page.goto(f"{live_server}{QA}")
    expect(page.get_by_text("No questions yet. Be the first to ask one.")).to_be_visible()
    assert_accessible(page, "empty question list")

    page.get_by_role("link", name="Ask a question").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask a question")
    assert_accessible(page, "ask form")
    page.get_by_role("button", name="Post the question").click()
    expect(page.get_by_role("alert")).to_contain_text("Write your question.")
    assert_accessible(page, "ask form with errors")

    page.get_by_label("Your question, in one sentence").fill(TITLE)
    page.get_by_label("Details").fill("We meet the council in **two weeks**.")
    page.get_by_label("About the lesson page").select_option("welcome/how-the-course-works")
    page.get_by_role("button", name="Post the question").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("Your question is posted.")).to_be_visible()
    question_url = page.url

    facilitator_context = browser.new_context()
    try:
        facilitator = facilitator_context.new_page()
        sign_in(facilitator, world.facilitator)
        facilitator.goto(f"{live_server}{QA}")
        facilitator.get_by_role("link", name=TITLE).click()
        facilitator.get_by_role("textbox", name="Your answer").fill(ANSWER)
        facilitator.get_by_role("button", name="Post the answer").click()
        expect(facilitator.get_by_text("Your answer is posted.")).to_be_visible()
        assert_accessible(facilitator, "question page with an answer, as a facilitator")
    finally:
        facilitator_context.close()

    page.goto(question_url)
    expect(page.get_by_role("heading", name="1 answer")).to_be_visible()
    answer = page.get_by_role("article", name="Answer by Fran Facilitator")
    expect(answer).to_contain_text(ANSWER)
    assert_accessible(page, "question page with an answer")
    answer.get_by_role("button", name="Accept this answer").click()
    expect(page.get_by_text("The answer is marked as accepted.")).to_be_visible()
    answer = page.get_by_role("article", name="Answer by Fran Facilitator")
    expect(answer.get_by_text("Accepted answer")).to_be_visible()
    expect(answer.get_by_role("button", name="Withdraw acceptance")).to_be_visible()
    assert_accessible(page, "question page with an accepted answer")

    page.goto(f"{live_server}{QA}")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    expect(page.get_by_text("1 answer", exact=False).first).to_be_visible()
    assert_accessible(page, "question list")
