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
