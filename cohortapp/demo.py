"""`flask demo`: two cities with people, cohorts and varied progress, for trying the platform.

Idempotent: what exists is left alone, what is missing is added.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from cohortapp.auth.models import User, find_user_by_email
from cohortapp.cities.models import City
from cohortapp.cities.services import ensure_membership, local_notes, save_local_note
from cohortapp.cohorts.models import Cohort
from cohortapp.cohorts.services import enroll, find_cohort
from cohortapp.discussion.models import Question
from cohortapp.discussion.services import accept_answer, ask_question, post_answer, share_question
from cohortapp.extensions import db
from cohortapp.lessons.models import PageProgress, Response
from cohortapp.lessons.services import current_course, refresh_progress_summary
from cohortapp.sqltypes import utcnow

DEMO_PASSWORD = "intercultural"


@dataclass(frozen=True)
class DemoDiscussion:
    """A shared question with its accepted answer, and a question still waiting for one."""

    page_key: str
    question: str
    details: str
    answer: str
    open_question: str
    note: str


@dataclass(frozen=True)
class DemoCity:
    slug: str
    name: str
    country: str
    locale: str
    locales: str
    brand: str
    cohorts: tuple[tuple[str, str], tuple[str, str]]
    names: tuple[str, ...]
    reflection: str
    discussion: DemoDiscussion


CITIES = (
    DemoCity(
        "rivertown",
        "Rivertown",
        "GB",
        "en",
        "en,fr,de,es,it,uk,ar",
        "#1f5f8b",
        (("spring-2026", "Spring 2026"), ("autumn-2026", "Autumn 2026")),
        (
            "Amira Haddad",
            "Ben Clarke",
            "Chloe Okafor",
            "Dariusz Nowak",
            "Elena Rossi",
            "Farid Rahimi",
            "Grace Mensah",
            "Hugo Lambert",
            "Ines Duarte",
            "Jonas Berg",
            "Kemal Aydin",
            "Lucy Tran",
        ),
        "In our housing office the forms are only in English, and we rarely see the "
        "families who arrived most recently. I want to find out who does not come to us.",
        DemoDiscussion(
            "lens/knowing-your-diversity",
            "Where can we find data on languages spoken at home?",
            "The census question is broad. Has anyone used **school data** for this?",
            "The schools' admission forms ask for the languages spoken at home. The education "
            "department can give totals per ward without names; ask for last year's figures.",
            "Who in the council approves a budget line for interpreting?",
            "Rivertown's welcome desk for newcomers is on the ground floor of the town hall, "
            "open on weekday mornings. Ask for Sam Patel, who runs the volunteer interpreters.",
        ),
    ),
    DemoCity(
        "villeneuve",
        "Villeneuve",
        "FR",
        "fr",
        "fr,en,de,es,it,uk,ar",
        "#6b2a7d",
        (("printemps-2026", "Printemps 2026"), ("automne-2026", "Automne 2026")),
        (
            "Aïcha Benali",
            "Bastien Morel",
            "Camille Nguyen",
            "David Lefèvre",
            "Emma Traoré",
            "Fatou Diallo",
            "Gabriel Petit",
            "Hélène Martin",
            "Ibrahim Keita",
            "Julie Bernard",
            "Karim Mansouri",
            "Léa Rousseau",
        ),
        "À la médiathèque, les ateliers du samedi attirent toujours le même public. "
        "J'aimerais les organiser avec les associations du quartier des Tilleuls.",
        DemoDiscussion(
            "lens/knowing-your-diversity",
            "Où trouver des données sur les langues parlées à la maison ?",
            "Le recensement reste vague. Quelqu'un a-t-il utilisé les **données scolaires** ?",
            "Les fiches d'inscription des écoles demandent les langues parlées à la maison. Le "
            "service de l'enseignement peut fournir des totaux par quartier, sans noms.",
            "Qui, au conseil municipal, valide une ligne budgétaire pour l'interprétariat ?",
            "À Villeneuve, le guichet d'accueil des nouveaux arrivants se trouve au rez-de-chaussée "
            "de l'hôtel de ville, ouvert les matins de semaine. Demandez Nadia Bensaïd, qui coordonne "
            "les interprètes bénévoles.",
        ),
    ),
)

# Learner n (1-based, per cohort position 0..5): pages completed, days since last activity.
PROFILES = ((0, None), (5, 1), (18, 2), (42, 3), (9, 30), (25, 20))


_demo_hash: list[str] = []


def demo_password_hash() -> str:
    """Hashed once: hashing is deliberately slow, and every demo account shares the password."""
    if not _demo_hash:
        _demo_hash.append(generate_password_hash(DEMO_PASSWORD))
    return _demo_hash[0]


def get_or_create_user(email: str, name: str, **extra) -> User:
    user = find_user_by_email(email)
    if user is None:
        user = User(email=email, name=name, password_hash=demo_password_hash(), **extra)
        db.session.add(user)
        db.session.flush()
    return user


def get_or_create_city(spec: DemoCity) -> City:
    city = db.session.scalar(select(City).where(City.slug == spec.slug))
    if city is None:
        city = City(
            slug=spec.slug,
            name=spec.name,
            country=spec.country,
            default_locale=spec.locale,
            locales=spec.locales,
            brand_color=spec.brand,
        )
        db.session.add(city)
        db.session.flush()
    return city


def get_or_create_cohort(city: City, slug: str, name: str, locale: str, starts_on: date) -> Cohort:
    cohort = find_cohort(city, slug)
    if cohort is None:
        cohort = Cohort(
            city_id=city.id,
            city=city,
            slug=slug,
            name=name,
            locale=locale,
            status="open",
            starts_on=starts_on,
            ends_on=starts_on + timedelta(weeks=14),
            pace_weeks=12,
        )
        db.session.add(cohort)
        db.session.flush()
    return cohort


def add_progress(enrollment, pages_done: int, idle_days: int | None, reflection: str) -> None:
    """Give a fresh enrolment some history; an enrolment that has any is left alone."""
    has_progress = db.session.scalar(
        select(func.count())
        .select_from(PageProgress)
        .where(PageProgress.enrollment_id == enrollment.id)
    )
    if has_progress or idle_days is None:
        return
    course = current_course()
    last = utcnow() - timedelta(days=idle_days)
    reached = min(pages_done + 1, course.total)
    for index, page in enumerate(course.pages[:reached]):
        at = last - timedelta(hours=6 * (reached - index))
        completed = index < pages_done
        db.session.add(
            PageProgress(
                enrollment_id=enrollment.id,
                page_key=page.key,
                first_seen_at=at,
                completed_at=at + timedelta(minutes=7) if completed else None,
            )
        )
        activity = page.texts[course.source_locale].activity
        if completed and activity is not None:
            db.session.add(demo_response(enrollment.id, page.key, activity, index, reflection, at))
    if pages_done >= course.total:
        enrollment.completed_at = last
    db.session.flush()
    refresh_progress_summary([enrollment.id], course)


def demo_response(enrollment_id, page_key, activity, index, reflection, at) -> Response:
    if activity.kind == "reflection":
        return Response(
            enrollment_id=enrollment_id,
            page_key=page_key,
            kind="reflection",
            body=reflection,
            created_at=at,
            updated_at=at,
        )
    # Every third check is first answered wrongly, then corrected.
    wrong = next(o.id for o in activity.options if o.id != activity.correct)
    first = wrong if index % 3 == 0 else activity.correct
    return Response(
        enrollment_id=enrollment_id,
        page_key=page_key,
        kind="check",
        choice=activity.correct,
        first_choice=first,
        first_choice_correct=first == activity.correct,
        attempts=1 if first == activity.correct else 2,
        created_at=at,
        updated_at=at,
    )


def load_demo() -> None:
    get_or_create_user("admin@example.org", "Platform Admin", is_platform_admin=True)
    today = date.today()
    for spec in CITIES:
        city = get_or_create_city(spec)
        coordinator = get_or_create_user(
            f"coordinator@{spec.slug}.example", f"{spec.name} Coordinator"
        )
        ensure_membership(city, coordinator, "coordinator")
        facilitator = get_or_create_user(
            f"facilitator@{spec.slug}.example", f"{spec.name} Facilitator"
        )
        cohorts = [
            get_or_create_cohort(city, slug, name, spec.locale, today - timedelta(weeks=weeks))
            for (slug, name), weeks in zip(spec.cohorts, (8, 2), strict=True)
        ]
        for cohort in cohorts:
            enroll(cohort, facilitator, "facilitator")
        for number, name in enumerate(spec.names, start=1):
            learner = get_or_create_user(f"learner{number}@{spec.slug}.example", name)
            cohort = cohorts[0] if number <= 6 else cohorts[1]
            enrollment = enroll(cohort, learner, "learner")
            pages_done, idle_days = PROFILES[(number - 1) % 6]
            add_progress(enrollment, pages_done, idle_days, spec.reflection)
        add_discussion(cohorts[0], spec, facilitator)
        add_local_note(city, spec, coordinator)
    db.session.commit()


def add_discussion(cohort: Cohort, spec: DemoCity, facilitator: User) -> None:
    """A question answered, accepted and shared to the city library, and one still open."""
    if db.session.scalar(
        select(func.count()).select_from(Question).where(Question.cohort_id == cohort.id)
    ):
        return
    talk = spec.discussion
    asker = find_user_by_email(f"learner2@{spec.slug}.example")
    other = find_user_by_email(f"learner3@{spec.slug}.example")
    question = ask_question(cohort, asker, talk.question, talk.details, page_key=talk.page_key)
    db.session.flush()
    answer = post_answer(question, facilitator, talk.answer)
    db.session.flush()
    accept_answer(question, answer, actor=asker)
    share_question(question, show_names=False, actor=facilitator)
    ask_question(cohort, other, talk.open_question, "")


def add_local_note(city: City, spec: DemoCity, coordinator: User) -> None:
    if not local_notes(city, spec.discussion.page_key):
        save_local_note(
            city, spec.discussion.page_key, spec.locale, spec.discussion.note, actor=coordinator
        )


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no user yet.")
@with_appcontext
def demo_command(if_empty):
    """Load the demo cities, people and progress (safe to run again)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException(
            "The demo data is for trying the platform; it refuses to run in production."
        )
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("the database has data already; demo not loaded")
        return
    load_demo()
    click.echo(
        "demo data ready: sign in as admin@example.org, coordinator@rivertown.example, ... "
        f"with the password '{DEMO_PASSWORD}'"
    )
