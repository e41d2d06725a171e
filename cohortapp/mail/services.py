"""The outbox: emails are written to the database in the request's transaction and sent later.

A request never waits for an SMTP server, and a message whose sending fails stays in the
outbox and is tried again with a growing delay, so nothing is lost.
"""

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from cohortapp.extensions import db
from cohortapp.mail.models import OutboxMessage
from cohortapp.sqltypes import utcnow

log = logging.getLogger(__name__)


def queue_email(to: str, template: str, *, locale: str, **context) -> OutboxMessage:
    """Render mail/<template>.txt and .html in the recipient's language and queue them."""
    with force_locale(locale):
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    subject, _, body = text.partition("\n")
    message = OutboxMessage(
        to_address=to, subject=subject.strip(), body_text=body.lstrip(), body_html=html
    )
    db.session.add(message)
    return message


def due_messages(now: datetime, limit: int = 100) -> list[OutboxMessage]:
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.next_attempt_at <= now,
                OutboxMessage.attempts < max_attempts,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def retry_delay(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** (attempts - 1), 240))


def send_due_messages(now: datetime | None = None) -> tuple[int, int]:
    """Send what is due; returns (sent, failed). Commits after each message."""
    now = now or utcnow()
    sent = failed = 0
    for message in due_messages(now):
        message.attempts += 1
        try:
            deliver(message)
        except (smtplib.SMTPException, OSError) as error:
            message.last_error = f"{type(error).__name__}: {error}"[:1000]
            message.next_attempt_at = now + retry_delay(message.attempts)
            failed += 1
        else:
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
        db.session.commit()
    return sent, failed


def build_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}")
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def deliver(message: OutboxMessage) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        log.info("email to %s: %s\n%s", message.to_address, message.subject, message.body_text)
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(build_email(message))
