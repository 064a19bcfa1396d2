"""The built site in a real browser: headless Debian Chromium driven by Playwright.

The real site is built once (``tests.browser_util.build_site``) and served from 127.0.0.1 twice:
at the root of one server, and under the sub-path ``/archive/`` of another (where nothing else is
served), which proves that every URL the site uses is relative. On each server the tests open
pages as a reader does and fail on any console error, uncaught exception, HTTP error, or request
that leaves the site (another host, or outside the sub-path).

- the home page, an article, a tag page and a zone page render, and the search worker loads its
  index (full-page screenshots are saved to ``$BROWSER_SCREENSHOTS``, else to a pytest tmp
  folder ``screenshots*``);
- Chinese queries typed into Material's search box find the expected article: a zone name, a
  tag, four characters cut anywhere in a body; the query is marked in the result, and Enter
  opens the best result (the archive's search worker behind Material's box and keys);
- an article's permalink ``a/<id>/`` opens that article;
- paragraph anchors: ``<p id="pN">`` with ``<a class="para-link" href="#pN">``;
- the citation box ``section#cite``: each ``button.cite-copy[data-format=F]`` copies exactly the
  text of ``pre.cite-text[data-format=F]`` to the clipboard (skipped while the site has no
  citation box at all).

Needs Playwright (requirements-test.txt) and Chromium at /usr/bin/chromium (scripts/test.sh
installs Debian's package when it is missing); without them these tests skip, except under CI
(CI=true) or with REQUIRE_BROWSER=1, where they fail. Internal links are checked without a
browser in tests/test_site.py.
"""
from __future__ import annotations

import collections
import json
import os
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from tests.browser_util import Tab, build_site, guard_context, launch, read_jsonl, require_browser, serve, text_of

pytestmark = pytest.mark.browser

SUB_PATH = "archive/"
ZONE = "青岛高新区"  # the zone searched for; its articles carry it in their headline
CITE_FORMATS = ("gbt7714", "gbt7714-url", "apa", "bibtex", "ris")
HAN = re.compile(r"[\u4e00-\u9fff]+")
TIMEOUT_MS = 15_000


# --- fixtures ----------------------------------------------------------------------------------

class Site(SimpleNamespace):
    def __repr__(self) -> str:  # short, for tracebacks (the article list is large)
        return f"Site(root={self.root!r}, sub={self.sub!r})"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, built once, served at ``site.root`` and under ``site.sub`` (…/archive/)."""
    require_browser()
    tmp = tmp_path_factory.mktemp("browser_site")
    folder = build_site(tmp)
    www = tmp / "www"  # the second server's root: nothing but the site under archive/
    www.mkdir()
    (www / SUB_PATH.rstrip("/")).symlink_to(folder, target_is_directory=True)
    articles = read_jsonl(tmp / "docs" / "data" / "articles.jsonl")
    with serve(folder) as root, serve(www) as other:
        yield Site(folder=folder, root=root, sub=other + SUB_PATH, articles=articles)


@pytest.fixture(scope="module")
def browser(site):
    with launch() as browser:
        yield browser


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return Path(folder)
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def context(browser, site):
    """A fresh browser context (own cookies, storage, permissions); no request leaves the site."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    blocked: list[str] = []
    guard_context(context, [site.root, site.sub], blocked)
    yield context
    context.close()
    assert blocked == [], blocked


def tab(context, site, where: str = "root") -> Tab:
    return Tab(context, site.root if where == "root" else site.sub)


# --- what to look for, read off the built data ---------------------------------------------------

def article(site) -> dict:
    """The sample article: the first one whose primary zone is ZONE, named in its headline."""
    found = [a for a in site.articles if a["kind"] == "article" and a["zones"][:1] == [ZONE] and ZONE in a["title"]]
    assert found, f"no article about {ZONE} with it in the headline: the seed data changed"
    return found[0]


def full_text(a: dict) -> str:
    return "\n".join(a.get(k) or "" for k in ("title", "kicker", "subtitle", "lead", "body"))


def search_tag(site) -> tuple[str, dict]:
    """A tag (Han characters only: no query syntax such as ``+``) carried and printed by exactly one
    article; tags printed in that article's headline first, then longer ones."""
    count = collections.Counter(t for a in site.articles for t in a["tags"])
    candidates = sorted(
        (t not in a["title"], -len(t), t, i)
        for i, a in enumerate(site.articles) for t in a["tags"]
        if count[t] == 1 and HAN.fullmatch(t) and sum(t in full_text(b) for b in site.articles) == 1)
    assert candidates, "no tag belongs to a single article"
    _, _, tag, i = candidates[0]
    return tag, site.articles[i]


