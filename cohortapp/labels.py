"""Translated names for the values stored in the database (roles, statuses)."""

from flask_babel import gettext as _


def role_label(role: str) -> str:
    labels = {
        "coordinator": _("coordinator"),
        "facilitator": _("facilitator"),
        "learner": _("learner"),
    }
    return labels.get(role, role)


def status_label(status: str) -> str:
    labels = {"draft": _("draft"), "open": _("open"), "closed": _("closed")}
    return labels.get(status, status)


def import_status_label(status: str) -> str:
    labels = {
        "enrol": _("new: will be enrolled"),
        "restore": _("new: enrolment restored with its progress"),
        "invite": _("new: will be invited"),
        "already": _("already enrolled or invited"),
        "error": _("error"),
    }
    return labels.get(status, status)


def import_reason_label(reason: str) -> str:
    labels = {
        "missing_email": _("no email address"),
        "bad_email": _("not a valid email address"),
        "too_long": _("too long (email at most 254 characters, name at most 120)"),
        "unknown_cohort": _("unknown cohort: use the cohort's short address or its exact name"),
        "closed_cohort": _("the cohort is closed"),
        "unknown_role": _("unknown role: use learner or facilitator"),
        "duplicate": _("duplicate row: the same address and cohort appear earlier in the file"),
    }
    return labels.get(reason, reason)


def import_file_problem(code: str, detail: str = "") -> str:
    labels = {
        "too_big": _("The file is larger than 1 MB. Split it into several files."),
        "not_utf8": _(
            "The file is not in UTF-8. In your spreadsheet program, save it as 'CSV UTF-8'."
        ),
        "empty": _("The file is empty."),
        "missing_columns": _(
            "The file has no column for: %(columns)s. The first row must name the columns: email, name, cohort, role.",
            columns=detail,
        ),
        "too_many_rows": _(
            "The file has more than %(max)s rows. Split it into several files.", max=detail
        ),
        "no_rows": _("The file has column names but no rows of people."),
    }
    return labels.get(code, code)


def enrolment_outcome_message(status: str, email: str) -> str:
    labels = {
        "enrolled": _("%(email)s is enrolled and has been told by email.", email=email),
        "restored": _("%(email)s is enrolled again, with their earlier progress.", email=email),
        "invited": _("%(email)s has no account yet: an invitation has been sent.", email=email),
        "appointed": _("%(email)s is now a coordinator.", email=email),
        "already_enrolled": _("%(email)s already has this role: nothing changed.", email=email),
        "already_invited": _(
            "%(email)s has already been invited: nothing changed. You can resend the invitation below.",
            email=email,
        ),
    }
    return labels.get(status, status)


def pace_label(status: str | None) -> str:
    labels = {"on_track": _("on track"), "behind": _("behind")}
    return labels.get(status or "", "")


def learner_status_label(status: str) -> str:
    labels = {
        "not_started": _("not started"),
        "in_progress": _("in progress"),
        "completed": _("completed"),
        "stalled": _("stalled"),
    }
    return labels.get(status, status)


def flag_reason_labels() -> dict[str, str]:
    """Why a post can be flagged, in the order the flag form offers the reasons."""
    return {
        "spam": _("Spam or advertising"),
        "offensive": _("Offensive or discriminatory"),
        "off_topic": _("Off topic"),
        "personal_data": _("Shares someone's personal data"),
        "other": _("Something else"),
    }


def flag_reason_label(reason: str) -> str:
    return flag_reason_labels().get(reason, reason)
