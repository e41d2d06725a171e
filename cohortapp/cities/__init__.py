from flask import Blueprint

from cohortapp.cohorts import bp as cohorts_bp

bp = Blueprint("cities", __name__, url_prefix="/c/<city_slug>", template_folder="templates")

from cohortapp.cities import routes  # noqa: E402, F401
from cohortapp.cities.manage import bp as manage_bp  # noqa: E402
from cohortapp.discussion.library import city_bp as library_bp  # noqa: E402

# Tenancy by construction: every cohort route lives under /c/<city>/cohorts/<cohort>, and
# every coordinator page under /c/<city>/manage/, so the city (then the cohort) is loaded and
# checked once, before any of their views runs.
bp.register_blueprint(cohorts_bp)
bp.register_blueprint(manage_bp)
bp.register_blueprint(library_bp)
