from flask import Blueprint

bp = Blueprint("discussion", __name__, template_folder="templates")
