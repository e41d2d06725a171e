import logging

import click
from flask.cli import AppGroup

from cohortapp.mail.services import send_due_messages

outbox_cli = AppGroup("outbox", help="The email outbox.")


@outbox_cli.command("send")
def send_command():
    """Send the emails that are due (SMTP when configured, else the log)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sent, failed = send_due_messages()
    click.echo(f"sent {sent}, failed {failed} (failed messages are retried later)")
