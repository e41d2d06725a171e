from flask import Blueprint

bp = Blueprint(
    "cohorts", __name__, url_prefix="/cohorts/<cohort_slug>", template_folder="templates"
)

from cohortapp.cohorts import routes  # noqa: E402, F401
