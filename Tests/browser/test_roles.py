"""Every demo account logs in through the real flow, sees its own menu, and a screenshot is kept."""
import pytest
from selenium.webdriver.common.by import By

from conftest import login, logout, screenshot, wait_for_new_page

# username → (role label, menu items it must see, menu items it must not see)
ROLES = {
    "sysadmin": ("系统管理员", ["单位查询", "单位录入", "用户管理", "添加用户"], ["审计日志", "接口密钥"]),
    "secadmin": ("安全管理员", ["安全策略", "接口密钥", "用户管理"], ["审计日志", "单位录入"]),
    "auditor": ("审计管理员", ["审计日志"], ["用户管理", "单位查询"]),
    "national": ("部中心", ["单位查询", "单位录入", "用户管理"], ["审计日志"]),
    "province": ("省级管理部门", ["单位查询", "单位录入", "用户管理", "添加用户"], ["审计日志", "接口密钥"]),
    "changchun": ("市/州管理部门", ["单位查询", "单位录入", "用户管理"], ["审计日志"]),
    "association": ("协会", ["单位查询", "单位录入", "本单位信息"], ["审计日志"]),
    "institution": ("培训机构", ["本单位信息", "密码修改"], ["单位查询", "用户管理"]),
    "centre": ("考核点", ["本单位信息", "密码修改"], ["单位查询", "用户管理"]),
    "group": ("企业", ["企业分公司管理", "企业管理"], ["单位录入", "用户管理"]),
    "enterprise": ("企业", ["企业分公司管理", "企业管理"], ["单位录入", "用户管理"]),
}

@pytest.mark.parametrize("username", list(ROLES))
def test_each_role_logs_in_and_sees_its_own_menu(server, browser, username):
    role, present, absent = ROLES[username]
    login(browser, server, username)
    assert browser.current_url.rstrip("/") == server.base, browser.current_url
    assert role in browser.find_element(By.CSS_SELECTOR, "[data-testid=home-role]").text
    menu = browser.find_element(By.CSS_SELECTOR, "[data-testid=menu]").text
    for item in present:
        assert item in menu, f"{username} should see {item}"
    for item in absent:
        assert item not in menu, f"{username} should not see {item}"
    screenshot(browser, f"home-{username}")
    logout(browser)


def test_individual_logs_in_with_id_number(server, browser):
    login(browser, server, DEMO_INDIVIDUAL.lower())  # a lower-case x would be accepted too
    assert "个人" in browser.find_element(By.CSS_SELECTOR, "[data-testid=home-role]").text
    assert "********" in browser.page_source  # the ID number is shown masked
    screenshot(browser, "home-individual")


def test_wrong_captcha_is_refused_in_the_browser(server, browser):
    browser.get(server.base + "/login")
    browser.find_element(By.NAME, "username").send_keys("enterprise")
    browser.find_element(By.NAME, "password").send_keys("Demo@2026")
    answer = browser.find_element(By.CSS_SELECTOR, 'meta[name="test-captcha"]').get_attribute("content")
    browser.find_element(By.NAME, "captcha").send_keys("0000" if answer != "0000" else "1111")
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    wait_for_new_page(browser, old)
    assert "验证码错误" in browser.find_element(By.CSS_SELECTOR, "[data-testid=login-error]").text
    screenshot(browser, "login-wrong-captcha")


def test_organisation_pages_render_for_the_province(server, browser):
    login(browser, server, "jilincity")
    browser.get(server.base + "/organizations")
    table = browser.find_element(By.CSS_SELECTOR, "[data-testid=organization-table]").text
    assert "吉林建工集团吉林分公司" in table
    assert "长春安达建筑工程有限公司" not in table  # another city's enterprise
    screenshot(browser, "organizations-jilincity")
    browser.get(server.base + "/organizations/new")
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, "form[action='/organizations'] button[type=submit]").click()
    wait_for_new_page(browser, old)
    assert "请填写单位名称" in browser.page_source
    screenshot(browser, "organization-form-errors")


DEMO_INDIVIDUAL = None


def setup_module(module):
    # The README lists the demo individuals, who log in with their ID number.
    import os, re
    from conftest import ROOT
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    match = re.search(r"\| 个人[^|]*\| `(\d{17}[\dX])` \|", readme)
    assert match, "README lists a demo individual"
    module.DEMO_INDIVIDUAL = match.group(1)
