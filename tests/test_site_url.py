"""The public address comes from SITE_URL at deploy time; local builds stay relative."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.browser_util import copy_project


def build(tmp, site_url: str | None):
    copy_project(tmp)
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    if site_url:
        env["SITE_URL"] = site_url
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(tmp / "mkdocs.yml"),
                           "-d", str(tmp / "site")], cwd=tmp, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return tmp / "site"


def test_deployed_build_has_absolute_sitemap_feed_and_citation_urls(tmp_path):
    site = build(tmp_path, "https://archive.example.org/gxq/")
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://archive.example.org/gxq/a/" in sitemap
    assert "https://archive.example.org/gxq/a/" in (site / "feed.xml").read_text(encoding="utf-8")
    article = next((site / "a").glob("*/index.html")).read_text(encoding="utf-8")
    assert 'content="https://archive.example.org/gxq/a/' in article  # citation_public_url and kin


def test_local_build_makes_no_claim_about_a_host(tmp_path):
    site = build(tmp_path, None)
    assert "<loc>" not in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "example.org" not in (site / "feed.xml").read_text(encoding="utf-8")
