"""INSERT ... ON CONFLICT for SQLite and PostgreSQL, so concurrent requests never duplicate rows."""

from sqlalchemy.dialects import postgresql, sqlite

from cohortapp.extensions import db


def _insert(model):
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model)


def insert_ignore(model, values: dict, conflict_columns: list[str]) -> bool:
    """Insert the row unless one with the same conflict columns exists; True if inserted."""
    statement = (
        _insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict_columns)
        # rowcount is not reliable for this statement on PostgreSQL: a returned row is.
        .returning(*model.__table__.primary_key.columns)
    )
    return db.session.execute(statement).first() is not None


def insert_or_update(model, values: dict, conflict_columns: list[str], update: dict) -> None:
    statement = _insert(model).values(**values)
    db.session.execute(
        statement.on_conflict_do_update(index_elements=conflict_columns, set_=update)
    )
