from flask import Blueprint

bp = Blueprint("discussion", __name__, url_prefix="/qa", template_folder="templates")

from cohortapp.discussion import routes  # noqa: E402, F401
