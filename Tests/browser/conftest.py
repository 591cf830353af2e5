"""Browser tests: a real `safecert serve` on a fresh SQLite file, driven by Debian's chromium."""
import base64
import hashlib
import hmac
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("SAFECERT_BINARY", os.path.join(ROOT, ".build", "debug", "safecert"))
ARTIFACTS = os.environ.get("SAFECERT_ARTIFACTS", os.path.join(ROOT, "artifacts", "screenshots"))
DEMO_PASSWORD = "Demo@2026"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def totp(secret_b32, for_time=None, step_offset=0):
    """RFC 6238, HMAC-SHA1, 6 digits, 30-second steps."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((for_time or time.time()) // 30) + step_offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


class Server:
    def __init__(self):
        self.data_dir = tempfile.mkdtemp(prefix="safecert-browser-")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # The ID-card reader's local service, simulated: tests write the card on it to card_file.
        self.reader_port = free_port()
        self.card_file = os.path.join(self.data_dir, "card.json")
        self.reader = subprocess.Popen(["python3", os.path.join(ROOT, "scripts", "id-reader-sim.py"),
                                        "--port", str(self.reader_port), "--card", self.card_file])
        env = dict(os.environ, SAFECERT_DATA_DIR=self.data_dir, SAFECERT_DEMO="1", SAFECERT_TEST_MODE="1",
                   SAFECERT_STUDY_INTERVAL="3", SAFECERT_ID_READER_URL=f"http://127.0.0.1:{self.reader_port}/api/read")
        env.pop("DATABASE_URL", None)
        subprocess.run([BINARY, "seed", "--demo"], cwd=ROOT, env=env, check=True, capture_output=True)
        self.log = open(os.path.join(self.data_dir, "server.log"), "w")
        self.process = subprocess.Popen(
            [BINARY, "serve", "--hostname", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("safecert did not start; see " + self.log.name)

    def stop(self):
        self.reader.terminate()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900",
                "--lang=zh-CN", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"):
        options.add_argument(arg)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    driver_path = shutil.which("chromedriver")
    driver = webdriver.Chrome(service=Service(driver_path) if driver_path else None, options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def screenshot(driver, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    driver.save_screenshot(os.path.join(ARTIFACTS, name + ".png"))


def login(driver, server, username, password=DEMO_PASSWORD, second_factor=True):
    """Logs in through the real captcha (its answer is on the page only in test mode)."""
    driver.get(server.base + "/login")
    answer = driver.find_element(By.CSS_SELECTOR, 'meta[name="test-captcha"]').get_attribute("content")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.NAME, "captcha").send_keys(answer)
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    wait_for_new_page(driver, old)
    if second_factor and driver.current_url.endswith("/login/verify"):
        # One SMS code per phone per minute (the server's limit): a quick second login waits.
        since = time.time() - _last_sms.get(username, 0)
        if since < 61:
            time.sleep(61 - since)
        _last_sms[username] = time.time()
        old = driver.find_element(By.TAG_NAME, "html")
        driver.find_element(By.CSS_SELECTOR, "[data-testid=send-sms]").click()
        wait_for_new_page(driver, old)
        sms = read_sms_code(driver, server)
        driver.find_element(By.NAME, "totp").send_keys(fresh_totp(username))
        driver.find_element(By.NAME, "sms").send_keys(sms)
        old = driver.find_element(By.TAG_NAME, "html")
        driver.find_element(By.CSS_SELECTOR, "form[action='/login/verify'] button[type=submit]").click()
        wait_for_new_page(driver, old)


def logout(driver):
    """Logs out and waits until the login page is there, so the next login starts clean."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "[data-testid=logout]").click()
    wait_for_new_page(driver, old)
    WebDriverWait(driver, 10).until(lambda d: "/login" in d.current_url)


def wait_for_new_page(driver, old_html, timeout=10):
    """Waits until the element of the previous page is gone (the form's navigation finished)."""
    def replaced(d):
        try:
            old_html.is_displayed()
            return False
        except Exception:
            return True
    WebDriverWait(driver, timeout).until(replaced)
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script("return document.readyState") == "complete")


_last_step = {}
_last_sms = {}


def fresh_totp(username):
    """A dynamic code this account has not used yet: the server refuses a replayed one, so a
    second login inside the same 30-second step waits for the next step."""
    step = int(time.time() // 30)
    if _last_step.get(username) == step:
        time.sleep(30 - time.time() % 30 + 0.5)
        step = int(time.time() // 30)
    _last_step[username] = step
    return totp(DEMO_TOTP_SECRET, for_time=step * 30 + 1)


def read_sms_code(driver, server):
    """Reads the newest code from the demo outbox in a second tab, as a demo visitor would."""
    main = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(server.base + "/demo/sms-outbox")
    text = driver.find_element(By.CSS_SELECTOR, "[data-testid=outbox] tbody tr td:nth-child(3)").text
    driver.close()
    driver.switch_to.window(main)
    import re
    return re.search(r"验证码为 (\d{6})", text).group(1)