def body_word(site) -> tuple[str, dict]:
    """Four characters of an article's body (cut anywhere, as a researcher quotes a phrase)
    printed in no other article and not in its own title or tags; the most frequent such piece
    first."""
    candidates = []
    for i, a in enumerate(site.articles):
        body = a.get("body") or ""
        pieces = {run[j:j + 4] for run in HAN.findall(body) for j in range(len(run) - 3)}
        for w in pieces:
            if (w not in a["title"] and not any(w in t for t in a["tags"])
                    and sum(w in full_text(b) for b in site.articles) == 1):
                candidates.append((-body.count(w), w, i))
    assert candidates, "no four-character piece of a body unique to one article"
    _, word, i = min(candidates)
    return word, site.articles[i]


# --- pages -----------------------------------------------------------------------------------------

def site_name() -> str:
    """mkdocs.yml's site_name (the file has Python tags: no YAML loader here)."""
    config = (Path(__file__).resolve().parent.parent / "mkdocs.yml").read_text(encoding="utf-8")
    return re.search(r"^site_name:\s*(.+?)\s*$", config, re.M).group(1)


def page_paths(site) -> dict[str, tuple[str, str]]:
    """name -> (path under the site, text the page must show)."""
    from scripts.indexes import slug

    a = article(site)
    return {
        "home": ("", site_name()),
        "article": (a["url"], a["title"]),
        "tag": (f"tags/{slug('t', a['tags'][0])}/", a["title"]),
        "zone": (f"zones/{slug('z', ZONE)}/", a["title"]),
    }


@pytest.mark.parametrize("where", ["root", "sub"])
@pytest.mark.parametrize("name", ["home", "article", "tag", "zone"])
def test_page_renders_cleanly(context, site, shots, name, where):
    path, text = page_paths(site)[name]
    t = tab(context, site, where)
    t.goto(path)
    assert text in t.page.locator("article.md-content__inner").inner_text()
    # the theme's stylesheet applies and its script ran: the search worker has loaded the index
    assert t.page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    wait_search_ready(t)
    if where == "root":  # the sub-path renders the same pages
        t.page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    t.check()


# --- search ------------------------------------------------------------------------------------------

def wait_search_ready(t: Tab) -> None:
    """Wait for Material's search prompt ("type to start searching", in the site's language),
    shown once the search worker has loaded the index (until then: "initialising")."""
    config = json.loads(t.page.locator("#__config").text_content())
    t.page.wait_for_function(
        "text => document.querySelector('.md-search-result__meta').textContent.trim() === text",
        arg=config["translations"]["search.result.placeholder"], timeout=TIMEOUT_MS)


def search(t: Tab, query: str, title: str) -> list[str]:
    """Type ``query`` into the search box of the open page; wait for ``title`` among the results.

    Material reads the query on ``keyup`` (and on focus, and once its worker is ready). Chinese is
    entered through an input method, which commits the whole word at once, then a key is released:
    so the query is filled in at once and a key (End, which changes nothing) is pressed, and the
    search runs once, for the whole query, after Material's "type to start searching" prompt
    shows that the worker has loaded the index. Returns the result titles.
    """
    page = t.page
    box = page.locator(".md-search__input")
    box.click()
    wait_search_ready(t)
    box.fill(query)
    box.press("End")
    titles = "() => [...document.querySelectorAll('.md-search-result__item h1, .md-search-result__item h2')]" \
             ".map(e => e.textContent.replace(/\\u200b/g, '').trim())"
    try:
        page.wait_for_function(f"title => ({titles})().includes(title)", arg=title, timeout=TIMEOUT_MS)
    except Exception:
        got = page.evaluate(titles)
        meta = text_of(page.locator(".md-search-result__meta").text_content())
        pytest.fail(f"search {query!r}: {title!r} not among the results ({meta}): {got}")
    return page.evaluate(titles)


@pytest.mark.parametrize("where", ["root", "sub"])
def test_search_zone_name(context, site, where):
    a = article(site)
    t = tab(context, site, where)
    t.goto()
    search(t, ZONE, a["title"])
    t.check()


def test_search_tag(context, site):
    tag, a = search_tag(site)
    t = tab(context, site)
    t.goto()
    search(t, tag, a["title"])
    t.check()


