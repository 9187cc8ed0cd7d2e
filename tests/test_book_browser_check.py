"""The browser check of the built book (scripts/check_book_browser.py) on small hand-made pages.

The parsing and the checks run without a browser; one end-to-end test opens a
two-page book in headless Chromium and is skipped where Chromium is absent.
"""

import struct
import zlib
from pathlib import Path

import pytest

from tests._scripts import load_script

ROOT = Path(__file__).resolve().parents[1]
check = load_script("scripts/check_book_browser.py")

COLAB = "https://colab.research.google.com/github/org/repo/blob/main/book/01_intro.ipynb"


def png_bytes(width=2, height=1):
    """A valid RGB PNG, written by hand (an independent reference: no imaging library)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def make_book(tmp_path, chapter_body, with_colab=True):
    """A built book: index.html (a redirect), book/01_intro.html, book/other.html, _images/."""
    root = tmp_path / "html"
    (root / "book").mkdir(parents=True)
    (root / "_images").mkdir()
    (root / "_images" / "ok.png").write_bytes(png_bytes())
    (root / "_images" / "empty.png").write_bytes(b"")
    (root / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=book/01_intro.html" />')
    (root / "book" / "other.html").write_text('<html><body><h1 id="top">Other</h1><p>fine</p></body></html>')
    launch = f'<a href="{COLAB}">Colab</a>' if with_colab else ""
    page = root / "book" / "01_intro.html"
    page.write_text(f"<html><head></head><body>{launch}{chapter_body}</body></html>")
    return root, page


def problems_of(root, page, body=None, browser=False):
    dom = check.parse_dom(page.read_text() if body is None else body)
    rel = page.relative_to(root).as_posix()
    return check.check_page(rel, page, dom, root, ids_of=lambda p: check.parse_dom(p.read_text()).ids, browser=browser)


# ---------------------------------------------------------------------------
# Parsing


def test_text_excludes_code_scripts_and_rendered_math():
    dom = check.parse_dom(
        "<p>Loss <mjx-container><mjx-math>x</mjx-math></mjx-container> falls.</p>"
        "<pre>re.compile(r'\\(')</pre><code>$$</code><script>var a = '\\[';</script>"
        "<style>p::before{content:'$$'}</style><p>After<br>the break.</p>"
    )
    assert dom.text == "Loss  falls.Afterthe break."
    assert check.raw_math(dom.text) == []


def test_unclosed_void_tags_do_not_swallow_text():
    dom = check.parse_dom('<pre>code</pre><img src="a.png"><link href="s.css"><p>text \\(x\\) here</p>')
    assert "text \\(x\\) here" in dom.text
    assert [i.src for i in dom.images] == ["a.png"]
    assert ("link", "s.css") in dom.links


def test_raw_math_finds_each_delimiter_with_context():
    snippets = check.raw_math("a \\(x\\) b \\[y\\] c $$z$$ d $5 and $6")
    assert len(snippets) == 4  # \( \[ and two $$; single dollars are prices, not math
    assert "\\(x" in snippets[0]


def test_images_carry_the_width_the_probe_wrote():
    dom = check.parse_dom(
        f'<img src="a.png" {check.WIDTH_ATTR}="640"><img src="b.png" {check.WIDTH_ATTR}="0"><img src="c.png">'
    )
    assert [(i.src, i.natural_width) for i in dom.images] == [("a.png", 640), ("b.png", 0), ("c.png", None)]


def test_ids_and_anchor_names_are_collected():
    dom = check.parse_dom('<h2 id="sec">S</h2><a name="old"></a><div name="not-an-anchor"></div>')
    assert dom.ids == {"sec", "old"}


def test_redirect_target():
    assert check.redirect_target('<meta http-equiv="Refresh" content="0; url=book/intro.html" />') == "book/intro.html"
    assert check.redirect_target("<meta charset='utf-8'><p>url=book/intro.html</p>") is None


def test_resolve_local_maps_urls_to_files(tmp_path):
    page = tmp_path / "book" / "p.html"
    assert check.resolve_local("https://example.org/a.png", page, tmp_path) is None
    assert check.resolve_local("//cdn.example.org/mathjax.js", page, tmp_path) is None
    assert check.resolve_local("mailto:a@b.c", page, tmp_path) is None
    assert check.resolve_local("../_static/x.js?v=1#frag", page, tmp_path) == (tmp_path / "_static" / "x.js", "frag")
    assert check.resolve_local("#sec", page, tmp_path) == (page, "sec")
    assert check.resolve_local("a%20b.html", page, tmp_path) == (tmp_path / "book" / "a b.html", "")


# ---------------------------------------------------------------------------
# The checks


def test_a_clean_chapter_passes(tmp_path):
    root, page = make_book(
        tmp_path,
        '<p>Text <mjx-container>x</mjx-container></p><pre>print("$$")</pre>'
        '<img src="../_images/ok.png"><img src="data:image/png;base64,AAAA">'
        '<a href="other.html#top">o</a><a href="#here">h</a><h2 id="here">H</h2>'
        '<a href="https://example.org/">web</a><link href="../index.html">',
    )
    assert problems_of(root, page) == []


def test_raw_tex_in_prose_fails_and_is_capped(tmp_path):
    root, page = make_book(tmp_path, "<p>" + " then ".join(["\\(x\\)"] * 8) + "</p><p>$$y$$</p><p>\\[z\\]</p>")
    problems = problems_of(root, page)
    raw = [p for p in problems if p.startswith("raw TeX")]
    assert len(raw) == check.MAX_SNIPPETS + 1
    assert raw[-1] == f"raw TeX left in the text: {11 - check.MAX_SNIPPETS} more"  # eight \(, two $$, one \[


def test_a_markdown_table_left_as_text_fails(tmp_path):
    # What a display(Markdown(table)) output looks like when it is parsed as CommonMark (no tables):
    # the pipes stay, and the separator's hyphens become em dashes.
    for i, row in enumerate(("| a | b |\n|---|---|\n| 1 | 2 |", "| a | b | |—|—| | 1 | 2 |", "| a | b |\n|:---|---:|")):
        root, page = make_book(tmp_path / str(i), f"<p>{row}</p>")
        assert "Markdown table left as text (it did not render): 1 on the page" in problems_of(root, page)
    # A rendered table, pipes in code, and a lone pipe in prose pass.
    root, page = make_book(tmp_path, '<table><tr><td>a</td></tr></table><pre>"|---|" + "---|"</pre>'
                                     "<p>x | y, and |a - b|</p>")
    assert problems_of(root, page) == []


@pytest.mark.parametrize(
    "img, expected",
    [
        ('<img src="../_images/missing.png">', "image file missing: ../_images/missing.png"),
        ('<img src="../_images/empty.png">', "image file is empty: ../_images/empty.png"),
        ('<img src="https://example.org/a.png">', "image from the network (the book must work offline)"),
        ("<img alt='no source'>", "an <img> without src"),
    ],
)
def test_image_problems(tmp_path, img, expected):
    root, page = make_book(tmp_path, img)
    problems = problems_of(root, page)
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_in_the_browser_an_image_must_decode(tmp_path):
    root, page = make_book(tmp_path, "")
    for width, expected in [(0, "did not decode"), (None, "not loaded"), (12, None)]:
        attr = "" if width is None else f' {check.WIDTH_ATTR}="{width}"'
        body = f'<a href="{COLAB}"></a><img src="../_images/ok.png"{attr}>'
        problems = problems_of(root, page, body=body, browser=True)
        if expected is None:
            assert problems == []
        else:
            assert len(problems) == 1 and expected in problems[0], problems


@pytest.mark.parametrize(
    "link, expected",
    [
        ('<a href="missing.html">x</a>', "broken local link <a>: missing.html"),
        ('<script src="../_static/gone.js?v=1"></script>', "broken local link <script>: ../_static/gone.js?v=1"),
        ('<link rel="stylesheet" href="../_static/gone.css">', "broken local link <link>"),
        ('<a href="other.html#nowhere">x</a>', "link to a missing anchor: other.html#nowhere"),
        ('<a href="#nowhere">x</a>', "link to a missing anchor: #nowhere"),
        ('<a href="../../outside.html">x</a>', "<a> points outside the built book"),
    ],
)
def test_link_problems(tmp_path, link, expected):
    root, page = make_book(tmp_path, link)
    (tmp_path / "outside.html").write_text("<p>not part of the book</p>")
    problems = problems_of(root, page)
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_a_chapter_needs_its_own_colab_link(tmp_path):
    root, page = make_book(tmp_path, "<p>no launch button</p>", with_colab=False)
    assert problems_of(root, page) == [
        "no Colab launch link to book/01_intro.ipynb (Colab links found: none)"
    ]
    wrong = COLAB.replace("01_intro", "02_other")
    problems = problems_of(root, page, body=f'<a href="{wrong}">Colab</a>')
    assert problems == ["no Colab launch link to book/01_intro.ipynb (Colab links found: book/02_other.ipynb)"]
    # Pages that are not chapters (intro, api, search) need none.
    other = root / "book" / "other.html"
    assert problems_of(root, other) == []


def test_pages_skip_theme_files_and_probes(tmp_path):
    root, _ = make_book(tmp_path, "")
    (root / "_static").mkdir()
    (root / "_static" / "theme.html").write_text("<p>x</p>")
    (root / "book" / (check.PROBE_PREFIX + "01_intro.html")).write_text("<p>x</p>")
    assert [p.relative_to(root).as_posix() for p in check.book_pages(root)] == [
        "book/01_intro.html",
        "book/other.html",
        "index.html",
    ]


def test_probe_adds_the_width_script_and_makes_images_eager(tmp_path):
    root, page = make_book(tmp_path, '<img loading="lazy" src="../_images/ok.png">')
    probe = check.make_probe(page)
    html = probe.read_text()
    assert probe.parent == page.parent, "the probe must sit next to the page so relative links stay the same"
    assert 'loading="eager"' in html and 'loading="lazy"' not in html
    assert html.index(check.WIDTH_ATTR) < html.index("</body>")


# ---------------------------------------------------------------------------
# The command


def test_without_chromium_the_check_is_skipped(tmp_path, monkeypatch, capsys):
    root, _ = make_book(tmp_path, "")
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-browser"))
    assert check.main(["--html", str(root), "--screenshots", str(tmp_path / "shots")]) == 0
    assert "SKIPPED, Chromium not found" in capsys.readouterr().out


def test_without_a_built_book_it_fails(tmp_path, capsys):
    assert check.main(["--html", str(tmp_path / "nothing")]) == 2
    assert "run `make book` first" in capsys.readouterr().err


@pytest.mark.skipif(check.find_chromium() is None, reason="Chromium is not installed")
def test_in_chromium_end_to_end(tmp_path, capsys):
    root, page = make_book(tmp_path, '<p>ok</p><img src="../_images/ok.png"><img src="../_images/bad.png">')
    (root / "_images" / "bad.png").write_bytes(b"not a png")
    shots = tmp_path / "shots"
    assert check.main(["--html", str(root), "--screenshots", str(shots)]) == 1
    out = capsys.readouterr().out
    assert "FAIL book/01_intro.html" in out
    assert "did not decode in the browser (naturalWidth 0): ../_images/bad.png" in out
    assert "ok.png" not in out, "the valid PNG decodes"
    assert "ok   book/other.html" in out and "ok   index.html (redirects to book/01_intro.html)" in out
    assert sorted(p.name for p in shots.iterdir()) == ["book__01_intro.png", "book__other.png"]
    assert not list(root.rglob(check.PROBE_PREFIX + "*")), "probe files are removed"
    reports = [line.split()[1] for line in out.splitlines() if line.startswith(("ok ", "FAIL "))]
    assert reports == [p.relative_to(root).as_posix() for p in check.book_pages(root)], "pages render in parallel, reports in page order"


def test_workers_must_be_positive(tmp_path, capsys):
    root, _ = make_book(tmp_path, "")
    with pytest.raises(SystemExit):
        check.main(["--html", str(root), "--workers", "0"])
    assert "Invalid value for argument `workers`. Expected an integer >= 1. Received: workers=0" in capsys.readouterr().err
