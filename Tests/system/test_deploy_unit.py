"""deploy/safecert.service: what the README's 部署（systemd） promises, and `systemd-analyze verify` is clean."""
import os
import shutil
import subprocess

import pytest

from harness import ROOT

UNIT = os.path.join(ROOT, "deploy", "safecert.service")


def directives():
    found = {}
    with open(UNIT) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", ";", "[")) and "=" in line:
                key, value = line.split("=", 1)
                found.setdefault(key, []).append(value)
    return found


def test_unit_runs_safecert_confined_and_restarts():
    d = directives()
    assert d["Type"] == ["simple"]
    assert d["ExecStart"][0].split()[:6] == ["/opt/safecert/safecert", "serve", "--hostname", "0.0.0.0", "--port", "8080"]
    assert d["Restart"] == ["on-failure"] and d["RestartSec"] == ["2"]
    assert d["User"] == ["safecert"]
    assert d["WorkingDirectory"] == ["/opt/safecert"]  # Resources/ and Public/ are found from here
    assert d["StateDirectory"] == ["safecert"]
    assert "SAFECERT_DATA_DIR=/var/lib/safecert" in d["Environment"]
    assert d["EnvironmentFile"] == ["-/etc/safecert/safecert.env"]
    for key, value in [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes")]:
        assert d[key] == [value], key
    assert d["ReadWritePaths"] == ["/var/lib/safecert"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_systemd_analyze_verify(tmp_path):
    # verify checks that ExecStart's binary exists: point it at the one just built.
    binary = os.environ.get("SAFECERT_BINARY", os.path.join(ROOT, ".build", "debug", "safecert"))
    if not os.access(binary, os.X_OK):
        binary = "/bin/true"
    with open(UNIT) as f:
        text = f.read().replace("ExecStart=/opt/safecert/safecert ", "ExecStart=" + binary + " ")
    unit = tmp_path / "safecert.service"
    unit.write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    # Messages about other units on this machine are not ours; anything naming safecert.service is.
    ours = [line for line in (result.stdout + result.stderr).splitlines() if "safecert.service" in line]
    assert result.returncode == 0 and not ours, result.stdout + result.stderr
