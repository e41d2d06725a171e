from flask import Blueprint

bp = Blueprint("cities", __name__, url_prefix="/c/<city_slug>", template_folder="templates")

from cohortapp.cities import routes  # noqa: E402, F401
