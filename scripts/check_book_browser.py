"""Open every page of the built book in headless Chromium and check what a reader gets.

After ``make book``, this opens each HTML page of ``_build/html`` in headless
Chromium, lets its scripts run (MathJax included), and checks the rendered DOM:

* no raw ``\\(``, ``\\[`` or ``$$`` is left in the text (math that did not render;
  code blocks are not text and are skipped),
* no Markdown table is left as text: a row of ``|---|`` cells (or ``|—|``, after
  smart dashes) outside code means a table that did not render (a cell's
  ``display(Markdown(...))`` output parsed as CommonMark, which has no tables),
* every ``<img>`` loads: its file exists with a non-zero size and the browser
  decoded it (``naturalWidth > 0`` after the page's ``load`` event),
* every local link resolves (``<a href>``, ``<link href>``, ``<script src>``,
  ``<iframe src>``, ``<source src>``): the file exists, and a ``#fragment`` names
  an ``id`` (or ``name``) on the target page,
* every chapter page (``book/NN_*.html``) has its Colab launch link to
  ``book/NN_*.ipynb``.

It saves a screenshot of the top of each page under ``_build/screenshots/``.
Without Chromium (``chromium``, ``chromium-browser``, ``google-chrome``, or the
path in ``$CHROMIUM``) it says so and exits 0: the check is skipped.

How the image check works: Chromium's ``--dump-dom`` prints the DOM after the
scripts ran, but not whether an image decoded. So each page is opened as a probe
copy written next to it (same folder, so relative links are unchanged) with a
small script that, on ``load``, writes each image's ``naturalWidth`` into a
``data-book-check-width`` attribute; the dumped DOM carries it. The probe file
is removed afterwards.

Usage::

    .venv/bin/python scripts/check_book_browser.py [--html _build/html] [--screenshots _build/screenshots]

Exit status: 0 when every page passes (or Chromium is absent), 1 when a check
fails, 2 when there is no built book.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
# Virtual time (milliseconds) the page's scripts get before the DOM is dumped:
# MathJax typesets a chapter well within it. Virtual time runs faster than a clock.
VIRTUAL_TIME_BUDGET_MS = 10000
WINDOW_SIZE = "1280,2400"  # the screenshot: the top of the page, at a laptop's width
PAGE_TIMEOUT_S = 120  # wall-clock limit for one Chromium run

WIDTH_ATTR = "data-book-check-width"
PROBE_PREFIX = ".book-check-probe-"
PROBE_SCRIPT = f"""
<script>
window.addEventListener("load", function () {{
  for (const img of document.images) {{
    img.setAttribute("{WIDTH_ATTR}", String(img.complete ? img.naturalWidth : 0));
  }}
}});
</script>
"""

# Chapter pages: book/01_cross_entropy.html etc.; each needs a Colab launch link.
CHAPTER_PAGE = re.compile(r"book/(\d\d_[A-Za-z0-9_]+)\.html")
COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/github/[^?#]+/blob/[^/]+/(.+\.ipynb)")
# Raw TeX delimiters that MathJax should have consumed.
RAW_MATH = re.compile(r"\\\(|\\\[|\$\$")
RAW_TABLE = re.compile(r"\|\s*(?::?(?:-{3,}|—+)(?::)?\s*\|\s*){2,}")  # a separator row: |---|---| (|—|—| after smart dashes)
MAX_SNIPPETS = 5  # raw-TeX snippets shown per page (all of them are counted)
# Elements whose text is not prose: code, scripts, and the rendered math itself.
NON_TEXT_TAGS = frozenset({"script", "style", "pre", "code", "kbd", "samp", "textarea", "noscript", "svg", "math"})
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
# Where a tag keeps the URL of something the page loads or links to.
URL_ATTRS = {"a": "href", "link": "href", "script": "src", "iframe": "src", "source": "src"}
EXTERNAL_SCHEMES = ("http", "https", "mailto", "javascript", "data", "tel", "ftp")
# Pages of the build that are not the book's content.
SKIP_DIRS = ("_static", "_sources", "_images", "jupyter_execute", "_downloads")


# ---------------------------------------------------------------------------
# Parsing a page's DOM


@dataclass
class Image:
    src: str
    natural_width: int | None  # from the probe script; None when it did not run


@dataclass
class PageDom:
    """What the checks need from one page's HTML."""

    text: str = ""  # the prose: text outside code, scripts and math elements
    images: list = field(default_factory=list)  # [Image]
    links: list = field(default_factory=list)  # [(tag, url)]
    ids: set = field(default_factory=set)  # every id= and <a name=> on the page


