"""Instructions the app executes per request, counted by valgrind's callgrind.

Timings on the shared 2-core machine move by a fifth from one run to the next, which hides
changes of a few percent. An instruction count is the same in every run, so this script is the
one to compare two versions of the code with; `load.py` stays the measure of throughput.

    .venv/bin/python benchmarks/instructions.py [--requests 50]

Needs valgrind (Debian's package `valgrind`). It builds the demo database like `load.py`, then,
for each page, starts a process under callgrind that signs in as a learner with Flask's test
client, warms up, and counts only the measured requests (test client included, which is why
the minimal route is in the table: it shows the part that every request pays).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import BIN, CSRF, PASSWORD, QUESTION_LINK, ROOT, prepare_database

LEARNER = "learner3@rivertown.example"
COHORT = "/c/rivertown/cohorts/spring-2026"
PAGES = {
    "lesson page": f"{COHORT}/pages/welcome/diversity-as-advantage",
    "Q&A list": f"{COHORT}/qa/",
    "question page": "first question of the Q&A list",
    "minimal route": "/_ping",
}
COLLECTED = re.compile(r"Collected : (\d+)")


def count(page: str, requests: int, env: dict) -> float:
    """Millions of instructions per request for one page, from a process under callgrind."""
    with tempfile.TemporaryDirectory() as folder:
        completed = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={folder}/callgrind.out",
                str(BIN / "python"),
                __file__,
                "--child",
                page,
                "--requests",
                str(requests),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
    found = COLLECTED.search(completed.stderr)
    if completed.returncode != 0 or found is None:
        raise SystemExit(f"{page}: the measured process failed\n{completed.stderr[-2000:]}")
    return int(found.group(1)) / requests / 1e6


def measure_in_this_process(page: str, requests: int) -> None:
    """The child's side: sign in, warm up, then count `requests` requests of the page."""
    sys.path.insert(0, str(ROOT))
    from load_app import app

    client = app.test_client()
    token = CSRF.search(client.get("/login").text).group(1)
    form = {"email": LEARNER, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form).status_code == 302, "sign-in failed"
    path = PAGES[page]
    if not path.startswith("/"):
        path = QUESTION_LINK.search(client.get(PAGES["Q&A list"]).text).group(1)
    for _ in range(20):
        client.get(path)
    switch_counting("on")
    statuses = {client.get(path).status_code for _ in range(requests)}
    switch_counting("off")
    assert statuses == {200}, f"{path} answered {statuses}"


def switch_counting(state: str) -> None:
    subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        measure_in_this_process(options.child, options.requests)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed: apt-get install valgrind")
    with tempfile.TemporaryDirectory() as folder:
        env = prepare_database(folder)
        figures = {page: count(page, options.requests, env) for page in PAGES}
    minimal = figures["minimal route"]
    print(f"{'request':<16} {'Minstr/request':>15} {'times minimal':>14}")
    for page, millions in figures.items():
        print(f"{page:<16} {millions:>15.2f} {millions / minimal:>14.1f}")


if __name__ == "__main__":
    main()
