from flask import Blueprint

from cohortapp.cohorts import bp as cohorts_bp

bp = Blueprint("cities", __name__, url_prefix="/c/<city_slug>", template_folder="templates")

# Tenancy by construction: every cohort route lives under /c/<city>/cohorts/<cohort>, so the
# city and then the cohort are loaded (and checked) once, before any of their views runs.
bp.register_blueprint(cohorts_bp)

from cohortapp.cities import routes  # noqa: E402, F401
