"""Accounts and login hardening in the browser: credit-code login, the check-character
confirmation, and an ID number registered elsewhere."""
from selenium.webdriver.common.by import By

from conftest import login, logout, screenshot, wait_for_new_page

# 长春安达建筑工程有限公司's code in the demo data (CreditCode.generate(region: "220100", serial: 53)).
ANDA_CREDIT_CODE = "91220100000000537K"
# 李娜, employed by 长春安达.
LI_NA = "220104199007080422"


def submit(browser, selector):
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, selector).click()
    wait_for_new_page(browser, old)


def test_enterprise_logs_in_with_its_credit_code(server, browser):
    login(browser, server, ANDA_CREDIT_CODE)
    assert browser.current_url.rstrip("/") == server.base, browser.current_url
    assert "企业" in browser.find_element(By.CSS_SELECTOR, "[data-testid=home-role]").text
    assert "长春安达建筑工程有限公司" in browser.page_source
    screenshot(browser, "login-credit-code")
    logout(browser)


def test_bad_check_character_is_saved_only_once_confirmed(server, browser):
    login(browser, server, "province")
    browser.get(server.base + "/organizations/new")
    code = ANDA_CREDIT_CODE[:8] + "00004242" + "X0"
    browser.find_element(By.NAME, "name").send_keys("试点时期企业")
    browser.find_element(By.CSS_SELECTOR, "select[name=kind] option[value=enterprise]").click()
    browser.find_element(By.CSS_SELECTOR, "select[name=region_code] option[value='220100']").click()
    browser.find_element(By.NAME, "credit_code").send_keys(code)
    submit(browser, "form.form button[type=submit]")
    error = browser.find_element(By.CSS_SELECTOR, "[data-testid=credit-code-error]").text
    assert "校验位不正确" in error and "确认保存" in error
    screenshot(browser, "organization-confirm-check-character")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=confirm-check-character] input").click()
    submit(browser, "form.form button[type=submit]")
    assert "试点时期企业" in browser.find_element(By.TAG_NAME, "h1").text
    logout(browser)


def test_another_units_id_number_is_only_said_to_be_registered_elsewhere(server, browser):
    login(browser, server, "group")
    browser.get(server.base + "/people/new")
    browser.find_element(By.NAME, "name").send_keys("某某")
    browser.find_element(By.NAME, "id_number").send_keys(LI_NA)
    browser.find_element(By.NAME, "phone").send_keys("13900139099")
    submit(browser, "form.form button[type=submit]")
    page = browser.page_source
    assert "该证件号码已在其他单位登记" in page
    assert "李娜" not in page and "长春安达" not in page
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=transfer-link]").get_attribute("href").endswith("/people/transfer")
    screenshot(browser, "person-registered-elsewhere")
    logout(browser)
