from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from cohortapp.extensions import db
from cohortapp.mail.models import OutboxMessage
from cohortapp.mail.services import send_due_messages
from cohortapp.sqltypes import utcnow
from tests.conftest import app_db, free_port


class Recorder:
    """An SMTP server's handler: keeps what it receives; can refuse the first N messages."""

    def __init__(self, refuse_first: int = 0):
        self.refuse_left = refuse_first
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_left:
            self.refuse_left -= 1
            return "451 Requested action aborted: try again later"
        self.received.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp_server(app):
    def start(refuse_first=0):
        handler = Recorder(refuse_first)
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        return handler

    started = []
    yield start
    for controller in started:
        controller.stop()
    app.config.update(MAIL_SERVER=None, MAIL_PORT=25)


def queue(app, to="someone@alpha.example") -> int:
    with app_db(app) as session:
        message = OutboxMessage(
            to_address=to, subject="Hello", body_text="Plain", body_html="<p>Rich</p>"
        )
        session.add(message)
        session.flush()
        return message.id


def reload(app, message_id) -> OutboxMessage:
    with app_db(app) as session:
        return session.get(OutboxMessage, message_id)


def test_outbox_delivers_text_and_html_to_a_real_smtp_server(app, smtp_server):
    server = smtp_server()
    message_id = queue(app)
    with app.app_context():
        assert send_due_messages() == (1, 0)
    assert len(server.received) == 1
    envelope = server.received[0]
    assert envelope.rcpt_tos == ["someone@alpha.example"]
    content = envelope.content.decode()
    assert "Subject: Hello" in content and "Plain" in content and "<p>Rich</p>" in content
    assert reload(app, message_id).sent_at is not None


def test_refused_message_stays_in_the_outbox_and_is_sent_on_a_later_run(app, smtp_server):
    server = smtp_server(refuse_first=1)
    message_id = queue(app)
    with app.app_context():
        assert send_due_messages() == (0, 1)
    failed = reload(app, message_id)
    assert failed.sent_at is None and failed.attempts == 1 and "451" in failed.last_error
    with app.app_context():
        assert send_due_messages() == (0, 0), "not due again before the retry delay"
        assert send_due_messages(now=utcnow() + timedelta(minutes=5)) == (1, 0)
    assert len(server.received) == 1
    assert reload(app, message_id).sent_at is not None


def test_unreachable_server_keeps_the_message(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    try:
        message_id = queue(app)
        with app.app_context():
            assert send_due_messages() == (0, 1)
        assert reload(app, message_id).sent_at is None
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)


def test_without_smtp_settings_messages_are_written_to_the_log(app, caplog):
    message_id = queue(app)
    runner = app.test_cli_runner()
    with caplog.at_level("INFO"):
        result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "sent 1, failed 0" in result.output
    assert "someone@alpha.example" in caplog.text
    assert reload(app, message_id).sent_at is not None


def test_cli_reports_failures_without_losing_messages(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    try:
        queue(app)
        result = app.test_cli_runner().invoke(args=["outbox", "send"])
        assert "sent 0, failed 1" in result.output
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    with app_db(app) as session:
        assert session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 1
