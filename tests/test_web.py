"""The web view in a real browser: Debian's headless Chromium, driven by Selenium, at 1400x1000,
looks at the served site as a person would."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT, corpus_path

pytestmark = pytest.mark.slow
CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
WIDTH, HEIGHT = 1400, 1000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> str:
    pytest.importorskip("datasette")
    log = (tmp_path_factory.mktemp("site") / "server.log").open("wb")
    port = _free_port()
    command = [sys.executable, "-m", "dprk_ru_data", "serve", "--port", str(port)]
    corpus = corpus_path()
    if corpus:
        command += ["--corpus", str(corpus)]
    # The server's log goes to a file: a pipe nobody reads would fill and stall it.
    server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail(f"the site did not start; see {log.name}")
    yield url
    server.terminate()
    server.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
        pytest.skip("Chromium is not installed: apt-get install chromium chromium-driver "
                    "(.ci/run does)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 f"--window-size={WIDTH},{HEIGHT}"):
        options.add_argument(flag)
    from selenium.webdriver.chrome.service import Service

    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.set_window_size(WIDTH, HEIGHT)
    yield driver
    driver.quit()


def _shot(browser, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("DPRK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(folder / f"{name}.png"))


def _first_screen_rows(browser) -> list:
    from selenium.webdriver.common.by import By

    inner = browser.execute_script("return window.innerHeight")
    return [row for row in browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
            if row.rect["y"] + row.rect["height"] <= inner]


def test_the_claims_page_answers_who_claimed_how_many_in_one_screen(site, browser,
                                                                      tmp_path) -> None:
    import dprk_ru_data

    browser.get(f"{site}/dprk_ru_data/claims?measure=deployed")
    _shot(browser, "claims", tmp_path)
    visible = " ".join(row.text for row in _first_screen_rows(browser))
    deployed = dprk_ru_data.query("claims", where={"measure": "deployed"})
    assert deployed.height and len(_first_screen_rows(browser)) == deployed.height
    for name in deployed["claimant_name"].drop_nulls():
        assert name in visible
    for day in deployed["claim_window_end"]:
        assert day.isoformat() in visible
    assert "`" not in browser.find_element("css selector", ".metadata-description").text


def test_a_facet_click_filters(site, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{site}/dprk_ru_data/claims")
    before = browser.find_element(By.CSS_SELECTOR, "h3").text
    link = next(a for a in browser.find_elements(By.CSS_SELECTOR, ".facet-info a")
                if "measure=deployed" in (a.get_attribute("href") or ""))
    link.click()
    assert "measure=deployed" in browser.current_url
    after = browser.find_element(By.CSS_SELECTOR, "h3").text
    assert after != before and after.startswith("4 rows")


def test_a_record_links_to_its_evidence_with_the_spans(site, browser, tmp_path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{site}/dprk_ru_data/troop_estimates/te-017")
    link = browser.find_element(By.CSS_SELECTOR, 'a[href="/-/evidence/te-017"]')
    link.click()
    _shot(browser, "evidence", tmp_path)
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.evidence")
    fields = {row.find_elements(By.TAG_NAME, "td")[0].text for row in rows}
    assert {"figure_text", "claimant_actor_id", "claimed_text"} <= fields
    if corpus_path():
        assert browser.find_elements(By.TAG_NAME, "mark")


def test_a_table_page_shows_fifteen_rows_in_the_first_screen(site, browser, tmp_path) -> None:
    browser.get(f"{site}/dprk_ru_data/troop_estimates")
    _shot(browser, "troop_estimates", tmp_path)
    assert len(_first_screen_rows(browser)) >= 15
    assert "`" not in browser.find_element("css selector", ".metadata-description").text


@pytest.mark.parametrize("path", ["/dprk_ru_data/no_such_table",
                                  "/dprk_ru_data/claims?measure__nonsense=1",
                                  "/dprk_ru_data/claims?_where=1%3B%20drop%20table%20claims",
                                  "/dprk_ru_data/claims?_sort=%3Cscript%3Ealert(1)%3C/script%3E",
                                  "/-/evidence/%3Cscript%3E"])
def test_bad_input_gets_an_error_page_never_a_traceback(site, path: str) -> None:
    try:
        with urllib.request.urlopen(site + path, timeout=10) as response:
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    assert "Traceback" not in body and "<script>alert(1)" not in body
    assert status == 200 or f"Error {status}" in body  # Datasette's own error page


def test_the_server_listens_on_this_machine_only_by_default() -> None:
    from dprk_ru_data.cli import main

    host = next(p for p in main.commands["serve"].params if p.name == "host")
    assert host.default == "127.0.0.1"


def test_the_exported_site_has_no_corpus_text(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from dprk_ru_data.cli import main

    pytest.importorskip("datasette")
    result = CliRunner().invoke(main, ["serve", "--export", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    names = {p.name for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert {"dprk_ru_data.sqlite", "metadata.json", "dprk_evidence.py"} <= names
    corpus = corpus_path()
    if corpus:
        sample = next(corpus.glob("00*.txt")).read_text(encoding="utf-8")[200:260]
        data = b"".join(p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file())
        assert sample.encode("utf-8") not in data
    shutil.rmtree(tmp_path / "site")


def test_the_front_page_leads_with_the_questions(site) -> None:
    with urllib.request.urlopen(site + "/", timeout=10) as response:
        body = response.read().decode()
    assert '/dprk_ru_data/claims?measure=deployed"' in body and "/dprk_ru_data/events" in body
