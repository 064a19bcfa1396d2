"""Helpers for the browser tests (tests/test_browser.py).

- ``build_site``: the real site, built by ``mkdocs build`` in a temporary copy of the project
  (mkdocs.yml, docs/ without its generated folders, overrides/, scripts/, seeds/), as
  tests/test_site.py does; the hook runs the pipeline there.
- ``serve``: a static file server on 127.0.0.1, on a port the system picks, in a background
  thread.
- ``launch``: Debian's Chromium (``/usr/bin/chromium``, or ``$CHROMIUM``) driven by Playwright.
  Playwright's own browser downloads (``playwright install``) are never used: they cannot be
  fetched here.
- ``Tab``: a page that records what should never happen: console errors, uncaught exceptions,
  HTTP errors, and requests that leave the site (another host, or outside the site's sub-path).

Playwright is imported lazily, so this module imports (and its doctests run) without it.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# No sandbox (CI runs as root), no GPU, and none of Chromium's own traffic (updates, sync,
# field trials): the machine has no network beyond the package registries.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
# What the build generates into docs/: left out of the copy, the build must produce it itself.
GENERATED = ("a", "tags", "topics", "zones", "authors", "years", "data", "articles.md")
NO_CACHE = ("__pycache__", "*.pyc")


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (python3 -m pip install -r requirements-test.txt)"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return (f"no Chromium at {CHROMIUM}: run `bash scripts/test.sh` as root (it installs Debian's "
                "chromium), or `apt-get install -y chromium`")
    return None


def require_browser() -> None:
    """Skip when there is no browser; fail instead under CI (CI=true) or REQUIRE_BROWSER=1."""
    import pytest

    reason = missing_browser()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() not in ("", "0", "false") or os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests must run here: {reason}", pytrace=False)
    pytest.skip(reason)


# --- the site ----------------------------------------------------------------------------------

def copy_project(tmp: Path) -> None:
    shutil.copy(PROJECT / "mkdocs.yml", tmp / "mkdocs.yml")
    for folder in ("docs", "overrides", "scripts", "seeds"):
        if (PROJECT / folder).is_dir():
            ignore = shutil.ignore_patterns(*NO_CACHE, *(GENERATED if folder == "docs" else ()))
            shutil.copytree(PROJECT / folder, tmp / folder, ignore=ignore)


def build_site(tmp: Path) -> Path:
    """Copy the project into ``tmp`` and build the site into ``tmp/site``; returns that folder."""
    copy_project(tmp)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(tmp / "mkdocs.yml"),
                           "-d", str(tmp / "site")], cwd=tmp, env=env, capture_output=True, text=True,
                          timeout=600)
    if proc.returncode != 0:  # the end of the log says why (the build's own test is tests/test_site.py)
        log = (proc.stdout + proc.stderr).strip()
        raise RuntimeError(f"mkdocs build failed ({proc.returncode}):\n…{log[-3000:]}")
    return tmp / "site"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- serving -----------------------------------------------------------------------------------

class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002  (the base class's name)
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # the browser dropped a request: fine
            super().handle_error(request, client_address)


@contextmanager
def serve(directory: Path):
    """Serve ``directory`` on 127.0.0.1 (a free port chosen by the system); yields the base URL.

    >>> import tempfile, urllib.request
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "x.txt").write_text("ok")
    ...     with serve(Path(d)) as base:
    ...         urllib.request.urlopen(base + "x.txt").read()
    b'ok'
    """
    server = _Server(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, name=f"serve {directory}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- the browser -------------------------------------------------------------------------------

@contextmanager
def launch():
    """Headless Debian Chromium under Playwright; yields the Browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def leaves_site(url: str, base: str) -> bool:
    """True when the browser fetching ``url`` would leave the site served at ``base``.

    >>> base = "http://127.0.0.1:8000/archive/"
    >>> leaves_site("http://127.0.0.1:8000/archive/assets/app.js", base)
    False
    >>> leaves_site("data:image/svg+xml;base64,AAAA", base)
    False
    >>> leaves_site("http://127.0.0.1:8000/assets/app.js", base)  # outside the sub-path
    True
    >>> leaves_site("https://fonts.googleapis.com/css", base)
    True
    """
    if urlsplit(url).scheme in ("data", "blob", "about"):
        return False
    return not url.startswith(base)


class Tab:
    """A page in ``context`` on the site served at ``base``, recording its problems.

    ``problems``: console errors, uncaught exceptions, 4xx/5xx responses, and every request that
    leaves the site (to another host, or outside the site's sub-path). Requests from the page's
    workers (Material's search worker) are seen too: the context's route aborts any request
    that leaves the site, so nothing is fetched from outside.
    """

    def __init__(self, context, base: str):
        self.base = base
        self.problems: list[str] = []
        self.page = page = context.new_page()
        page.on("console", lambda msg: msg.type == "error" and self.problems.append(
            f"console error: {msg.text} at {msg.location.get('url')}"))
        page.on("pageerror", lambda exc: self.problems.append(f"uncaught exception: {exc}"))
        page.on("response", lambda resp: resp.status >= 400 and self.problems.append(
            f"HTTP {resp.status}: {resp.url}"))
        page.on("request", lambda req: leaves_site(req.url, base) and self.problems.append(
            f"request leaves the site: {req.url}"))

    def goto(self, path: str = "") -> None:
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.ok, f"{self.base + path}: {response and response.status}"

    def check(self) -> None:
        assert self.problems == [], "\n".join(self.problems)


def guard_context(context, bases: list[str], log: list[str]) -> None:
    """Abort, and log, every request of ``context`` that leaves all of ``bases``."""
    def handle(route):
        log.append(f"request leaves the site: {route.request.url}")
        route.abort()

    context.route(lambda url: all(leaves_site(url, b) for b in bases), handle)


def text_of(s: str) -> str:
    """Text as a reader sees it: Material's search marks jieba's cuts with zero-width spaces.

    >>> text_of("青岛\\u200b高新区 ")
    '青岛高新区'
    """
    return s.replace("\u200b", "").strip()
