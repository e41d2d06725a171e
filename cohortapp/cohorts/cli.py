import click
from flask.cli import AppGroup

from cohortapp.cohorts.reminders import open_cohorts, remind_stalled
from cohortapp.extensions import db
from cohortapp.lessons.services import current_course

reminders_cli = AppGroup("reminders", help="Reminders to stalled learners.")


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="Only list who would be reminded.")
def send_command(dry_run):
    """Remind the stalled learners of every open cohort (at most once every three days each)."""
    course = current_course()
    sent = waiting = 0
    for cohort in open_cohorts():
        for outcome in remind_stalled(cohort, course, dry_run=dry_run):
            label = "would remind" if dry_run else "reminded"
            if outcome.sent:
                sent += 1
                click.echo(
                    f"{label}: {outcome.row.email} ({cohort.city.slug}/{cohort.slug}, {outcome.row.percent}%)"
                )
            else:
                waiting += 1
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would be sent" if dry_run else "sent"
    click.echo(
        f"{sent} reminder(s) {verb}; {waiting} stalled learner(s) reminded less than 3 days ago"
    )
