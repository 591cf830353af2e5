"""Every route × every demo account (and anonymous), against the table in access-matrix.tsv.

Each route is asked once per account — a GET plainly, a POST with the session's CSRF token and
an empty form — with the path's identifier filled from one fixed record of a named tenant
(長春安达's person, the Changchun institution's class, the Changchun centre's room …), so that an
account of the same role in another tenant (group, branch, institution2, centre2, jilincity) is
asked for a record that isn't theirs. The answer is classed:

  allow     the handler ran (2xx, a redirect other than to the login, or a 4xx of the form itself)
  deny      403
  notfound  404 (another tenant's record, or a record the account can't see)
  login     not logged in: 401 or sent to the login page

A case the table says is deny/notfound/login but answers allow is an unexpected allow; any other
difference fails too, and so does a route missing from the table or a table row whose route is
gone. Each account works on a fresh copy of the seeded database, so one account's POST doesn't
change what the next one finds.

To write the table after a deliberate change: ACCESS_MATRIX_RECORD=1 pytest Tests/system/test_access_matrix.py,
then read the diff before committing it.
"""
import os
import uuid

import pytest

from harness import ACCOUNTS, Client, Server, route_table

TABLE = os.path.join(os.path.dirname(__file__), "access-matrix.tsv")
RECORD = os.environ.get("ACCESS_MATRIX_RECORD") == "1"

# The record each path's identifier names: the first row of a query over a fixed tenant's data.
# Paths not listed (or whose table is empty in the demo data) get an identifier that exists nowhere.
RECORDS = [
    ("/people/import/", None),
    ("/people/", "SELECT p.id FROM people p JOIN organizations o ON o.id = p.employer_id "
                 "WHERE o.name = '长春安达建筑工程有限公司' ORDER BY p.id_number LIMIT 1"),
    ("/organizations/", "SELECT id FROM organizations WHERE name = '长春安达建筑工程有限公司'"),
    ("/accounts/", "SELECT id FROM accounts WHERE username = 'enterprise'"),
    ("/catalogue/", "SELECT code FROM qualification_types ORDER BY code LIMIT 1"),
    ("/classes/", "SELECT c.id FROM training_classes c JOIN organizations o ON o.id = c.institution_id "
                  "WHERE o.name = '长春安全生产培训学校' ORDER BY c.code LIMIT 1"),
    ("/enrol/", "SELECT c.id FROM training_classes c JOIN organizations o ON o.id = c.institution_id "
                "WHERE o.name = '长春安全生产培训学校' ORDER BY c.code LIMIT 1"),
    ("/enrolments/", "SELECT e.id FROM enrolments e JOIN organizations o ON o.id = e.employer_id "
                     "WHERE o.name = '长春安达建筑工程有限公司' ORDER BY e.id LIMIT 1"),
    ("/exam-rooms/", "SELECT r.id FROM exam_rooms r JOIN organizations o ON o.id = r.centre_id "
                     "WHERE o.name = '长春市安全生产考核点' ORDER BY r.name LIMIT 1"),
    ("/exam-plans/", "SELECT id FROM exam_plans ORDER BY serial LIMIT 1"),
    ("/exam-sessions/", "SELECT id FROM exam_plans ORDER BY serial LIMIT 1"),
    ("/tickets/", "SELECT id FROM exam_candidates ORDER BY ticket_number LIMIT 1"),
    ("/identity/", "SELECT id FROM exam_candidates ORDER BY ticket_number LIMIT 1"),
    ("/courses/", "SELECT id FROM courses ORDER BY name LIMIT 1"),
    ("/lessons/", "SELECT id FROM lessons ORDER BY title LIMIT 1"),
    ("/study/lessons/", "SELECT id FROM lessons ORDER BY title LIMIT 1"),
]
NOWHERE = str(uuid.UUID(int=0x5AFEC0DE))
# Routes that end the session go last, so the account's other cases run logged in.
LAST = {("POST", "/logout")}


def identifier(server, path):
    for prefix, query in RECORDS:
        if path.startswith(prefix):
            if query is None:
                return NOWHERE
            with server.db() as db:
                try:
                    row = db.execute(query).fetchone()
                except Exception:
                    row = None
            return str(row[0]) if row and row[0] is not None else NOWHERE
    return NOWHERE


def fill(path, value):
    return "/".join(value if part.startswith(":") else part for part in path.split("/"))


def classify(response):
    status = response.status_code
    location = response.headers.get("location", "")
    if status >= 500:
        return f"error{status}"
    if status == 401 or (300 <= status < 400 and location.startswith("/login")):
        return "login"
    if status == 403:
        return "deny"
    if status == 404:
        return "notfound"
    return "allow"


def load_table():
    table = {}
    with open(TABLE, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            method, path, account, expected = line.rstrip("\n").split("\t")
            table[(method, path, account)] = expected
    return table


def observe(routes):
    observed = {}
    for username in [None] + ACCOUNTS:
        server = Server()
        try:
            client = Client(server, username)
            if username is None:
                client.get("/login")  # the anonymous session's CSRF token
            name = username or "anonymous"
            ordered = sorted(routes, key=lambda r: (r in LAST, r[0] != "GET"))
            for method, path in ordered:
                url = fill(path, identifier(server, path))
                if method == "GET":
                    response = client.get(url, timeout=60)
                else:
                    response = client.post(url, {}, timeout=60)
                observed[(method, path, name)] = classify(response)
        finally:
            server.stop()
    return observed


def test_every_route_answers_every_account_as_the_table_says():
    routes = [(r["method"], r["path"]) for r in route_table() if r["method"] in ("GET", "POST")]
    assert len(routes) > 100
    observed = observe(routes)
    if RECORD:
        with open(TABLE, "w", encoding="utf-8") as f:
            f.write("# method\tpath\taccount\texpected — written by ACCESS_MATRIX_RECORD=1, reviewed by hand\n")
            for key in sorted(observed):
                f.write("\t".join(key) + "\t" + observed[key] + "\n")
    table = load_table()
    errors = [f"{k[0]} {k[1]} as {k[2]}: {v}" for k, v in observed.items() if v.startswith("error")]
    missing = sorted({(m, p) for m, p, _ in observed} - {(m, p) for m, p, _ in table})
    gone = sorted({(m, p) for m, p, _ in table} - {(m, p) for m, p, _ in observed})
    unexpected_allows = [k for k, v in observed.items() if v == "allow" and table.get(k, "allow") != "allow"]
    differences = [k for k, v in observed.items() if k in table and table[k] != v]
    print(f"\naccess-matrix cases={len(observed)} unexpected_allows={len(unexpected_allows)}")
    assert not errors, "server errors:\n" + "\n".join(errors[:40])
    assert not missing, "routes not in access-matrix.tsv (add them, with who may use them):\n" + \
        "\n".join(f"{m} {p}" for m, p in missing)
    assert not gone, "access-matrix.tsv names routes that no longer exist:\n" + "\n".join(f"{m} {p}" for m, p in gone)
    assert not unexpected_allows, "allowed where the table says no:\n" + \
        "\n".join(f"{m} {p} as {a} (table: {table[(m, p, a)]})" for m, p, a in unexpected_allows[:60])
    assert not differences, "answers that differ from the table:\n" + \
        "\n".join(f"{m} {p} as {a}: {observed[(m, p, a)]} (table: {table[(m, p, a)]})" for m, p, a in differences[:60])
