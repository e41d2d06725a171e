import pytest

from cohortapp.lessons.content import load_course


@pytest.fixture
def course(app):
    return load_course(app.config["CONTENT_DIR"])


@pytest.fixture
def learner(login_as, world):
    return login_as(world.learner)
