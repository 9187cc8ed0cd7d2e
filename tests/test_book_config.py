"""The book's configuration: math renders offline (no CDN), the notebooks are not re-executed by the build."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mathjax_comes_from_a_package_not_a_cdn():
    config = (ROOT / "_config.yml").read_text()
    extensions = re.search(r"extra_extensions:\n((?:\s+- .*\n)+)", config).group(1)
    assert "sphinx-mathjax-offline" in extensions, "without it every formula shows as raw LaTeX offline"
    assert "mathjax_path" not in config, "a mathjax_path would point the pages back at a CDN"
    pyproject = (ROOT / "pyproject.toml").read_text()
    book_extra = re.search(r"book = \[(.*?)\]", pyproject, re.S).group(1)
    assert "sphinx-mathjax-offline" in book_extra


def test_the_build_renders_stored_outputs():
    assert re.search(r'execute_notebooks:\s*"off"', (ROOT / "_config.yml").read_text())
