"""The registry in a real browser: register with a photo, approve, edit, see the difference, approve again."""
import base64
import os
import tempfile

from selenium.webdriver.common.by import By

from conftest import login, logout, screenshot, wait_for_new_page


def submit(browser, css):
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, css).click()
    wait_for_new_page(browser, old)


def canvas_jpeg(browser, path):
    """Draws a 295×413 colour image on a canvas and saves it as JPEG: a real photo file."""
    data_url = browser.execute_script("""
        const c = document.createElement('canvas'); c.width = 295; c.height = 413;
        const g = c.getContext('2d');
        const grad = g.createLinearGradient(0, 0, 295, 413);
        grad.addColorStop(0, '#3a6ea5'); grad.addColorStop(1, '#f0c27b');
        g.fillStyle = grad; g.fillRect(0, 0, 295, 413);
        g.fillStyle = '#ffe0bd'; g.beginPath(); g.arc(147, 170, 80, 0, Math.PI * 2); g.fill();
        for (let i = 0; i < 4000; i++) { g.fillStyle = `rgb(${i%255},${(i*7)%255},${(i*13)%255})`; g.fillRect((i*37)%295, (i*53)%413, 2, 2); }
        return c.toDataURL('image/jpeg', 0.92);
    """)
    with open(path, "wb") as f:
        f.write(base64.b64decode(data_url.split(",", 1)[1]))


def test_register_approve_edit_and_approve_again(server, browser):
    # The enterprise registers a person.
    login(browser, server, "enterprise")
    browser.get(server.base + "/people/new")
    browser.find_element(By.NAME, "name").send_keys("浏览器测试")
    browser.find_element(By.NAME, "id_number").send_keys("11010519491231002x")
    browser.find_element(By.NAME, "phone").send_keys("13912340000")
    submit(browser, "form[action='/people'] button[type=submit]")
    assert "待审批" in browser.find_element(By.CSS_SELECTOR, "[data-testid=person-status]").text
    person_url = browser.current_url

    # With a photo.
    photo = os.path.join(tempfile.mkdtemp(), "11010519491231002X.jpg")
    canvas_jpeg(browser, photo)
    browser.find_element(By.CSS_SELECTOR, "input[name=photo]").send_keys(photo)
    submit(browser, ".photo-form button[type=submit]")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=person-photo]").get_attribute("naturalWidth") != "0"
    screenshot(browser, "person-registered")
    logout(browser)

    # The province approves.
    login(browser, server, "province")
    browser.get(server.base + "/people/review")
    assert "浏览器测试" in browser.find_element(By.CSS_SELECTOR, "[data-testid=review-submitted]").text
    screenshot(browser, "people-review")
    browser.get(person_url)
    submit(browser, "[data-testid=approve]")
    assert "已审批" in browser.find_element(By.CSS_SELECTOR, "[data-testid=person-status]").text
    logout(browser)

    # The enterprise edits the approved person.
    login(browser, server, "enterprise")
    browser.get(person_url + "/edit")
    name = browser.find_element(By.NAME, "name")
    name.clear()
    name.send_keys("浏览器测试改")
    submit(browser, "form.form button[type=submit]")
    assert "已审批" in browser.find_element(By.CSS_SELECTOR, "[data-testid=person-status]").text
    assert "浏览器测试改" in browser.find_element(By.CSS_SELECTOR, "[data-testid=pending-change]").text
    logout(browser)

    # The city authority of the person's region sees old and new side by side and approves again.
    login(browser, server, "changchun")
    browser.get(person_url)
    pending = browser.find_element(By.CSS_SELECTOR, "[data-testid=pending-change]").text
    assert "浏览器测试改" in pending and "现有信息" in pending
    screenshot(browser, "person-change-compare")
    submit(browser, "[data-testid=approve-change]")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("浏览器测试改")
    screenshot(browser, "person-approved-again")


def test_people_list_and_import_pages_render(server, browser):
    login(browser, server, "group")
    browser.get(server.base + "/people")
    assert "人员信息管理" in browser.find_element(By.TAG_NAME, "h1").text
    screenshot(browser, "people-list-group")
    browser.get(server.base + "/people/import")
    assert "人员导入模板" in browser.page_source
    screenshot(browser, "people-import")


