"""Settings, read from the environment. README.md lists every variable."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        # Hosting platforms hand out postgres:// URLs; SQLAlchemy needs the psycopg 3 driver named.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url or f"sqlite:///{ROOT / 'instance' / 'cohortapp.db'}"


def engine_options(database_url: str) -> dict:
    """A database server can drop connections (restart, failover): each connection taken from
    the pool is tested first, so a request never gets a dead one. An SQLite file cannot, so the
    test, a query on every request, is skipped there."""
    return {} if database_url.startswith("sqlite") else {"pool_pre_ping": True}


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url()
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("COHORTAPP_TIMEZONE", "Europe/Paris")
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    CONTENT_DIR = os.environ.get("COHORTAPP_CONTENT_DIR", str(ROOT / "content"))
    BASE_URL = os.environ.get("COHORTAPP_BASE_URL", "http://127.0.0.1:5000")
    REDIS_URL = os.environ.get("COHORTAPP_REDIS_URL")
    MAIL_SERVER = os.environ.get("COHORTAPP_MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("COHORTAPP_MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("COHORTAPP_MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("COHORTAPP_MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("COHORTAPP_MAIL_USE_TLS")
    MAIL_SENDER = os.environ.get("COHORTAPP_MAIL_SENDER", "Cohort platform <no-reply@localhost>")
    MAIL_MAX_ATTEMPTS = int(os.environ.get("COHORTAPP_MAIL_MAX_ATTEMPTS", "8"))
    PASSWORD_RESET_HOURS = 2
    INVITATION_DAYS = 14
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    RATELIMIT_STORAGE_URI = os.environ.get("COHORTAPP_REDIS_URL") or "memory://"
    RATELIMIT_ENABLED = _env_bool("COHORTAPP_RATELIMIT", True)
    RATELIMIT_KEY_PREFIX = os.environ.get("COHORTAPP_RATELIMIT_PREFIX", "cohortapp")
    RATELIMIT_HEADERS_ENABLED = True
    PAGE_SIZE = 25
    FRAGMENT_CACHE_SIZE = 5000  # rendered parts of pages kept per process (cohortapp.fragments)
    # The tests turn it on: each reuse of a cached fragment or of kept notes is checked anew.
    CACHE_VERIFY = False
    # Number of proxies (load balancer, nginx) in front of the app whose X-Forwarded-* headers
    # are trusted; 0 when the app is reached directly.
    PROXY_FIX = int(os.environ.get("COHORTAPP_PROXY_FIX", "0"))


class DevelopmentConfig(Config):
    # A key kept in instance/ so sessions survive restarts on a developer's laptop.
    SECRET_KEY = Config.SECRET_KEY


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


def config_from_environment() -> type[Config]:
    env = os.environ.get("COHORTAPP_ENV", "development").strip().lower()
    if env == "production":
        return ProductionConfig
    if env in {"development", "dev", ""}:
        return DevelopmentConfig
    raise RuntimeError(f"COHORTAPP_ENV must be 'development' or 'production', not {env!r}")
