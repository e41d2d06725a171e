"""How Flask-Login finds the user behind a session: id plus session version."""

from cohortapp.auth.models import User
from cohortapp.extensions import db, login_manager


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    user_id, _, version = login_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user
