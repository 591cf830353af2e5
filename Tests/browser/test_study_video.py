"""Online study of a real video in a real browser (seed 003, 学习 → 达到学时): a video never started,
paused or already ended earns nothing; played through it earns about its length and no more,
also when watched again. The video is made with ffmpeg at test time and uploaded through the
course page as the training institution does; a text file renamed .mp4 is refused there."""
import os
import shutil
import subprocess
import tempfile
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import login, logout, screenshot
from test_people import submit

LENGTH = 9  # seconds of video; the server beats every 3 s in the browser tests (SAFECERT_STUDY_INTERVAL)
COURSE = "视频课 安全用电常识"  # sorts after the other tests' courses on a learner's list
WANG_QIANG = "220202197811230157"  # holds a TZ-DG certificate, so TZ-DG courses are his to study


@pytest.fixture
def player():
    """The shared browser's options, plus video playback started by script without a click."""
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900",
                "--lang=zh-CN", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--autoplay-policy=no-user-gesture-required", "--mute-audio"):
        options.add_argument(arg)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    driver_path = shutil.which("chromedriver")
    driver = webdriver.Chrome(service=Service(driver_path) if driver_path else None, options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def make_video(folder):
    path = os.path.join(folder, "第一课 安全用电.webm")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=duration={LENGTH}:size=320x240:rate=15",
                    "-c:v", "libvpx", "-b:v", "200k", path], check=True)
    return path


def studied(browser):
    return float(browser.find_element(By.CSS_SELECTOR, "[data-studied-seconds]").get_attribute("data-studied-seconds") or 0)


def status(browser):
    return browser.find_element(By.CSS_SELECTOR, "[data-study-status]").text


def video(browser):
    return browser.find_element(By.CSS_SELECTOR, "video[data-media]")


def position(browser):
    return browser.execute_script("return arguments[0].currentTime", video(browser))


def test_video_hours_follow_the_player(server, player):
    browser = player
    folder = tempfile.mkdtemp()
    clip = make_video(folder)
    fake = os.path.join(folder, "lesson.mp4")
    with open(fake, "w") as f:
        f.write("这不是视频，只是改了扩展名的文本文件。\n")

    # The institution publishes the course; a renamed text file is refused, the real video kept with its length.
    login(browser, server, "institution")
    browser.get(server.base + "/courses")
    browser.find_element(By.NAME, "title").send_keys(COURSE)
    browser.find_element(By.CSS_SELECTOR, "select[name=qualification] option[value='TZ-DG']").click()
    browser.find_element(By.NAME, "hours").send_keys("1")
    submit(browser, "form[action='/courses'] button[type=submit]")
    browser.find_element(By.NAME, "title").send_keys("第一课 假视频")
    browser.find_element(By.NAME, "file").send_keys(fake)
    submit(browser, "form[enctype='multipart/form-data'] button[type=submit]")
    error = browser.find_element(By.CSS_SELECTOR, ".flash-error").text
    assert "课件文件「lesson.mp4」不是有效的视频或音频" in error, error
    screenshot(browser, "study-upload-refused")
    browser.find_element(By.NAME, "title").send_keys("第一课 安全用电")
    browser.find_element(By.NAME, "file").send_keys(clip)
    submit(browser, "form[enctype='multipart/form-data'] button[type=submit]")
    row = browser.find_element(By.XPATH, "//tr[td[contains(., '第一课 安全用电')]]").text
    assert "视频（WEBM）" in row and f"{LENGTH} 秒" in row, row
    assert "假视频" not in browser.page_source
    screenshot(browser, "study-course")
    logout(browser)

    login(browser, server, WANG_QIANG)
    browser.get(server.base + "/study")
    card = browser.find_element(By.XPATH, f"//section[@data-testid='course'][h2[contains(., '{COURSE}')]]")
    card.find_element(By.LINK_TEXT, "学习").click()
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return arguments[0].readyState", video(d)) >= 1)
    assert "点击播放开始计时" in status(browser)

    # Never started: nothing.
    time.sleep(7)
    assert studied(browser) == 0

    # Played for about four seconds, then paused: the part played, and nothing while paused.
    browser.execute_script("arguments[0].play()", video(browser))
    WebDriverWait(browser, 10).until(lambda d: position(d) >= 4)
    browser.execute_script("arguments[0].pause()", video(browser))
    WebDriverWait(browser, 10).until(lambda d: "已暂停" in status(d))
    paused_at, played = position(browser), studied(browser)
    assert 2 <= played <= paused_at + 0.01, (played, paused_at)
    time.sleep(7)
    assert studied(browser) == played, "paused earns nothing"
    screenshot(browser, "study-paused")

    # Forward seeking is undone: only what was played may be watched again.
    browser.execute_script("arguments[0].currentTime = 8", video(browser))
    time.sleep(0.5)
    assert position(browser) <= paused_at + 1.5, position(browser)

    # Played to the end: about its length, no more.
    browser.execute_script("arguments[0].play()", video(browser))
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return arguments[0].ended", video(d)))
    WebDriverWait(browser, 10).until(lambda d: "播放结束" in status(d))
    total = studied(browser)
    assert LENGTH - 2 <= total <= LENGTH + 0.01, total
    time.sleep(7)
    assert studied(browser) == total, "after the end nothing more"
    screenshot(browser, "study-video-ended")

    # Watched again from the start: at most the few milliseconds still missing, then nothing.
    browser.execute_script("arguments[0].play()", video(browser))
    WebDriverWait(browser, 10).until(lambda d: "本课时学时已满" in status(d))
    assert total <= studied(browser) <= LENGTH + 0.01, studied(browser)
    browser.execute_script("arguments[0].pause()", video(browser))

    browser.get(server.base + "/study")
    card = browser.find_element(By.XPATH, f"//section[@data-testid='course'][h2[contains(., '{COURSE}')]]")
    assert card.find_element(By.CSS_SELECTOR, "[data-testid=lesson-studied]").text == "0 分钟"
    assert "已获学时 0.0 学时（0 分钟）/ 1 学时（45 分钟）" in card.text, card.text
    screenshot(browser, "study-my-courses")
    logout(browser)

    # An ordinary session is no anomaly, however regular the browser's timer.
    login(browser, server, "association")
    browser.get(server.base + "/study/anomalies?id_number=" + WANG_QIANG)
    table = browser.find_element(By.CSS_SELECTOR, "[data-testid=anomalies]").text
    assert "未发现异常" in table, table
    screenshot(browser, "study-anomalies-ordinary")
