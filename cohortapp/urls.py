from flask import current_app, has_request_context, redirect, url_for


def absolute_url(endpoint: str, **values) -> str:
    """A link for emails: the configured public address, never the Host header of a request.
    Works outside requests too (commands run from cron, the demo loader)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with offline_request_context():
        return base + url_for(endpoint, **values)


def is_safe_next(target: str | None) -> bool:
    """Only paths on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/"):
        return False
    return not target.startswith("//") and "\\" not in target and "\n" not in target


def redirect_to_next(target: str | None):
    """Redirect to `target` when it is a path on this site, else to the home page."""
    return redirect(target if is_safe_next(target) else url_for("home.index"))


def offline_request_context():
    """A request context outside requests (commands run from cron, the demo): url_for needs one."""
    return current_app.test_request_context("/", base_url=current_app.config["BASE_URL"])
