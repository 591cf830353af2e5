"""A real `safecert serve` on a fresh SQLite file with the demo data, and demo logins over plain HTTP."""
import base64
import hashlib
import hmac
import os
import re
import shutil
import socket
import sqlite3
import struct
import subprocess
import tempfile
import time
import urllib.request

import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("SAFECERT_BINARY", os.path.join(ROOT, ".build", "debug", "safecert"))
DEMO_PASSWORD = "Demo@2026"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# Every demo account (README: Demo accounts), and which one is "the same role, another tenant".
ACCOUNTS = [
    "sysadmin", "secadmin", "auditor", "national", "province", "changchun", "jilincity", "association",
    "institution", "institution2", "centre", "centre2", "group", "branch", "enterprise",
    "220102198503120318", "220104199007080422", "220202197811230157",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def totp(secret_b32, counter):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def seeded_database():
    """A data directory with the demo seed, made once per test run and copied for each server."""
    global _SEEDED
    if _SEEDED is None:
        _SEEDED = tempfile.mkdtemp(prefix="safecert-seed-")
        env = server_env(_SEEDED)
        subprocess.run([BINARY, "seed", "--demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    return _SEEDED


_SEEDED = None


def server_env(data_dir, extra=None):
    env = dict(os.environ, SAFECERT_DATA_DIR=data_dir, SAFECERT_DEMO="1", SAFECERT_TEST_MODE="1", LOG_LEVEL="warning")
    env.pop("DATABASE_URL", None)
    env.update(extra or {})
    return env


class Server:
    """`safecert serve` on a copy of the seeded database."""

    def __init__(self, extra_env=None):
        self.data_dir = tempfile.mkdtemp(prefix="safecert-system-")
        for name in os.listdir(seeded_database()):
            shutil.copy2(os.path.join(seeded_database(), name), self.data_dir)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = server_env(self.data_dir, extra_env)
        self.log_path = os.path.join(self.data_dir, "server.log")
        self.restarts = 0
        self.start()

    def start(self):
        self.log = open(self.log_path, "a")
        self.process = subprocess.Popen([BINARY, "serve", "--hostname", "127.0.0.1", "--port", str(self.port)],
                                        cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("safecert did not start; see " + self.log_path)

    def alive(self):
        if self.process.poll() is not None:
            return False
        try:
            return requests.get(self.base + "/healthz", timeout=10).status_code == 200
        except requests.RequestException:
            return False

    def restart(self):
        self.restarts += 1
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()
        self.start()

    def log_tail(self, lines=30):
        with open(self.log_path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])

    def db(self):
        return sqlite3.connect(os.path.join(self.data_dir, "safecert.sqlite"), timeout=30)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def meta(name, html):
    m = re.search(r'name="%s" content="([^"]*)"' % re.escape(name), html)
    return m.group(1) if m else None


class Client:
    """One logged-in account over HTTP: keeps the cookie and the CSRF token."""

    _used_steps = {}

    def __init__(self, server, username=None):
        self.server = server
        self.username = username
        self.http = requests.Session()
        self.csrf = None
        if username:
            self.login(username)

    def get(self, path, **kw):
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 60)
        r = self.http.get(self.server.base + path, **kw)
        token = meta("csrf-token", r.text) if "text/html" in r.headers.get("content-type", "") else None
        if token:
            self.csrf = token
        return r

    def post(self, path, data=None, files=None, csrf=True, **kw):
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 120)
        data = dict(data or {})
        if csrf:
            if self.csrf is None:
                self.get("/")
            data["_csrf"] = self.csrf
        r = self.http.post(self.server.base + path, data=data, files=files, **kw)
        token = meta("csrf-token", r.text) if "text/html" in r.headers.get("content-type", "") else None
        if token:
            self.csrf = token
        return r

    def login(self, username, password=DEMO_PASSWORD):
        page = self.get("/login")
        answer = meta("test-captcha", page.text)
        r = self.post("/login", {"username": username, "password": password, "captcha": answer})
        assert r.status_code == 303, f"login {username}: {r.status_code} {r.text[:300]}"
        if r.headers.get("location") == "/login/verify":
            self.get("/login/verify")
            sent = self.post("/login/sms")
            assert sent.status_code == 303, sent.status_code
            code = self.latest_sms_code()
            step = int(time.time() // 30)
            while Client._used_steps.get(username) == step:
                time.sleep(30 - time.time() % 30 + 0.2)
                step = int(time.time() // 30)
            Client._used_steps[username] = step
            r = self.post("/login/verify", {"totp": totp(DEMO_TOTP_SECRET, step), "sms": code})
            assert r.status_code == 303, f"second step {username}: {r.status_code} {r.text[:300]}"
        self.get("/")

    def latest_sms_code(self):
        with self.server.db() as db:
            row = db.execute("SELECT text FROM sms_messages ORDER BY created_at DESC LIMIT 1").fetchone()
        return re.search(r"(\d{6})", row[0]).group(1)


def route_table():
    """Every registered route: [{"method", "path", "permission"}] from `safecert route-table`."""
    import json
    out = subprocess.run([BINARY, "route-table"], cwd=ROOT, env=server_env(seeded_database()),
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]