def test_search_body_word_and_open_result(context, site):
    word, a = body_word(site)
    t = tab(context, site)
    t.goto()
    search(t, word, a["title"])
    # the result is a link to the article
    t.page.locator(f'.md-search-result__link[href*="{a["url"]}"]').first.click()
    t.page.wait_for_url(f"**/{a['url']}**")
    assert text_of(t.page.locator("article h1").first.text_content()).rstrip("¶") == a["title"]
    t.check()


def test_search_marks_the_query_and_enter_opens_the_best_result(context, site):
    a = article(site)
    t = tab(context, site)
    t.goto()
    search(t, ZONE, a["title"])
    first = t.page.locator(".md-search-result__item").first
    assert first.locator("mark").first.text_content() == ZONE
    t.page.locator(".md-search__input").press("Enter")
    t.page.wait_for_url("**/a/*/")
    assert ZONE in text_of(t.page.locator("article h1").first.text_content())
    t.check()


# --- permalinks ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["root", "sub"])
def test_permalink_opens_the_article(context, site, where):
    a = article(site)
    t = tab(context, site, where)
    t.goto(f"a/{a['id']}/")
    assert text_of(t.page.locator("article h1").first.text_content()).rstrip("¶") == a["title"]
    assert t.page.title().startswith(f"{a['title']} - ")
    t.check()


# --- paragraph anchors ---------------------------------------------------------------------------------

def test_paragraph_anchors(context, site):
    a = article(site)
    t = tab(context, site)
    t.goto(a["url"])
    page = t.page
    assert page.locator("p#p1").count() == 1, "no <p id=\"p1\"> on the article page"
    assert page.locator('a.para-link[href="#p1"]').count() >= 1, 'no <a class="para-link" href="#p1">'
    # every numbered paragraph has its own link
    ids = page.eval_on_selector_all("p[id]", "ps => ps.map(p => p.id).filter(id => /^p\\d+$/.test(id))")
    assert ids[0] == "p1" and len(ids) == len(set(ids))
    missing = [i for i in ids if not page.locator(f'a.para-link[href="#{i}"]').count()]
    assert not missing, f"paragraphs without a para-link: {missing}"
    # a reader clicks the link: the address is the paragraph's, and the paragraph is the target
    page.locator("p#p1").hover()
    page.locator('a.para-link[href="#p1"]').first.click()
    assert page.url.endswith("#p1"), page.url
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == "p1"
    t.check()
    # and a link to a paragraph opens the page at that paragraph
    last = tab(context, site)
    last.goto(f"{a['url']}#{ids[-1]}")
    assert last.page.evaluate("document.querySelector(':target')?.id") == ids[-1]
    assert last.page.locator(f"p#{ids[-1]}").is_visible()
    assert 0 <= last.page.evaluate(f"document.getElementById('{ids[-1]}').getBoundingClientRect().top") < 900
    last.check()


# --- citation box --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fmt", "where"), [*((f, "root") for f in CITE_FORMATS), ("gbt7714-url", "sub")])
def test_copy_citation(context, site, fmt, where):
    a = article(site)
    t = tab(context, site, where)
    t.goto(a["url"])
    page = t.page
    box = page.locator("section#cite")
    if not box.count():
        pytest.skip("citation box not present yet")
    assert "cite-box" in (box.get_attribute("class") or "").split()
    text = box.locator(f'pre.cite-text[data-format="{fmt}"]')
    button = box.locator(f'button.cite-copy[data-format="{fmt}"]')
    assert text.count() == 1 and button.count() == 1, f"{fmt}: pre.cite-text and button.cite-copy"
    expected = text.text_content()
    if fmt != "bibtex":  # BibTeX escapes some characters
        assert a["title"] in expected

    origin = "{0.scheme}://{0.netloc}".format(urlsplit(t.base))
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    sentinel = "（剪贴板尚未写入）"  # the clipboard outlives a context: prove that this click wrote it
    page.evaluate("text => navigator.clipboard.writeText(text)", sentinel)
    button.click()
    page.wait_for_function("s => navigator.clipboard.readText().then(t => t !== s)", arg=sentinel,
                           timeout=5_000, polling=100)
    copied = page.evaluate("navigator.clipboard.readText()")
    # as printed in the box (a final newline aside)
    assert copied.rstrip("\n") == expected.rstrip("\n")
    if fmt == "gbt7714-url":  # an electronic resource is cited with its address: the permalink
        assert f"a/{a['id']}/" in copied, copied
    t.check()
