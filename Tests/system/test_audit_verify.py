"""`safecert audit verify` on copies of a real server's database: intact, one row deleted, one row altered."""
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile

import pytest

from harness import BINARY, ROOT, Client, Server, server_env


@pytest.fixture(scope="module")
def used_database():
    """The database of a server that some users have worked with, copied consistently (WAL included)."""
    server = Server()
    try:
        for username in ["enterprise", "institution", "auditor"]:
            client = Client(server, username)
            client.get("/audit" if username == "auditor" else "/people")
        copy_dir = tempfile.mkdtemp(prefix="safecert-audit-")
        with server.db() as source, sqlite3.connect(os.path.join(copy_dir, "safecert.sqlite")) as target:
            source.backup(target)
    finally:
        server.stop()
    yield copy_dir
    shutil.rmtree(copy_dir, ignore_errors=True)


def copy_of(directory):
    copy_dir = tempfile.mkdtemp(prefix="safecert-audit-copy-")
    shutil.copy2(os.path.join(directory, "safecert.sqlite"), copy_dir)
    return copy_dir


def verify(directory):
    return subprocess.run([BINARY, "audit", "verify"], cwd=ROOT, env=server_env(directory),
                          capture_output=True, text=True, timeout=120)


def tamper(directory, statement, *args):
    with sqlite3.connect(os.path.join(directory, "safecert.sqlite")) as db:
        # The append-only triggers refuse this through the app; someone with the file drops them.
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entries'").fetchall():
            db.execute(f'DROP TRIGGER "{name}"')
        db.execute(statement, args)


def entries(directory):
    with sqlite3.connect(os.path.join(directory, "safecert.sqlite")) as db:
        return db.execute("SELECT sequence, id FROM audit_entries ORDER BY sequence").fetchall()


def test_an_intact_log_verifies(used_database):
    directory = copy_of(used_database)
    assert len(entries(directory)) >= 5
    result = verify(directory)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "审计日志完整" in result.stdout


def test_a_deleted_row_is_found_where_it_was(used_database):
    directory = copy_of(used_database)
    rows = entries(directory)
    sequence, _ = rows[len(rows) // 2]
    tamper(directory, "DELETE FROM audit_entries WHERE sequence = ?", sequence)
    result = verify(directory)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "审计日志缺失" in output
    found = re.search(r"第 (\d+) 条", output)
    assert found and int(found.group(1)) == sequence + 1, output


def test_the_newest_row_deleted_is_found(used_database):
    directory = copy_of(used_database)
    sequence, _ = entries(directory)[-1]
    tamper(directory, "DELETE FROM audit_entries WHERE sequence = ?", sequence)
    result = verify(directory)
    assert result.returncode != 0
    assert f"第 {sequence - 1} 条之后" in result.stdout + result.stderr


def test_an_altered_row_is_named(used_database):
    directory = copy_of(used_database)
    rows = entries(directory)
    sequence, entry_id = rows[len(rows) // 3]
    tamper(directory, "UPDATE audit_entries SET summary = summary || '（改）' WHERE sequence = ?", sequence)
    result = verify(directory)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"第 {sequence} 条" in output and "篡改" in output, output
