from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from cohortapp.access import active_enrollment, require
from cohortapp.cities.services import local_note_texts
from cohortapp.discussion.services import page_questions
from cohortapp.extensions import db
from cohortapp.lessons import bp
from cohortapp.lessons.forms import PageActionForm
from cohortapp.lessons.outline import outline_html
from cohortapp.lessons.services import (
    answer_check,
    complete_page,
    completed_keys,
    current_course,
    progress_percent,
    progress_rows,
    record_visit,
    refresh_progress_summary,
    response_for,
    save_reflection,
)


def learner_enrollment():
    enrollment = active_enrollment(current_user, g.cohort)
    return enrollment if enrollment is not None and enrollment.role == "learner" else None


def load_page(module: str, slug: str):
    course = current_course()
    page = course.page(f"{module}/{slug}")
    if page is None:
        abort(404)
    return course, page


@bp.get("/pages/<module>/<page>")
@require("lesson.read")
def page(module, page):
    course, lesson = load_page(module, page)
    enrollment = learner_enrollment()
    rows = progress_rows(enrollment)
    html = render_page(course, lesson, enrollment, rows=rows)
    if enrollment is not None and g.cohort.is_open and lesson.key not in rows:
        record_visit(enrollment, lesson.key)
        refresh_progress_summary([enrollment.id], course)
        # Committed after rendering, so the page's objects are not expired and reloaded.
        db.session.commit()
    return html


@bp.post("/pages/<module>/<page>")
@require("lesson.progress")
def act(module, page):
    course, lesson = load_page(module, page)
    enrollment = learner_enrollment()
    if enrollment is None:
        abort(403)
    if not g.cohort.is_open:
        flash(
            _("This cohort is not open, so your work can no longer be changed. It is kept."),
            "error",
        )
        return redirect(page_url(lesson))
    form = PageActionForm()
    if not form.validate_on_submit():
        return render_page(course, lesson, enrollment, form), 422
    # Translations keep the source's activity structure, so the source decides what is right.
    source_text = lesson.texts.get(course.source_locale)
    activity = source_text.activity if source_text else None
    handlers = {"answer": answer, "save": save, "next": go_next}
    handler = handlers.get(chosen_action(form, activity, enrollment, lesson))
    if handler is None:
        abort(400)
    return handler(course, lesson, enrollment, form, activity)


def page_url(lesson, anchor: str = "") -> str:
    return url_for(".page", module=lesson.module_slug, page=lesson.slug) + anchor


def chosen_action(form, activity, enrollment, lesson) -> str:
    """Choosing an answer then pressing Next records the answer and shows its explanation."""
    action = form.action.data
    is_check = activity is not None and activity.kind == "check"
    first_answer = is_check and form.choice.data and response_for(enrollment, lesson.key) is None
    return "answer" if action == "next" and first_answer else action


def keep_reflection(course, lesson, enrollment, form, activity) -> None:
    text = (form.reflection.data or "").strip()
    if activity is not None and activity.kind == "reflection" and text:
        save_reflection(enrollment, lesson.key, text, course)


def answer(course, lesson, enrollment, form, activity):
    if activity is None or activity.kind != "check":
        abort(400)
    if activity.option(form.choice.data or "") is None:
        form.choice.errors.append(_("Choose one of the answers."))
        return render_page(course, lesson, enrollment, form), 422
    answer_check(enrollment, lesson.key, activity, form.choice.data, course)
    db.session.commit()
    return redirect(page_url(lesson, "#activity"))


def save(course, lesson, enrollment, form, activity):
    if activity is None or activity.kind != "reflection":
        abort(400)
    keep_reflection(course, lesson, enrollment, form, activity)
    db.session.commit()
    flash(_("Your reflection is saved. You can change it whenever you come back."), "success")
    return redirect(page_url(lesson, "#activity"))


def go_next(course, lesson, enrollment, form, activity):
    keep_reflection(course, lesson, enrollment, form, activity)
    is_check = activity is not None and activity.kind == "check"
    if is_check and response_for(enrollment, lesson.key) is None:
        form.choice.errors.append(_("Answer the question before going on."))
        return render_page(course, lesson, enrollment, form), 422
    complete_page(enrollment, lesson.key, course)
    db.session.commit()
    return redirect_after_completion(course, lesson, enrollment)


def redirect_after_completion(course, lesson, enrollment):
    _previous, following = course.neighbours(lesson)
    if following is not None:
        return redirect(url_for(".page", module=following.module_slug, page=following.slug))
    if enrollment.completed_at is not None:
        flash(_("You have completed the course. Well done!"), "success")
    return redirect(url_for("cities.cohorts.home"))


def render_page(course, lesson, enrollment, form=None, rows=None):
    """The lesson page; `form` is the submitted form when it comes back with errors."""
    locale = str(get_locale())
    text, fallback = course.text(lesson, locale)
    if text is None:
        current_app.logger.error("no usable text for page %s; run: flask content check", lesson.key)
        return render_template("lessons/unavailable.html", lesson=lesson), 503
    rows = progress_rows(enrollment) if rows is None else rows
    done = completed_keys(rows, course)
    response = response_for(enrollment, lesson.key)
    previous, following = course.neighbours(lesson)
    base = requested_pages_base(lesson)
    return render_template(
        "lessons/page.html",
        pages_base=base,
        local_note=local_note_for(lesson.key, locale),
        page_questions=page_questions(g.cohort, lesson.key),
        course=course,
        lesson=lesson,
        text=text,
        fallback=fallback,
        locale=locale,
        module=course.module_of[lesson.key],
        outline=outline_html(course, locale, base, done, lesson.key),
        percent=progress_percent(len(done), course.total),
        response=response,
        submitted=submitted_state(form),
        activity_form=lambda: form if form is not None else saved_answer_form(response),
        previous=previous,
        following=following,
        enrollment=enrollment,
        can_record=enrollment is not None and g.cohort.is_open,
    )


def submitted_state(form) -> tuple | None:
    """What a form sent back with errors shows beyond the saved answer (None when none was)."""
    if form is None:
        return None
    return (form.choice.data, form.reflection.data, str(form.errors))


def saved_answer_form(response) -> PageActionForm:
    """The page's form showing the learner's saved answer.

    Built only when the activity's markup is rendered, not taken from the fragment cache: most
    requests for a page never need it."""
    form = PageActionForm()
    if response is not None and response.kind == "reflection":
        form.reflection.data = response.body
    elif response is not None:
        form.choice.data = response.choice
    return form


def pages_base(lesson) -> str:
    """The address every page of this cohort starts with: a page's is this plus its key.

    The endpoint is named in full, so that views outside the lessons blueprint can use it."""
    url = url_for("cities.cohorts.lessons.page", module=lesson.module_slug, page=lesson.slug)
    return url[: -len(lesson.key)]


def requested_pages_base(lesson) -> str:
    """pages_base, read off the request for the lesson's own address (it ends with the key)
    rather than built again by url_for."""
    if request.path.endswith(f"/{lesson.key}"):
        return request.script_root + request.path[: -len(lesson.key)]
    return pages_base(lesson)


def local_note_for(page_key: str, locale: str):
    """The city's note in the reader's language, else in the city's default language."""
    notes = local_note_texts(g.city, page_key)
    return notes.get(locale) or notes.get(g.city.default_locale)
