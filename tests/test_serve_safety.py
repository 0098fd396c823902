"""`serve` against hostile requests: DNS rebinding, overlong paths, and what the overlay may show.

A real server on 127.0.0.1 (port 0: a free one); requests are written on raw sockets so that any
Host header and any path can be sent.
"""

from __future__ import annotations

import errno
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from broadsheet.commands import serve as serve_module
from broadsheet.commands.serve import Preview, build_preview
from conftest import ROOT, SAFETY_NET_SECONDS, SAMPLE


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    root = tmp_path_factory.mktemp("serve-safety") / "project"
    for name in ("templates", "static", "translations", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    shutil.copytree(SAMPLE / "content", root / "content")
    server = Preview(root, root / ".preview", port=0, log=lambda line: None)
    server.start()
    yield server
    server.stop()


def raw_request(preview: Preview, path: str, host: str | None) -> tuple[int, bytes]:
    """Send one GET with this path and Host (None: no Host header); return (status, body)."""
    address = preview.server.server_address[:2]
    lines = [f"GET {path} HTTP/1.1"] + ([f"Host: {host}"] if host is not None else []) + ["Connection: close"]
    with socket.create_connection(address, timeout=SAFETY_NET_SECONDS) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data, "the server dropped the connection without an answer"
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[-1]


def port(preview: Preview) -> int:
    return preview.server.server_address[1]


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST", "127.0.0.1",
                                  "[::1]:{port}", None])
def test_the_preview_answers_to_its_own_address(preview, host) -> None:
    status, body = raw_request(preview, "/broadsheet/", host.format(port=port(preview)) if host else None)
    assert status == 200 and "範例週報".encode() in body


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1.evil.example:{port}",
                                  "localhost.evil.example", "192.168.1.20:{port}", ""])
def test_any_other_host_gets_421(preview, host) -> None:
    """A DNS-rebinding page sends its own name as Host: it must not read the drafts."""
    for path in ("/broadsheet/", "/__broadsheet/events", "/__broadsheet/live.js"):
        status, body = raw_request(preview, path, host.format(port=port(preview)))
        assert status == 421 and "範例週報".encode() not in body


@pytest.mark.parametrize("length", [300, 3_000, 60_000, 70_000])
def test_an_overlong_path_gets_414_or_404_never_a_dropped_connection(preview, length) -> None:
    path = "/broadsheet/" + "a" * length
    status, _ = raw_request(preview, path, f"127.0.0.1:{port(preview)}")
    assert status in (404, 414)
    status, _ = raw_request(preview, "/broadsheet/" + "/".join(["b" * 200] * (length // 200 + 1)),
                            f"127.0.0.1:{port(preview)}")
    assert status in (404, 414)
    assert raw_request(preview, "/broadsheet/", f"127.0.0.1:{port(preview)}")[0] == 200  # still serving


def test_the_overlay_shows_path_line_message(tmp_path, make_site) -> None:
    root = make_site({"content/issues/2025-04-13-sample/zh-Hant.md":
                      "---\ntitle: x\ndate: 2025-04-13\nsummary: y\nslug: sample\n---\n{{ nope() }}\n"})
    problems, _ = build_preview(root, root / ".preview", "http://127.0.0.1:8000/broadsheet/", True)
    assert problems == ["content/issues/2025-04-13-sample/zh-Hant.md:7: unknown figure function 'nope' "
                        "(known: bp, chart, day_pct, day_points, gap_pct, high, high_date, level, low, "
                        "low_date, pct, points, release, spread, spread_change, week_pct) "
                        "(see docs/writing.md for the figure functions)"]


@pytest.mark.parametrize("error", [TypeError("bad operand"),
                                   OSError(errno.ENOSPC, "No space left on device", "{root}/.preview/x.html"),
                                   RecursionError("maximum recursion depth exceeded")])
def test_the_overlay_never_shows_a_traceback_or_an_absolute_path(make_site, monkeypatch, error) -> None:
    root = make_site()
    if isinstance(error, OSError):
        error = OSError(error.errno, error.strerror, error.filename.format(root=root))

    def broken(ctx):
        raise error

    monkeypatch.setattr(serve_module, "build", broken)
    problems, _ = build_preview(root, root / ".preview", "http://127.0.0.1:8000/broadsheet/", True)
    assert len(problems) == 1, problems
    (line,) = problems
    assert "Traceback" not in line and str(root) not in line and str(Path.home()) + "/" not in line
    assert not line.startswith("/")


def test_a_refused_out_folder_in_the_overlay_has_no_absolute_path(make_site) -> None:
    root = make_site()
    (root / ".preview").mkdir()
    (root / ".preview" / "notes.txt").write_text("mine")  # the own .preview is accepted anyway
    problems, _ = build_preview(root, root / "docs", "http://127.0.0.1:8000/broadsheet/", True)
    assert problems == []
    (root / "other").mkdir()
    (root / "other" / "notes.txt").write_text("mine")
    problems, _ = build_preview(root, root / "other", "http://127.0.0.1:8000/broadsheet/", True)
    assert problems and all(str(root) not in line for line in problems), problems
