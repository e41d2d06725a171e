"""Enrolment from a spreadsheet: parse, preview every row, then apply the valid rows at once.

Columns: email, name, cohort, role (French headers accepted). Comma or semicolon separated,
UTF-8 with or without a byte-order mark, as spreadsheet programs write it. Nothing changes
until the coordinator confirms; the same file applied twice changes nothing the second time.
"""

import csv
import io
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update

from cohortapp import audit
from cohortapp.auth.models import Invitation, User
from cohortapp.cities.models import City, EnrolmentImport
from cohortapp.cities.services import enrol_by_email, enrol_user
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.extensions import db
from cohortapp.spreadsheet import csv_text
from cohortapp.sqltypes import utcnow

MAX_BYTES = 1_000_000
MAX_ROWS = 2_000
MAX_EMAIL = 254
MAX_NAME = 120

HEADERS = {
    "email": {
        "email",
        "e-mail",
        "mail",
        "email address",
        "courriel",
        "adresse e-mail",
        "adresse email",
        "adresse électronique",
        "adresse courriel",
    },
    "name": {"name", "full name", "nom", "nom complet", "prénom et nom"},
    "cohort": {"cohort", "cohorte", "groupe"},
    "role": {"role", "rôle"},
}
ROLES = {
    "learner": {"", "learner", "apprenant", "apprenante", "participant", "participante"},
    "facilitator": {"facilitator", "animateur", "animatrice", "facilitateur", "facilitatrice"},
}
# Statuses of a previewed row. "enrol", "restore" and "invite" change something when applied.
CHANGES = ("enrol", "restore", "invite")


class CsvFileError(ValueError):
    """The file as a whole cannot be read. `code` names the problem, `detail` adds to it."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code, self.detail = code, detail


@dataclass
class Row:
    line: int
    email: str
    name: str
    cohort_ref: str
    role_ref: str
    role: str = ""
    cohort: Cohort | None = None
    status: str = "error"
    reason: str = ""
    # Found by the preview, for applying the row: the account, and its enrolment in the cohort.
    user: User | None = None
    enrollment: Enrollment | None = None

    @property
    def changes_something(self) -> bool:
        return self.status in CHANGES


@dataclass
class Preview:
    rows: list[Row] = field(default_factory=list)

    def count(self, *statuses: str) -> int:
        return sum(1 for row in self.rows if row.status in statuses)

    @property
    def to_apply(self) -> list[Row]:
        return [row for row in self.rows if row.changes_something]

    @property
    def rejected(self) -> list[Row]:
        return [row for row in self.rows if row.status == "error"]


def decode(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise CsvFileError("too_big")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvFileError("not_utf8") from error
    if "\x00" in text:  # UTF-16 without a byte-order mark, or not text; PostgreSQL refuses NUL
        raise CsvFileError("not_utf8")
    if not text.strip():
        raise CsvFileError("empty")
    return text


def _normalise_header(cell: str) -> str:
    return " ".join(cell.strip().lower().replace("_", " ").split())


def read_table(text: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: value}) for each non-empty data row."""
    # A cell may be as long as the file itself: long cells are rejected row by row, not by csv.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    columns = {}
    for index, cell in enumerate(header):
        name = _normalise_header(cell)
        for column, aliases in HEADERS.items():
            if name in aliases and column not in columns:
                columns[column] = index
    missing = [column for column in ("email", "cohort") if column not in columns]
    if missing:
        raise CsvFileError("missing_columns", ", ".join(missing))
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise CsvFileError("too_many_rows", str(MAX_ROWS))
        values = {
            column: cells[index].strip() if index < len(cells) else ""
            for column, index in columns.items()
        }
        rows.append((reader.line_num, values))
    if not rows:
        raise CsvFileError("no_rows")
    return rows


def parse_rows(text: str, cohorts: list[Cohort]) -> list[Row]:
    """Rows checked on their own and against each other (no database look-ups)."""
    by_ref = {}
    for cohort in cohorts:
        by_ref[cohort.slug.lower()] = cohort
        by_ref.setdefault(cohort.name.strip().lower(), cohort)
    seen: set[tuple[str, int]] = set()
    rows = []
    for line, values in read_table(text):
        row = Row(
            line,
            values.get("email", ""),
            values.get("name", ""),
            values.get("cohort", ""),
            values.get("role", ""),
        )
        row.reason = _row_problem(row, by_ref)
        if not row.reason:
            key = (row.email, row.cohort.id)
            if key in seen:
                row.reason = "duplicate"
            seen.add(key)
        rows.append(row)
    return rows


