from flask import Blueprint

bp = Blueprint("lessons", __name__, template_folder="templates")

from cohortapp.lessons import routes  # noqa: E402, F401
