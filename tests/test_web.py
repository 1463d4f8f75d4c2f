"""The web view in a real browser: Debian's headless Chromium, driven by Selenium, at 1400x1000,
looks at the served site as a person would. Also: every SQL call the site runs is bounded, the
server stops with its parent and leaves nothing behind, and the evidence page says visibly why a
passage cannot be shown.

Every test that starts a server stops it in a `finally`; `no_process_left_behind` checks, after
the last test of this file, that no process started here is still running."""

from __future__ import annotations

import contextlib
import html
import hashlib
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dprk_ru_data

from .conftest import ROOT, alive, corpus_path, wait_gone

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
WIDTH, HEIGHT = 1400, 1000
START_SECONDS = 60  # a server that has not answered by then has failed to start
PR_SET_CHILD_SUBREAPER = 36


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int, zombies: bool = False) -> dict[int, str]:
    """The child processes of `pid` (the live ones, or the zombies), with their states, read
    from /proc."""
    children = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid and (fields[0] == "Z") == zombies:
            children[int(entry.name)] = fields[0]
    return children


def _prctl(option: int, value: int) -> bool:
    if sys.platform != "linux":
        return False
    import ctypes

    return bool(ctypes.CDLL(None, use_errno=True).prctl(option, value) == 0)


@pytest.fixture(scope="module", autouse=True)
def no_process_left_behind() -> Iterator[None]:
    """After the last test of this file, no process these tests started is still running.

    This process is made a subreaper for the while, so that a server orphaned by its parent (the
    fault this guards against) becomes our child and is seen here."""
    if not Path("/proc/self/stat").exists():
        yield
        return
    before = set(_children(os.getpid()))
    subreaper = _prctl(PR_SET_CHILD_SUBREAPER, 1)
    try:
        yield
        left = wait_gone(set(_children(os.getpid())) - before, 15)
        details = {pid: (Path("/proc") / str(pid) / "cmdline").read_bytes()[:200]
                   for pid in left if alive(pid)}
        for pid in left:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        assert not left, f"processes left running after the web tests: {details}"
    finally:
        if subreaper:
            _prctl(PR_SET_CHILD_SUBREAPER, 0)
        for pid in set(_children(os.getpid())) - before:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)
        for pid in set(_children(os.getpid(), zombies=True)) - before:  # orphaned onto us
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop `process` and every process it started: SIGTERM, then SIGKILL after 20 s."""
    descendants = set(_children(process.pid))
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
    for pid in wait_gone(descendants, 10):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def _served(command: list[str], log: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`command` running until it answers on `port`; always stopped afterwards."""
    with log.open("wb") as out:  # a file, not a pipe nobody reads, which would fill and stall
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=out)
        try:
            deadline = time.monotonic() + START_SECONDS
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
                    break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"the site did not start; see {log}")
                    time.sleep(0.2)
            yield process
        finally:
            _stop(process)


def _serve_command(port: int, corpus: Path | None = None) -> list[str]:
    command = [sys.executable, "-m", "dprk_ru_data", "serve", "--port", str(port)]
    return command + (["--corpus", str(corpus)] if corpus else [])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("datasette")
    port = _free_port()
    log = tmp_path_factory.mktemp("site") / "server.log"
    with _served(_serve_command(port, corpus_path()), log, port):
        yield f"http://127.0.0.1:{port}"


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
    driver.get = _patient(driver, driver.get)
    try:
        driver.set_window_size(WIDTH, HEIGHT)
        yield driver
    finally:
        driver.quit()


# A page is judged once it has loaded as its reader sees it: loaded, its stylesheets applied, and
# answered (on a machine busy with other work, any page can reach the server's own time limit).
_LOADED = """return document.readyState === 'complete'
    && Array.from(document.styleSheets).every(sheet => {
        try { return sheet.cssRules.length > 0 } catch (error) { return false } })
    && !document.body.innerText.includes('SQL query took too long')"""


def _patient(driver, get):
    """`get`, which opens a page, made to open it again (up to three times, half a second
    apart) where it has not loaded as `_LOADED` says; what is still not loaded is left to the
    test's own assertions to fail on."""
    import time

    def patient_get(url: str) -> None:
        for _ in range(3):
            get(url)
            if driver.execute_script(_LOADED):
                return
            time.sleep(0.5)

    return patient_get


