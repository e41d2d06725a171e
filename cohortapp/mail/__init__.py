from flask import Blueprint

# Email templates live in this package's templates/mail/ folder.
bp = Blueprint("mail", __name__, template_folder="templates")
