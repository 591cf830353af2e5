"""The exam in a real browser: the institution drafts a plan with automatic assignment, Changchun
submits it, the national centre approves it; 李娜 prints her ticket and can no longer withdraw;
the exam centre checks her in with the (simulated) ID-card reader and Chromium's fake camera,
runs the exam, enters the scores and submits; the province approves and the enterprise sees the
result."""
import base64
import datetime
import json

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import login, logout, screenshot, wait_for_new_page
from test_people import submit
from test_training import id_number

LI_NA = id_number("220104", "19900708", 42)


def plan_action(browser, event):
    submit(browser, f"[data-testid='plan-{event}']")


def test_exam_from_plan_to_published_result(server, browser):
    # 李娜 finished the demo's welding class; the plan starts in two hours (Beijing time).
    start = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) + datetime.timedelta(hours=2)
    login(browser, server, "institution")
    browser.get(server.base + "/exam-plans/new")
    browser.find_element(By.CSS_SELECTOR, "select[name=qualification] option[value='TZ-HJ']").click()
    browser.execute_script("document.querySelector('input[name=date]').value = arguments[0];"
                           "document.querySelector('input[name=time]').value = arguments[1];",
                           start.strftime("%Y-%m-%d"), start.strftime("%H:%M"))
    duration = browser.find_element(By.NAME, "duration")
    duration.clear()
    duration.send_keys("60")
    browser.find_element(By.NAME, "count").send_keys("1")
    # Two rooms: 李娜 is drawn into the first by name (电工实操场地), the other stays empty.
    for box in browser.find_elements(By.CSS_SELECTOR, "input[name=rooms]"):
        label = box.find_element(By.XPATH, "..").text
        if "第一机考室" in label or "电工实操场地" in label:
            box.click()
    submit(browser, "[data-testid=create-plan]")
    assert "/exam-plans/" in browser.current_url, browser.find_element(By.TAG_NAME, "main").text
    plan_url = browser.current_url
    assert "李娜" in browser.find_element(By.CSS_SELECTOR, "[data-testid=candidates]").text
    assert "草稿" in browser.find_element(By.CSS_SELECTOR, "[data-testid=plan-state]").text
    # The institution drafts but does not submit.
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=plan-submit]")
    screenshot(browser, "exam-plan-draft")
    # 修改考试计划 while in draft: the form keeps the plan's values; saving returns to the plan.
    browser.find_element(By.CSS_SELECTOR, "[data-testid=plan-edit]").click()
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=edit-duration]").get_attribute("value") == "60"
    screenshot(browser, "exam-plan-edit")
    submit(browser, "[data-testid=save-plan]")
    assert browser.current_url == plan_url, browser.find_element(By.TAG_NAME, "main").text
    assert "已修改考试计划" in browser.find_element(By.TAG_NAME, "main").text
    logout(browser)

    login(browser, server, "changchun")
    browser.get(plan_url)
    plan_action(browser, "submit")
    assert "待审核" in browser.find_element(By.CSS_SELECTOR, "[data-testid=plan-state]").text
    logout(browser)

    login(browser, server, "national")
    browser.get(plan_url)
    plan_action(browser, "approve")
    assert "审核通过" in browser.find_element(By.CSS_SELECTOR, "[data-testid=plan-state]").text
    logout(browser)

    # 李娜 prints her ticket (the PDF request marks it printed); the withdraw button is gone.
    login(browser, server, LI_NA)
    browser.get(server.base + "/tickets")
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=withdraw]")
    pdf = browser.find_element(By.CSS_SELECTOR, "a[href^='/tickets/']").get_attribute("href")
    status = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'), b.byteLength])));",
        pdf)
    assert status[0] == 200 and status[1] == "application/pdf" and status[2] > 1000
    browser.get(server.base + "/tickets")
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=withdraw]")
    assert "已打印" in browser.find_element(By.TAG_NAME, "main").text
    logout(browser)

    # The reader is there but has no card on it yet.
    with open(server.card_file, "w", encoding="utf-8") as f:
        f.write("")

    login(browser, server, "centre")
    browser.get(plan_url)
    browser.find_element(By.LINK_TEXT, "实名认证").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=read-card]"))
    # Before any card is read: no photo frames at all, and every image shown has loaded.
    assert not browser.find_element(By.CSS_SELECTOR, "[data-compare]").is_displayed()
    WebDriverWait(browser, 10).until(lambda d: d.execute_script(
        "return [...document.images].filter(i => i.offsetParent !== null && !(i.complete && i.naturalWidth > 0)).length === 0"))
    screenshot(browser, "exam-identity-before-read")
    result = browser.find_element(By.CSS_SELECTOR, "[data-testid=identity-result]")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=read-card]").click()
    WebDriverWait(browser, 15).until(lambda d: "身份证" in result.text)
    assert "请将身份证放在阅读器上" in result.text and "无法连接" not in result.text, result.text

    # The reader has 李娜's card on it.
    card_photo = None  # the reader gives no photo here; the server accepts the card without one
    with open(server.card_file, "w", encoding="utf-8") as f:
        json.dump({"idNumber": LI_NA, "name": "李娜", "validUntil": "2036-07-08", "photo": card_photo}, f, ensure_ascii=False)

    def chosen_room():
        return browser.find_element(By.CSS_SELECTOR, "[data-testid=identity-room] option:checked").text

    def choose_room(name):
        if chosen_room() == name:
            return
        old = browser.find_element(By.TAG_NAME, "html")
        browser.find_element(By.XPATH, f"//select[@data-testid='identity-room']/option[normalize-space()='{name}']").click()
        wait_for_new_page(browser, old)
        assert chosen_room() == name, chosen_room()

    # Which of the plan's two rooms holds 李娜 (the draw decides); choosing a room reloads its list.
    rooms = [o.text for o in browser.find_elements(By.CSS_SELECTOR, "[data-testid=identity-room] option")]
    assert len(rooms) == 2, rooms
    hers = None
    for name in rooms:
        choose_room(name)
        if "李娜" in browser.find_element(By.CSS_SELECTOR, "[data-testid=identity-table]").text:
            hers = name
    empty = next(name for name in rooms if name != hers)
    # The room chosen is the room read into: 李娜 is not on the empty room's list.
    choose_room(empty)
    result = browser.find_element(By.CSS_SELECTOR, "[data-testid=identity-result]")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=read-card]").click()
    WebDriverWait(browser, 15).until(lambda d: "未通过" in result.text or "通过" in result.text)
    assert "不在本考场的考生名单中" in result.text, result.text
    choose_room(hers)
    result = browser.find_element(By.CSS_SELECTOR, "[data-testid=identity-result]")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=read-card]").click()
    WebDriverWait(browser, 15).until(lambda d: "实名认证通过" in result.text or "未通过" in result.text or "无法" in result.text)
    assert "实名认证通过" in result.text, result.text
    # The list shows the check at once, without reloading.
    row = browser.find_element(By.CSS_SELECTOR, "[data-testid=identity-table] tbody tr")
    assert "已验证身份" in row.text and "身份证阅读器" in row.text, row.text
    assert "已认证 1 / 1" in browser.find_element(By.CSS_SELECTOR, "[data-testid=identity-count]").text
    # The card gave no photo: its frame says so instead of showing a broken image.
    assert "阅读器未提供" in browser.find_element(By.CSS_SELECTOR, "[data-photo-card]").find_element(By.XPATH, "..").text
    # The fake camera: wait until it plays, then take the live photo.
    WebDriverWait(browser, 15).until(lambda d: d.execute_script("const v = document.querySelector('[data-camera]'); return v && v.videoWidth > 0"))
    browser.find_element(By.CSS_SELECTOR, "[data-testid=take-photo]").click()
    WebDriverWait(browser, 15).until(lambda d: "现场照片已保存" in result.text)
    WebDriverWait(browser, 10).until(lambda d: d.execute_script(
        "const i = document.querySelector('[data-photo-live]'); return i && i.complete && i.naturalWidth > 0"))
    screenshot(browser, "exam-identity-check")
    browser.refresh()
    table = browser.find_element(By.CSS_SELECTOR, "[data-testid=identity-table]").text
    assert "已验证身份" in table and "身份证阅读器" in table
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=live-thumb]")

    # The exam: start, the live room, finish; then the scores.
    browser.get(plan_url)
    plan_action(browser, "start")
    assert "考试中" in browser.find_element(By.CSS_SELECTOR, "[data-testid=plan-state]").text
    browser.find_element(By.LINK_TEXT, "正在考试").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=incident-text]").send_keys("考生李娜按时入场，无异常")
    submit(browser, "[data-testid=incident-submit]")
    assert "考生李娜按时入场" in browser.find_element(By.CSS_SELECTOR, "[data-testid=incidents]").text
    assert "已验证身份 1" in browser.find_element(By.CSS_SELECTOR, "[data-testid=live-counts]").text
    screenshot(browser, "exam-live-room")
    browser.get(plan_url)
    plan_action(browser, "finish")
    browser.find_element(By.LINK_TEXT, "考试结果").click()
    for field, value in (("theory", "88"), ("practical", "91")):
        box = browser.find_element(By.CSS_SELECTOR, f"input[name^='{field}:']")
        box.clear()
        box.send_keys(value)
    submit(browser, "[data-testid=scores-save]")
    assert "合格" in browser.find_element(By.CSS_SELECTOR, "[data-testid=results-table]").text
    screenshot(browser, "exam-results-entry")
    plan_action(browser, "submit_results")
    assert "成绩待审核" in browser.find_element(By.CSS_SELECTOR, "[data-testid=plan-state]").text
    logout(browser)

    login(browser, server, "province")
    browser.get(server.base + "/exam-results")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=pending-plans] a").click()
    plan_action(browser, "approve_results")
    assert "已办结" in browser.find_element(By.CSS_SELECTOR, "[data-testid=plan-state]").text
    logout(browser)

    login(browser, server, "enterprise")
    browser.get(server.base + "/exam-results")
    rows = browser.find_element(By.CSS_SELECTOR, "[data-testid=results-query]").text
    assert "李娜" in rows and "合格" in rows and "88" in rows and "91" in rows
    screenshot(browser, "exam-results-enterprise")
    logout(browser)