class _DomParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.dom = PageDom()
        self._text = []
        self._skip = []  # stack of open non-text elements

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.dom.ids.add(attrs[key])
        if tag == "img":
            width = attrs.get(WIDTH_ATTR)
            self.dom.images.append(
                Image(attrs.get("src") or "", int(width) if width and width.lstrip("-").isdigit() else None)
            )
        url = attrs.get(URL_ATTRS.get(tag, ""))
        if url is not None:
            self.dom.links.append((tag, url))
        if tag in VOID_TAGS:
            return
        if tag in NON_TEXT_TAGS or tag.startswith("mjx-"):
            self._skip.append(tag)
        elif self._skip:
            self._skip.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_endtag(self, tag):
        if tag in self._skip:  # close up to the matching open element (tolerates bad nesting)
            while self._skip and self._skip.pop() != tag:
                pass

    def handle_data(self, data):
        if not self._skip:
            self._text.append(data)

    def close(self):
        super().close()
        self.dom.text = "".join(self._text)


def parse_dom(html: str) -> PageDom:
    """Parses the HTML of one page into its prose text, images, links and ids."""
    parser = _DomParser()
    parser.feed(html)
    parser.close()
    return parser.dom


# ---------------------------------------------------------------------------
# The checks, on a parsed page


REFRESH = re.compile(
    r"""<meta\s[^>]*http-equiv=["']?refresh["']?[^>]*content=["']\s*\d+\s*;\s*url=([^"'>]+)["']""", re.I
)


def redirect_target(html: str):
    """The URL a redirect page (`<meta http-equiv="refresh" content="0; url=...">`) sends to, else None."""
    m = REFRESH.search(html)
    return m.group(1).strip() if m else None


def raw_math(text: str, context: int = 30) -> list:
    """Returns a snippet around each raw TeX delimiter left in the text."""
    snippets = []
    for m in RAW_MATH.finditer(text):
        snippet = text[max(0, m.start() - context) : m.end() + context]
        snippets.append(" ".join(snippet.split()))
    return snippets


