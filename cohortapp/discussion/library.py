"""The shared Q&A library: a city's (/c/<city>/library/) and the platform's (/library/)."""

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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from cohortapp.access import require, require_platform_admin
from cohortapp.cohorts.models import Cohort
from cohortapp.discussion import services
from cohortapp.discussion.models import Question
from cohortapp.extensions import db
from cohortapp.lessons.services import current_course

city_bp = Blueprint("library", __name__, url_prefix="/library", template_folder="templates")
platform_bp = Blueprint(
    "platform_library", __name__, url_prefix="/library", template_folder="templates"
)


def list_page(query, endpoint: str, **context):
    page_key = request.args.get("page_key", "")[:120]
    search = request.args.get("q", "").strip()[:100]
    page = db.paginate(
        query(page_key=page_key, search=search).options(joinedload(Question.author)),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    course = current_course()
    return render_template(
        "discussion/library.html",
        page=page,
        answers=services.accepted_answers(page.items),
        course=course,
        page_titles=course.page_titles(str(get_locale())),
        page_key=page_key,
        search=search,
        endpoint=endpoint,
        **context,
    )


def item_page(question: Question, **context):
    answer = services.accepted_answers([question]).get(question.accepted_answer_id)
    if answer is None:  # no longer accepted, or hidden: not in the library any more
        abort(404)
    course = current_course()
    lesson = course.page(question.page_key) if question.page_key else None
    text = course.text(lesson, str(get_locale()))[0] if lesson else None
    return render_template(
        "discussion/library_item.html",
        question=question,
        answer=answer,
        lesson_title=text.title if text else None,
        **context,
    )


@city_bp.get("/")
@require("city.view")
def index():
    return list_page(
        lambda **kw: services.library_query(city=g.city, **kw), "cities.library.index", scope="city"
    )


def city_item_or_404(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.is_hidden or question.shared_scope == "cohort":
        abort(404)
    if db.session.get(Cohort, question.cohort_id).city_id != g.city.id:
        abort(404)
    return question


@city_bp.get("/<int:question_id>")
@require("city.view")
def item(question_id):
    return item_page(city_item_or_404(question_id), scope="city")


@city_bp.post("/<int:question_id>/promote")
@require_platform_admin
def promote(question_id):
    question = city_item_or_404(question_id)
    to_platform = request.form.get("platform") == "1"
    services.promote_question(question, to_platform, actor=current_user._get_current_object())
    db.session.commit()
    if to_platform:
        flash(_("The item is now in the platform library, for every signed-in user."), "success")
    else:
        flash(_("The item is back in its city's library only."), "success")
    return redirect(url_for(".item", question_id=question.id))


@platform_bp.get("/")
@login_required
def index_all():
    return list_page(
        lambda **kw: services.library_query(**kw), "platform_library.index_all", scope="platform"
    )


@platform_bp.get("/<int:question_id>")
@login_required
def item_all(question_id):
    question = db.session.get(Question, question_id)
    if question is None or question.is_hidden or question.shared_scope != "platform":
        abort(404)
    return item_page(question, scope="platform")
