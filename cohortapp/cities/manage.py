"""The city coordinator's pages under /c/<city>/manage/: cohorts, people, enrolment, notes."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from cohortapp.access import require
from cohortapp.audit import AuditEvent
from cohortapp.auth.models import Invitation, User
from cohortapp.cities import enrolment_csv
from cohortapp.cities.forms import CohortForm, EnrolForm, ImportForm, note_form
from cohortapp.cities.models import CITY_ROLES, EnrolmentImport
from cohortapp.cities.services import (
    cohorts_by_user,
    enrol_by_email,
    local_notes,
    members_query,
    open_invitations,
    pages_with_notes,
    resend_invitation,
    revoke_invitation,
    roles_by_user,
    save_local_note,
)
from cohortapp.cohorts import dashboard
from cohortapp.cohorts.models import COHORT_STATUSES, Cohort, Enrollment
from cohortapp.cohorts.progress_csv import progress_csv
from cohortapp.cohorts.services import (
    COHORT_FIELDS,
    city_cohorts,
    create_cohort,
    disable_join_link,
    find_cohort,
    new_join_code,
    remove_enrollment,
    set_cohort_status,
    slug_taken,
    update_cohort,
)
from cohortapp.extensions import db
from cohortapp.forms import render_form
from cohortapp.labels import enrolment_outcome_message, import_file_problem, import_reason_label
from cohortapp.lessons.services import current_course, translation_report
from cohortapp.spreadsheet import csv_response
from cohortapp.sqltypes import utcnow

bp = Blueprint("manage", __name__, url_prefix="/manage", template_folder="templates")


def cohort_or_404(slug: str) -> Cohort:
    cohort = find_cohort(g.city, slug)
    if cohort is None:
        abort(404)
    return cohort


def actor():
    return current_user._get_current_object()


@bp.get("/")
@require("city.manage")
def index():
    course = current_course()
    cohorts = city_cohorts(g.city)
    rows = dashboard.learner_rows([cohort.id for cohort in cohorts], course)
    now = utcnow()
    figures = {
        cohort.id: dashboard.headline(
            [r for r in rows if r.cohort_id == cohort.id], cohort.stall_days, now
        )
        for cohort in cohorts
    }
    rates = dashboard.city_completion_rates()
    total, completed = rates.get(g.city.id, (0, 0))
    others = sorted(
        round(100 * done / learners)
        for city_id, (learners, done) in rates.items()
        if city_id != g.city.id and learners
    )
    return render_template(
        "manage/index.html",
        cohorts=cohorts,
        figures=figures,
        weekly=[
            (week.strftime("%d/%m"), count)
            for week, count in dashboard.weekly_completions([c.id for c in cohorts])
        ],
        city_rate=round(100 * completed / total) if total else 0,
        other_rates=others,
    )


@bp.get("/dashboard.csv")
@require("city.manage")
def city_csv():
    cohorts = {cohort.id: cohort for cohort in city_cohorts(g.city)}
    text = progress_csv(cohorts, current_course(), utcnow())
    return csv_response(text, f"{g.city.slug}-progress.csv")


def cohort_values(form: CohortForm) -> dict:
    return {name: getattr(form, name).data for name in COHORT_FIELDS}


@bp.route("/cohorts/new", methods=["GET", "POST"])
@require("city.manage")
def new_cohort():
    form = CohortForm(locales=g.city.locale_list, locale=g.city.default_locale)
    if form.validate_on_submit():
        if slug_taken(g.city, form.slug.data):
            form.slug.errors.append(_("Another cohort of the city already uses this address."))
        else:
            cohort = create_cohort(g.city, cohort_values(form), actor=actor())
            db.session.commit()
            flash(
                _(
                    "The cohort %(name)s is created as a draft. Enrol people, then open it.",
                    name=cohort.name,
                ),
                "success",
            )
            return redirect(url_for(".cohort", cohort=cohort.slug))
    return render_form("manage/cohort_form.html", form, cohort=None)


@bp.route("/cohorts/<cohort>/edit", methods=["GET", "POST"])
@require("city.manage")
def edit_cohort(cohort):
    item = cohort_or_404(cohort)
    form = CohortForm(obj=item, locales=g.city.locale_list)
    if form.validate_on_submit():
        if slug_taken(g.city, form.slug.data, except_id=item.id):
            form.slug.errors.append(_("Another cohort of the city already uses this address."))
        else:
            update_cohort(item, cohort_values(form), actor=actor())
            db.session.commit()
            flash(_("The cohort is saved."), "success")
            return redirect(url_for(".cohort", cohort=item.slug))
    return render_form("manage/cohort_form.html", form, cohort=item)


@bp.get("/cohorts/<cohort>/")
@require("city.manage")
def cohort(cohort):
    return render_cohort_page(cohort_or_404(cohort), EnrolForm())


def render_cohort_page(item: Cohort, form: EnrolForm):
    enrollments = list(
        db.session.scalars(
            select(Enrollment)
            .join(Enrollment.user)
            .options(contains_eager(Enrollment.user))
            .where(Enrollment.cohort_id == item.id)
            .order_by(Enrollment.removed_at.is_not(None), Enrollment.role, func.lower(User.name))
        )
    )
    return render_form(
        "manage/cohort.html",
        form,
        cohort=item,
        enrollments=enrollments,
        invitations=open_invitations(g.city, item),
    )


@bp.post("/cohorts/<cohort>/status")
@require("city.manage")
def cohort_status(cohort):
    item = cohort_or_404(cohort)
    status = request.form.get("status", "")
    if status not in COHORT_STATUSES:
        abort(400)
    set_cohort_status(item, status, actor=actor())
    db.session.commit()
    messages = {
        "open": _("The cohort is open: learners can work through the course."),
        "closed": _("The cohort is closed: it stays readable, and nothing can be changed in it."),
        "draft": _("The cohort is back to draft: learners cannot record progress."),
    }
    flash(messages[status], "success")
    return redirect(url_for(".cohort", cohort=item.slug))


@bp.post("/cohorts/<cohort>/enrol")
@require("city.manage")
def enrol(cohort):
    item = cohort_or_404(cohort)
    form = EnrolForm()
    if not form.validate_on_submit():
        return render_cohort_page(item, form)
    if item.is_closed:
        flash(_("The cohort is closed: nobody can be enrolled in it."), "error")
        return redirect(url_for(".cohort", cohort=item.slug))
    email = form.email.data.lower()
    outcome = enrol_by_email(item, email, form.role.data, actor=actor(), name=form.name.data or "")
    db.session.commit()
    category = "success" if outcome.changed else "info"
    flash(enrolment_outcome_message(outcome.status, email), category)
    return redirect(url_for(".cohort", cohort=item.slug))


@bp.post("/cohorts/<cohort>/enrollments/<int:enrollment_id>/remove")
@require("city.manage")
def remove(cohort, enrollment_id):
    item = cohort_or_404(cohort)
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.cohort_id != item.id:
        abort(404)
    remove_enrollment(enrollment, actor=actor())
    db.session.commit()
    flash(
        _(
            "%(name)s is removed from the cohort. Their progress is kept: enrolling them again restores it.",
            name=enrollment.user.display_name,
        ),
        "success",
    )
    return redirect(url_for(".cohort", cohort=item.slug))


@bp.post("/cohorts/<cohort>/join-link")
@require("city.manage")
def join_link(cohort):
    item = cohort_or_404(cohort)
    action = request.form.get("action")
    if action == "issue":
        new_join_code(item, actor=actor())
        message = _("A new join link is ready. Any earlier link no longer works.")
    elif action == "disable":
        disable_join_link(item, actor=actor())
        message = _("The join link is turned off.")
    else:
        abort(400)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".cohort", cohort=item.slug) + "#join-link")


def invitation_or_404(invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.city_id != g.city.id:
        abort(404)
    return invitation


def back_to(invitation: Invitation):
    if invitation.cohort is not None:
        return redirect(url_for(".cohort", cohort=invitation.cohort.slug))
    return redirect(url_for(".people"))


@bp.post("/invitations/<int:invitation_id>/resend")
@require("city.manage")
def resend(invitation_id):
    invitation = invitation_or_404(invitation_id)
    if invitation.accepted_at is not None:
        flash(_("This invitation has already been accepted."), "info")
        return back_to(invitation)
    if invitation.revoked_at is not None:
        flash(
            _("This invitation was withdrawn or replaced. Enrol the person again to invite them."),
            "info",
        )
        return back_to(invitation)
    resend_invitation(invitation, actor=actor())
    db.session.commit()
    flash(
        _(
            "A new invitation has been sent to %(email)s. The earlier link no longer works.",
            email=invitation.email,
        ),
        "success",
    )
    return back_to(invitation)


@bp.post("/invitations/<int:invitation_id>/revoke")
@require("city.manage")
def revoke(invitation_id):
    invitation = invitation_or_404(invitation_id)
    revoke_invitation(invitation, actor=actor())
    db.session.commit()
    flash(
        _(
            "The invitation to %(email)s is withdrawn: its link no longer works.",
            email=invitation.email,
        ),
        "success",
    )
    return back_to(invitation)


@bp.get("/people")
@require("city.manage")
def people():
    search = request.args.get("q", "").strip()[:100]
    role = request.args.get("role", "")
    if role not in ("", *CITY_ROLES):
        role = ""
    page = db.paginate(
        members_query(g.city, search, role),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    ids = [user.id for user in page.items]
    return render_template(
        "manage/people.html",
        page=page,
        search=search,
        role=role,
        roles=roles_by_user(g.city, ids),
        cohorts=cohorts_by_user(g.city, ids),
        invitations=open_invitations(g.city),
    )


@bp.route("/imports/new", methods=["GET", "POST"])
@require("enrol.manage")
def new_import():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            saved = enrolment_csv.save_upload(
                g.city, upload.filename or "", upload.read(), actor=actor()
            )
        except enrolment_csv.CsvFileError as error:
            form.file.errors.append(import_file_problem(error.code, error.detail))
        else:
            db.session.commit()
            return redirect(url_for(".show_import", import_id=saved.id))
    return render_form("manage/import_new.html", form, cohorts=city_cohorts(g.city))


def import_or_404(import_id: int) -> EnrolmentImport:
    upload = db.session.get(EnrolmentImport, import_id)
    if upload is None or upload.city_id != g.city.id:
        abort(404)
    return upload


@bp.get("/imports/<int:import_id>")
@require("enrol.manage")
def show_import(import_id):
    upload = import_or_404(import_id)
    if upload.applied_at is not None:
        return render_template("manage/import_summary.html", upload=upload, summary=upload.summary)
    return render_template(
        "manage/import_preview.html",
        upload=upload,
        preview=enrolment_csv.preview(g.city, upload.content),
    )


@bp.post("/imports/<int:import_id>/apply")
@require("enrol.manage")
def apply_import(import_id):
    upload = import_or_404(import_id)
    enrolment_csv.apply_import(g.city, upload, actor=actor())
    db.session.commit()
    return redirect(url_for(".show_import", import_id=upload.id))


@bp.get("/imports/<int:import_id>/rejected.csv")
@require("enrol.manage")
def rejected_rows(import_id):
    upload = import_or_404(import_id)
    if upload.applied_at is not None:
        records = upload.summary.get("rejected_rows", [])
    else:
        records = [
            enrolment_csv.row_record(row)
            for row in enrolment_csv.rejected_rows(g.city, upload.content)
        ]
    text = enrolment_csv.rejected_rows_csv(records, import_reason_label)
    return csv_response(text, f"rejected-rows-{upload.id}.csv")


@bp.get("/notes")
@require("city.manage")
def notes():
    return render_template(
        "manage/notes.html", course=current_course(), notes=pages_with_notes(g.city)
    )


@bp.route("/notes/<module>/<page>", methods=["GET", "POST"])
@require("city.manage")
def edit_note(module, page):
    course = current_course()
    lesson = course.page(f"{module}/{page}")
    if lesson is None:
        abort(404)
    locales = g.city.locale_list
    existing = local_notes(g.city, lesson.key)
    form = note_form(locales)()
    if form.validate_on_submit():
        for code in locales:
            save_local_note(
                g.city,
                lesson.key,
                code,
                form[f"note_{code}"].data or "",
                actor=actor(),
                notes=existing,
            )
        db.session.commit()
        flash(_("The notes for this page are saved."), "success")
        return redirect(url_for(".notes"))
    if not form.is_submitted():
        for code, note in existing.items():
            if code in locales:
                form[f"note_{code}"].data = note.body_md
    return render_form("manage/note_edit.html", form, lesson=lesson, course=course, locales=locales)


@bp.get("/audit")
@require("city.manage")
def audit_log():
    query = (
        select(AuditEvent)
        .where(AuditEvent.city_id == g.city.id)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template("manage/audit.html", page=page)


@bp.get("/translations")
@require("city.manage")
def translations():
    return render_template("translation_status.html", **translation_report(current_course()))