def resolve_local(url: str, page: Path, html_root: Path):
    """The file a URL on `page` points to, with its fragment; None for an external URL.

    Returns `(path, fragment)`; `path` is `page` itself for a bare `#fragment`.
    """
    parts = urlsplit(url)
    if parts.scheme and parts.scheme.lower() in EXTERNAL_SCHEMES or parts.netloc:
        return None
    if parts.scheme == "file":
        target = Path(unquote(parts.path))
    elif not parts.path:
        target = page
    elif parts.path.startswith("/"):
        target = html_root / unquote(parts.path).lstrip("/")
    else:
        target = page.parent / unquote(parts.path)
    target = Path(os.path.normpath(target))
    if target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def check_page(rel: str, page: Path, dom: PageDom, html_root: Path, ids_of=None, browser: bool = True) -> list:
    """Returns the problems found on one rendered page (an empty list when it passes).

    Args:
        rel: the page's path relative to the HTML root, with forward slashes.
        page: the page's file (relative links are resolved against its folder).
        dom: the parsed DOM of the page after its scripts ran.
        html_root: the root of the built book; links must stay inside it.
        ids_of: a function from a target HTML file to the ids on it (for
            `#fragment` checks on other pages); None skips those checks.
        browser: whether `dom` came from the probe (then every image must carry
            its `naturalWidth`).
    """
    problems = []
    snippets = raw_math(dom.text)
    for snippet in snippets[:MAX_SNIPPETS]:
        problems.append(f"raw TeX left in the text: ...{snippet}...")
    if len(snippets) > MAX_SNIPPETS:
        problems.append(f"raw TeX left in the text: {len(snippets) - MAX_SNIPPETS} more")

    tables = RAW_TABLE.findall(dom.text)
    if tables:
        problems.append(f"Markdown table left as text (it did not render): {len(tables)} on the page")

    for img in dom.images:
        if not img.src:
            problems.append("an <img> without src")
            continue
        if not img.src.startswith("data:"):
            resolved = resolve_local(img.src, page, html_root)
            if resolved is None:
                problems.append(f"image from the network (the book must work offline): {img.src}")
                continue
            path = resolved[0]
            if not path.is_file():
                problems.append(f"image file missing: {img.src}")
                continue
            if path.stat().st_size == 0:
                problems.append(f"image file is empty: {img.src}")
                continue
        if browser and img.natural_width is None:
            problems.append(f"image not loaded when the page finished loading: {img.src[:80]}")
        elif browser and img.natural_width <= 0:
            problems.append(f"image did not decode in the browser (naturalWidth 0): {img.src[:80]}")

    root = html_root.resolve()
    for tag, url in dom.links:
        resolved = resolve_local(url, page, html_root)
        if resolved is None:
            continue
        path, fragment = resolved
        if root not in path.resolve().parents and path.resolve() != root:
            problems.append(f"<{tag}> points outside the built book: {url}")
        elif not path.is_file():
            problems.append(f"broken local link <{tag}>: {url}")
        elif fragment and tag == "a" and path.suffix == ".html":
            ids = dom.ids if path.resolve() == page.resolve() else (ids_of(path) if ids_of else None)
            if ids is not None and fragment not in ids:
                problems.append(f"link to a missing anchor: {url}")

    chapter = CHAPTER_PAGE.fullmatch(rel)
    if chapter:
        notebook = f"book/{chapter.group(1)}.ipynb"
        colab = [m.group(1) for _, url in dom.links if (m := COLAB_LINK.match(url))]
        if notebook not in colab:
            found = ", ".join(colab) if colab else "none"
            problems.append(f"no Colab launch link to {notebook} (Colab links found: {found})")
    return problems


# ---------------------------------------------------------------------------
# Running Chromium


