import uuid

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from cohortapp.access import can, require
from cohortapp.discussion import bp, services
from cohortapp.discussion.forms import AnswerForm, FlagForm, QuestionForm, ShareForm
from cohortapp.discussion.models import Answer, Flag, Question
from cohortapp.extensions import db
from cohortapp.forms import render_form
from cohortapp.lessons.services import current_course


def me():
    return current_user._get_current_object()


def is_moderator() -> bool:
    return can("qa.moderate")


def question_or_404(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.cohort_id != g.cohort.id:
        abort(404)
    if question.is_hidden and not is_moderator():
        abort(404)
    return question


def answer_or_404(answer_id: int) -> tuple[Question, Answer]:
    answer = db.session.get(Answer, answer_id)
    if answer is None:
        abort(404)
    question = question_or_404(answer.question_id)
    if answer.is_hidden and not is_moderator():
        abort(404)
    return question, answer


def question_url(question: Question, anchor: str = "") -> str:
    return url_for(".question", question_id=question.id) + anchor


def answer_url(question: Question, answer: Answer) -> str:
    return question_url(question, f"#answer-{answer.id}")


def refuse_if_closed(target: str):
    """Closed and draft cohorts are read-only: say so and go back."""
    if g.cohort.is_open:
        return None
    flash(_("This cohort is not open: its questions can be read but not changed."), "error")
    return redirect(target)


def page_choices(course, locale):
    choices = [SelectChoice("", _("No particular page"))]
    titles = course.page_titles(locale)
    for page in course.pages:
        title = titles[page.key]
        choices.append(
            SelectChoice(page.key, _("Page %(number)s: %(title)s", number=page.number, title=title))
        )
    return choices


# Lists ---------------------------------------------------------------------------------


@bp.get("/")
@require("qa.read")
def index():
    options = services.QuestionFilter(
        sort=request.args.get("sort") if request.args.get("sort") in ("new", "votes") else "new",
        show=request.args.get("show")
        if request.args.get("show") in ("all", "unanswered", "mine")
        else "all",
        page_key=request.args.get("page_key", "")[:120],
        search=request.args.get("q", "").strip()[:100],
    )
    query = services.questions_query(g.cohort, options, viewer=me(), moderator=is_moderator())
    query = query.options(joinedload(Question.author))
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    course = current_course()
    return render_template(
        "discussion/index.html",
        page=page,
        options=options,
        course=course,
        page_titles=course.page_titles(str(get_locale())),
        open_flags=services.open_flag_count(g.cohort) if is_moderator() else 0,
    )


# Asking and answering --------------------------------------------------------------------


@bp.route("/ask", methods=["GET", "POST"])
@require("qa.post")
def ask():
    closed = refuse_if_closed(url_for(".index"))
    if closed:
        return closed
    course = current_course()
    form = QuestionForm()
    form.page_key.choices = page_choices(course, str(get_locale()))
    if form.validate_on_submit():  # the page's choices are the course's pages
        question = services.ask_question(
            g.cohort,
            me(),
            form.title.data,
            form.body.data or "",
            page_key=form.page_key.data,
            submission_key=form.submission_key.data or None,
        )
        db.session.commit()
        flash(_("Your question is posted. You will get an email when someone answers."), "success")
        return redirect(question_url(question))
    if not form.is_submitted():
        form.page_key.data = request.args.get("page", "")
        form.submission_key.data = uuid.uuid4().hex
    return render_form("discussion/ask.html", form)


@bp.get("/<int:question_id>")
@require("qa.read")
def question(question_id):
    return render_question(question_or_404(question_id), new_answer_form())


def new_answer_form() -> AnswerForm:
    form = AnswerForm()
    form.submission_key.data = uuid.uuid4().hex
    return form


def render_question(question: Question, answer_form: AnswerForm):
    """The question page; 422 when the answer form comes back with errors."""
    moderator = is_moderator()
    viewer = me()
    # Reflect first: learners see the others' answers once they have posted their own.
    can_see_answers = (
        not question.is_reflection_prompt or moderator or services.has_answered(question, viewer)
    )
    answers = services.answers_of(question, moderator=moderator) if can_see_answers else []
    course = current_course()
    lesson = course.page(question.page_key) if question.page_key else None
    return render_template(
        "discussion/question.html",
        question=question,
        answers=answers,
        answer_form=answer_form,
        flag_fields=FlagForm(formdata=None),
        share_form=ShareForm(formdata=None, show_names=question.shared_show_names),
        moderator=moderator,
        can_see_answers=can_see_answers,
        hidden_answer_count=question.answer_count if not can_see_answers else 0,
        voted_question=bool(services.my_votes(viewer, "question", [question.id])),
        voted_answers=services.my_votes(viewer, "answer", [a.id for a in answers]),
        following=services.is_following(question, viewer),
        lesson=lesson,
        lesson_title=course.page_titles(str(get_locale()))[lesson.key] if lesson else None,
    ), 422 if answer_form.errors else 200


@bp.post("/<int:question_id>/answers")
@require("qa.post")
def answer(question_id):
    question = question_or_404(question_id)
    closed = refuse_if_closed(question_url(question))
    if closed:
        return closed
    form = AnswerForm()
    if not form.validate_on_submit():
        return render_question(question, form)
    posted = services.post_answer(
        question, me(), form.body.data, submission_key=form.submission_key.data or None
    )
    db.session.commit()
    flash(_("Your answer is posted."), "success")
    return redirect(answer_url(question, posted))


# Editing and deleting one's own posts ---------------------------------------------------------


def own_post_or_403(post) -> None:
    if post.author_id != current_user.id:
        abort(403)


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@require("qa.post")
def edit_question(question_id):
    question = question_or_404(question_id)
    own_post_or_403(question)
    closed = refuse_if_closed(question_url(question))
    if closed:
        return closed
    course = current_course()
    form = QuestionForm(obj=question) if request.method == "GET" else QuestionForm()
    form.page_key.choices = page_choices(course, str(get_locale()))
    if request.method == "GET":
        form.body.data, form.page_key.data, form.version.data = (
            question.body_md,
            question.page_key or "",
            question.version,
        )
    elif form.validate_on_submit():
        try:
            services.edit_question(
                question,
                form.title.data,
                form.body.data or "",
                page_key=form.page_key.data,
                version=form.version.data or 0,
            )
        except services.EditConflict:
            db.session.rollback()
            return edit_conflict("discussion/edit_question.html", form, question=question)
        db.session.commit()
        flash(_("Your question is saved."), "success")
        return redirect(question_url(question))
    return render_form("discussion/edit_question.html", form, question=question)


def edit_conflict(template: str, form, **context):
    form.body.errors.append(
        _(
            "Someone else changed this post while you were editing it. Your text is kept below: "
            "open the post again in another tab to see their version, then save yours."
        )
    )
    return render_template(template, form=form, **context), 409


@bp.post("/<int:question_id>/delete")
@require("qa.post")
def delete_question(question_id):
    question = question_or_404(question_id)
    own_post_or_403(question)
    closed = refuse_if_closed(question_url(question))
    if closed:
        return closed
    try:
        services.delete_question(question)
    except services.NotAllowed:
        flash(_("A question that has answers cannot be deleted. You can still edit it."), "error")
        return redirect(question_url(question))
    db.session.commit()
    flash(_("Your question is deleted."), "success")
    return redirect(url_for(".index"))


@bp.route("/answers/<int:answer_id>/edit", methods=["GET", "POST"])
@require("qa.post")
def edit_answer(answer_id):
    question, item = answer_or_404(answer_id)
    own_post_or_403(item)
    closed = refuse_if_closed(question_url(question))
    if closed:
        return closed
    form = AnswerForm()
    if request.method == "GET":
        form.body.data, form.version.data = item.body_md, item.version
    elif form.validate_on_submit():
        try:
            services.edit_answer(item, form.body.data, version=form.version.data or 0)
        except services.EditConflict:
            db.session.rollback()
            return edit_conflict(
                "discussion/edit_answer.html", form, question=question, answer=item
            )
        db.session.commit()
        flash(_("Your answer is saved."), "success")
        return redirect(answer_url(question, item))
    return render_form("discussion/edit_answer.html", form, question=question, answer=item)


@bp.post("/answers/<int:answer_id>/delete")
@require("qa.post")
def delete_answer(answer_id):
    question, item = answer_or_404(answer_id)
    own_post_or_403(item)
    closed = refuse_if_closed(question_url(question))
    if closed:
        return closed
    try:
        services.delete_answer(question, item)
    except services.NotAllowed:
        flash(_("An accepted answer cannot be deleted. You can still edit it."), "error")
        return redirect(question_url(question))
    db.session.commit()
    flash(_("Your answer is deleted."), "success")
    return redirect(question_url(question))


# Votes, follows, acceptance ------------------------------------------------------------------


@bp.post("/<int:question_id>/vote")
@require("qa.read")
def vote_question(question_id):
    question = question_or_404(question_id)
    return vote("question", question, question_url(question))


@bp.post("/answers/<int:answer_id>/vote")
@require("qa.read")
def vote_answer(answer_id):
    question, item = answer_or_404(answer_id)
    return vote("answer", item, answer_url(question, item))


def vote(kind, post, target):
    closed = refuse_if_closed(target)
    if closed:
        return closed
    try:
        services.toggle_vote(me(), kind, post)
    except services.NotAllowed:
        flash(_("You cannot vote for your own post."), "error")
        return redirect(target)
    db.session.commit()
    return redirect(target)


@bp.post("/<int:question_id>/follow")
@require("qa.read")
def follow(question_id):
    question = question_or_404(question_id)
    following = services.toggle_follow(me(), question)
    db.session.commit()
    if following:
        flash(_("You follow this question: you will get an email for each new answer."), "success")
    else:
        flash(_("You no longer follow this question."), "success")
    return redirect(question_url(question))


@bp.post("/answers/<int:answer_id>/accept")
@require("qa.post")
def accept(answer_id):
    question, item = answer_or_404(answer_id)
    if question.author_id != current_user.id and not is_moderator():
        abort(403)
    closed = refuse_if_closed(question_url(question))
    if closed:
        return closed
    accepted = services.accept_answer(question, item, actor=me())
    db.session.commit()
    flash(
        _("The answer is marked as accepted.")
        if accepted
        else _("The answer is no longer marked as accepted."),
        "success",
    )
    return redirect(answer_url(question, item))


@bp.post("/answers/<int:answer_id>/endorse")
@require("qa.moderate")
def endorse(answer_id):
    question, item = answer_or_404(answer_id)
    endorsed = services.endorse_answer(item, question, actor=me())
    db.session.commit()
    flash(
        _("You endorse this answer.") if endorsed else _("Your endorsement is withdrawn."),
        "success",
    )
    return redirect(answer_url(question, item))


# Moderation ---------------------------------------------------------------------------------


@bp.post("/<int:question_id>/flag")
@require("qa.read")
def flag_question(question_id):
    question = question_or_404(question_id)
    return flag("question", question, question_url(question))


@bp.post("/answers/<int:answer_id>/flag")
@require("qa.read")
def flag_answer(answer_id):
    question, item = answer_or_404(answer_id)
    return flag("answer", item, answer_url(question, item))


def flag(kind, post, target):
    form = FlagForm()
    if not form.validate_on_submit():
        flash(_("Choose a reason for the flag."), "error")
        return redirect(target)
    new = services.flag_post(me(), g.cohort, kind, post, form.reason.data, form.comment.data or "")
    db.session.commit()
    if new:
        flash(_("Thank you. A facilitator will look at it."), "success")
    else:
        flash(_("You have already flagged this. A facilitator will look at it."), "info")
    return redirect(target)


@bp.post("/<int:question_id>/hide")
@require("qa.moderate")
def hide_question(question_id):
    question = question_or_404(question_id)
    hidden = request.form.get("hidden") == "1"
    services.set_hidden("question", question, hidden, question=question, actor=me())
    db.session.commit()
    flash(
        _("The question is hidden from learners.")
        if hidden
        else _("The question is visible again."),
        "success",
    )
    return redirect(question_url(question))


@bp.post("/answers/<int:answer_id>/hide")
@require("qa.moderate")
def hide_answer(answer_id):
    question, item = answer_or_404(answer_id)
    hidden = request.form.get("hidden") == "1"
    services.set_hidden("answer", item, hidden, question=question, actor=me())
    db.session.commit()
    flash(
        _("The answer is hidden from learners.") if hidden else _("The answer is visible again."),
        "success",
    )
    return redirect(answer_url(question, item))


@bp.get("/flags")
@require("qa.moderate")
def flags():
    items = services.open_flags(g.cohort)
    return render_template(
        "discussion/flags.html",
        flags=items,
        posts=services.flagged_posts(items),
    )


@bp.post("/flags/<int:flag_id>/dismiss")
@require("qa.moderate")
def dismiss_flag(flag_id):
    item = db.session.get(Flag, flag_id)
    if item is None or item.cohort_id != g.cohort.id:
        abort(404)
    services.dismiss_flag(item, actor=me(), city=g.city)
    db.session.commit()
    flash(_("The flag is dismissed; the post stays visible."), "success")
    return redirect(url_for(".flags"))


@bp.post("/<int:question_id>/reflection-prompt")
@require("qa.moderate")
def reflection_prompt(question_id):
    question = question_or_404(question_id)
    value = request.form.get("value") == "1"
    services.set_reflection_prompt(question, value, actor=me())
    db.session.commit()
    if value:
        flash(_("Learners now see the other answers only after posting their own."), "success")
    else:
        flash(_("Everyone sees every answer again."), "success")
    return redirect(question_url(question))


# Sharing to the library ---------------------------------------------------------------------


@bp.post("/<int:question_id>/share")
@require("qa.moderate")
def share(question_id):
    question = question_or_404(question_id)
    form = ShareForm()
    form.validate_on_submit()
    try:
        services.share_question(question, show_names=form.show_names.data, actor=me())
    except services.NotAllowed:
        flash(_("Only a visible question with an accepted answer can be shared."), "error")
        return redirect(question_url(question))
    db.session.commit()
    flash(
        _(
            "The question and its accepted answer are in the city library. The discussion stays in the cohort."
        ),
        "success",
    )
    return redirect(question_url(question))


@bp.post("/<int:question_id>/unshare")
@require("qa.moderate")
def unshare(question_id):
    question = question_or_404(question_id)
    services.unshare_question(question, actor=me())
    db.session.commit()
    flash(_("The question is no longer in the library."), "success")
    return redirect(question_url(question))
