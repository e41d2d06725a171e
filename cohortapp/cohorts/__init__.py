from flask import Blueprint

from cohortapp.discussion import bp as discussion_bp
from cohortapp.lessons import bp as lessons_bp

bp = Blueprint(
    "cohorts", __name__, url_prefix="/cohorts/<cohort_slug>", template_folder="templates"
)
bp.register_blueprint(lessons_bp)
bp.register_blueprint(discussion_bp)

from cohortapp.cohorts import routes  # noqa: E402, F401