def find_chromium():
    """The Chromium executable: $CHROMIUM, or the first known name on PATH; None if absent."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return shutil.which(explicit) or (explicit if Path(explicit).is_file() else None)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def book_pages(html_root: Path) -> list:
    """Every HTML page of the build (not the theme's or Sphinx's own files), sorted."""
    pages = []
    for path in sorted(html_root.rglob("*.html")):
        rel = path.relative_to(html_root)
        if rel.parts[0] in SKIP_DIRS or path.name.startswith(PROBE_PREFIX):
            continue
        pages.append(path)
    return pages


def make_probe(page: Path) -> Path:
    """Writes the probe copy of `page` next to it: the image script added, lazy images made eager."""
    html = page.read_text(encoding="utf-8")
    html = re.sub(r'\bloading="lazy"', 'loading="eager"', html)
    closing = html.lower().rfind("</body>")
    html = html[:closing] + PROBE_SCRIPT + html[closing:] if closing >= 0 else html + PROBE_SCRIPT
    probe = page.with_name(PROBE_PREFIX + page.name)
    probe.write_text(html, encoding="utf-8")
    return probe


def render(chromium: str, page: Path, screenshot: Path, profile: Path) -> str:
    """Opens `page` (as its probe copy) in headless Chromium; returns the DOM after its scripts ran."""
    probe = make_probe(page)
    try:
        cmd = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
            f"--window-size={WINDOW_SIZE}",
            f"--screenshot={screenshot}",
            "--dump-dom",
            probe.resolve().as_uri(),
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=PAGE_TIMEOUT_S)
    finally:
        probe.unlink(missing_ok=True)
    if result.returncode != 0 or "<html" not in result.stdout.lower():
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"Chromium exited with {result.returncode} and no DOM:\n{tail}")
    return result.stdout


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="the built book")
    parser.add_argument("--screenshots", type=Path, default=ROOT / "_build" / "screenshots")
    parser.add_argument("--workers", type=int, default=2, help="pages rendered at once (default: 2)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error(f"Invalid value for argument `workers`. Expected an integer >= 1. Received: workers={args.workers}")

    html_root = args.html.resolve()
    if not (html_root / "index.html").is_file():
        print(f"browser check: no built book at {html_root}; run `make book` first.", file=sys.stderr)
        return 2
    chromium = find_chromium()
    if chromium is None:
        print(
            "browser check: SKIPPED, Chromium not found (install Debian's `chromium`, or set $CHROMIUM "
            "to a Chromium or Chrome executable)."
        )
        return 0

    start = time.monotonic()
    args.screenshots.mkdir(parents=True, exist_ok=True)
    for old in args.screenshots.glob("*.png"):  # no stale screenshot of a page that is gone
        old.unlink()
    pages = book_pages(html_root)
    id_cache = {}

    def ids_of(path: Path):
        key = path.resolve()
        if key not in id_cache:
            id_cache[key] = parse_dom(path.read_text(encoding="utf-8", errors="replace")).ids
        return id_cache[key]

    def check_one(page: Path, profile: Path):
        """One page: (its report lines, failed?, images, links)."""
        rel = page.relative_to(html_root).as_posix()
        screenshot = args.screenshots / (rel[: -len(".html")].replace("/", "__") + ".png")
        target = redirect_target(page.read_text(encoding="utf-8", errors="replace"))
        if target is not None:  # a redirect (index.html): its target is checked as a page of its own
            resolved = resolve_local(target, page, html_root)
            if resolved is not None and not resolved[0].is_file():
                return [f"FAIL {rel}", f"     - redirects to a missing page: {target}"], True, 0, 0
            return [f"ok   {rel} (redirects to {target})"], False, 0, 0
        images = links = 0
        try:
            dom = parse_dom(render(chromium, page, screenshot, profile))
            problems = check_page(rel, page, dom, html_root, ids_of=ids_of)
            images, links = len(dom.images), len(dom.links)
            counts = f"({images} images, {links} links)"
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            problems, counts = [f"could not render: {error}"], ""
        if problems:
            return [f"FAIL {rel} {counts}", *(f"     - {problem}" for problem in problems)], True, images, links
        return [f"ok   {rel} {counts}"], False, images, links

    # Pages render in parallel, each worker with a Chromium profile of its own (a profile is locked by
    # the browser that uses it); reports are printed in page order. On a 2-core machine the 19 pages of
    # the book took 57 s with 1 worker, 41 s with 2, 46 s with 4 and 62 s with 8.
    failed = 0
    totals = [0, 0]  # images, links
    with tempfile.TemporaryDirectory(prefix="book-check-") as profiles:
        free = queue.SimpleQueue()
        for k in range(args.workers):
            free.put(Path(profiles) / f"profile{k}")

        def run(page: Path):
            profile = free.get()
            try:
                return check_one(page, profile)
            finally:
                free.put(profile)

        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            for lines, page_failed, images, links in pool.map(run, pages):
                print("\n".join(lines), flush=True)
                failed += page_failed
                totals[0] += images
                totals[1] += links
    elapsed = time.monotonic() - start
    verdict = "passed" if not failed else f"FAILED on {failed} page(s)"
    print(
        f"browser check: {len(pages)} pages ({totals[0]} images, {totals[1]} links) {verdict} in {elapsed:.0f} s "
        f"(Chromium: {chromium}); screenshots in {args.screenshots}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
