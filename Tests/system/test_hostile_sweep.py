"""Hostile input over every GET route, as every demo account: no 5xx, and the process stays up.

For each route the sweep first asks it plainly; in test mode the server names the query
parameters the route read (X-SafeCert-Query-Reads), and the sweep then sends every hostile value
to each of them, and hostile and foreign identifiers in the path. After each route it checks that
the process is alive; a crash is counted, the server restarted, and the sweep goes on, so one
run reports every route that traps.
"""
import os
import random
import threading
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness import Client, Server, route_table

# Each value stands for a class: numbers at and past the edges, dates at and past the calendar's
# edges and impossible ones, empty, over-long (ASCII and CJK), control characters and a header
# break, SQL and markup, and identifiers that are malformed, zero or foreign.
HOSTILE_VALUES = [
    "0", "-1", "999999999", str(2 ** 63), "-" + str(2 ** 63), "1e308",
    "0001-01-01", "9999-12-31", "2026-02-30", "garbage", "",
    "x" * 5000, "名" * 2000, "'; DROP TABLE people; --", "\x00", "\r\nSet-Cookie: injected=1",
    "<script>alert(1)</script>", str(uuid.UUID(int=0)), str(uuid.uuid4()), "9999-99",
]
HOSTILE_SEGMENTS = ["not-a-uuid", str(uuid.UUID(int=0)), str(uuid.uuid4()), "x" * 3000, "%00", "9" * 40, "名字"]

# Which table the identifiers in a path come from (first match on the path's prefix).
ID_TABLES = [
    ("/people/import/", "import_jobs", "id"), ("/people/", "people", "id"), ("/organizations/", "organizations", "id"),
    ("/classes/", "training_classes", "id"), ("/enrol/", "training_classes", "id"), ("/enrolments/", "enrolments", "id"),
    ("/courses/", "courses", "id"), ("/lessons/", "lessons", "id"), ("/study/lessons/", "lessons", "id"),
    ("/study/snapshots/", "study_snapshots", "id"), ("/exam-rooms/", "exam_rooms", "id"), ("/exam-plans/", "exam_plans", "id"),
    ("/exam-sessions/", "exam_plans", "id"), ("/tickets/", "exam_candidates", "id"), ("/identity/", "exam_candidates", "id"),
    ("/accounts/", "accounts", "id"), ("/security/api-keys/", "api_keys", "id"), ("/catalogue/", "qualification_types", "code"),
    ("/api/v1/enrolments/", "enrolments", "id"), ("/api/v1/exam-plans/", "exam_plans", "serial"),
    ("/api/v1/exam-candidates/", "exam_candidates", "ticket_number"),
]
REAL_IDS_PER_ROUTE = int(os.environ.get("SWEEP_REAL_IDS", "2"))
WORKERS = int(os.environ.get("SWEEP_WORKERS", "4"))
ROLE_ACCOUNTS = ["sysadmin", "secadmin", "auditor", "national", "province", "changchun", "association",
                 "institution", "centre", "group", "enterprise", "220104199007080422"]


def real_values(server, path):
    for prefix, table, column in ID_TABLES:
        if path.startswith(prefix):
            with server.db() as db:
                rows = db.execute(f"SELECT {column} FROM {table} ORDER BY {column} LIMIT 200").fetchall()
            values = [str(r[0]) for r in rows if r[0] is not None]
            random.Random(path).shuffle(values)
            return values[:REAL_IDS_PER_ROUTE]
    return []


def fill(path, value):
    return "/".join(urllib.parse.quote(value, safe="%") if part.startswith(":") else part for part in path.split("/"))


class Sweep:
    """Several accounts sweep at once (one thread each); a crash stops them all until one thread
    has restarted the server, and the route that was running is reported by every thread."""

    def __init__(self, server):
        self.server = server
        self.requests = 0
        self.failures = []   # (account, url, status or "crash", detail)
        self.crashes = 0
        self.lock = threading.Lock()
        self.generation = 0

    def fail(self, *failure):
        with self.lock:
            self.failures.append(failure)

    def ask(self, client, url):
        with self.lock:
            self.requests += 1
        try:
            r = client.get(url, timeout=60)
        except Exception as error:  # connection refused or reset: the process died
            self.fail(client.username, url, "no answer", repr(error)[:200])
            return None
        if r.status_code >= 500:
            self.fail(client.username, url, r.status_code, r.text[:200])
        if "injected" in r.headers.get("set-cookie", "") or any("\n" in v or "\r" in v for v in r.headers.values()):
            self.fail(client.username, url, "header injection", str(dict(r.headers))[:300])
        return r

    def check_alive(self, client, route):
        generation = self.generation
        if self.server.alive():
            return
        with self.lock:
            if generation != self.generation:  # another thread restarted it already
                return
            self.crashes += 1
            self.failures.append((client.username, route, "crash", self.server.log_tail(15)))
            self.server.restart()
            self.generation += 1

    def route(self, client, path):
        paths = [path]
        if ":" in path:
            reals = real_values(self.server, path)
            paths = [fill(path, v) for v in reals] + [fill(path, v) for v in HOSTILE_SEGMENTS]
        base = paths[0]
        reads = set()
        for url in paths:
            r = self.ask(client, url)
            if r is not None:
                reads |= {n for n in r.headers.get("X-SafeCert-Query-Reads", "").split(",") if n}
        done = set()
        while reads - done:
            name = sorted(reads - done)[0]
            done.add(name)
            for value in HOSTILE_VALUES:
                r = self.ask(client, base + "?" + urllib.parse.urlencode({name: value}))
                if r is not None:
                    reads |= {n for n in r.headers.get("X-SafeCert-Query-Reads", "").split(",") if n}
            # Every parameter hostile at once, too.
            r = self.ask(client, base + "?" + urllib.parse.urlencode({n: HOSTILE_VALUES[2] for n in reads}))
        self.check_alive(client, path)


@pytest.fixture(scope="module")
def server():
    s = Server()
    yield s
    s.stop()


def test_no_get_route_answers_5xx_or_stops_the_process(server):
    routes = [r["path"] for r in route_table() if r["method"] == "GET"]
    assert len(routes) > 50
    sweep = Sweep(server)
    # One account per role (the access matrix asks the other tenants of each role).
    accounts = [None] + ROLE_ACCOUNTS

    clients = []
    for username in accounts:  # logins one at a time (the SMS outbox is read by the latest message)
        client = Client(server, username)
        client.username = username or "anonymous"
        clients.append(client)

    def sweep_as(client):
        for path in routes:
            sweep.route(client, path)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(sweep_as, clients))
    print(f"\nhostile-sweep routes={len(routes)} roles={len(accounts)} requests={sweep.requests} "
          f"server_errors={sum(1 for f in sweep.failures if f[2] not in ('crash',))} crashes={sweep.crashes}")
    report = "\n".join(f"{a} {u} → {s}: {d}" for a, u, s, d in sweep.failures[:40])
    assert not sweep.failures, f"{len(sweep.failures)} failures:\n{report}"
