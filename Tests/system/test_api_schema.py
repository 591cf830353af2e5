"""schemathesis against a real `safecert serve`: every answer of /api/v1 matches /api/v1/openapi.json.

The security admin creates an API key on 接口密钥 for an exam centre (as an integration would get
one), and `schemathesis run --checks all` explores every documented operation with that key, a
bounded number of examples each. Any finding (a 5xx, an undocumented status, a body that breaks
its schema, an unsupported method not answered 405, …) fails the test with schemathesis' report.
"""
import os
import re
import shutil
import subprocess
import sys

import pytest

from harness import Client, Server

MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "30")


def schemathesis_command():
    found = shutil.which("schemathesis") or shutil.which("st")
    if found:
        return [found]
    try:
        import schemathesis  # noqa: F401
    except ImportError:
        pytest.fail("schemathesis is not installed (make deps-test installs it)")
    return [sys.executable, "-m", "schemathesis.cli"]


@pytest.fixture(scope="module")
def server():
    s = Server()
    yield s
    s.stop()


def issue_key(admin, organization):
    """接口密钥 → 创建, as the security admin; returns the secret shown once."""
    page = admin.get("/security/api-keys")
    assert page.status_code == 200, page.status_code
    options = dict((label.strip(), value) for value, label in re.findall(r'<option value="([^"]+)">([^<]*)</option>', page.text))
    org_id = next((v for label, v in options.items() if organization in label), None)
    assert org_id, f"{organization} is not offered on 接口密钥: {sorted(options)}"
    r = admin.post("/security/api-keys", {"organization_id": org_id, "name": "schemathesis"})
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
    m = re.search(r"(sk_[A-Za-z0-9_\-]+)", r.text)
    assert m, "no key shown after 创建"
    return m.group(1)


@pytest.fixture(scope="module")
def keys(server):
    admin = Client(server, "secadmin")
    return {"centre": issue_key(admin, "长春市安全生产考核点"), "institution": issue_key(admin, "长春安全生产培训学校")}


@pytest.fixture(scope="module")
def key(keys):
    return keys["centre"]


# The exam centre's key over every operation; the training institution's over 缴费登记, the one
# operation only an institution may use.
RUNS = [("centre", []), ("institution", ["--include-path-regex", "payment"])]


@pytest.mark.parametrize("who,selection", RUNS, ids=[who for who, _ in RUNS])
def test_api_matches_its_openapi_document(server, keys, who, selection, tmp_path):
    key = keys[who]
    me = Client(server).http.get(server.base + "/api/v1/me", headers={"Authorization": "Bearer " + key}, timeout=30)
    assert me.status_code == 200, me.text

    command = schemathesis_command() + [
        "run", server.base + "/api/v1/openapi.json",
        "--url", server.base,
        "--checks", "all",
        "--max-examples", MAX_EXAMPLES,
        "--seed", os.environ.get("SCHEMATHESIS_SEED", "20261202"),
        "--header", "Authorization: Bearer " + key,
        "--request-timeout", "30",
        "--no-color",
    ] + selection
    env = dict(os.environ, SCHEMATHESIS_HOOKS="", HYPOTHESIS_STORAGE_DIRECTORY=str(tmp_path / "hypothesis"))
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    print(output[-3000:])
    assert server.alive(), "safecert died during the schemathesis run:\n" + server.log_tail()
    assert result.returncode == 0, "schemathesis found problems:\n" + output[-20000:]


def test_limits_and_methods_answer_as_documented(server, key):
    """The answers schemathesis may not happen to provoke: a body over the limit, an unoffered method."""
    http = Client(server).http
    document = http.get(server.base + "/api/v1/openapi.json", timeout=30).json()
    too_large = http.post(server.base + "/api/v1/exam-candidates/T1/progress", timeout=60,
                          headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"},
                          data=b'{"answered": 1, "pad": "' + b"x" * 200_000 + b'"}')
    assert too_large.status_code == 413, too_large.status_code
    assert "error" in too_large.json()
    assert "413" in document["paths"]["/api/v1/exam-candidates/{ticket}/progress"]["post"]["responses"]
    trace = http.request("TRACE", server.base + "/api/v1/me", timeout=30)
    assert trace.status_code == 405 and trace.headers["Allow"] == "GET, HEAD"
    assert http.request("PUT", server.base + "/healthz", timeout=30).status_code == 405
