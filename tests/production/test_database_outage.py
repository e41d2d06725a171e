"""When the database goes away, pages answer a translated 503; when it returns, so does the app."""

from cohortapp import create_app
from cohortapp.extensions import db
from tests.conftest import config_for_tests, login
from tests.production.pg import add_user, fresh_postgres_database
from tests.production.tcp_proxy import TcpRelay


def test_app_answers_503_while_postgres_is_down_and_recovers_by_itself():
    relay = TcpRelay("127.0.0.1", 5432)
    relay.start()
    with fresh_postgres_database("cohortapp_outage") as url:
        through_relay = url.set(host="127.0.0.1", port=relay.port).render_as_string(
            hide_password=False
        )
        app = create_app(
            {
                **config_for_tests(through_relay),
                "SQLALCHEMY_ENGINE_OPTIONS": {
                    "pool_pre_ping": True,
                    "connect_args": {"connect_timeout": 2},
                },
            }
        )
        with app.app_context():
            db.create_all()
            add_user("lee@alpha.example", "Lee")
            db.session.commit()
        client = app.test_client()
        assert login(client, "lee@alpha.example").status_code == 302
        assert client.get("/healthz").status_code == 200

        relay.stop()
        health = client.get("/healthz")
        assert health.status_code == 503 and health.get_json()["database"] == "unavailable"
        page = client.get("/account", headers={"Accept-Language": "fr"})
        assert page.status_code == 503
        body = page.get_data(as_text=True)
        assert "Traceback" not in body
        assert "momentanément indisponible" in body

        relay.start()
        assert client.get("/healthz").status_code == 200
        assert client.get("/account").status_code == 200, "the signed-in session goes on"
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    relay.stop()
