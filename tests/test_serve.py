"""`serve`: the preview server, its file rules, live reload and the error overlay's data."""

from __future__ import annotations

import http.client
import json
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from broadsheet.commands.preview_server import EVENTS_PATH, SCRIPT_PATH
from broadsheet.commands.serve import Preview
from browser import chromium
from conftest import ROOT, SAFETY_NET_SECONDS, SAMPLE, ZH_PAGE, write_files

DRAFT = ZH_PAGE.replace("slug: sample", "slug: draft\ndraft: true").replace(
    "date: 2025-04-13", "date: 2025-04-20").replace("範例週報", "草稿週報")


def start_preview(root: Path) -> Preview:
    """A project with a draft issue, previewed on a free port; its log lines are kept."""
    for name in ("templates", "static", "translations", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    shutil.copytree(SAMPLE / "content", root / "content")
    write_files(root, {"content/issues/2025-04-20-draft/zh-Hant.md": DRAFT})
    logged: list[str] = []
    server = Preview(root, root / ".preview", port=0, log=logged.append)
    server.logged = logged  # type: ignore[attr-defined]
    server.start()
    return server


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    """A preview of its own, for tests that change files."""
    server = start_preview(tmp_path / "project")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    """One preview shared by the tests that only read."""
    server = start_preview(tmp_path_factory.mktemp("serve") / "project")
    yield server
    server.stop()


def get(preview: Preview, path: str) -> tuple[int, dict[str, str], bytes]:
    host, port = preview.server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=SAFETY_NET_SECONDS)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), body


