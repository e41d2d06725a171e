"""Time the facilitator dashboard for cohorts of 10, 100, 1,000 and 5,000 learners.

Seeds one city with one cohort per size, with realistic progress (a spread from not started
to finished, reflections, answered checks, some stalled learners), then requests each cohort's
dashboard through the app and prints the server time per request (median of several).

    .venv/bin/python benchmarks/dashboard.py                 # SQLite, in a temporary file
    COHORTAPP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/bench \\
        .venv/bin/python benchmarks/dashboard.py             # PostgreSQL (tables are replaced)
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert
from werkzeug.security import generate_password_hash

from cohortapp import create_app
from cohortapp.auth.models import User
from cohortapp.cities.models import City, Membership
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.extensions import db
from cohortapp.lessons.models import PageProgress, Response
from cohortapp.lessons.services import current_course, refresh_progress_summary

SIZES = (10, 100, 1_000, 5_000)
REQUESTS = 7
PASSWORD = "benchmark password"


def seed(sizes) -> None:
    course = current_course()
    now = datetime.now(UTC)
    rng = random.Random(42)
    city = City(slug="bench", name="Bench City", default_locale="en", locales="en")
    db.session.add(city)
    db.session.flush()
    facilitator = User(
        email="facilitator@bench.example",
        name="Facilitator",
        password_hash=generate_password_hash(PASSWORD),
    )
    db.session.add(facilitator)
    db.session.flush()
    db.session.add(Membership(city_id=city.id, user_id=facilitator.id, role="facilitator"))
    password_hash = generate_password_hash("not used", method="pbkdf2:sha256:1000")
    for size in sizes:
        cohort = Cohort(
            city_id=city.id,
            slug=f"c{size}",
            name=f"{size} learners",
            status="open",
            starts_on=date.today() - timedelta(weeks=10),
            pace_weeks=12,
        )
        db.session.add(cohort)
        db.session.flush()
        db.session.add(Enrollment(cohort_id=cohort.id, user_id=facilitator.id, role="facilitator"))
        users = [
            {
                "email": f"l{size}-{n}@bench.example",
                "name": f"Learner {n}",
                "password_hash": password_hash,
                "is_platform_admin": False,
                "is_active": True,
                "session_version": 1,
                "created_at": now,
                "wants_digest": False,
            }
            for n in range(size)
        ]
        db.session.execute(insert(User), users)
        user_ids = db.session.scalars(db.select(User.id).where(User.email.like(f"l{size}-%"))).all()
        db.session.execute(
            insert(Enrollment),
            [
                {
                    "cohort_id": cohort.id,
                    "user_id": uid,
                    "role": "learner",
                    "enrolled_at": now - timedelta(days=70),
                }
                for uid in user_ids
            ],
        )
        enrollment_ids = db.session.scalars(
            db.select(Enrollment.id).where(
                Enrollment.cohort_id == cohort.id, Enrollment.role == "learner"
            )
        ).all()
        progress, responses = [], []
        for enrollment_id in enrollment_ids:
            done = min(
                course.total, max(0, int(rng.triangular(0, course.total, course.total * 0.4)))
            )
            idle = rng.choice((0, 1, 2, 5, 9, 20, 35))
            last = now - timedelta(days=idle)
            for index, page in enumerate(course.pages[: min(done + 1, course.total)]):
                at = last - timedelta(hours=3 * (done - index))
                progress.append(
                    {
                        "enrollment_id": enrollment_id,
                        "page_key": page.key,
                        "first_seen_at": at,
                        "completed_at": at + timedelta(minutes=6) if index < done else None,
                    }
                )
                activity = page.texts["en"].activity
                if index < done and activity is not None:
                    right = rng.random() < 0.7
                    responses.append(
                        {
                            "enrollment_id": enrollment_id,
                            "page_key": page.key,
                            "kind": activity.kind,
                            "body": "A reflection." if activity.kind == "reflection" else "",
                            "choice": activity.correct if activity.kind == "check" else None,
                            "first_choice": activity.correct if right else None,
                            "first_choice_correct": right if activity.kind == "check" else None,
                            "attempts": 1,
                            "created_at": at,
                            "updated_at": at,
                        }
                    )
        for chunk in range(0, len(progress), 5_000):
            db.session.execute(insert(PageProgress), progress[chunk : chunk + 5_000])
        for chunk in range(0, len(responses), 5_000):
            db.session.execute(insert(Response), responses[chunk : chunk + 5_000])
        refresh_progress_summary(enrollment_ids, course)
        db.session.commit()
        print(
            f"seeded {size:>5} learners: {len(progress):>7} page rows, {len(responses):>7} responses",
            flush=True,
        )


def time_dashboards(app, sizes) -> list[tuple[int, float, float]]:
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "facilitator@bench.example", "password": PASSWORD}
    )
    assert response.status_code == 302, "could not sign in"
    results = []
    for size in sizes:
        url = f"/c/bench/cohorts/c{size}/dashboard"
        assert client.get(url).status_code == 200  # warm-up: templates, caches
        times = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            assert client.get(url).status_code == 200
            times.append((time.perf_counter() - start) * 1000)
        results.append((size, statistics.median(times), min(times)))
    return results


def main() -> None:
    url = os.environ.get("COHORTAPP_BENCH_DATABASE_URL")
    tmp = None
    if not url:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{tmp.name}/bench.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed(SIZES)
    results = time_dashboards(app, SIZES)
    print(f"\ndatabase: {url.split('://', 1)[0]}; median of {REQUESTS} requests after a warm-up")
    print(f"{'learners':>9} {'median ms':>10} {'best ms':>8} {'ms per 100 learners':>20}")
    for size, median, best in results:
        print(f"{size:>9} {median:>10.1f} {best:>8.1f} {median / size * 100:>20.2f}")
    base_size, base_time, _ = results[1]
    for size, median, _best in results[2:]:
        print(
            f"growth {base_size}->{size} learners: x{size / base_size:.0f} learners, x{median / base_time:.1f} time"
        )
    with app.app_context():
        db.session.remove()
        if os.environ.get("COHORTAPP_BENCH_DATABASE_URL"):
            db.drop_all()
        db.engine.dispose()


if __name__ == "__main__":
    main()
