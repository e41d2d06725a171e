from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from cohortapp.auth import bp, services
from cohortapp.auth.forms import (
    AcceptInvitationForm,
    AccountForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    JoinForm,
    LoginForm,
    ResetPasswordForm,
    SignInLinkForm,
)
from cohortapp.auth.models import User, find_user_by_email
from cohortapp.auth.services import (
    TokenError,
    accept_invitation,
    authenticate,
    change_password,
    register_invited_user,
    request_password_reset,
    usable_auth_token,
    usable_invitation,
    use_auth_token,
)
from cohortapp.extensions import db, limiter
from cohortapp.forms import render_form
from cohortapp.i18n import SESSION_KEY, remember_language
from cohortapp.urls import is_safe_next, redirect_to_next

LINK_PROBLEMS = {
    "invalid": lambda: _("This link is not valid. Check that you copied the whole address."),
    "used": lambda: _("This link has already been used. Each link works only once."),
    "expired": lambda: _("This link has expired. Ask for a new one."),
}


def start_session(user: User, remember: bool = False) -> None:
    """A fresh session at every sign-in (no fixation), keeping only the language choice."""
    language = session.get(SESSION_KEY)
    session.clear()
    if language:
        session[SESSION_KEY] = language
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect_to_next(request.args.get("next"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user, remember=form.remember.data)
            return redirect_to_next(form.next.data)
        form.password.errors.append(_("Wrong email address or password."))
    return render_form("auth/login.html", form)


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    current_user.end_all_sessions()
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out on every device."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _(
                "If an account exists for %(email)s, we have sent it a link to choose a new "
                "password. Check your inbox in a few minutes.",
                email=form.email.data,
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_form("auth/forgot_password.html", form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token):
    try:
        row = usable_auth_token(token, "reset")
    except TokenError as error:
        return render_link_problem(error.reason, retry_endpoint="auth.forgot_password")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        use_auth_token(row)
        user = row.user
        change_password(user, form.password.data)
        db.session.commit()
        start_session(user)
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("home.index"))
    return render_form("auth/reset_password.html", form)


def render_link_problem(reason: str, retry_endpoint: str | None = None):
    return (
        render_template(
            "auth/link_problem.html", message=LINK_PROBLEMS[reason](), retry_endpoint=retry_endpoint
        ),
        410 if reason in ("used", "expired") else 404,
    )


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def invitation(token):
    try:
        invite = usable_invitation(token)
    except TokenError as error:
        return render_link_problem(error.reason)
    existing = find_user_by_email(invite.email)
    if existing is not None:
        return accept_as_existing_user(invite, existing)
    form = AcceptInvitationForm()
    if not form.is_submitted() and invite.name:
        form.name.data = invite.name
    if form.validate_on_submit():
        user = register_invited_user(invite, form.name.data, form.password.data)
        db.session.commit()
        start_session(user)
        flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
        return redirect(url_for("cities.home", city_slug=invite.city.slug))
    return render_form("auth/invitation.html", form, invitation=invite)


def accept_as_existing_user(invite, user: User):
    if not current_user.is_authenticated:
        flash(_("You already have an account. Sign in to accept the invitation."), "info")
        return redirect(url_for("auth.login", next=request.path))
    if current_user.id != user.id:
        abort(403)
    if request.method == "POST":
        accept_invitation(invite, user)
        db.session.commit()
        flash(_("Invitation accepted."), "success")
        return redirect(url_for("cities.home", city_slug=invite.city.slug))
    return render_template("auth/invitation_accept.html", invitation=invite)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = AccountForm(obj=current_user)
    if form.validate_on_submit():
        current_user.name = form.name.data.strip()
        current_user.wants_digest = form.wants_digest.data
        remember_language(form.locale.data)
        db.session.commit()
        flash(_("Your details have been saved."), "success")
        return redirect(url_for("auth.account"))
    if not form.is_submitted():
        form.locale.data = current_user.locale or session.get(SESSION_KEY) or "en"
    return render_form("auth/account.html", form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password_page():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        has_password = bool(current_user.password_hash)
        if has_password and not current_user.check_password(form.current_password.data or ""):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            user = current_user._get_current_object()
            change_password(user, form.password.data)
            db.session.commit()
            # This device stays signed in under the new session version; others are ended.
            start_session(user)
            flash(_("Your password has been changed. Other devices are signed out."), "success")
            return redirect(url_for("auth.account"))
    return render_form("auth/change_password.html", form)


@bp.route("/login/link", methods=["GET", "POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def request_sign_in_link():
    form = SignInLinkForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        target = form.next.data if is_safe_next(form.next.data) else None
        services.send_sign_in_link(form.email.data, target)
        db.session.commit()
        flash(
            _(
                "If an account exists for %(email)s, we have sent it a sign-in link. It works "
                "once, within 30 minutes.",
                email=form.email.data,
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_form("auth/sign_in_link.html", form)


@bp.route("/login/link/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def sign_in_with_link(token):
    # Opening the link only shows a button: mail scanners that fetch links must not use it up.
    try:
        row = usable_auth_token(token, "signin")
    except TokenError as error:
        return render_link_problem(error.reason, retry_endpoint="auth.request_sign_in_link")
    if request.method == "GET":
        return render_template("auth/sign_in_with_link.html")
    use_auth_token(row)
    db.session.commit()
    start_session(row.user)
    return redirect_to_next(row.next_path)


@bp.route("/join/<code>", methods=["GET", "POST"])
@limiter.limit("30 per minute")  # codes cannot be guessed one after the other
@limiter.limit("10 per minute; 60 per hour", methods=["POST"])
def join(code):
    from cohortapp.cohorts.services import (
        email_domain_allowed,
        enroll,
        enrollment_of,
        find_cohort_by_join_code,
    )

    cohort = find_cohort_by_join_code(code)
    if cohort is None or not cohort.is_open or cohort.city.is_archived:
        return render_template("auth/join_unavailable.html"), 404
    if not current_user.is_authenticated:
        return join_as_visitor(cohort, code, email_domain_allowed)
    user = current_user._get_current_object()
    allowed = email_domain_allowed(cohort, user.email)
    existing = enrollment_of(cohort, user)
    if existing is not None and existing.removed_at is None:
        flash(_("You are already in this cohort."), "info")
        return redirect(cohort_url(cohort))
    if request.method == "POST" and allowed:
        enroll(cohort, user, "learner")
        db.session.commit()
        flash(_("Welcome to %(cohort)s.", cohort=cohort.name), "success")
        return redirect(cohort_url(cohort))
    return render_template("auth/join_confirm.html", cohort=cohort, allowed=allowed)


def cohort_url(cohort) -> str:
    return url_for("cities.cohorts.home", city_slug=cohort.city.slug, cohort_slug=cohort.slug)


def join_as_visitor(cohort, code, email_domain_allowed):
    form = JoinForm()
    if form.validate_on_submit():
        if not email_domain_allowed(cohort, form.email.data):
            form.email.errors.append(
                _(
                    "This cohort is open to addresses ending in %(domains)s. Use your work address.",
                    domains=", ".join(cohort.join_domains.split(",")),
                )
            )
        else:
            services.send_sign_in_link(
                form.email.data,
                url_for("auth.join", code=code),
                name=form.name.data,
                locale=cohort.locale or cohort.city.default_locale,
            )
            db.session.commit()
            flash(
                _(
                    "We have sent a link to %(email)s. Open it within 30 minutes to join the cohort.",
                    email=form.email.data,
                ),
                "info",
            )
            return redirect(url_for("auth.join", code=code))
    return render_form("auth/join.html", form, cohort=cohort, code=code)
