"""`flask backup PATH`: a consistent copy of the SQLite database, safe while the app runs."""

import sqlite3
from pathlib import Path

import click
from flask.cli import with_appcontext

from cohortapp.extensions import db


def backup_sqlite(source: str, target: Path) -> int:
    """Copy with SQLite's online backup API: readers and writers may go on meanwhile.
    Returns the number of pages copied."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
        return copy.execute("PRAGMA page_count").fetchone()[0]


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path):
    """Write a consistent copy of the SQLite database to PATH."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            "This command copies SQLite databases. For PostgreSQL use pg_dump, e.g. "
            "pg_dump --format=custom --file=cohortapp.dump DATABASE (see README.md)."
        )
    if path.exists():
        raise click.ClickException(f"{path} exists already; choose a new file name.")
    pages = backup_sqlite(url.database, path)
    click.echo(f"backed up {url.database} to {path} ({pages} pages)")
