"""The course: read from content/ once per process, validated, then served read-only.

A broken file never breaks the player: its problem is recorded (file and reason), a broken
translation falls back to the source text, and a broken source page is shown as unavailable.
"""

import hashlib
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock

import yaml

from cohortapp.markdown import render_markdown

FRONT_MATTER = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n?(.*)\Z", re.DOTALL)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LOCALE_DIR = re.compile(r"^[a-z]{2}(?:_[A-Z]{2})?$")


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    feedback: str


@dataclass(frozen=True)
class Activity:
    kind: str  # "reflection" or "check"
    prompt: str = ""
    question: str = ""
    options: tuple[Option, ...] = ()
    correct: str = ""

    def structure(self) -> tuple:
        return (self.kind, tuple(option.id for option in self.options), self.correct)

    def option(self, option_id: str) -> Option | None:
        return next((option for option in self.options if option.id == option_id), None)


@dataclass(frozen=True)
class Video:
    title: str
    transcript_html: str
    url: str = ""
    captions: str = ""


@dataclass(frozen=True)
class PageText:
    locale: str
    title: str
    summary: str
    minutes: int | None
    body_html: str
    video: Video | None
    activity: Activity | None
    file_hash: str
    source_hash: str = ""


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    locale: str = ""
    structural: bool = True

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class Page:
    key: str
    module_slug: str
    slug: str
    number: int
    texts: dict[str, PageText] = field(default_factory=dict)


@dataclass
class Module:
    slug: str
    titles: dict[str, str]
    pages: list[Page]

    def title(self, locale: str, source_locale: str = "en") -> str:
        return self.titles.get(locale) or self.titles.get(source_locale) or self.slug


_course_versions = itertools.count(1)


@dataclass
class Course:
    id: str
    source_locale: str
    titles: dict[str, str]
    modules: list[Module]
    problems: list[Problem]
    locales: list[str]
    # Unique to this loaded course in the process: a loaded course never changes, so cached
    # markup keyed on the version and a page shows that page's text.
    version: int = field(default_factory=lambda: next(_course_versions), compare=False)

    def __post_init__(self):
        self.pages = [page for module in self.modules for page in module.pages]
        self.by_key = {page.key: page for page in self.pages}
        self.module_of = {page.key: module for module in self.modules for page in module.pages}

    @property
    def total(self) -> int:
        return len(self.pages)

    def title(self, locale: str) -> str:
        return self.titles.get(locale) or self.titles.get(self.source_locale) or self.id

    def page(self, key: str) -> Page | None:
        return self.by_key.get(key)

    def neighbours(self, page: Page) -> tuple[Page | None, Page | None]:
        index = page.number - 1
        previous = self.pages[index - 1] if index > 0 else None
        following = self.pages[index + 1] if index + 1 < len(self.pages) else None
        return previous, following

    def text(self, page: Page, locale: str) -> tuple[PageText | None, bool]:
        """The page's text in `locale`, or the source text; the flag says it is a fallback."""
        if locale in page.texts:
            return page.texts[locale], False
        return page.texts.get(self.source_locale), locale != self.source_locale

    def page_titles(self, locale: str) -> dict[str, str]:
        """Every page's title in `locale` (or the source's), computed once per language."""
        cache = self.__dict__.setdefault("_page_titles", {})
        if locale not in cache:
            # Built whole before it is shared, so another thread never sees it half filled.
            titles = {}
            for page in self.pages:
                text, _fallback = self.text(page, locale)
                titles[page.key] = text.title if text else page.key
            cache.setdefault(locale, titles)
        return cache[locale]

    def is_outdated(self, page: Page, locale: str) -> bool:
        if locale == self.source_locale:
            return False
        source = page.texts.get(self.source_locale)
        text = page.texts.get(locale)
        return bool(source and text and text.source_hash != source.file_hash)

    @property
    def has_structural_errors(self) -> bool:
        return any(problem.structural for problem in self.problems)


class ContentError(ValueError):
    pass


def file_hash(raw: bytes) -> str:
    return hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()[:16]


def split_front_matter(text: str) -> tuple[dict, str]:
    match = FRONT_MATTER.match(text.lstrip("\ufeff"))
    if not match:
        raise ContentError("the file must start with front matter between two '---' lines")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark else ""
        raise ContentError(f"the front matter is not valid YAML{where}") from error
    if not isinstance(meta, dict):
        raise ContentError("the front matter must be a mapping of keys to values")
    return meta, match.group(2)


def _text(meta: dict, key: str, where: str = "", required: bool = True) -> str:
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ContentError(f"'{where}{key}' is required")
        return ""
    if not isinstance(value, str | int | float):
        raise ContentError(f"'{where}{key}' must be text")
    return str(value).strip()


def parse_activity(data) -> Activity | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ContentError("'activity' must be a mapping")
    kind = data.get("kind")
    if kind == "reflection":
        return Activity(kind="reflection", prompt=_text(data, "prompt", "activity."))
    if kind != "check":
        raise ContentError("'activity.kind' must be 'reflection' or 'check'")
    raw_options = data.get("options")
    if not isinstance(raw_options, list) or not 2 <= len(raw_options) <= 6:
        raise ContentError("a check needs between 2 and 6 'options'")
    options = []
    for number, raw in enumerate(raw_options, start=1):
        if not isinstance(raw, dict):
            raise ContentError(f"option {number} must be a mapping with id, text and feedback")
        where = f"activity.options[{number}]."
        options.append(
            Option(
                id=_text(raw, "id", where),
                text=_text(raw, "text", where),
                feedback=_text(raw, "feedback", where),
            )
        )
    ids = [option.id for option in options]
    if len(set(ids)) != len(ids):
        raise ContentError("the options of a check must have different ids")
    correct = _text(data, "correct", "activity.")
    if correct not in ids:
        raise ContentError(f"'activity.correct' is {correct!r}, which is not one of the option ids")
    return Activity(
        kind="check",
        question=_text(data, "question", "activity."),
        options=tuple(options),
        correct=correct,
    )