def test_import_reports_rows_in_the_browser(server, browser):
    import openpyxl
    path = os.path.join(tempfile.mkdtemp(), "people.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名*", "证件类型", "证件号码*", "性别", "出生日期", "手机号码*", "民族", "学历", "所在单位统一社会信用代码", "参加工作日期", "备注"])
    ws.append(["导入一", "居民身份证", "220102199001010017", None, None, "13900000201", "汉族", "本科", None, "2015-03-01", None])
    ws.append(["导入二", None, 220102199001010022, None, None, "13900000202"])  # an ID Excel stored as a number
    wb.save(path)
    login(browser, server, "enterprise")
    browser.get(server.base + "/people/import")
    browser.find_element(By.CSS_SELECTOR, "input[name=file]").send_keys(path)
    submit(browser, "form[action='/people/import'] button[type=submit]")
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(browser, 30).until(lambda d: "已完成" in d.find_element(By.CSS_SELECTOR, "[data-testid=job-status]").text)
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=job-saved]").text == "1"
    problems = browser.find_element(By.CSS_SELECTOR, "[data-testid=problems]").text
    assert "3" in problems and "存成了数字" in problems
    screenshot(browser, "people-import-report")


def test_permit_holder_batch_approval_and_own_maintenance(server, browser):
    from selenium.webdriver.support.ui import WebDriverWait
    # A Hong Kong permit holder: gender and birth date appear only for documents without them.
    login(browser, server, "enterprise")
    browser.get(server.base + "/people/new")
    assert not browser.find_element(By.CSS_SELECTOR, "[data-testid=gender]").is_displayed()
    browser.find_element(By.CSS_SELECTOR, "select[name=id_type] option[value=hongKongMacauPermit]").click()
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-testid=gender]").is_displayed())
    browser.find_element(By.NAME, "name").send_keys("陈港生")
    browser.find_element(By.NAME, "id_number").send_keys("H10203040")
    browser.find_element(By.NAME, "phone").send_keys("13912340077")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=gender] option[value=male]").click()
    browser.execute_script("document.querySelector('[data-testid=birth-date]').value = '1988-08-08'")
    screenshot(browser, "person-form-permit")
    submit(browser, "[data-testid=person-submit]")
    assert "待审批" in browser.find_element(By.CSS_SELECTOR, "[data-testid=person-status]").text
    logout(browser)

    # Changchun filters its queue by the registering unit and approves the ticked ones at once.
    login(browser, server, "changchun")
    browser.get(server.base + "/people/review?registered_by=长春安达")
    table = browser.find_element(By.CSS_SELECTOR, "[data-testid=review-submitted]")
    assert "陈港生" in table.text and "港澳居民来往内地通行证" in table.text
    screenshot(browser, "people-review-filtered")
    for row in table.find_elements(By.CSS_SELECTOR, "tbody tr"):
        if "陈港生" in row.text:
            row.find_element(By.CSS_SELECTOR, "input[name=ids]").click()
    submit(browser, "[data-testid=batch-approve]")
    assert "批量通过：已处理 1 人" in browser.find_element(By.TAG_NAME, "main").text
    assert "陈港生" not in browser.find_element(By.CSS_SELECTOR, "[data-testid=review-submitted]").text
    logout(browser)

    # 张伟 keeps his own data: the edit of his approved record waits for approval.
    import re
    from test_training import id_number
    login(browser, server, id_number("220102", "19850312", 31))
    browser.get(server.base + "/me")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=me-edit]").click()
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=own-id-number]")
    browser.find_element(By.CSS_SELECTOR, "select[name=education] option[value='本科']").click()
    screenshot(browser, "me-edit")
    submit(browser, "[data-testid=person-submit]")
    pending = browser.find_element(By.CSS_SELECTOR, "[data-testid=me-pending]").text
    assert "本科" in pending and re.search("学历", pending)
    screenshot(browser, "me-pending")
