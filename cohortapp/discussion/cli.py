import click
from flask.cli import AppGroup

from cohortapp.discussion.services import send_digests
from cohortapp.extensions import db

notifications_cli = AppGroup("notifications", help="Q&A notifications.")


@notifications_cli.command("digest")
def digest_command():
    """Queue the daily digest of new answers for those who chose it (run once a day)."""
    sent = send_digests()
    db.session.commit()
    click.echo(f"{sent} digest email(s) queued; send them with: flask --app wsgi outbox send")
