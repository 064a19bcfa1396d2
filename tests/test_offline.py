"""The offline build (scripts/mkdocs-offline.yml) works from a folder: no server, no network."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser_util import copy_project, launch, require_browser

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory):
    require_browser()
    tmp = tmp_path_factory.mktemp("offline")
    copy_project(tmp)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                           str(tmp / "scripts" / "mkdocs-offline.yml")], cwd=tmp, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return tmp / "site-offline"


def test_offline_folder_browses_and_searches_without_any_request_off_the_disk(offline_site):
    html = (offline_site / "index.html").read_text(encoding="utf-8")
    assert "unpkg.com" not in html and "assets/vendor/iframe-worker-shim.js" in html
    with launch() as browser:
        page = browser.new_page()
        requests, errors = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto((offline_site / "index.html").as_uri())
        page.fill(".md-search__input", "秦创原")
        page.press(".md-search__input", "End")
        page.wait_for_selector(".md-search-result__item", timeout=15_000)
        assert "秦创原" in page.locator(".md-search-result__item").first.inner_text()
        article = next((offline_site / "a").glob("*.html"))
        page.goto(article.as_uri())
        assert page.locator("h1").count() >= 1
    assert [u for u in requests if not u.startswith("file://")] == []
    assert errors == []
