import re
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from cohortapp.lessons.content import file_hash, load_course
from cohortapp.lessons.services import page_statuses, translation_status

content_cli = AppGroup("content", help="The course content in content/.")


@content_cli.command("check")
@click.option("--verbose", "-v", is_flag=True, help="List every page that is not up to date.")
def check_command(verbose):
    """Validate the course and report translation coverage; exit 1 on structural errors."""
    course = load_course(current_app.config["CONTENT_DIR"])
    click.echo(f"course {course.id}: {course.total} pages in {len(course.modules)} modules")
    for status in translation_status(course):
        click.echo(
            f"{status.locale}: {status.present}/{status.total} present, {status.missing} missing, "
            f"{status.outdated} outdated, {status.broken} with errors"
        )
        if verbose:
            for key, state in page_statuses(course, status.locale):
                if state != "ok":
                    click.echo(f"  {state}: {key}")
    for problem in course.problems:
        click.echo(f"error: {problem}", err=True)
    if course.has_structural_errors:
        click.echo(f"{len(course.problems)} error(s) found", err=True)
        sys.exit(1)
    click.echo("no structural errors")


SOURCE_HASH_LINE = re.compile(r"^source_hash:.*\n", re.MULTILINE)


@content_cli.command("stamp")
@click.argument("locale")
@click.argument("page_keys", nargs=-1)
def stamp_command(locale, page_keys):
    """Record that LOCALE's pages (or only PAGE_KEYS) are up to date with the source pages."""
    root = Path(current_app.config["CONTENT_DIR"])
    course = load_course(root)
    if locale == course.source_locale or locale not in course.locales:
        raise click.BadParameter(f"{locale!r} is not a translation in {root}", param_hint="LOCALE")
    unknown = [key for key in page_keys if course.page(key) is None]
    if unknown:
        raise click.BadParameter(f"unknown page keys: {', '.join(unknown)}")
    stamped = 0
    for page in course.pages:
        if page_keys and page.key not in page_keys:
            continue
        target = root / locale / f"{page.key}.md"
        source = root / course.source_locale / f"{page.key}.md"
        if not target.exists() or not source.exists():
            continue
        text = SOURCE_HASH_LINE.sub("", target.read_text(encoding="utf-8"), count=1)
        stamp = f"source_hash: {file_hash(source.read_bytes())}\n"
        target.write_text(text.replace("---\n", "---\n" + stamp, 1), encoding="utf-8")
        stamped += 1
    click.echo(f"stamped {stamped} page(s) of {locale}")


progress_cli = AppGroup("progress", help="Learners' progress.")


@progress_cli.command("refresh")
def refresh_command():
    """Recount every enrolment's progress summary (after pages were added to or removed from
    the course, or progress rows were restored from a backup)."""
    from cohortapp.cohorts.models import Enrollment
    from cohortapp.extensions import db
    from cohortapp.lessons.services import current_course, refresh_progress_summary

    ids = list(db.session.scalars(db.select(Enrollment.id)))
    refresh_progress_summary(ids, current_course())
    db.session.commit()
    click.echo(f"recounted the progress of {len(ids)} enrolment(s)")
