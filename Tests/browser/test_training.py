"""The training flow in a real browser: batch enrolment with photos, confirmation, check-in,
results and their review; then a learner studies and the hours grow only while the page is visible."""
import os
import tempfile
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import login, logout, screenshot, wait_for_new_page
from test_people import canvas_jpeg, submit

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(region, birth, sequence):
    """GB 11643: as the demo seed generates its people."""
    first17 = f"{region}{birth}{sequence:03d}"
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


EMPLOYEES = {
    "赵敏": id_number("220102", "19920402", 11),
    "孙磊": id_number("220103", "19880915", 23),
    "周杰": id_number("220104", "19950130", 35),
}


def tick(browser, names):
    for row in browser.find_elements(By.CSS_SELECTOR, "[data-testid=enrolments-table] tbody tr[data-name]"):
        if row.get_attribute("data-name") in names:
            row.find_element(By.CSS_SELECTOR, "input[name=ids]").click()


def bulk(browser, label):
    submit(browser, f"[data-testid='bulk-{label}']")


def row_states(browser):
    return {r.get_attribute("data-name"): r.find_elements(By.TAG_NAME, "td")[-1].text
            for r in browser.find_elements(By.CSS_SELECTOR, "[data-testid=enrolments-table] tbody tr[data-name]")}


def open_class(browser, server, name_part):
    browser.get(server.base + "/classes")
    browser.find_element(By.PARTIAL_LINK_TEXT, name_part).click()


def test_batch_enrolment_to_review(server, browser):
    import openpyxl
    folder = tempfile.mkdtemp()
    sheet = os.path.join(folder, "批量报名.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["证件号码*", "姓名*", "参加工作日期", "从业年限", "健康承诺（是/否）", "体检合格（是/否）", "个人简历", "单位意见"])
    for name, number in EMPLOYEES.items():
        ws.append([number, name, "2014-03-01", 8, "是", "是", "从事低压电工作业", "同意报名"])
    wb.save(sheet)

    login(browser, server, "enterprise")
    photos = []
    for number in EMPLOYEES.values():
        path = os.path.join(folder, number + ".jpg")
        canvas_jpeg(browser, path)
        photos.append(path)
    open_class(browser, server, "低压电工作业取证培训班")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=enrol-batch]").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=batch-file]").send_keys(sheet)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=batch-photos]").send_keys("\n".join(photos))
    submit(browser, "[data-testid=batch-submit]")
    assert "已报名 3 人" in browser.find_element(By.CSS_SELECTOR, "[data-testid=batch-enrolled]").text
    screenshot(browser, "enrol-batch")
    # 李娜 is enrolled too (before the class opens), so the online course for the qualification is hers to study.
    open_class(browser, server, "低压电工作业取证培训班")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=enrol]").click()
    browser.find_element(By.NAME, "id_number").send_keys("220104199007080422")
    browser.find_element(By.NAME, "name").send_keys("李娜")
    browser.find_element(By.NAME, "medical_check").click()
    submit(browser, "[data-testid=submit-enrol]")
    assert "待确认" in browser.find_element(By.CSS_SELECTOR, "[data-testid=enrolment-state]").text
    logout(browser)

    # The home authority confirms all three.
    login(browser, server, "changchun")
    assert "待确认报名" in browser.page_source
    browser.get(server.base + "/enrolments?state=submitted")
    tick(browser, EMPLOYEES.keys())
    bulk(browser, "确认报名")
    browser.get(server.base + "/enrolments?state=confirmed")
    assert set(row_states(browser)) >= set(EMPLOYEES)
    screenshot(browser, "enrolments-confirmed")
    logout(browser)

    # The association opens the class (开班: check-in waits for it or the start date) and checks
    # them in (select all); nothing ticked shows the list again with the message.
    login(browser, server, "association")
    browser.get(server.base + "/enrolments?state=confirmed")
    bulk(browser, "报到")
    assert "请先勾选要处理的报名" in browser.find_element(By.CSS_SELECTOR, "[data-testid=bulk-error]").text
    screenshot(browser, "enrolments-nothing-ticked")
    open_class(browser, server, "低压电工作业取证培训班")
    submit(browser, "[data-testid=class-start]")
    browser.get(server.base + "/enrolments?state=confirmed")
    browser.find_element(By.CSS_SELECTOR, "input[data-select-all]").click()
    bulk(browser, "报到")
    browser.get(server.base + "/enrolments?state=inTraining")
    assert set(row_states(browser)) == set(EMPLOYEES)
    logout(browser)

    # The institution records three passes and submits them.
    login(browser, server, "institution")
    open_class(browser, server, "低压电工作业取证培训班")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=results]").click()
    for row in browser.find_elements(By.CSS_SELECTOR, "[data-testid=results-table] tbody tr[data-name]"):
        row.find_element(By.CSS_SELECTOR, "input[aria-label='学时']").send_keys("32")
        row.find_element(By.CSS_SELECTOR, "input[type=radio][value=pass]").click()
    submit(browser, "[data-testid=save-results]")
    screenshot(browser, "training-results")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=submit-results]").click()
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=confirm-ok]").click()
    wait_for_new_page(browser, old)
    logout(browser)

    # The reviewer passes two and returns one with a reason.
    login(browser, server, "changchun")
    browser.get(server.base + "/enrolments?state=trainingRecorded")
    tick(browser, ["赵敏", "周杰"])
    bulk(browser, "审核通过")
    browser.get(server.base + "/enrolments?state=trainingRecorded")
    tick(browser, ["孙磊"])
    browser.find_element(By.CSS_SELECTOR, ".bulk-bar input[name=reason]").send_keys("考勤记录不全")
    bulk(browser, "退回企业")
    logout(browser)

    login(browser, server, "enterprise")
    browser.get(server.base + "/enrolments")
    states = row_states(browser)
    assert "培训合格" in states["赵敏"] and "培训合格" in states["周杰"]
    assert "已退回企业" in states["孙磊"] and "考勤记录不全" in states["孙磊"]
    screenshot(browser, "enrolments-enterprise")
    logout(browser)


