from cohortapp.auth.models import User
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.extensions import db
from cohortapp.lessons.models import PageProgress, Response
from tests.conftest import app_db, login


def run_demo(app, *args):
    return app.test_cli_runner().invoke(args=["demo", *args])


def counts(app):
    with app_db(app) as session:
        return tuple(
            session.scalar(db.select(db.func.count()).select_from(model))
            for model in (User, Cohort, Enrollment, PageProgress, Response)
        )


def test_demo_creates_the_documented_accounts_and_is_idempotent(app):
    assert run_demo(app).exit_code == 0
    first = counts(app)
    assert first[0] == 1 + 2 * 14  # admin, then per city a coordinator, a facilitator, 12 learners
    assert first[1] == 4
    assert run_demo(app).exit_code == 0
    assert counts(app) == first


def test_demo_if_empty_leaves_an_existing_database_alone(app, make_user):
    make_user("someone@else.example")
    result = run_demo(app, "--if-empty")
    assert "not loaded" in result.output
    assert counts(app)[1] == 0


def test_demo_refuses_to_run_in_production(app):
    app.config["ENV_NAME"] = "production"
    try:
        result = run_demo(app)
    finally:
        app.config["ENV_NAME"] = "development"
    assert result.exit_code != 0 and "refuses to run in production" in result.output


def test_demo_learner_sees_rivertown_but_not_villeneuve(app, client):
    run_demo(app)
    assert login(client, "learner1@rivertown.example", "intercultural").status_code == 302
    assert client.get("/c/rivertown/").status_code == 200
    assert client.get("/c/villeneuve/").status_code == 404


def test_demo_gives_learners_varied_progress(app, client):
    run_demo(app)
    login(client, "learner4@rivertown.example", "intercultural")
    assert "100% complete" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login(client, "learner1@rivertown.example", "intercultural")
    assert "0% complete" in client.get("/").get_data(as_text=True)
    with app_db(app) as session:
        assert session.scalar(db.select(db.func.count()).select_from(Response)) > 20