def _shot(browser, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("DPRK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(folder / f"{name}.png"))


def _first_screen_rows(browser) -> list:
    from selenium.webdriver.common.by import By

    inner = browser.execute_script("return window.innerHeight")
    return [row for row in browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
            if row.rect["y"] + row.rect["height"] <= inner]


# The text of an element as Selenium's `.text` gives it: trimmed of spaces and line breaks, a
# no-break space made a space.
_TEXT_OF = ("e => e.innerText.replace(/^[ \\t\\n\\r]+|[ \\t\\n\\r]+$/g, '')"
            ".replace(/\\u00a0/g, ' ')")


def _row_of(browser, key: str):
    """The table row whose first cell is `key` (found in one round trip to the browser)."""
    row = browser.execute_script(
        f"const text = {_TEXT_OF}; return Array.from(document.querySelectorAll("
        "'table.rows-and-columns tbody tr')).find(r => r.querySelector('td') "
        "&& text(r.querySelector('td')) === arguments[0]) || null", key)
    assert row is not None, f"no row whose first cell is {key!r}"
    return row


# Drawn, with a size, and within the window's width (nothing off to the right).
_INSIDE = ("e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 "
           "&& r.left >= 0 && r.right <= document.documentElement.clientWidth + 0.5; }")
# Nothing of the element is cut off: its content fits in the box it is drawn in.
_UNCLIPPED = "e => e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1"


def _inside_window(browser, element) -> bool:
    return browser.execute_script(f"return ({_INSIDE})(arguments[0])", element)


def _not_clipped(browser, element) -> bool:
    return browser.execute_script(f"return ({_UNCLIPPED})(arguments[0])", element)


def _in_page(browser, body: str, *args):
    """Run the script `body` in the page with `text`, `inside`, `unclipped` and `displayed`
    (Selenium's own is_displayed atom) defined: one round trip for what asking element by element
    and property by property takes dozens of."""
    import pkgutil

    displayed = pkgutil.get_data("selenium.webdriver.remote", "isDisplayed.js")
    assert displayed is not None
    return browser.execute_script(
        f"const text = {_TEXT_OF}, inside = {_INSIDE}, unclipped = {_UNCLIPPED}, "
        f"displayed = e => ({displayed.decode('utf-8')}).apply(null, [e]);\n{body}", *args)


def _no_sideways_scroll(browser) -> bool:
    return browser.execute_script("return document.documentElement.scrollWidth "
                                  "<= document.documentElement.clientWidth + 1")


def _texts(browser, selector: str) -> list[str]:
    """The drawn text of every element `selector` finds on the page, as `.text` gives it, in one
    round trip to the browser: `.text` on each cell of a few table pages took minutes."""
    return browser.execute_script(
        f"return Array.from(document.querySelectorAll(arguments[0]), {_TEXT_OF})", selector)


def _get(url: str, timeout: float = 30) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _sql_url(site: str, sql: str) -> str:
    return f"{site}/dprk_ru_data.json?sql={urllib.parse.quote(sql)}&_shape=array"


@pytest.mark.slow
def test_the_claims_page_answers_who_claimed_how_many_in_one_screen(site, browser,
                                                                      tmp_path) -> None:
    import dprk_ru_data

    browser.get(f"{site}/dprk_ru_data/claims?measure=deployed")
    _shot(browser, "claims", tmp_path)
    rows = _first_screen_rows(browser)
    deployed = dprk_ru_data.query("claims", where={"measure": "deployed"})
    assert deployed.height and len(rows) >= min(deployed.height, 10)
    shown = {row.find_element("css selector", "td").text for row in rows}
    by_id = {r["claim_id"]: r for r in deployed.iter_rows(named=True)}
    assert shown <= set(by_id)
    for claim in shown:  # who claimed it and when, in the first screen's width
        cells = set(_in_page(browser, "return Array.from(arguments[0].querySelectorAll('td'))"
                                      ".filter(inside).map(text)", _row_of(browser, claim)))
        assert by_id[claim]["claimant_name"] in cells, claim
    assert "`" not in browser.find_element("css selector", ".metadata-description").text


@pytest.mark.slow
def test_a_facet_click_filters(site, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{site}/dprk_ru_data/claims")
    before = browser.find_element(By.CSS_SELECTOR, "h3").text
    link = next(a for a in browser.find_elements(By.CSS_SELECTOR, ".facet-info a")
                if "measure=deployed" in (a.get_attribute("href") or ""))
    link.click()
    assert "measure=deployed" in browser.current_url
    after = browser.find_element(By.CSS_SELECTOR, "h3").text
    deployed = dprk_ru_data.load("claims").filter(pl.col("measure") == "deployed").height
    assert after != before and after.startswith(f"{deployed:,} row")


@pytest.mark.slow
def test_a_record_links_to_its_evidence_with_the_spans(site, browser, tmp_path) -> None:
    from selenium.webdriver.common.by import By

    evidence = dprk_ru_data.load("evidence").filter(pl.col("record_table") == "troop_estimates")
    record = evidence["record_id"].mode().sort()[0]  # a record with many fields evidenced
    browser.get(f"{site}/dprk_ru_data/troop_estimates/{record}")
    link = browser.find_element(By.CSS_SELECTOR, f'a[href="/-/evidence/{record}"]')
    link.click()
    _shot(browser, "evidence", tmp_path)
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.evidence")
    fields = {row.find_elements(By.TAG_NAME, "td")[0].text.splitlines()[-1] for row in rows}
    expected = set(evidence.filter(pl.col("record_id") == record)["field"].drop_nulls())
    assert expected and expected <= fields
    if corpus_path():
        assert browser.find_elements(By.TAG_NAME, "mark")
    else:  # no passage, and a warning a person can see in each row saying why
        warnings = browser.find_elements(By.CSS_SELECTOR, ".evidence-warning")
        assert len(warnings) == len(rows) and all(w.is_displayed() for w in warnings)


@pytest.mark.slow
def test_the_evidence_page_shows_the_records_disagreement_groups(site, browser) -> None:
    from selenium.webdriver.common.by import By

    groups = dprk_ru_data.load("disagreements")
    record = groups["record_id"][0]
    mine = groups.filter(pl.col("record_id") == record)["group_id"]
    others = groups.filter(pl.col("group_id").is_in(mine.implode()),
                           pl.col("record_id") != record)["record_id"].unique().to_list()
    browser.get(f"{site}/-/evidence/{record}")
    items = browser.find_elements(By.CSS_SELECTOR, "ul.disagreements li")
    assert items and all(item.is_displayed() and item.size["height"] > 0 for item in items)
    linked = {a.text for item in items for a in item.find_elements(By.TAG_NAME, "a")}
    assert set(others) <= linked


@pytest.mark.slow
def test_a_table_page_shows_fifteen_rows_in_the_first_screen(site, browser, tmp_path) -> None:
    browser.get(f"{site}/dprk_ru_data/troop_estimates")
    _shot(browser, "troop_estimates", tmp_path)
    assert len(_first_screen_rows(browser)) >= 15
    assert "`" not in browser.find_element("css selector", ".metadata-description").text


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/dprk_ru_data/no_such_table",
                                  "/dprk_ru_data/claims?measure__nonsense=1",
                                  "/dprk_ru_data/claims?_where=1%3B%20drop%20table%20claims",
                                  "/dprk_ru_data/claims?_sort=%3Cscript%3Ealert(1)%3C/script%3E",
                                  "/-/evidence/%3Cscript%3E"])
def test_bad_input_gets_an_error_page_never_a_traceback(site, path: str) -> None:
    status, body = _get(site + path, timeout=10)
    assert "Traceback" not in body and "<script>alert(1)" not in body
    assert status == 200 or f"Error {status}" in body  # Datasette's own error page


def test_the_server_listens_on_this_machine_only_by_default() -> None:
    from dprk_ru_data.cli import main

    host = next(p for p in main.commands["serve"].params if p.name == "host")
    assert host.default == "127.0.0.1"


@pytest.mark.slow
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


@pytest.mark.slow
def test_the_front_page_leads_with_the_questions(site) -> None:
    with urllib.request.urlopen(site + "/", timeout=10) as response:
        body = response.read().decode()
    assert '/dprk_ru_data/claims?measure=deployed"' in body and "/dprk_ru_data/events" in body


# -- Every SQL call is bounded ------------------------------------------------------------------

RECURSIVE = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
TEXT_20K = "printf('%.*c', 19900, 'a')"
NEEDLE = "printf('%.*c', 480, 'a') || 'b'"


def _row_of_calls(call: str, budget: int = 9_000) -> str:
    """One SELECT holding as many `call`s (on the columns a, k) as fit in `budget` bytes, in
    one row with no loop between them: SQLite's progress handler never runs during it."""
    head = (f"WITH ta(a) AS (SELECT {TEXT_20K}), tk(k) AS (SELECT {NEEDLE}) SELECT ")
    count = (budget - len(head)) // (len(call) + 1)
    groups = [", ".join([call] * min(100, count - i)) for i in range(0, count, 100)]
    return head + ", ".join(f"max({group})" for group in groups) + " FROM ta, tk"


EXPENSIVE = {  # each ran for seconds to minutes, at up to gigabytes, before the limits
    "printf width": "SELECT printf('%.*c', 900000000, 'x')",
    "printf negative width": "SELECT length(printf('%.*c', -900000000, 'x'))",
    "printf width, blob format": "SELECT length(printf(CAST('%.*c' AS BLOB), 900000000, 'x'))",
    "printf literal width": "SELECT length(printf('%.900000000c', 'x'))",
    "format width": "SELECT length(format('%*s', 900000000, 'x'))",
    "randomblob": "SELECT length(randomblob(900000000))",
    "zeroblob": "SELECT zeroblob(900000000)",
    "hex of zeroblob": "SELECT length(hex(zeroblob(400000000)))",
    "replace growing": "SELECT length(replace(replace(replace(hex(randomblob(1000)), '0', "
                       "hex(randomblob(1000))), '1', hex(randomblob(1000))), '2', "
                       "hex(randomblob(1000))))",
    "string doubling in a CTE": "WITH RECURSIVE c(x, s) AS (SELECT 1, 'x' UNION ALL "
                                "SELECT x + 1, s || s FROM c WHERE x < 40) "
                                "SELECT length(s) FROM c ORDER BY x DESC LIMIT 1",
    "recursive CTE": RECURSIVE + "SELECT count(*) FROM c",
    "recursive CTE sorted": RECURSIVE + "SELECT x FROM c ORDER BY random() LIMIT 1",
    "cross join": "SELECT count(*) FROM evidence a, evidence b, evidence c, evidence d",
    "instr of two long texts": f"SELECT instr({TEXT_20K}, printf('%.*c', 9000, 'a') || 'b')",
    "trim with a long set": f"SELECT trim({TEXT_20K}, printf('%.*c', 2000, 'b') || 'a')",
    "rows of long values": RECURSIVE + f"SELECT {TEXT_20K} FROM c LIMIT 1000",
    "a row of LIKE calls": _row_of_calls("(a LIKE '%' || k)"),
    "a row of GLOB calls": _row_of_calls("(a GLOB '*' || k)"),
    "attach another file": "ATTACH DATABASE '/etc/hostname' AS other",
}


UNIT_TIME_LIMIT_MS = 250  # shorter than the site's 1 s, to keep these tests quick


@pytest.fixture(scope="module")
def site_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dprk_ru_data.export import DATABASE
    from dprk_ru_data.site import build_site

    pytest.importorskip("datasette")
    return build_site(tmp_path_factory.mktemp("bound") / "site") / f"{DATABASE}.sqlite"


@pytest.fixture
def bound(site_database: Path) -> Iterator[sqlite3.Connection]:
    """The site's database as Datasette opens it, with the site's limits."""
    from dprk_ru_data.site.limits import bound_connection

    connection = sqlite3.connect(f"file:{site_database}?immutable=1", uri=True)
    connection.row_factory = sqlite3.Row
    bound_connection(connection, UNIT_TIME_LIMIT_MS)
    try:
        yield connection
    finally:
        connection.close()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the refusals
@pytest.mark.parametrize("name", list(EXPENSIVE))
def test_one_expensive_sql_call_fails_within_two_seconds(bound: sqlite3.Connection,
                                                         name: str) -> None:
    """As Datasette runs it (its progress handler and time limit), each call fails, and fast:
    well within 2 s, where before the limits some ran for minutes."""
    from datasette.utils import sqlite_timelimit

    start = time.perf_counter()
    with pytest.raises(sqlite3.DatabaseError), sqlite_timelimit(bound, UNIT_TIME_LIMIT_MS):
        bound.execute(EXPENSIVE[name]).fetchmany(1001)
    assert time.perf_counter() - start < 2.0, name


@pytest.mark.parametrize("sql", [
    "SELECT printf('%5.2f|%-4d|%s|%,d|%.*c|%%', 3.14159, 7, 'x', 1234567, 3, 'z')",
    "SELECT format('%*s|%q', -4, 'ab', 'it''s')",
    "SELECT instr('troops deployed', 'deployed'), instr(x'616263', x'63')",
    "SELECT replace('a-b-c', '-', '+'), replace(123, 2, 9), replace('abc', '', 'x')",
    "SELECT trim('  x  '), trim('xxaxx', 'x'), ltrim('..a', '.'), rtrim('a..', '.')",
    "SELECT 'Kursk' LIKE 'k%', 'a_b' LIKE 'a\\_b' ESCAPE '\\', 'Kursk' GLOB 'K*', "
    "NULL LIKE 'a'",
    "SELECT count(*) FROM claims WHERE claimant_name LIKE '%a%'",
    "SELECT group_concat(evidence_id) FROM evidence",
])
def test_ordinary_sql_gives_what_sqlite_gives(bound: sqlite3.Connection, site_database: Path,
                                              sql: str) -> None:
    """The guarded functions return exactly what SQLite's own do."""
    plain = sqlite3.connect(f"file:{site_database}?immutable=1", uri=True)
    assert tuple(bound.execute(sql).fetchone()) == plain.execute(sql).fetchone()


SPEC_PIECES = st.lists(st.one_of(
    st.text(alphabet="ab %", max_size=3),
    st.builds(lambda flags, width, precision, size, letter: f"%{flags}{width}{precision}{size}"
                                                            f"{letter}",
              st.text(alphabet="-+ #!0,", max_size=2),
              st.sampled_from(["", "*", "7", "1000000"]),
              st.sampled_from(["", ".", ".*", ".3", ".1000000"]),
              st.sampled_from(["", "l", "ll"]),
              st.sampled_from(list("dsgzqQwcouxXfeEGipnr%TSy*.5l"))),
    st.text(alphabet="%*.-0159lcd", max_size=4)), max_size=5).map("".join)
PRINTF_ARGUMENTS = st.lists(st.sampled_from(
    [0, 3, -3, 1_000_000, -1_000_000, 2**31 + 5, 2.5, 1e7, float("nan"), "x", "1000000", None,
     b"y"]), max_size=6)


@given(SPEC_PIECES, PRINTF_ARGUMENTS)
def test_no_printf_format_passes_a_huge_width_to_sqlite(fmt: str, arguments: list) -> None:
    """What the guard lets through makes a short result in SQLite's own printf, which takes a
    width or precision of a million from wherever SQLite reads it: the format or an argument."""
    from dprk_ru_data.site.limits import MAX_VALUE_BYTES, printf_sizes

    if all(size <= MAX_VALUE_BYTES for size in printf_sizes((fmt, *arguments))):
        plain = sqlite3.connect(":memory:")
        marks = ", ".join("?" * (len(arguments) + 1))
        result = plain.execute(f"SELECT length(printf({marks}))", [fmt, *arguments]).fetchone()
        assert (result[0] or 0) < 500_000, (fmt, arguments)


def test_the_result_of_one_statement_is_bounded(bound: sqlite3.Connection) -> None:
    from dprk_ru_data.site.limits import MAX_RESULT_BYTES

    rows = RECURSIVE + "SELECT printf('%.*c', 10000, 'a') FROM c LIMIT ?"
    assert len(bound.execute(rows, [MAX_RESULT_BYTES // 20_000]).fetchall()) == 250
    with pytest.raises(sqlite3.OperationalError, match="larger than"):
        bound.execute(rows, [MAX_RESULT_BYTES // 10_000 + 1]).fetchall()
    assert bound.execute("SELECT count(*) FROM evidence").fetchone()[0] > 0  # a fresh budget


@pytest.mark.slow
def test_expensive_calls_fail_fast_while_other_pages_are_served(site) -> None:
    """Against the served site, over HTTP: a page asked for while three calls that run to the
    time limit are running is served within 2 s, and each expensive call is refused within 2 s.
    """
    outcomes: dict[str, tuple[int, float]] = {}

    def call(name: str) -> None:
        start = time.perf_counter()
        status, _ = _get(_sql_url(site, EXPENSIVE[name]))
        outcomes[name] = (status, time.perf_counter() - start)

    threads = [threading.Thread(target=call, args=(name,))
               for name in ("recursive CTE", "cross join", "a row of LIKE calls")]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.2)
        start = time.perf_counter()
        status, body = _get(f"{site}/dprk_ru_data/claims")
        page_seconds = time.perf_counter() - start
    finally:
        for thread in threads:
            thread.join(timeout=60)
    assert status == 200 and "claims" in body
    assert page_seconds < 2.0, page_seconds
    for name in ("printf width", "randomblob", "zeroblob", "string doubling in a CTE"):
        call(name)
    for name, (code, seconds) in outcomes.items():
        assert code == 400 and seconds < 2.0, (name, code, seconds)


@pytest.mark.slow
def test_the_served_database_is_immutable(site) -> None:
    import json

    status, body = _get(f"{site}/-/databases.json")
    databases = {d["name"]: d for d in json.loads(body)}
    assert status == 200 and databases["dprk_ru_data"]["is_mutable"] is False
    status, _ = _get(f"{site}/_internal.json?sql=select+1")
    assert status == 403


# -- The server's process ----------------------------------------------------------------------

def _server_and_folder(serve: subprocess.Popen[bytes]) -> tuple[int, Path]:
    """The Datasette process `dprk-data serve` started, and the temporary folder it serves."""
    deadline = time.monotonic() + 10
    while not (children := _children(serve.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    (server,) = children
    argv = (Path("/proc") / str(server) / "cmdline").read_bytes().decode().split("\0")
    return server, Path(argv[argv.index("-i") + 1]).parent


def _port_closed(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.slow
def test_sigterm_to_serve_stops_the_server_and_removes_its_folder(tmp_path: Path) -> None:
    pytest.importorskip("datasette")
    port = _free_port()
    with _served(_serve_command(port), tmp_path / "server.log", port) as serve:
        server, folder = _server_and_folder(serve)
        try:
            assert folder.is_dir()
            serve.send_signal(signal.SIGTERM)
            assert serve.wait(timeout=20) == 0
            assert not wait_gone({server}, 5) and _port_closed(port)
            assert not folder.exists()
        finally:
            if alive(server):
                os.kill(server, signal.SIGKILL)
            shutil.rmtree(folder, ignore_errors=True)


# A stand-in server: says which signal stopped it, or ignores SIGTERM where asked to.
STAND_IN = """
import signal, sys, time
if sys.argv[1] == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
else:
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, lambda n, f: sys.exit(100 + n))
open(sys.argv[2], "w").close()
time.sleep(60)
"""


def _run_stand_in(tmp_path: Path, behaviour: str, stop: int, grace: float
                  ) -> tuple[int | None, float, subprocess.Popen[bytes] | None, list[int]]:
    """Run the stand-in through serve's `ServerProcess`, send this process `stop` once it is up;
    return what `run` returned, how long it took, the child and the signals received."""
    from dprk_ru_data.site import ServerProcess

    ready = tmp_path / "ready"
    box: dict[str, object] = {}

    def send_when_ready() -> None:
        deadline = time.monotonic() + 20
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(os.getpid(), stop)

    sender = threading.Thread(target=send_when_ready)
    start = time.perf_counter()
    with ServerProcess(grace) as server:
        sender.start()
        try:
            box["code"] = server.run([sys.executable, "-c", STAND_IN, behaviour, str(ready)])
        finally:
            sender.join(timeout=30)
    return box.get("code"), time.perf_counter() - start, server.child, server.received


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_serve_passes_each_stop_signal_on_to_its_server(tmp_path: Path, stop: int) -> None:
    code, _, child, received = _run_stand_in(tmp_path, "obliging", stop, grace=10)
    assert received == [stop] and code == 100 + stop
    assert child is not None and not alive(child.pid)
    assert signal.getsignal(stop) is not None  # this process's own handler is back


def test_a_server_that_ignores_the_signal_is_killed_after_the_grace(tmp_path: Path) -> None:
    code, seconds, child, _ = _run_stand_in(tmp_path, "stubborn", signal.SIGTERM, grace=0.5)
    assert code == -signal.SIGKILL and seconds < 10
    assert child is not None and not alive(child.pid)


@pytest.mark.slow
def test_a_killed_serve_takes_its_server_with_it(tmp_path: Path) -> None:
    """SIGKILL cannot be passed on; on Linux the server is told to stop when its parent dies."""
    pytest.importorskip("datasette")
    if sys.platform != "linux":
        pytest.skip("the parent-death signal is Linux's")
    port = _free_port()
    with _served(_serve_command(port), tmp_path / "server.log", port) as serve:
        server, folder = _server_and_folder(serve)
        try:
            serve.kill()
            serve.wait(timeout=10)
            assert not wait_gone({server}, 10) and _port_closed(port)
        finally:
            if alive(server):
                os.kill(server, signal.SIGKILL)
            shutil.rmtree(folder, ignore_errors=True)  # a killed process cannot remove it


# -- The evidence page -------------------------------------------------------------------------

def _words(seed: int, count: int) -> str:
    """Made-up text (never a corpus text): `count` characters of seeded pseudo-words."""
    rng = random.Random(seed)
    text = ""
    while len(text) < count:
        text += "".join(rng.choice("abcdefghijklmnoprstuvy") for _ in range(rng.randint(2, 9)))
        text += rng.choice("     ,.")
    return text[:count]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_passage_is_shown_only_from_the_recorded_text(tmp_path: Path, monkeypatch) -> None:
    plugin = pytest.importorskip("dprk_ru_data.site.plugins.dprk_evidence")
    from dprk_ru_data import evidence

    text = _words(1, 2000) + "ё"
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    digest, chars = _sha256(path.read_bytes()), len(text)
    span = evidence.span_sha256(text[100:120])
    reads = []
    monkeypatch.setattr(evidence, "read_bytes",
                        lambda folder, name: reads.append(name) or path.read_bytes())

    good = plugin.read_checked(tmp_path, "a.txt", digest, chars)
    assert "<mark>" + text[100:120] + "</mark>" in plugin.passage(good, "a.txt", span, 100, 120)
    assert "does not match" in plugin.passage(good, "a.txt", "0" * 64, 100, 120)
    assert "does not match" in plugin.passage(good, "a.txt", span, 100, 99_999)
    plugin.read_checked(tmp_path, "a.txt", digest, chars)
    assert reads == ["a.txt"]  # checked once, then kept while the file is unchanged

    path.write_text("X" + text[1:], encoding="utf-8")
    changed = plugin.read_checked(tmp_path, "a.txt", digest, chars)
    assert reads == ["a.txt", "a.txt"] and changed.text is None
    assert "has changed" in changed.warning and "SHA-256" in changed.warning
    longer = plugin.read_checked(tmp_path, "a.txt", _sha256(path.read_bytes()), chars + 1)
    assert longer.text is None and f"not the {chars + 1:,} recorded" in longer.warning


def test_a_text_that_cannot_be_read_says_why(tmp_path: Path) -> None:
    plugin = pytest.importorskip("dprk_ru_data.site.plugins.dprk_evidence")
    from dprk_ru_data.evidence import MAX_TEXT_BYTES

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (tmp_path / "secret.txt").write_text("the secret", encoding="utf-8")
    (corpus / "link.txt").symlink_to(tmp_path / "secret.txt")
    with (corpus / "huge.txt").open("wb") as huge:
        huge.truncate(MAX_TEXT_BYTES + 1)  # sparse: as large as the cap allows, plus one byte
    (corpus / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    cases = {"missing.txt": "is missing", "link.txt": "was refused",
             "huge.txt": "was refused", "latin.txt": "was refused",
             "../secret.txt": "was refused"}
    for name, expected in cases.items():
        start = time.perf_counter()
        data = (corpus / name).read_bytes() if name == "latin.txt" else b""
        checked = plugin.read_checked(corpus, name, _sha256(data), 4)
        assert time.perf_counter() - start < 1.0, name
        assert checked.text is None and expected in checked.warning, (name, checked.warning)
        assert "the secret" not in checked.warning and str(corpus) not in checked.warning
    assert "not on this machine" in plugin.passage(None, "a.txt", "0" * 64, 1, 2)


def _evidence_site(folder: Path) -> tuple[Path, Path, dict[str, str]]:
    """A site whose sources are made-up texts, in a corpus folder where one text is intact, one
    changed, one missing, one a link out of the folder, and one intact but with a span whose
    recorded hash is wrong. Returns the site, the corpus and a record id for each case."""
    from dprk_ru_data.export import DATABASE
    from dprk_ru_data.site import build_site

    corpus = folder / "corpus"
    corpus.mkdir()
    site = build_site(folder / "site", corpus=corpus)
    database = sqlite3.connect(site / f"{DATABASE}.sqlite")
    cases = ["intact", "changed", "missing", "refused", "span changed"]
    records = {}
    sources = [s for (s,) in database.execute("SELECT source_id FROM sources ORDER BY 1")]
    for seed, (case, source) in enumerate(zip(cases, sources)):
        (length,) = database.execute("SELECT max(span_end) + 500 FROM evidence "
                                     "WHERE source_id = ?", [source]).fetchone()
        text, name = _words(seed, length), f"made-up-{seed}.txt"
        (corpus / name).write_text(text, encoding="utf-8")
        database.execute("UPDATE sources SET corpus_file = ?, corpus_sha256 = ?, "
                         "corpus_chars = ? WHERE source_id = ?",
                         [name, _sha256(text.encode()), len(text), source])
        for evidence_id, start, end in database.execute(
                "SELECT evidence_id, span_start, span_end FROM evidence WHERE source_id = ?",
                [source]).fetchall():
            database.execute("UPDATE evidence SET span_sha256 = ? WHERE evidence_id = ?",
                             [_sha256(text[start:end].encode()), evidence_id])
        (records[case],) = database.execute(
            "SELECT record_id FROM evidence GROUP BY record_id "
            "HAVING min(source_id) = ? AND max(source_id) = ? ORDER BY 1 LIMIT 1",
            [source, source]).fetchone()
        if case == "changed":
            (corpus / name).write_text("Z" + text[1:], encoding="utf-8")
        elif case == "missing":
            (corpus / name).unlink()
        elif case == "refused":
            (corpus / name).rename(folder / name)
            (corpus / name).symlink_to(folder / name)
        elif case == "span changed":
            database.execute("UPDATE evidence SET span_sha256 = ? WHERE record_id = ?",
                             ["0" * 64, records[case]])
    database.commit()
    database.close()
    return site, corpus, records


@pytest.mark.slow
def test_the_evidence_page_shows_every_warning_visibly(tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.by import By

    from dprk_ru_data.site import serve_command

    site, _, records = _evidence_site(tmp_path)
    port = _free_port()
    expected = {"changed": "has changed since the data was checked",
                "missing": "is missing from the folder",
                "refused": "was refused and not read",
                "span changed": "does not match its recorded SHA-256"}
    with _served(serve_command(site, "127.0.0.1", port), tmp_path / "server.log", port):
        browser.get(f"http://127.0.0.1:{port}/-/evidence/{records['intact']}")
        _shot(browser, "evidence-placeholder-texts", tmp_path)  # the README's: no corpus words
        marks = browser.find_elements(By.TAG_NAME, "mark")
        assert marks and not browser.find_elements(By.CSS_SELECTOR, ".evidence-warning")
        for mark in marks:  # the whole passage shows: its cell wraps, nothing is cut off
            cell = mark.find_element(By.XPATH, "./ancestor::td")
            assert mark.is_displayed() and cell.size["width"] > 0
            assert browser.execute_script(
                "return arguments[0].scrollWidth <= arguments[0].clientWidth", cell)
            assert cell.value_of_css_property("white-space") == "normal"
        for case, words in expected.items():
            browser.get(f"http://127.0.0.1:{port}/-/evidence/{records[case]}")
            _shot(browser, f"evidence-{case.replace(' ', '-')}", tmp_path)
            warnings = browser.find_elements(By.CSS_SELECTOR, ".evidence-warning")
            assert warnings, case
            for warning in warnings:
                assert warning.is_displayed(), case
                assert warning.size["width"] > 100 and warning.size["height"] > 5, case
                assert words in warning.text, (case, warning.text)
            assert not browser.find_elements(By.TAG_NAME, "mark"), case


def test_serve_without_datasette_says_which_extra_and_serves_nothing(monkeypatch) -> None:
    import importlib.util

    from click.testing import CliRunner

    from dprk_ru_data.cli import main

    import dprk_ru_data.site

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "datasette" else real(name, *a))

    def must_not_serve(*args, **kwargs):  # a regression fails here, it does not start a server
        raise AssertionError("serve started a server without Datasette")

    monkeypatch.setattr(dprk_ru_data.site, "serve_site", must_not_serve)
    result = CliRunner().invoke(main, ["serve", "--port", "1"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "pip install 'dprk-ru-data[web]'" in result.stderr and "serving on" not in result.output


def test_the_front_page_says_what_the_data_is_and_how_to_cite_it(site) -> None:
    from dprk_ru_data.citation import render

    with urllib.request.urlopen(site + "/", timeout=10) as response:
        body = response.read().decode()
    sources = dprk_ru_data.load("sources")
    estimates = dprk_ru_data.load("troop_estimates").height
    assert f"Curated from {sources.height} texts" in body
    assert f"{estimates:,} troop estimates" in body
    assert f"Version {dprk_ru_data.package()['version']}." in body
    assert html.escape(render(dprk_ru_data.package(), "text").strip()) in body


# -- Pages a journalist reads: judged by what is drawn ----------------------------------------

def _sample_of_records() -> list[str]:
    """A record of each table from each text that supports one: every kind of evidence page."""
    evidence = dprk_ru_data.load("evidence")
    return sorted(evidence.group_by("record_table", "source_id").agg(pl.col("record_id").min())
                  ["record_id"].unique().to_list())


@pytest.mark.slow
def test_every_highlighted_span_is_visible_whole(site, browser, tmp_path) -> None:
    if not corpus_path():
        pytest.skip("corpus texts not found: the passages cannot be shown (the notice is "
                    "tested without them)")
    checked = 0
    for record in _sample_of_records():
        browser.get(f"{site}/-/evidence/{record}")
        # Of each row: its marks, whether the first is drawn whole in the window, and whether the
        # cell holding it (its outermost td, as XPath's ancestor::td finds first) cuts it off.
        rows = _in_page(browser, """
            return Array.from(document.querySelectorAll('tr.evidence'), row => {
                const marks = row.querySelectorAll('mark');
                let cell = null;
                for (let e = marks.length ? marks[0].parentElement : null; e; e = e.parentElement)
                    if (e.tagName === 'TD') cell = e;
                return {text: text(row).slice(0, 80), marks: marks.length,
                        shown: marks.length > 0 && displayed(marks[0]) && inside(marks[0]),
                        whole: cell !== null && unclipped(cell)};
            });""")
        assert rows, record
        for row in rows:
            assert row["marks"] == 1, (record, row["text"])
            assert row["shown"], record
            assert row["whole"], record
            checked += 1
        assert _no_sideways_scroll(browser), record
    assert checked >= len(_sample_of_records())
    _shot(browser, "evidence-page", tmp_path)


@pytest.mark.slow
def test_a_linked_passage_is_scrolled_into_view(site, browser) -> None:
    from selenium.webdriver.common.by import By

    evidence = dprk_ru_data.load("evidence")
    busiest = evidence.group_by("record_id").len().sort("len", descending=True)["record_id"][0]
    last = evidence.filter(pl.col("record_id") == busiest).sort("evidence_id")["evidence_id"]
    browser.get(f"{site}/-/evidence/{busiest}#{last[-1]}")
    row = browser.find_element(By.ID, last[-1])
    assert browser.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.top >= 0 && r.top < window.innerHeight", row)


@pytest.mark.slow
def test_the_evidence_page_cites_each_passages_source(site, browser) -> None:
    sources = {r["source_id"]: r for r in dprk_ru_data.load("sources").iter_rows(named=True)}
    outlets = dict(dprk_ru_data.load("actors").select("actor_id", "name").iter_rows())
    seen = set()
    for record in _sample_of_records():
        browser.get(f"{site}/-/evidence/{record}")
        rows = _in_page(browser, """
            return Array.from(document.querySelectorAll('tr.evidence'), row => {
                const cited = row.querySelector('td.evidence-cited');
                return {source: text(cited.querySelector('small')), cited: text(cited),
                        where: text(row.querySelector('td.evidence-where')),
                        drawn: inside(cited) && unclipped(cited)};
            });""")
        for row in rows:
            source = sources[row["source"]]
            seen.add(source["source_id"])
            outlet = outlets.get(source["outlet_id"])
            for part in (outlet, source["title"], source["published_text"]):
                if part:
                    assert part in row["cited"].replace("\n", ""), (record, part)
            assert source["published_text"] in row["cited"].splitlines()  # on one line, whole
            assert "characters" in row["where"] and "SHA-256" in row["where"]
            assert row["drawn"], record
    assert seen == set(sources)  # every text was cited somewhere


@pytest.mark.slow
def test_facet_values_beyond_the_third_are_shown_and_filter(site, browser) -> None:
    from selenium.webdriver.common.by import By

    claims = dprk_ru_data.load("claims")
    page = f"{site}/dprk_ru_data/claims"
    browser.get(page)
    facets = [f.get_attribute("data-column")
              for f in browser.find_elements(By.CSS_SELECTOR, ".facet-info")]
    assert facets
    tried = 0
    for column in facets:
        counts = claims.group_by(column).len().drop_nulls(column)
        if counts.height <= 3:
            continue
        browser.get(page)
        links = browser.find_elements(By.CSS_SELECTOR, f'.facet-info[data-column="{column}"] li a')
        assert len(links) == counts.height, column  # every value, none hidden
        link = links[-1]  # the last, far beyond the third
        assert link.is_displayed() and _inside_window(browser, link), column
        value = urllib.parse.parse_qs(urllib.parse.urlparse(link.get_attribute("href")).query
                                      )[column][0]
        link.click()
        expected = counts.filter(pl.col(column).cast(pl.String) == value)["len"][0]
        heading = browser.find_element(By.CSS_SELECTOR, "h3").text
        assert heading.startswith(f"{expected:,} row"), (column, value, heading)
        tried += 1
    assert tried, "no facet with more than three values: nothing was tried"


@pytest.mark.slow
@pytest.mark.parametrize("table", ["claims", "troop_estimates"])
def test_the_filters_and_export_links_are_visible(site, browser, table) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{site}/dprk_ru_data/{table}")
    rows = browser.find_elements(By.CSS_SELECTOR, "form.filters .filter-row")
    assert rows and all(r.is_displayed() and _inside_window(browser, r) for r in rows)
    assert browser.find_element(By.CSS_SELECTOR, 'form.filters input[type="submit"]').is_displayed()
    links = {a.text: a for a in browser.find_elements(By.CSS_SELECTOR, "p.export-links a")}
    for name in ("json", "CSV"):
        assert links[name].is_displayed() and _inside_window(browser, links[name])
    status, body = _get(links["CSV"].get_attribute("href"))
    assert status == 200 and body.splitlines()[0].split(",")[0] == \
        dprk_ru_data.package()["resources"][[r["name"] for r in
                                              dprk_ru_data.package()["resources"]].index(table)
                                             ]["schema"]["primaryKey"][0]


@pytest.mark.slow
def test_no_sql_or_python_is_shown_unless_asked_for(site, browser) -> None:
    from selenium.webdriver.common.by import By

    pages = [f"/dprk_ru_data/{r['name']}" for r in dprk_ru_data.package()["resources"]]
    for name in ("evidence", "sources", "troop_estimates"):
        key = dprk_ru_data.load(name)[0, 0]
        pages.append(f"/dprk_ru_data/{name}/{key}")
    for page in pages:
        browser.get(site + page)
        shown = browser.find_element(By.TAG_NAME, "body").text  # what is drawn, not the HTML
        for offer in browser.find_elements(By.CSS_SELECTOR, "details.for-programmers summary"):
            shown = shown.replace(offer.text, "")  # the offer to show them, folded
        for code in ("CREATE TABLE", "load(", "select ", "View and edit SQL", "Python", "str "):
            assert code not in shown, (page, code)
    browser.get(f"{site}/dprk_ru_data/claims")
    browser.find_element(By.CSS_SELECTOR, "details.for-programmers summary").click()
    asked = browser.find_element(By.CSS_SELECTOR, "details.for-programmers").text
    assert 'load("claims")' in asked and "SQL" in asked


@pytest.mark.slow
def test_search_finds_words_of_descriptions_and_notes(site, browser) -> None:
    import re

    from selenium.webdriver.common.by import By

    from dprk_ru_data.site import search_columns

    incidents = dprk_ru_data.load("incidents")
    columns = search_columns("incidents")
    assert "description" in columns and "note" in columns
    plurals = sorted({w for text in incidents["description"].drop_nulls()
                      for w in re.findall(r"[a-z]{5,}[^su]s\b", text.lower())})
    assert plurals
    for plural in random.Random(7).sample(plurals, min(4, len(plurals))):
        word = plural[:-1]  # the singular finds the plural, and itself
        browser.get(f"{site}/dprk_ru_data/incidents?_search={word}")
        found = {row.find_element(By.TAG_NAME, "td").text for row in
                 browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")}
        having = incidents.filter(pl.any_horizontal(
            pl.col(c).str.to_lowercase().str.contains(rf"\b{word}s?\b") for c in columns))
        assert set(having["incident_id"]) <= found, word
        stem = incidents.filter(pl.col("incident_id").is_in(list(found)), pl.any_horizontal(
            pl.col(c).str.to_lowercase().str.contains(word[:4]) for c in columns))
        assert stem.height == len(found), word  # nothing found that lacks the word's stem


@pytest.mark.slow
def test_counts_show_as_whole_numbers(site, browser) -> None:
    import re

    for resource in dprk_ru_data.package()["resources"]:
        browser.get(f"{site}/dprk_ru_data/{resource['name']}")
        cells = _texts(browser, "table.rows-and-columns td")
        counts = _texts(browser, ".facet-info li")
        assert cells, resource["name"]
        assert not [c for c in cells + counts if re.search(r"\b\d+\.0\b", c)], resource["name"]


def _record_with_claimant() -> dict:
    groups = set(dprk_ru_data.load("disagreements")["record_id"])
    estimates = dprk_ru_data.load("troop_estimates").filter(
        pl.col("claimant_actor_id").is_not_null(), pl.col("estimate_id").is_in(list(groups)))
    return estimates.row(0, named=True)


@pytest.mark.slow
def test_a_record_page_reads_down_with_names_and_its_evidence(site, browser, tmp_path) -> None:
    from selenium.webdriver.common.by import By

    record = _record_with_claimant()
    names = dict(dprk_ru_data.load("actors").select("actor_id", "name").iter_rows())
    browser.get(f"{site}/dprk_ru_data/troop_estimates/{record['estimate_id']}")
    _shot(browser, "record-page", tmp_path)
    fields = {row.get_attribute("data-column"): row
              for row in browser.find_elements(By.CSS_SELECTOR, "tr.record-field")}
    stated = {k for k, v in record.items() if v is not None and v != ""}
    assert stated == set(fields)  # one line per stated field; the rest named as not stated
    for column in ("subject_actor_id", "claimant_actor_id"):
        line = fields[column]
        assert names[record[column]] in line.text and _inside_window(browser, line), column
        assert line.find_element(By.TAG_NAME, "th").text.splitlines()[0] in (
            "Subject", "Claimant")
    figure = fields["figure_text"]
    assert record["figure_text"] in figure.text
    if corpus_path():
        marks = browser.find_elements(By.CSS_SELECTOR, "div.record-evidence mark")
        assert figure.find_elements(By.TAG_NAME, "mark")
        for mark in marks:
            assert mark.is_displayed() and _inside_window(browser, mark)
            assert _not_clipped(browser, mark.find_element(By.XPATH, "./ancestor::div[1]"))
    assert _no_sideways_scroll(browser)
    groups = browser.find_elements(By.CSS_SELECTOR, "ul.disagreements li a")
    assert groups and all(_inside_window(browser, a) for a in groups[:3])


@pytest.mark.slow
def test_a_claims_record_page_names_its_source_record(site, browser) -> None:
    from selenium.webdriver.common.by import By

    claim = dprk_ru_data.load("claims").filter(pl.col("record_table") == "arms_transfers").row(
        0, named=True)
    from datasette.utils import tilde_encode

    browser.get(f"{site}/dprk_ru_data/claims/{tilde_encode(claim['claim_id'])}")
    line = browser.find_element(By.CSS_SELECTOR, 'tr.record-field[data-column="record_id"]')
    link = line.find_element(By.TAG_NAME, "a")
    assert link.get_attribute("href").endswith(f"/arms_transfers/{claim['record_id']}")
    if corpus_path():  # the transfer's quantity_text supports the view's figure_text
        figure = browser.find_element(By.CSS_SELECTOR,
                                      'tr.record-field[data-column="figure_text"]')
        assert figure.find_elements(By.TAG_NAME, "mark")


@pytest.fixture(scope="module")
def site_without_texts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A site served with no corpus texts; its front page's data part holds template syntax,
    which must stay text."""
    pytest.importorskip("datasette")
    from dprk_ru_data.site import build_site, serve_command

    folder = tmp_path_factory.mktemp("site-without-texts")
    site = build_site(folder / "site", corpus=None)
    about = site / "plugins" / "fragments" / "about.html"
    about.write_text(about.read_text(encoding="utf-8") + "<p id='braces'>{{ 7 * 7 }} {% if %}</p>",
                     encoding="utf-8")
    port = _free_port()
    with _served(serve_command(site, "127.0.0.1", port), folder / "server.log", port):
        yield f"http://127.0.0.1:{port}"


@pytest.mark.slow
def test_without_the_texts_every_passage_says_so_visibly(site_without_texts, browser,
                                                         tmp_path) -> None:
    from selenium.webdriver.common.by import By

    record = _record_with_claimant()["estimate_id"]
    browser.get(f"{site_without_texts}/-/evidence/{record}")
    _shot(browser, "evidence-without-texts", tmp_path)
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.evidence")
    assert rows and not browser.find_elements(By.TAG_NAME, "mark")
    for row in rows:
        warning = row.find_element(By.CSS_SELECTOR, ".evidence-warning")
        assert warning.is_displayed() and _inside_window(browser, warning)
        assert "not on this machine" in warning.text
    browser.get(f"{site_without_texts}/dprk_ru_data/troop_estimates/{record}")
    warnings = browser.find_elements(By.CSS_SELECTOR, "div.record-evidence .evidence-warning")
    assert len(warnings) == dprk_ru_data.load("evidence").filter(
        pl.col("record_id") == record).height
    assert all(w.is_displayed() and _inside_window(browser, w) for w in warnings)


@pytest.mark.slow
def test_the_front_page_keeps_braces_in_the_data_as_text(site_without_texts) -> None:
    status, body = _get(site_without_texts + "/")
    assert status == 200 and "{{ 7 * 7 }} {% if %}" in html.unescape(body)


@pytest.mark.slow
def test_each_question_of_the_front_page_is_one_click_away(site, browser, tmp_path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(site + "/")
    _shot(browser, "front-page", tmp_path)
    questions = [a.get_attribute("href")
                 for a in browser.find_elements(By.CSS_SELECTOR, "ul.questions a")]
    assert len(questions) >= 5
    for address in questions:
        browser.get(address)
        assert "Error" not in browser.title, address
        shown = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr, svg a")
        assert shown or "/dprk_ru_data" == urllib.parse.urlparse(address).path, address


def test_the_front_page_gives_the_content_hash_and_bibtex(site) -> None:
    from dprk_ru_data.citation import render

    status, body = _get(site + "/")
    assert status == 200 and dprk_ru_data.package()["contentHash"] in body
    assert html.escape(render(dprk_ru_data.package(), "bibtex").strip()) in body


@pytest.mark.slow
def test_the_timeline_links_every_event_to_its_record(site, browser, tmp_path) -> None:
    from selenium.webdriver.common.by import By

    events = dprk_ru_data.load("events")
    browser.get(f"{site}/timeline")
    _shot(browser, "timeline", tmp_path)
    svg = browser.find_element(By.TAG_NAME, "svg")
    assert svg.is_displayed() and _inside_window(browser, svg) and _no_sideways_scroll(browser)
    links = browser.find_elements(By.CSS_SELECTOR, "svg a, ul.dprk-timeline-undated a")
    hrefs = {urllib.parse.urlparse(a.get_dom_attribute("href")).path for a in links}
    for event in events.iter_rows(named=True):
        assert f"/dprk_ru_data/{event['record_table']}/{event['event_id']}" in hrefs, event
    assert not [s for s in browser.find_elements(By.TAG_NAME, "script")
                if (s.get_attribute("src") or "").startswith(("http", "//"))]
    target = next(a for a in browser.find_elements(By.CSS_SELECTOR, "svg a"))
    path = urllib.parse.urlparse(target.get_dom_attribute("href")).path
    browser.get(site + path)
    assert browser.find_elements(By.CSS_SELECTOR, "tr.record-field")
    assert path.rsplit("/", 1)[1] in browser.find_element(By.TAG_NAME, "h1").text


def test_a_page_part_missing_from_a_copied_site_is_named_not_a_crash() -> None:
    plugin = pytest.importorskip("dprk_ru_data.site.plugins.dprk_evidence")
    assert "was not built with the site" in plugin.fragment("no-such-part")
    assert "was not built with the site" in plugin.fragment("../../../etc/passwd")


def _site_plugin(plugins: Path):
    """The evidence plugin as a site serves it: loaded from `plugins`, beside its fragments
    (not registered with Datasette, whose plugins are global to the process)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"dprk_site_plugin_{id(plugins)}",
                                                  plugins / "dprk_evidence.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_record_pages_read_the_fields_the_site_was_built_with(site_database: Path,
                                                               tmp_path: Path) -> None:
    """The fields of every table (labels, meanings, what a column refers to) travel beside the
    plugin, not in Datasette's metadata, which Datasette copies whole for every permission
    check of a page; a record page reads them back as the registry makes them, and says so
    where a copied site lacks them or holds something else in their place."""
    import asyncio
    import json
    import types

    from datasette.app import Datasette

    from dprk_ru_data.site import FIELDS, FRAGMENTS
    from dprk_ru_data.site.record import site_fields

    built = site_database.parent
    assert set(json.loads((built / "metadata.json").read_text(encoding="utf-8"))
               ["plugins"]["dprk-evidence"]) == {"corpus"}
    shutil.copytree(built / "plugins", tmp_path / "plugins")
    plugin = _site_plugin(tmp_path / "plugins")
    expected = json.loads(json.dumps(site_fields(dprk_ru_data.package())))
    assert plugin._site_fields() == expected
    datasette = Datasette(immutables=[str(site_database)])
    record = dprk_ru_data.load("troop_estimates")["estimate_id"][0]
    request = types.SimpleNamespace(url_vars={"pks": record})
    meaning = expected["troop_estimates"]["figure_text"]["description"]

    def page() -> str:
        return asyncio.run(plugin.record_page(datasette, site_database.stem, "troop_estimates",
                                              request))

    shown = page()
    assert html.escape(meaning) in shown and "not built with the site" not in shown
    fields = tmp_path / "plugins" / FRAGMENTS / FIELDS
    for damaged in ("[1, 2]", "{not json", '{"troop_estimates": [1]}',
                    '{"troop_estimates": {"figure_text": "a label"}}', None):
        if damaged is None:
            fields.unlink()
        else:
            fields.write_text(damaged, encoding="utf-8")
        assert plugin._site_fields() is None, damaged
        shown = page()
        assert "not built with the site" in shown and record in shown, damaged


def test_serve_shows_no_text_unless_a_corpus_is_named(monkeypatch, tmp_path: Path) -> None:
    from click.testing import CliRunner

    import dprk_ru_data.site
    from dprk_ru_data.cli import main

    pytest.importorskip("datasette")
    seen: list = []
    monkeypatch.setattr(dprk_ru_data.site, "serve_site",
                        lambda host, port, root, corpus, announce: seen.append(corpus))
    monkeypatch.setenv("DPRK_CORPUS", str(tmp_path))  # a corpus found by default is not served
    result = CliRunner().invoke(main, ["serve", "--port", "1"], catch_exceptions=False)
    assert result.exit_code == 0 and seen == [None] and "--corpus" in result.stderr
    result = CliRunner().invoke(main, ["serve", "--port", "1", "--corpus", str(tmp_path)],
                                catch_exceptions=False)
    assert result.exit_code == 0 and seen[-1] == tmp_path
    result = CliRunner().invoke(main, ["serve", "--port", "1", "--host", "0.0.0.0", "--corpus",
                                       str(tmp_path)], catch_exceptions=False)
    assert "served to every machine" in result.stderr


@pytest.mark.slow
def test_a_text_is_named_where_a_row_refers_to_it(site, browser) -> None:
    browser.get(f"{site}/dprk_ru_data/evidence")
    cells = _texts(browser, "td.col-source_id")
    outlets = set(dprk_ru_data.load("actors")["name"])
    assert cells and all(c not in ("", "None") for c in cells)
    named = [c for c in cells if any(c.startswith(o) for o in outlets)]
    assert named  # a text is named by its outlet where it has no title
    facets = _texts(browser, '.facet-info[data-column="source_id"] li a')
    assert facets and all(a not in ("", "None") for a in facets)


@pytest.mark.slow
def test_the_disagreements_read_whole_and_lead_to_the_records(site, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{site}/dprk_ru_data/disagreements")
    notes = browser.find_elements(By.CSS_SELECTOR, "td.col-note")
    assert notes and all(_not_clipped(browser, n) and "…" not in n.text for n in notes)
    first = browser.find_element(By.CSS_SELECTOR, "td.col-record_id a")
    row = first.find_element(By.XPATH, "./ancestor::tr")
    table = row.find_element(By.CSS_SELECTOR, "td.col-record_table").text
    assert first.get_attribute("href").endswith(f"/{table}/{first.text}")