def _row_problem(row: Row, cohorts_by_ref: dict[str, Cohort]) -> str:
    if not row.email:
        return "missing_email"
    if len(row.email) > MAX_EMAIL or len(row.name) > MAX_NAME:
        return "too_long"
    try:
        row.email = validate_email(row.email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return "bad_email"
    row.cohort = cohorts_by_ref.get(row.cohort_ref.strip().lower())
    if row.cohort is None:
        return "unknown_cohort"
    if row.cohort.is_closed:
        return "closed_cohort"
    role = next((r for r, aliases in ROLES.items() if row.role_ref.strip().lower() in aliases), "")
    if not role:
        return "unknown_role"
    row.role = role
    return ""


def _checked_rows(city: City, text: str) -> list[Row]:
    cohorts = list(db.session.scalars(select(Cohort).where(Cohort.city_id == city.id)))
    return parse_rows(text, cohorts)


def preview(city: City, text: str) -> Preview:
    rows = _checked_rows(city, text)
    _classify(city, [row for row in rows if not row.reason])
    return Preview(rows)


def rejected_rows(city: City, text: str) -> list[Row]:
    """The rows a preview rejects, without its look-ups: they are rejected on their own."""
    return [row for row in _checked_rows(city, text) if row.reason]


def _classify(city: City, rows: list[Row]) -> None:
    """Mark valid rows enrol / restore / invite / already with three queries, whatever the size."""
    if not rows:
        return
    emails = {row.email for row in rows}
    users = {
        user.email: user for user in db.session.scalars(select(User).where(User.email.in_(emails)))
    }
    enrollments = {}
    if users:
        for enrollment in db.session.scalars(
            select(Enrollment)
            .join(Cohort, Cohort.id == Enrollment.cohort_id)
            .where(
                Cohort.city_id == city.id, Enrollment.user_id.in_([u.id for u in users.values()])
            )
        ):
            enrollments[(enrollment.user_id, enrollment.cohort_id)] = enrollment
    invited = set(
        db.session.execute(
            select(Invitation.email, Invitation.cohort_id, Invitation.role).where(
                Invitation.city_id == city.id,
                Invitation.email.in_(emails),
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
        ).all()
    )
    for row in rows:
        user = users.get(row.email)
        if user is None:
            already = (row.email, row.cohort.id, row.role) in invited
            row.status = "already" if already else "invite"
            continue
        enrollment = enrollments.get((user.id, row.cohort.id))
        row.user, row.enrollment = user, enrollment
        if enrollment is None:
            row.status = "enrol"
        elif enrollment.removed_at is not None:
            row.status = "restore"
        else:
            row.status = "already" if enrollment.role == row.role else "enrol"


def save_upload(city: City, filename: str, raw: bytes, *, actor) -> EnrolmentImport:
    text = decode(raw)
    read_table(text)  # refuse a file whose columns cannot be found before keeping it
    upload = EnrolmentImport(
        city_id=city.id, uploaded_by_id=actor.id, filename=filename[:255], content=text
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def apply_import(city: City, upload: EnrolmentImport, *, actor) -> dict:
    """Apply every valid row, once. Returns the summary; a second call returns the first's."""
    claimed = db.session.execute(
        update(EnrolmentImport)
        .where(EnrolmentImport.id == upload.id, EnrolmentImport.applied_at.is_(None))
        .values(applied_at=utcnow())
    ).rowcount
    if not claimed:
        db.session.refresh(upload)
        return upload.summary
    result = preview(city, upload.content)
    counts = {"enrolled": 0, "restored": 0, "invited": 0, "unchanged": 0}
    for row in result.to_apply:
        if row.user is None:
            outcome = enrol_by_email(row.cohort, row.email, row.role, actor=actor, name=row.name)
        else:  # the preview found the account and its enrolment: no need to look them up again
            outcome = enrol_user(row.cohort, row.user, row.role, row.enrollment, actor=actor)
        key = outcome.status if outcome.status in counts else "unchanged"
        counts[key] += 1
    counts["unchanged"] += result.count("already")
    counts["rejected"] = len(result.rejected)
    summary = {**counts, "rejected_rows": [row_record(row) for row in result.rejected]}
    upload.summary = summary
    audit.record(
        "enrolment.imported",
        actor=actor,
        city=city,
        target=upload.filename,
        **counts,
    )
    return summary


def row_record(row: Row) -> list:
    return [row.line, row.email, row.name, row.cohort_ref, row.role_ref, row.reason]


def rejected_rows_csv(records: list[list], reason_text) -> str:
    """The rejected rows, with the reason, ready to fix in a spreadsheet and upload again."""
    header = ["email", "name", "cohort", "role", "line", "problem"]
    body = [
        [email, name, cohort, role, line, reason_text(reason)]
        for line, email, name, cohort, role, reason in records
    ]
    return csv_text([header, *body])
