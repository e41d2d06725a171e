from playwright.sync_api import expect

from cohortapp.auth.models import Invitation
from cohortapp.extensions import db
from tests.conftest import app_db


def test_coordinator_enrols_people_from_a_spreadsheet(
    app, page, live_server, world, sign_in, assert_accessible, tmp_path
):
    spreadsheet = tmp_path / "staff.csv"
    spreadsheet.write_text(
        "courriel;nom;cohorte;rôle\n"
        "amina.haddad@alpha.example;Amina Haddad;a1;apprenante\n"
        f"{world.learner};Lee Learner;a1;learner\n"
        "not-an-address;Nobody;a1;learner\n",
        encoding="utf-8-sig",
    )
    sign_in(page, world.coordinator)
    page.goto(f"{live_server}/c/alpha/manage/")
    page.get_by_role("link", name="Enrol from a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrol from a spreadsheet")
    assert_accessible(page, "upload page")

    page.get_by_label("Spreadsheet (CSV)").set_input_files(spreadsheet)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the enrolment")
    table = page.get_by_role("table", name="Every row of the file")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("amina.haddad@alpha.example")
    expect(rows.nth(0)).to_contain_text("new: will be invited")
    expect(rows.nth(1)).to_contain_text("already enrolled or invited")
    expect(rows.nth(2)).to_contain_text("error: not a valid email address")
    assert_accessible(page, "preview page")
    with app_db(app) as session:
        assert session.scalar(db.select(db.func.count(Invitation.id))) == 0

    page.get_by_role("button", name="Confirm: apply 1 row").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrolment done")
    expect(page.get_by_text("1 invitation sent")).to_be_visible()
    expect(page.get_by_text("1 row rejected")).to_be_visible()
    assert_accessible(page, "summary page")
    with app_db(app) as session:
        invitation = session.scalar(db.select(Invitation))
    assert (invitation.email, invitation.name) == ("amina.haddad@alpha.example", "Amina Haddad")