class EventStream:
    """A raw Server-Sent Events client: reads `state` events as dicts."""

    def __init__(self, preview: Preview):
        host, port = preview.server.server_address[:2]
        # next_state() waits on this socket for the rebuild a change starts: the bound only ends a hung test
        self.sock = socket.create_connection((host, port), timeout=SAFETY_NET_SECONDS)
        self.sock.sendall(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        self.buffer = b""

    def next_state(self) -> dict:
        while True:
            if b"\n\n" in self.buffer:
                block, self.buffer = self.buffer.split(b"\n\n", 1)
                lines = block.decode().splitlines()
                if "event: state" in lines:
                    data = next(line for line in lines if line.startswith("data: "))
                    return json.loads(data[6:])
                continue
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("stream closed")
            self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


def test_serves_the_site_under_its_base_path_with_drafts_and_the_reload_script(shared) -> None:
    preview = shared
    assert preview.url.endswith("/broadsheet/")
    status, headers, body = get(preview, "/broadsheet/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    soup = BeautifulSoup(body, "html.parser")
    assert soup.select_one(f'script[src="{SCRIPT_PATH}"]') is not None
    assert "草稿週報" in soup.get_text()  # drafts show in serve
    # the script is added by the server only: the files on disk never have it
    on_disk = BeautifulSoup((preview.out_dir / "index.html").read_bytes(), "html.parser")
    assert on_disk.select_one("script[src]") is None
    status, headers, body = get(preview, SCRIPT_PATH)
    assert status == 200 and EVENTS_PATH.encode() in body
    assert get(preview, "/")[0] == 301
    assert get(preview, "/broadsheet/en")[1]["Location"] == "/broadsheet/en/"
    status, _, body = get(preview, "/broadsheet/no/such/page/")
    assert status == 404 and b"<html" in body


def test_refuses_paths_outside_the_preview_folder(shared) -> None:
    for path in ("/broadsheet/../site.yaml", "/broadsheet/%2e%2e/site.yaml",
                 "/broadsheet//etc/passwd", "/broadsheet/static/../../site.yaml"):
        status, _, body = get(shared, path)
        assert status in (403, 404), path
        assert b"base_url" not in body and b"root:" not in body
    (shared.out_dir / "leak").symlink_to(shared.root / "site.yaml")
    assert get(shared, "/broadsheet/leak")[0] == 403


def test_a_change_rebuilds_and_tells_the_page_to_reload(preview) -> None:
    stream = EventStream(preview)
    first = stream.next_state()
    assert first["problems"] == []
    page = preview.root / "content/issues/2025-04-20-draft/zh-Hant.md"
    page.write_text(page.read_text(encoding="utf-8").replace("草稿週報", "改過的標題"),
                    encoding="utf-8")
    state = stream.next_state()
    assert state["problems"] == [] and state["build"] != first["build"]
    assert "改過的標題" in get(preview, "/broadsheet/")[2].decode()
    assert any("changed: content/issues/2025-04-20-draft/zh-Hant.md" in line
               for line in preview.logged)
    stream.close()


def test_a_build_error_is_shown_and_the_last_good_site_stays_served(preview) -> None:
    stream = EventStream(preview)
    stream.next_state()
    page = preview.root / "content/issues/2025-04-20-draft/zh-Hant.md"
    good = page.read_text(encoding="utf-8")
    page.write_text(good.replace('level("SP500", "2025-04-04")', 'level("NOPE", "2025-04-04")'),
                    encoding="utf-8")
    state = stream.next_state()
    assert len(state["problems"]) == 1
    assert state["problems"][0].startswith(
        "content/issues/2025-04-20-draft/zh-Hant.md:11: {{ level(\"NOPE\", \"2025-04-04\") }}: "
        "unknown series 'NOPE'")
    assert state["problems"][0] in preview.logged  # and in the terminal
    assert "草稿週報" in get(preview, "/broadsheet/")[2].decode()  # last good site
    # a page opened while the build is broken learns the problems at once
    late = EventStream(preview)
    assert late.next_state()["problems"] == state["problems"]
    page.write_text(good, encoding="utf-8")
    assert stream.next_state()["problems"] == []
    stream.close()
    late.close()


def test_survives_clients_that_disconnect(shared) -> None:
    preview = shared
    for _ in range(5):
        stream = EventStream(preview)
        stream.next_state()
        stream.close()
    host, port = preview.server.server_address[:2]
    with socket.create_connection((host, port)) as sock:  # gone mid-request
        sock.sendall(b"GET /broadsheet/ HTTP/1.1\r\n")
    preview.rebuild("test")  # wakes the closed streams, which must end quietly
    assert get(preview, "/broadsheet/")[0] == 200


def test_site_yaml_changes_are_watched(preview) -> None:
    stream = EventStream(preview)
    stream.next_state()
    config = preview.root / "site.yaml"
    text = config.read_text(encoding="utf-8")
    replacement = preview.root / "site.yaml.new"  # saved the way many editors do: by a rename
    replacement.write_text(text.replace("title:\n  zh-Hant: 市場週報", "title:\n  zh-Hant: 新刊名"),
                           encoding="utf-8")
    replacement.replace(config)
    assert stream.next_state()["problems"] == []
    assert "新刊名" in get(preview, "/broadsheet/")[2].decode()
    stream.close()


def test_port_in_use_is_a_clear_error(shared, capsys) -> None:
    from broadsheet.commands.serve import serve

    port = shared.server.server_address[1]
    assert serve(shared.root, shared.root / ".other", port=port) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_the_preview_is_not_written_to_site(shared) -> None:
    assert not (shared.root / "site").exists()  # site/ only ever holds a published build
    assert (shared.out_dir / "index.html").exists()


@pytest.mark.slow  # a real browser (CI runs it); what the server sends for a reload and for the
# overlay is checked without one above (a change rebuilds…, a build error is shown…)
def test_the_open_page_reloads_itself_and_shows_build_errors(preview, tmp_path) -> None:
    with chromium(tmp_path / "chromium-profile") as driver:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        driver.get(preview.url + "issues/2025-04-20-draft/")
        assert driver.find_element(By.CSS_SELECTOR, "h1").text == "草稿週報"
        wait = WebDriverWait(driver, 15)
        ready = "return document.documentElement.dataset.broadsheetLive === 'ready'"
        wait.until(lambda d: d.execute_script(ready))
        page = preview.root / "content/issues/2025-04-20-draft/zh-Hant.md"
        good = page.read_text(encoding="utf-8")
        page.write_text(good.replace("草稿週報", "自動重新整理"), encoding="utf-8")
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "h1").text == "自動重新整理")
        page.write_text(good.replace('level("SP500"', 'level("NOPE"'), encoding="utf-8")
        overlay = wait.until(lambda d: d.find_elements(By.ID, "broadsheet-errors"))[0]
        assert "zh-Hant.md:11:" in overlay.text and "unknown series 'NOPE'" in overlay.text
        assert driver.find_element(By.CSS_SELECTOR, "h1").text == "自動重新整理"  # last good page
        page.write_text(good, encoding="utf-8")
        wait.until(lambda d: not d.find_elements(By.ID, "broadsheet-errors")
                   and d.find_element(By.CSS_SELECTOR, "h1").text == "草稿週報")


def test_serve_listens_on_localhost_unless_told_otherwise(shared) -> None:
    from broadsheet.commands.cli import make_parser

    assert make_parser().parse_args(["serve"]).host == "127.0.0.1"
    assert shared.server.server_address[0] == "127.0.0.1"
