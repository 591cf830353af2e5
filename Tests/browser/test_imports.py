"""Batch enrolment and candidate import reports in a real browser: every problem of every row at
once, the candidate report in pages with 下载问题行."""
import datetime
import os
import tempfile

from selenium.webdriver.common.by import By

import pytest

from conftest import Server, login, logout, screenshot
from test_people import submit
from test_training import EMPLOYEES, id_number, open_class


def workbook(path, header, rows):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_batch_enrolment_lists_every_problem(server, browser):
    folder = tempfile.mkdtemp()
    sheet = os.path.join(folder, "批量报名.xlsx")
    names = list(EMPLOYEES)
    workbook(sheet, ["证件号码*", "姓名*", "参加工作日期", "从业年限", "健康承诺（是/否）", "体检合格（是/否）", "个人简历", "单位意见"], [
        [EMPLOYEES[names[0]], names[0], "2014-03-01", "七十", "也许", "是", "", ""],
        [id_number("110101", "19900307", 851), "路人", "", "", "是", "是", "", ""],
        [EMPLOYEES[names[1]], names[1], "2014-03-01", "", "是", "否", "", ""],
    ])
    login(browser, server, "enterprise")
    open_class(browser, server, "低压电工作业取证培训班")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=enrol-batch]").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=batch-file]").send_keys(sheet)
    submit(browser, "[data-testid=batch-submit]")
    table = browser.find_element(By.CSS_SELECTOR, "[data-testid=batch-problems]").text
    for text in ["第 2 行", "从业年限须为 0–60 的整数", "第 3 行", "未在本单位登记", "第 4 行", "缺少体检合格证明"]:
        assert text in table, text
    screenshot(browser, "enrol-batch-problems")
    logout(browser)


@pytest.fixture(scope="module")
def own_server():
    """A server of its own: the plan below needs 李娜 still waiting for her TZ-HJ exam, which
    test_exam's plan takes on the shared server."""
    s = Server()
    yield s
    s.stop()


def test_candidate_import_report_in_pages(own_server, browser):
    server = own_server
    start = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) + datetime.timedelta(days=5)
    login(browser, server, "institution")
    browser.get(server.base + "/exam-plans/new")
    browser.find_element(By.CSS_SELECTOR, "select[name=qualification] option[value='TZ-HJ']").click()
    browser.execute_script("document.querySelector('input[name=date]').value = arguments[0];"
                           "document.querySelector('input[name=time]').value = arguments[1];",
                           start.strftime("%Y-%m-%d"), "09:00")
    browser.find_element(By.NAME, "count").send_keys("1")
    for box in browser.find_elements(By.CSS_SELECTOR, "input[name=rooms]"):
        if "第一机考室" in box.find_element(By.XPATH, "..").text:
            box.click()
    submit(browser, "[data-testid=create-plan]")
    plan_url = browser.current_url
    sheet = os.path.join(tempfile.mkdtemp(), "考生.xlsx")
    rows = [[id_number("110101", "19900101", i + 1), f"无名{i}", "", "", "", ""] for i in range(150)]
    rows[0][2] = "D"
    workbook(sheet, ["证件号码*", "姓名*", "人员类型（A/B/C）", "统一社会信用代码", "联系电话", "考场"], rows)
    browser.get(plan_url + "/import")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=import-file]").send_keys(sheet)
    submit(browser, "[data-testid=import-submit]")
    report = browser.find_element(By.CSS_SELECTOR, "[data-testid=import-report]")
    assert "失败 151 处（150 行）" in report.text
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=import-problems] tbody tr")) == 100
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=import-errors]").get_attribute("href").endswith("/errors.xlsx")
    screenshot(browser, "candidate-import-report")
    browser.find_element(By.LINK_TEXT, "下一页").click()
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=import-problems] tbody tr")) == 51
    assert "第 2 / 2 页" in browser.page_source
    logout(browser)
