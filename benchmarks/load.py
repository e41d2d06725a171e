"""Load test: concurrent learners doing the real journey against gunicorn (2 workers).

Each virtual learner signs in, opens the cohort page, reads and completes lesson pages one after
the other, and now and then reads the Q&A list and a question. Then, in the same run, the same
number of clients request the lesson page alone and a minimal Flask route, in turns (--rounds),
so that the lesson page's throughput is reported as a ratio of the minimal route's (the machine
is shared by the load generator and the server: ratios measured in one run are what compare).

    .venv/bin/python benchmarks/load.py [--seconds 20] [--clients 8] [--rounds 4]

It builds a fresh SQLite database with the demo data in a temporary folder (or uses
DATABASE_URL when set), and prints requests per second, p50 and p95 per request type, errors,
and (on Linux) the CPU time the workers spent per lesson page and per minimal request.
Goals: zero errors, lesson page throughput at least 0.35 of the minimal route, lesson p95 < 50 ms.
"""

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "intercultural"
LEARNERS = [
    f"learner{n}@{city}.example" for city in ("rivertown", "villeneuve") for n in range(1, 13)
]
COHORTS = {
    "rivertown": ("spring-2026", "autumn-2026"),
    "villeneuve": ("printemps-2026", "automne-2026"),
}
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
LESSON_LINK = re.compile(r'href="(/c/[^"]+/pages/[^"]+)"')
QUESTION_LINK = re.compile(r'href="(/c/[^"]+/qa/\d+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    """One virtual user: a connection, its cookies, and the timings of what it asked for."""

    def __init__(self, port: int, record):
        self.port, self.record, self.cookies = port, record, {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(
        self, kind: str, method: str, path: str, form: dict | None = None
    ) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.record(kind, time.perf_counter() - start, 599)
            return 599, "", ""
        self.record(kind, time.perf_counter() - start, response.status)
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text, response.headers.get("Location", "")


def sign_in(client: Client, email: str) -> int:
    """Sign in with the demo password; the status of the POST (302 when it worked)."""
    _status, page, _ = client.request("sign-in page", "GET", "/login")
    token = CSRF.search(page).group(1)
    status, _, _ = client.request(
        "sign in", "POST", "/login", {"email": email, "password": PASSWORD, "csrf_token": token}
    )
    return status


def learner_journey(client: Client, email: str, stop: threading.Event) -> None:
    if sign_in(client, email) != 302:
        return
    city = email.split("@")[1].split(".")[0]
    number = int(email.split("@")[0].removeprefix("learner"))
    cohort = COHORTS[city][0 if number <= 6 else 1]
    home = f"/c/{city}/cohorts/{cohort}/"
    _, page, _ = client.request("cohort page", "GET", home)
    lesson = LESSON_LINK.search(page).group(1)
    steps = 0
    while not stop.is_set():
        _status, page, _ = client.request("lesson page", "GET", lesson)
        token = CSRF.search(page)
        choice = re.search(r'name="choice" id="choice-(\w+)"', page)
        data = {"action": "next", "csrf_token": token.group(1) if token else ""}
        if choice and "Your answer" not in page:
            client.request(
                "answer a check",
                "POST",
                lesson,
                {"action": "answer", "choice": choice.group(1), "csrf_token": data["csrf_token"]},
            )
        _status, _, location = client.request("complete a page", "POST", lesson, data)
        lesson = (
            location.split("#")[0]
            if location and "/pages/" in location
            else LESSON_LINK.search(page).group(1)
        )
        steps += 1
        if steps % 4 == 0:
            _, page, _ = client.request("Q&A list", "GET", f"/c/{city}/cohorts/{cohort}/qa/")
            question = QUESTION_LINK.search(page)
            if question:
                client.request("question page", "GET", question.group(1))


def hammer(client: Client, kind: str, path: str, stop: threading.Event) -> None:
    while not stop.is_set():
        client.request(kind, "GET", path)


def run_phase(port, clients, seconds, target):
    results = defaultdict(list)
    lock = threading.Lock()

    def record(kind, duration, status):
        with lock:
            results[kind].append((duration, status))

    stop = threading.Event()
    threads = [
        threading.Thread(target=target, args=(Client(port, record), index, stop))
        for index in range(clients)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - start


def worker_cpu_seconds(server_pid: int) -> float | None:
    """CPU time used so far by gunicorn's workers (Linux /proc); None where it cannot be read."""
    try:
        children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
        total = 0
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime and stime, in clock ticks
        return total / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def measured_phase(server_pid, port, clients, seconds, target):
    """run_phase, plus the workers' CPU time during the phase (None where unknown)."""
    before = worker_cpu_seconds(server_pid)
    results, elapsed = run_phase(port, clients, seconds, target)
    after = worker_cpu_seconds(server_pid)
    cpu = after - before if before is not None and after is not None else None
    return results, elapsed, cpu


def alternating_phases(server_pid, port, clients, seconds, rounds, targets):
    """measured_phase for each target, `seconds` each in all, taken in turns over `rounds`.

    The machine's speed drifts from one minute to the next; in turns, each target sees the
    same drift, so their ratio does not depend on which one ran first."""
    totals = [(defaultdict(list), 0.0, 0.0) for _ in targets]
    for _round in range(rounds):
        for index, target in enumerate(targets):
            results, elapsed, cpu = measured_phase(
                server_pid, port, clients, seconds / rounds, target
            )
            merged, elapsed_so_far, cpu_so_far = totals[index]
            for kind, samples in results.items():
                merged[kind].extend(samples)
            cpu_total = None if cpu is None or cpu_so_far is None else cpu_so_far + cpu
            totals[index] = (merged, elapsed_so_far + elapsed, cpu_total)
    return totals


def percentile_95(samples) -> float:
    """The 95th percentile of (duration, status) samples, in milliseconds."""
    durations = sorted(duration for duration, _status in samples)
    return durations[min(len(durations) - 1, int(len(durations) * 0.95))] * 1000


def report(title, results, elapsed) -> None:
    print(f"\n{title} ({elapsed:.0f} s)")
    print(f"{'request':<18} {'count':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for kind, samples in sorted(results.items()):
        median = statistics.median(d * 1000 for d, _ in samples)
        errors = sum(1 for _, status in samples if status >= 500)
        p95 = percentile_95(samples)
        print(
            f"{kind:<18} {len(samples):>7} {len(samples) / elapsed:>8.1f} {median:>8.1f} {p95:>8.1f} {errors:>7}"
        )


def prepare_database(folder: str) -> dict:
    env = {
        **os.environ,
        "COHORTAPP_ENV": "development",
        "SECRET_KEY": "load-test",
        "COHORTAPP_RATELIMIT": "false",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{folder}/load.db")
    for command in (["db", "upgrade"], ["demo", "--if-empty"]):
        subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="turns in which the lesson page and the minimal route share the measured time",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = prepare_database(folder)
        port = free_port()
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--chdir",
                str(ROOT / "benchmarks"),
                "--pythonpath",
                str(ROOT),
                "load_app:app",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            lesson = "/c/rivertown/cohorts/spring-2026/pages/welcome/diversity-as-advantage"
            journey, t1 = run_phase(
                port,
                options.clients,
                options.seconds,
                lambda c, i, stop: learner_journey(c, LEARNERS[i % len(LEARNERS)], stop),
            )
            report(f"learner journey, {options.clients} concurrent learners", journey, t1)

            cookies = {}  # each client signs in once, in its first turn, and keeps its cookies

            def signed_in_lesson(client, index, stop):
                if index in cookies:
                    client.cookies = cookies[index]
                else:
                    sign_in(client, "learner3@rivertown.example")
                    cookies[index] = client.cookies
                hammer(client, "lesson page only", lesson, stop)

            (pages, t2, pages_cpu), (ping, t3, ping_cpu) = alternating_phases(
                server.pid,
                port,
                options.clients,
                options.seconds,
                options.rounds,
                [
                    signed_in_lesson,
                    lambda c, i, stop: hammer(c, "minimal route", "/_ping", stop),
                ],
            )
            # As many clients as workers: the server's own latency, without waiting in a queue.
            unqueued, t4 = run_phase(port, 2, options.seconds, signed_in_lesson)
            report("lesson page alone, signed in", pages, t2)
            report("minimal Flask route", ping, t3)
            report("lesson page alone, 2 clients for 2 workers", unqueued, t4)
        finally:
            server.terminate()
            server.wait(timeout=20)
    lesson_rate = len(pages["lesson page only"]) / t2
    ping_rate = len(ping["minimal route"]) / t3
    lesson_p95 = percentile_95(pages["lesson page only"])
    alone_p95 = percentile_95(unqueued["lesson page only"])
    errors = sum(
        1
        for r in (journey, pages, ping, unqueued)
        for samples in r.values()
        for _, status in samples
        if status >= 500
    )
    print(
        f"\nlesson page / minimal route throughput: {lesson_rate / ping_rate:.2f} (goal: at least 0.35)"
    )
    print(
        f"lesson page p95: {lesson_p95:.1f} ms with {options.clients} clients queueing for 2 workers"
    )
    print(f"lesson page p95: {alone_p95:.1f} ms with 2 clients for 2 workers (goal: under 50 ms)")
    print(f"errors (5xx or failed connections): {errors} (goal: 0)")
    if pages_cpu and ping_cpu:
        lesson_cpu = pages_cpu / len(pages["lesson page only"]) * 1000
        ping_cpu_ms = ping_cpu / len(ping["minimal route"]) * 1000
        print(
            f"server CPU per request: lesson page {lesson_cpu:.2f} ms, minimal route "
            f"{ping_cpu_ms:.2f} ms (minimal / lesson: {ping_cpu_ms / lesson_cpu:.2f}; "
            "the load generator's own work is not in these)"
        )


if __name__ == "__main__":
    main()
