from playwright.sync_api import expect


def test_facilitator_dashboard_is_accessible_and_reminds(
    page, live_server, cohort, sign_in, assert_accessible
):
    sign_in(page, cohort.facilitator)
    page.goto(f"{live_server}/c/alpha/cohorts/a1/")
    page.get_by_role("link", name="Progress dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard: Alpha One")
    assert_accessible(page, "facilitator dashboard")
    page.get_by_role("button", name="Send a reminder to every stalled learner").click()
    expect(page.get_by_text("2 reminders sent.")).to_be_visible()
    assert_accessible(page, "dashboard filtered on stalled learners")
    page.get_by_role("link", name="Sam Stalled").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Stalled")
    assert_accessible(page, "learner detail")


def test_coordinator_city_dashboard_is_accessible(
    page, live_server, cohort, sign_in, assert_accessible
):
    sign_in(page, cohort.coordinator)
    page.goto(f"{live_server}/c/alpha/manage/")
    expect(page.get_by_role("heading", level=2, name="Completion over time")).to_be_visible()
    assert_accessible(page, "city dashboard")
