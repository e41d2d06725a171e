"""Enrolment from a spreadsheet: upload, preview, apply, rejected rows, through the test client."""

import csv
import html
import io
import re
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cohortapp.audit import AuditEvent
from cohortapp.auth.models import Invitation, User
from cohortapp.cities import enrolment_csv
from cohortapp.cities.models import EnrolmentImport
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.extensions import db
from cohortapp.mail.models import OutboxMessage
from tests.conftest import app_db

MANAGE = "/c/alpha/manage"
CHANGES = {"enrol", "restore", "invite"}


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def coordinator(login_as, world):
    return login_as(world.coordinator)


def csv_bytes(rows, delimiter=",", bom=False, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" if bom else "").encode(encoding) + buffer.getvalue().encode(encoding)


def upload(client, content: bytes, filename="people.csv", city="alpha"):
    return client.post(
        f"/c/{city}/manage/imports/new",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def import_id_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.fullmatch(r"/c/\w+/manage/imports/(\d+)", response.headers["Location"])
    return int(match.group(1))


def uploaded(client, content: bytes, **kwargs) -> int:
    return import_id_of(upload(client, content, **kwargs))


@dataclass
class PreviewRow:
    line: int
    email: str
    name: str
    cohort: str
    role: str
    status: str
    result: str


ROW = re.compile(
    r'<tr class="row--(\w+)">\s*<td>(\d+)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*'
    r"<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*</tr>",
    re.DOTALL,
)


def preview_rows(response) -> list[PreviewRow]:
    body = response.get_data(as_text=True)
    return [
        PreviewRow(
            int(line),
            html.unescape(email),
            html.unescape(name),
            html.unescape(cohort),
            html.unescape(role),
            status,
            html.unescape(result),
        )
        for status, line, email, name, cohort, role, result in ROW.findall(body)
    ]


def preview(client, import_id) -> list[PreviewRow]:
    response = client.get(f"{MANAGE}/imports/{import_id}")
    assert response.status_code == 200
    return preview_rows(response)


def apply(client, import_id, city="alpha"):
    return client.post(f"/c/{city}/manage/imports/{import_id}/apply")


@dataclass(frozen=True)
class State:
    enrollments: tuple
    invitations: tuple
    messages: int
    events: int


def state(app) -> State:
    with app_db(app) as session:
        return State(
            tuple(
                session.execute(
                    db.select(
                        Enrollment.user_id,
                        Enrollment.cohort_id,
                        Enrollment.role,
                        Enrollment.removed_at,
                    ).order_by(Enrollment.id)
                ).all()
            ),
            tuple(
                session.execute(
                    db.select(
                        Invitation.email, Invitation.cohort_id, Invitation.role, Invitation.name
                    ).order_by(Invitation.id)
                ).all()
            ),
            session.scalar(db.select(db.func.count(OutboxMessage.id))),
            session.scalar(db.select(db.func.count(AuditEvent.id))),
        )


def enrolment_of(app, email, cohort_slug) -> Enrollment | None:
    with app_db(app) as session:
        return session.scalar(
            db.select(Enrollment)
            .join(User, User.id == Enrollment.user_id)
            .join(Cohort, Cohort.id == Enrollment.cohort_id)
            .where(User.email == email, Cohort.slug == cohort_slug)
        )


def invitation_to(app, email) -> list[Invitation]:
    with app_db(app) as session:
        return list(session.scalars(db.select(Invitation).where(Invitation.email == email)))


HEADER = ["email", "name", "cohort", "role"]


@pytest.fixture
def mixed_file(make_user, make_cohort, world) -> bytes:
    """One row of every kind the preview knows."""
    make_user("existing@alpha.example", "Ed Existing")
    make_cohort("alpha", "a3", "Alpha Closed", status="closed")
    return csv_bytes(
        [
            HEADER,
            ["existing@alpha.example", "Ed Existing", "a1", "facilitator"],
            ["New.Person@Alpha.example", "Nia New", "Alpha Two", ""],
            [world.learner, "Lee Learner", "a1", "learner"],
            ["not-an-address", "Bad", "a1", "learner"],
            ["someone@alpha.example", "Unknown Cohort", "zz", "learner"],
            ["beta-cohort@alpha.example", "Beta Cohort", "b1", "learner"],
            ["role@alpha.example", "Role", "a1", "boss"],
            ["new.person@alpha.example", "Nia Again", "a2", "learner"],
            ["long@alpha.example", "N" * 121, "a1", "learner"],
            ["closed@alpha.example", "Closed", "a3", "learner"],
            ["", "No Email", "a1", "learner"],
        ]
    )


def test_preview_shows_every_row_as_new_already_or_error_with_the_reason(
    app, coordinator, mixed_file, world
):
    before = state(app)
    rows = preview(coordinator, uploaded(coordinator, mixed_file))
    assert [(r.line, r.email, r.status, r.result) for r in rows] == [
        (2, "existing@alpha.example", "enrol", "new: will be enrolled"),
        (3, "new.person@alpha.example", "invite", "new: will be invited"),
        (4, world.learner, "already", "already enrolled or invited"),
        (5, "not-an-address", "error", "error: not a valid email address"),
        (
            6,
            "someone@alpha.example",
            "error",
            "error: unknown cohort: use the cohort's short address or its exact name",
        ),
        (
            7,
            "beta-cohort@alpha.example",
            "error",
            "error: unknown cohort: use the cohort's short address or its exact name",
        ),
        (8, "role@alpha.example", "error", "error: unknown role: use learner or facilitator"),
        (
            9,
            "new.person@alpha.example",
            "error",
            "error: duplicate row: the same address and cohort appear earlier in the file",
        ),
        (
            10,
            "long@alpha.example",
            "error",
            "error: too long (email at most 254 characters, name at most 120)",
        ),
        (11, "closed@alpha.example", "error", "error: the cohort is closed"),
        (12, "", "error", "error: no email address"),
    ]
    assert (rows[0].cohort, rows[0].role) == ("Alpha One", "facilitator")
    assert (rows[1].cohort, rows[1].role) == ("Alpha Two", "learner")
    assert state(app).enrollments == before.enrollments
    assert state(app).invitations == before.invitations
    assert state(app).messages == before.messages


def test_preview_counts_and_the_confirm_button_match_the_rows(app, coordinator, mixed_file):
    response = coordinator.get(f"{MANAGE}/imports/{uploaded(coordinator, mixed_file)}")
    body = text_of(response)
    assert "File: people.csv. Nothing has changed yet." in body
    assert "1 row will enrol an existing account" in body
    assert "1 row will send an invitation" in body
    assert "1 row is already enrolled or invited" in body
    assert "8 rows have errors and will be left out" in body
    assert "Confirm: apply 2 rows" in body


def test_applying_enrols_invites_and_shows_a_summary(app, coordinator, mixed_file):
    import_id = uploaded(coordinator, mixed_file)
    before = state(app)
    response = apply(coordinator, import_id)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{MANAGE}/imports/{import_id}"
    assert enrolment_of(app, "existing@alpha.example", "a1").role == "facilitator"
    [invitation] = invitation_to(app, "new.person@alpha.example")
    assert invitation.name == "Nia New" and invitation.role == "learner"
    after = state(app)
    assert len(after.enrollments) == len(before.enrollments) + 1
    assert len(after.invitations) == len(before.invitations) + 1
    assert after.messages == before.messages + 2
    summary = coordinator.get(f"{MANAGE}/imports/{import_id}")
    body = text_of(summary)
    assert "Enrolment done" in body
    assert "1 person enrolled" in body
    assert "1 invitation sent" in body
    assert "1 row changed nothing (already enrolled or invited)" in body
    assert "8 rows rejected" in body
    assert "Download the rejected rows" in body
    with app_db(app) as session:
        event = session.scalar(
            db.select(AuditEvent).where(AuditEvent.action == "enrolment.imported")
        )
    assert event.target == "people.csv"
    assert {k: event.detail[k] for k in ("enrolled", "invited", "unchanged", "rejected")} == {
        "enrolled": 1,
        "invited": 1,
        "unchanged": 1,
        "rejected": 8,
    }


def test_french_headers_roles_semicolons_and_bom_are_understood(app, coordinator, make_user):
    make_user("zoe@alpha.example", "Zoé")
    content = csv_bytes(
        [
            ["Courriel", "Nom", "Cohorte", "Rôle"],
            ["zoe@alpha.example", "Zoé Durand", "a1", "Animatrice"],
            ["elodie@alpha.example", "Élodie Brûlé", "Alpha Two", "apprenante"],
            ["noel@alpha.example", "Noël", "a2", ""],
        ],
        delimiter=";",
        bom=True,
    )
    rows = preview(coordinator, uploaded(coordinator, content))
    assert [(r.email, r.name, r.role, r.status) for r in rows] == [
        ("zoe@alpha.example", "Zoé Durand", "facilitator", "enrol"),
        ("elodie@alpha.example", "Élodie Brûlé", "learner", "invite"),
        ("noel@alpha.example", "Noël", "learner", "invite"),
    ]
    import_id = uploaded(coordinator, content)
    apply(coordinator, import_id)
    assert enrolment_of(app, "zoe@alpha.example", "a1").role == "facilitator"
    assert invitation_to(app, "elodie@alpha.example")[0].name == "Élodie Brûlé"


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_comma_or_semicolon_with_or_without_bom(app, coordinator, delimiter, bom):
    content = csv_bytes(
        [HEADER, ["ana@alpha.example", "Ana; Maria, Silva", "a1", "learner"]],
        delimiter=delimiter,
        bom=bom,
    )
    rows = preview(coordinator, uploaded(coordinator, content))
    assert [(r.email, r.name, r.cohort, r.status) for r in rows] == [
        ("ana@alpha.example", "Ana; Maria, Silva", "Alpha One", "invite")
    ]


def test_columns_may_come_in_any_order_and_role_may_be_left_out(app, coordinator):
    content = b"Cohort,E-mail,Full name\na2,ana@alpha.example,Ana\n"
    [row] = preview(coordinator, uploaded(coordinator, content))
    assert (row.email, row.name, row.cohort, row.role, row.status) == (
        "ana@alpha.example",
        "Ana",
        "Alpha Two",
        "learner",
        "invite",
    )


def no_import_saved(app) -> bool:
    with app_db(app) as session:
        return session.scalar(db.select(db.func.count(EnrolmentImport.id))) == 0


def test_a_file_not_in_utf8_is_refused_with_a_clear_message(app, coordinator):
    content = "courriel;nom;cohorte\nzoe@alpha.example;Zoé Brûlé;a1\n".encode("latin-1")
    response = upload(coordinator, content)
    assert response.status_code == 422
    assert (
        "The file is not in UTF-8. In your spreadsheet program, save it as 'CSV UTF-8'."
        in text_of(response)
    )
    assert no_import_saved(app)


@pytest.mark.parametrize(
    "content",
    [
        "email,cohort\nana@alpha.example,a1\n".encode("utf-16"),
        "email,cohort\nana@alpha.example,a1\n".encode("utf-16-le"),
        b"email,cohort\nana\x00@alpha.example,a1\n",
    ],
    ids=["utf-16", "utf-16 without bom", "nul byte"],
)
def test_a_utf16_file_or_one_with_nul_bytes_is_refused_as_not_utf8(app, coordinator, content):
    response = upload(coordinator, content)
    assert response.status_code == 422
    assert "The file is not in UTF-8." in text_of(response)
    assert no_import_saved(app)


def test_a_file_without_the_needed_columns_is_refused(app, coordinator):
    response = upload(coordinator, b"email,name\nana@alpha.example,Ana\n")
    assert response.status_code == 422
    assert "The file has no column for: cohort." in text_of(response)
    both = upload(coordinator, b"mail address,group name\nana@alpha.example,a1\n")
    assert "The file has no column for: email, cohort." in text_of(both)
    assert no_import_saved(app)


def test_empty_files_and_missing_files_are_refused(app, coordinator):
    assert "The file is empty." in text_of(upload(coordinator, b"  \r\n"))
    header_only = upload(coordinator, b"email,cohort\n\n,\n")
    assert "The file has column names but no rows of people." in text_of(header_only)
    missing = coordinator.post(f"{MANAGE}/imports/new", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "Choose a CSV file to upload." in text_of(missing)
    assert no_import_saved(app)


def test_too_many_rows_are_refused(app, coordinator, monkeypatch):
    monkeypatch.setattr(enrolment_csv, "MAX_ROWS", 3)
    rows = [HEADER] + [[f"p{n}@alpha.example", "P", "a1", ""] for n in range(4)]
    response = upload(coordinator, csv_bytes(rows))
    assert response.status_code == 422
    assert "The file has more than 3 rows. Split it into several files." in text_of(response)
    assert no_import_saved(app)
    assert upload(coordinator, csv_bytes(rows[:4])).status_code == 302


def test_a_file_too_big_is_refused(app, coordinator):
    row = "someone@alpha.example,Someone,a1,learner\n"
    content = ("email,name,cohort,role\n" + row * (1_000_000 // len(row) + 1)).encode()
    assert len(content) > 1_000_000
    response = upload(coordinator, content)
    assert response.status_code == 422
    assert "The file is larger than 1 MB. Split it into several files." in text_of(response)
    assert no_import_saved(app)


def test_a_very_long_cell_is_a_rejected_row_not_a_crash(app, coordinator):
    long_name = "N" * 200_000
    content = csv_bytes(
        [HEADER, ["ana@alpha.example", long_name, "a1", ""], ["bo@alpha.example", "Bo", "a1", ""]]
    )
    rows = preview(coordinator, uploaded(coordinator, content))
    assert [(r.email, r.status) for r in rows] == [
        ("ana@alpha.example", "error"),
        ("bo@alpha.example", "invite"),
    ]
    assert "too long" in rows[0].result


def rejected_download(client, import_id):
    response = client.get(f"{MANAGE}/imports/{import_id}/rejected.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return response.get_data(as_text=True)


def test_rejected_rows_download_as_a_spreadsheet_safe_csv(app, coordinator):
    content = csv_bytes(
        [
            HEADER,
            ['=HYPERLINK("http://evil.example")', "Formula", "a1", "learner"],
            ["plus@alpha.example", "+33 1 23", "zz", "learner"],
            ["minus@alpha.example", "-2+3", "a1", "@boss"],
            ["@at.example", "At", "a1", "learner"],
            ["ok@alpha.example", "Fine", "a1", "learner"],
        ]
    )
    import_id = uploaded(coordinator, content)
    before_apply = rejected_download(coordinator, import_id)
    assert before_apply.startswith("\ufeff")
    records = list(csv.reader(io.StringIO(before_apply[1:])))
    assert records[0] == ["email", "name", "cohort", "role", "line", "problem"]
    assert [r[:5] for r in records[1:]] == [
        ['\'=HYPERLINK("http://evil.example")', "Formula", "a1", "learner", "2"],
        ["plus@alpha.example", "'+33 1 23", "zz", "learner", "3"],
        ["minus@alpha.example", "'-2+3", "a1", "'@boss", "4"],
        ["'@at.example", "At", "a1", "learner", "5"],
    ]
    assert records[1][5] == "not a valid email address"
    assert records[2][5].startswith("unknown cohort")
    assert records[3][5].startswith("unknown role")
    apply(coordinator, import_id)
    assert rejected_download(coordinator, import_id) == before_apply


def summary_of(client, import_id) -> str:
    body = text_of(client.get(f"{MANAGE}/imports/{import_id}"))
    return body[body.index("<h1>") : body.index("</ul>", body.index("summary-counts"))]


def test_applying_twice_changes_nothing_the_second_time(app, coordinator, mixed_file):
    import_id = uploaded(coordinator, mixed_file)
    apply(coordinator, import_id)
    after_first = state(app)
    first_summary = summary_of(coordinator, import_id)
    assert "1 person enrolled" in first_summary
    second = apply(coordinator, import_id)
    assert second.status_code == 302
    assert state(app) == after_first
    assert summary_of(coordinator, import_id) == first_summary


def test_the_same_file_again_is_all_already_done_and_changes_nothing(app, coordinator, mixed_file):
    apply(coordinator, uploaded(coordinator, mixed_file))
    after_first = state(app)
    again = uploaded(coordinator, mixed_file)
    response = coordinator.get(f"{MANAGE}/imports/{again}")
    rows = preview_rows(response)
    assert {r.status for r in rows} == {"already", "error"}
    assert [r.line for r in rows if r.status == "already"] == [2, 3, 4]
    assert "There is nothing to apply." in text_of(response)
    apply(coordinator, again)
    after_second = state(app)
    assert after_second.enrollments == after_first.enrollments
    assert after_second.invitations == after_first.invitations
    assert after_second.messages == after_first.messages
    body = text_of(coordinator.get(f"{MANAGE}/imports/{again}"))
    assert "0 people enrolled" in body and "0 invitations sent" in body
    assert "3 rows changed nothing" in body


def test_a_removed_learner_in_the_file_is_restored_with_their_enrolment(app, coordinator, world):
    enrollment = enrolment_of(app, world.learner, "a1")
    coordinator.post(f"{MANAGE}/cohorts/a1/enrollments/{enrollment.id}/remove")
    import_id = uploaded(coordinator, csv_bytes([HEADER, [world.learner, "", "a1", ""]]))
    [row] = preview(coordinator, import_id)
    assert row.status == "restore"
    assert row.result == "new: enrolment restored with its progress"
    apply(coordinator, import_id)
    restored = enrolment_of(app, world.learner, "a1")
    assert restored.id == enrollment.id and restored.removed_at is None


def test_a_cohort_closed_after_the_preview_gets_nothing(app, coordinator):
    import_id = uploaded(coordinator, csv_bytes([HEADER, ["ana@alpha.example", "Ana", "a1", ""]]))
    assert [r.status for r in preview(coordinator, import_id)] == ["invite"]
    coordinator.post(f"{MANAGE}/cohorts/a1/status", data={"status": "closed"})
    apply(coordinator, import_id)
    assert invitation_to(app, "ana@alpha.example") == []
    assert "1 row rejected" in text_of(coordinator.get(f"{MANAGE}/imports/{import_id}"))


def test_facilitators_cannot_upload(app, login_as, world):
    facilitator = login_as(world.facilitator)
    content = csv_bytes([HEADER, ["ana@alpha.example", "Ana", "a1", ""]])
    assert upload(facilitator, content).status_code == 403
    assert upload(login_as(world.coordinator_b), content).status_code == 404
    assert no_import_saved(app)


# Size: a thousand rows, and a preview whose query count does not grow with the file


def test_a_thousand_rows_preview_and_apply(app, coordinator, make_user):
    existing = [f"staff{n:03d}@alpha.example" for n in range(50)]
    for email in existing:
        make_user(email, "Staff")
    newcomers = [f"new{n:04d}@alpha.example" for n in range(950)]
    rows = [HEADER]
    rows += [[email, "Staff", "a1", "learner"] for email in existing]
    rows += [[email, f"New {n}", ("a1", "a2")[n % 2], ""] for n, email in enumerate(newcomers)]
    before = state(app)
    import_id = uploaded(coordinator, csv_bytes(rows))
    shown = preview(coordinator, import_id)
    assert len(shown) == 1000
    assert [r.status for r in shown] == ["enrol"] * 50 + ["invite"] * 950
    assert state(app) == before
    apply(coordinator, import_id)
    after = state(app)
    assert len(after.enrollments) - len(before.enrollments) == 50
    new_invitations = after.invitations[len(before.invitations) :]
    assert sorted(i.email for i in new_invitations) == newcomers
    assert after.messages - before.messages == 1000
    body = text_of(coordinator.get(f"{MANAGE}/imports/{import_id}"))
    assert "50 people enrolled" in body and "950 invitations sent" in body


def make_file(make_user, add_role, size: int, prefix: str) -> bytes:
    """A third new addresses, a third accounts to enrol, a third already enrolled."""
    rows = [HEADER]
    for n in range(size):
        email = f"{prefix}{n}@alpha.example"
        kind = n % 3
        if kind:
            make_user(email, f"Person {n}")
        if kind == 2:
            add_role(email, "alpha", "learner", "a1")
        rows.append([email, f"Person {n}", "a1", "learner"])
    return csv_bytes(rows)


def test_the_preview_runs_the_same_number_of_queries_for_10_and_300_rows(
    app, coordinator, make_user, add_role, count_queries
):
    small = uploaded(coordinator, make_file(make_user, add_role, 10, "small"))
    large = uploaded(coordinator, make_file(make_user, add_role, 300, "large"))
    coordinator.get(f"{MANAGE}/imports/{small}")
    with count_queries() as few:
        small_rows = preview(coordinator, small)
    with count_queries() as many:
        large_rows = preview(coordinator, large)
    assert len(small_rows) == 10 and len(large_rows) == 300
    assert {r.status for r in large_rows} == {"invite", "enrol", "already"}
    assert len(many) == len(few), many


# Property: whatever the file, no server error, and apply does exactly what the preview showed

POOL = [f"pool{n}@pool.example" for n in range(4)]
ALIASES = sorted(set().union(*enrolment_csv.HEADERS.values()))
TRICKY = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("\"';,\n\r\t =+-@é€中\u200f\ufeff")),
        st.characters(codec="utf-8"),
    ),
    max_size=40,
)
LONG = st.sampled_from([121, 255, 5_000, 140_000]).map(lambda n: "x" * n)
EMAIL = st.one_of(
    st.sampled_from(POOL),
    st.sampled_from(POOL).map(str.upper),
    st.from_regex(r"[a-z0-9][a-z0-9.+_-]{0,15}", fullmatch=True).map(
        lambda local: f"{local}@fresh.example"
    ),
    TRICKY,
)
COHORT = st.one_of(st.sampled_from(["a1", "a2", "A1", "Alpha Two", "b1", "zz", ""]), TRICKY)
ROLE = st.one_of(
    st.sampled_from(["", "learner", "facilitator", "Apprenant", "animateur", "coordinator"]),
    TRICKY,
)
NAME = st.one_of(TRICKY, LONG, st.just(""))
CELL = st.one_of(TRICKY, EMAIL, COHORT, ROLE, LONG)


FRENCH = dict(zip(HEADER, ["courriel", "nom", "cohorte", "rôle"], strict=True))
FIELDS = {"email": EMAIL, "name": NAME, "cohort": COHORT, "role": ROLE}


@st.composite
def spreadsheet(draw) -> bytes:
    """Mostly the expected columns (in any order, English or French), else anything at all."""
    if draw(st.sampled_from(["expected", "expected", "expected", "anything"])) == "expected":
        columns = draw(st.permutations(HEADER))
        french = draw(st.booleans())
        header = [FRENCH[column] if french else column for column in columns]
        cells = st.tuples(*(FIELDS[column] for column in columns)).map(list)
        body = draw(st.lists(cells, min_size=1, max_size=12))
    else:
        header = draw(st.lists(st.one_of(st.sampled_from(ALIASES), TRICKY), max_size=6))
        body = draw(st.lists(st.lists(CELL, max_size=6), max_size=12))
    delimiter = draw(st.sampled_from([",", ";"]))
    if draw(st.booleans()):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([header, *body])
        text = buffer.getvalue()
    else:  # written by hand: quotes and line breaks inside cells are left as they are
        text = "\n".join(delimiter.join(row) for row in [header, *body])
    prefix = "\ufeff" if draw(st.booleans()) else ""
    return (prefix + text).encode("utf-8")


def reset_between_examples(app):
    """Each example starts with no invitation and the pool of accounts enrolled nowhere."""
    with app_db(app) as session:
        pool = db.select(User.id).where(User.email.in_(POOL))
        session.execute(db.delete(Enrollment).where(Enrollment.user_id.in_(pool)))
        session.execute(db.delete(Invitation))


def counts(app) -> tuple[int, int]:
    with app_db(app) as session:
        return (
            session.scalar(db.select(db.func.count(Enrollment.id))),
            session.scalar(db.select(db.func.count(Invitation.id))),
        )


def test_any_file_gives_no_server_error_and_applies_exactly_what_was_previewed(
    app, world, login_as, make_user
):
    for email in POOL:
        make_user(email, "Pool Person")
    coordinator = login_as(world.coordinator)

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(content=spreadsheet())
    def check(content):
        reset_between_examples(app)
        response = upload(coordinator, content)
        assert response.status_code < 500
        if response.status_code != 302:
            assert response.status_code == 422
            event("file refused")
            return
        import_id = import_id_of(response)
        page = coordinator.get(f"{MANAGE}/imports/{import_id}")
        assert page.status_code == 200
        rows = preview_rows(page)
        assert len(rows) == page.get_data(as_text=True).count('<tr class="row--')
        to_apply = sum(1 for row in rows if row.status in CHANGES)
        button = re.search(r"Confirm: apply (\d+) rows?", page.get_data(as_text=True))
        assert (int(button.group(1)) if button else 0) == to_apply
        event("rows to apply" if to_apply else "nothing to apply")
        before = counts(app)
        assert coordinator.get(f"{MANAGE}/imports/{import_id}/rejected.csv").status_code == 200
        assert counts(app) == before
        applied = apply(coordinator, import_id)
        assert applied.status_code == 302
        enrollments, invitations = counts(app)
        assert (enrollments - before[0]) + (invitations - before[1]) == to_apply
        assert coordinator.get(f"{MANAGE}/imports/{import_id}").status_code == 200
        assert coordinator.get(f"{MANAGE}/imports/{import_id}/rejected.csv").status_code == 200

    check()
