"""cohortapp: cohorts of "The intercultural city step by step" for cities."""

import secrets
from pathlib import Path

from flask import Flask, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix

from cohortapp import config as config_module
from cohortapp import csrf_tokens
from cohortapp.extensions import babel, csrf, db, limiter, login_manager, migrate
from cohortapp.fragments import FragmentCache, served_prefix
from cohortapp.sessions import RememberingSessionInterface


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_module.config_from_environment())
    if config:
        app.config.from_mapping(config)
    _ensure_secret_key(app)
    app.session_interface = RememberingSessionInterface()
    if app.config["PROXY_FIX"]:
        hops = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

    _init_extensions(app)
    _register_blueprints(app)
    _register_error_handlers(app)
    _register_request_hooks(app)
    _register_cli(app)
    return app


def _ensure_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config["ENV_NAME"] == "production":
        raise RuntimeError(
            "SECRET_KEY is not set. In production cohortapp needs a long random SECRET_KEY "
            "in its environment, e.g. the output of: python -c 'import secrets; "
            "print(secrets.token_hex(32))'"
        )
    # Development: a random key kept in instance/ so sessions survive a restart.
    key_file = Path(app.instance_path) / "secret_key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def _init_extensions(app: Flask) -> None:
    from cohortapp import i18n, login, models  # noqa: F401  (models: the whole schema)
    from cohortapp.cities import services as city_services
    from cohortapp.sqlite import enable_sqlite_pragmas

    database_url = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", config_module.engine_options(database_url))
    db.init_app(app)
    with app.app_context():
        enable_sqlite_pragmas(db.engine)
    # render_as_batch: SQLite alters tables by copying them; compare_type: catch type changes.
    migrate.init_app(
        app,
        db,
        directory=str(config_module.ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    csrf_tokens.init_app(app)
    city_services.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.register_template_helpers(app)
    app.jinja_env.add_extension(FragmentCache)
    app.context_processor(served_prefix)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


def _register_blueprints(app: Flask) -> None:
    from cohortapp import home
    from cohortapp.admin import bp as admin_bp
    from cohortapp.auth import bp as auth_bp
    from cohortapp.cities import bp as cities_bp
    from cohortapp.discussion.library import platform_bp as library_bp
    from cohortapp.mail import bp as mail_bp

    for blueprint in (home.bp, auth_bp, admin_bp, cities_bp, library_bp, mail_bp):
        app.register_blueprint(blueprint)


def _register_error_handlers(app: Flask) -> None:
    def error_page(status: int, template: str):
        def handler(error):
            return render_template(template, error=error), status

        return handler

    for status in (400, 403, 404, 405, 429):
        app.register_error_handler(status, error_page(status, f"errors/{status}.html"))
    app.register_error_handler(CSRFError, error_page(400, "errors/csrf.html"))
    app.register_error_handler(500, error_page(500, "errors/500.html"))

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        db.session.rollback()
        g.database_down = True
        # Render without asking the database who is signed in.
        g._login_user = login_manager.anonymous_user()
        app.logger.error("database unavailable: %s", error)
        return render_template("errors/503.html"), 503


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def make_csp_nonce():
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.context_processor
    def inject_nonce():
        return {"csp_nonce": g.get("csp_nonce", "")}

    @app.after_request
    def security_headers(response):
        nonce = g.get("csp_nonce", "")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; "
            f"style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; "
            "media-src 'self' https:; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["ENV_NAME"] == "production":
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if request.endpoint and not request.endpoint.startswith("static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _register_cli(app: Flask) -> None:
    from cohortapp.backup import backup_command
    from cohortapp.cohorts.cli import reminders_cli
    from cohortapp.demo import demo_command
    from cohortapp.discussion.cli import notifications_cli
    from cohortapp.lessons.cli import content_cli, progress_cli
    from cohortapp.mail.cli import outbox_cli

    app.cli.add_command(demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(progress_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(reminders_cli)