def studied(browser):
    """Credited seconds (the page shows them to the minute)."""
    return float(browser.find_element(By.CSS_SELECTOR, "[data-studied-seconds]").get_attribute("data-studied-seconds") or 0)


def test_learner_hours_grow_only_while_visible(server, browser):
    # The institution publishes a course with a document lesson.
    login(browser, server, "institution")
    browser.get(server.base + "/courses")
    browser.find_element(By.NAME, "title").send_keys("低压电工安全技术")
    browser.find_element(By.CSS_SELECTOR, "select[name=qualification] option[value='TZ-DG']").click()
    browser.find_element(By.NAME, "hours").send_keys("1")
    submit(browser, "form[action='/courses'] button[type=submit]")
    pdf = os.path.join(tempfile.mkdtemp(), "lesson.pdf")
    with open(pdf, "wb") as f:
        f.write(b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    browser.find_element(By.NAME, "title").send_keys("第一课 触电急救")
    browser.find_element(By.NAME, "minutes").send_keys("45")
    browser.find_element(By.NAME, "file").send_keys(pdf)
    submit(browser, "form[enctype='multipart/form-data'] button[type=submit]")
    assert "第一课 触电急救" in browser.page_source
    logout(browser)

    login(browser, server, "220104199007080422")
    browser.get(server.base + "/study")
    assert "低压电工安全技术" in browser.page_source
    browser.find_element(By.LINK_TEXT, "学习").click()
    WebDriverWait(browser, 20).until(lambda d: studied(d) >= 6)
    screenshot(browser, "study-lesson")
    lesson = browser.current_window_handle

    # Another tab in front: the lesson page is hidden and earns nothing.
    before = studied(browser)
    browser.switch_to.new_window("tab")
    browser.get(server.base + "/")
    time.sleep(12)
    browser.close()
    browser.switch_to.window(lesson)
    after_hidden = studied(browser)
    assert after_hidden - before <= 4, (before, after_hidden)

    # Back in front: it grows again.
    WebDriverWait(browser, 20).until(lambda d: studied(d) >= after_hidden + 6)
    status = browser.find_element(By.CSS_SELECTOR, "[data-study-status]").text
    assert "计时中" in status
    logout(browser)

    # The authority sees the learner's hours and a snapshot from the (fake) camera.
    login(browser, server, "province")
    browser.get(server.base + "/study/records")
    assert "李娜" in browser.find_element(By.CSS_SELECTOR, "[data-testid=records]").text
    browser.find_element(By.LINK_TEXT, "异常报告").click()
    assert "心跳" in browser.page_source
    # The fake camera's frames were taken at the server's random times and kept with the record.
    shots = browser.find_elements(By.CSS_SELECTOR, "[data-testid=snapshot]")
    assert len(shots) >= 1
    assert browser.execute_script("return arguments[0].naturalWidth", shots[0]) > 0
    screenshot(browser, "study-anomalies")