def parse_video(data) -> Video | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ContentError("'video' must be a mapping")
    url = _text(data, "url", "video.", required=False)
    captions = _text(data, "captions", "video.", required=False)
    for name, value in (("url", url), ("captions", captions)):
        if value and not value.startswith("https://"):
            raise ContentError(f"'video.{name}' must be an https:// address")
    return Video(
        title=_text(data, "title", "video."),
        transcript_html=render_markdown(_text(data, "transcript", "video.")),
        url=url,
        captions=captions,
    )


def parse_page(raw: bytes, locale: str) -> PageText:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ContentError("the file is not UTF-8 text") from error
    meta, body = split_front_matter(text)
    minutes = meta.get("minutes")
    if minutes is not None and (not isinstance(minutes, int) or minutes < 1):
        raise ContentError("'minutes' must be a positive whole number")
    if not body.strip():
        raise ContentError("the page has no body text")
    return PageText(
        locale=locale,
        title=_text(meta, "title"),
        summary=_text(meta, "summary", required=False),
        minutes=minutes,
        body_html=render_markdown(body),
        video=parse_video(meta.get("video")),
        activity=parse_activity(meta.get("activity")),
        file_hash=file_hash(raw),
        source_hash=_text(meta, "source_hash", required=False),
    )


def _titles(data, where: str) -> dict[str, str]:
    if isinstance(data, str):
        return {"en": data}
    if not isinstance(data, dict) or not data:
        raise ContentError(f"{where} needs a 'title' (text, or one per language)")
    return {str(locale): str(title) for locale, title in data.items()}


def parse_outline(path: Path) -> tuple[dict, list[Module]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ContentError("the course outline is missing") from error
    except yaml.YAMLError as error:
        raise ContentError("the course outline is not valid YAML") from error
    if not isinstance(data, dict) or not isinstance(data.get("modules"), list):
        raise ContentError("the course outline needs a list of 'modules'")
    modules, seen, number = [], set(), 0
    for index, raw in enumerate(data["modules"], start=1):
        if not isinstance(raw, dict) or not SLUG.match(str(raw.get("slug", ""))):
            raise ContentError(f"module {index} needs a 'slug' of lower-case letters and dashes")
        slug = raw["slug"]
        pages = []
        for page_slug in raw.get("pages") or []:
            key = f"{slug}/{page_slug}"
            if not SLUG.match(str(page_slug)) or key in seen:
                raise ContentError(f"page '{key}' is not a valid slug or is listed twice")
            seen.add(key)
            number += 1
            pages.append(Page(key=key, module_slug=slug, slug=page_slug, number=number))
        if not pages:
            raise ContentError(f"module '{slug}' has no pages")
        modules.append(
            Module(slug=slug, titles=_titles(raw.get("title"), f"module '{slug}'"), pages=pages)
        )
    return data, modules


def load_course(content_dir: str | Path) -> Course:
    root = Path(content_dir)
    outline_path = root / "course.yaml"
    try:
        data, modules = parse_outline(outline_path)
    except ContentError as error:
        return Course("course", "en", {}, [], [Problem(str(outline_path), str(error))], ["en"])
    source = str(data.get("source_locale") or "en")
    locales = sorted(
        (p.name for p in root.iterdir() if p.is_dir() and LOCALE_DIR.match(p.name)),
        key=lambda code: (code != source, code),
    )
    course = Course(
        id=str(data.get("id") or "course"),
        source_locale=source,
        titles=_titles(data.get("title") or "Course", "the course"),
        modules=modules,
        problems=[],
        locales=locales or [source],
    )
    for locale in course.locales:
        _load_locale(course, root, locale)
    return course


def _load_locale(course: Course, root: Path, locale: str) -> None:
    for page in course.pages:
        path = root / locale / page.module_slug / f"{page.slug}.md"
        if not path.exists():
            if locale == course.source_locale:
                course.problems.append(Problem(str(path), "the page is missing", locale))
            continue
        try:
            text = parse_page(path.read_bytes(), locale)
            if locale != course.source_locale:
                _check_same_structure(course, page, text)
        except ContentError as error:
            course.problems.append(Problem(str(path), str(error), locale))
            continue
        page.texts[locale] = text
    listed = {f"{page.module_slug}/{page.slug}.md" for page in course.pages}
    for extra in sorted((root / locale).glob("*/*.md")):
        relative = f"{extra.parent.name}/{extra.name}"
        if relative not in listed:
            course.problems.append(
                Problem(str(extra), "this file is not listed in course.yaml", locale)
            )


def _check_same_structure(course: Course, page: Page, text: PageText) -> None:
    source = page.texts.get(course.source_locale)
    if source is None:
        return
    source_activity = source.activity.structure() if source.activity else None
    activity = text.activity.structure() if text.activity else None
    if source_activity != activity:
        raise ContentError(
            f"the activity differs from the {course.source_locale} page "
            f"(kind, option ids in order and correct id must be the same)"
        )
    if (source.video is None) != (text.video is None):
        raise ContentError(f"the video block differs from the {course.source_locale} page")


_cache: dict[str, Course] = {}
_lock = Lock()


def get_course(content_dir: str) -> Course:
    """The course for this process, loaded on first use (a restart picks up edits)."""
    course = _cache.get(content_dir)
    if course is None:
        with _lock:
            course = _cache.get(content_dir)
            if course is None:
                course = _cache[content_dir] = load_course(content_dir)
    return course
