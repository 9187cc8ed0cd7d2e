"""Every chapter notebook: listed in the TOC, the common header, strict nbval.

nbval itself runs the notebooks (`make test-notebooks`); these tests check
what nbval cannot: the book's structure and each notebook's conventions.
"""

import json
import re

import pytest

from tests._notebooks import ROOT, toc_entries, toc_notebooks

BOOK_NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))


def _load(path):
    return json.loads(path.read_text())


def _source(cell):
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def test_every_notebook_is_in_toc_and_back():
    listed = {ROOT / f"{e}.ipynb" for e in toc_entries() if e.startswith("book/") and (ROOT / f"{e}.ipynb").exists()}
    assert set(BOOK_NOTEBOOKS) == listed, "book/*.ipynb and _toc.yml disagree"
    for entry in toc_entries():
        assert any((ROOT / f"{entry}{ext}").exists() for ext in (".ipynb", ".md")), f"_toc.yml lists {entry}, which does not exist"


@pytest.mark.parametrize("path", BOOK_NOTEBOOKS, ids=lambda p: p.name)
def test_header(path):
    cells = _load(path)["cells"]
    head = _source(cells[0])
    assert cells[0]["cell_type"] == "markdown"
    lines = [l for l in head.splitlines() if l.strip()]
    assert lines[0].startswith("# "), "the first line is the title"
    assert not lines[1].startswith(("#", "**")), "the second line is a one-line summary"
    assert re.search(r"\*\*Prerequisites:\*\*", head), "the header names the prerequisites"
    assert re.search(r"\*\*GPU:\*\* optional", head), "the header says 'GPU: optional'"
    install = _source(cells[1])
    assert cells[1]["cell_type"] == "code"
    assert '"google.colab" in sys.modules' in install and "pip install" in install, "a Colab install cell comes second"
    imports = _source(cells[2])
    assert cells[2]["cell_type"] == "code" and "import stylegan_edu" in imports, "the imports cell comes third"


@pytest.mark.parametrize("path", BOOK_NOTEBOOKS, ids=lambda p: p.name)
def test_most_outputs_are_compared_strictly(path):
    code = [c for c in _load(path)["cells"] if c["cell_type"] == "code" and c.get("outputs")]
    ignored = [c for c in code if "NBVAL_IGNORE_OUTPUT" in _source(c) or "NBVAL_SKIP" in _source(c)]
    assert code, "the notebook has stored outputs (an honest full run)"
    assert len(ignored) * 2 <= len(code), f"{len(ignored)} of {len(code)} code cells with output are not compared"


@pytest.mark.parametrize("path", BOOK_NOTEBOOKS, ids=lambda p: p.name)
def test_executed_in_order_without_errors(path):
    counts = []
    for cell in _load(path)["cells"]:
        if cell["cell_type"] != "code":
            continue
        assert not any(o.get("output_type") == "error" for o in cell.get("outputs", [])), _source(cell)[:200]
        if cell.get("execution_count") is not None:
            counts.append(cell["execution_count"])
    assert counts == sorted(counts) and counts == list(range(1, len(counts) + 1)), "run the notebook top to bottom once"


@pytest.mark.parametrize("path", BOOK_NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_are_hidden_and_exercises_present(path):
    cells = _load(path)["cells"]
    solution_cells = [c for c in cells if c["cell_type"] == "code" and ".solution()" in _source(c)]
    for cell in solution_cells:
        tags = cell.get("metadata", {}).get("tags", [])
        assert {"hide-output", "hide-cell"} & set(tags), "solutions are hidden behind a toggle in the book"
    checks = [c for c in cells if c["cell_type"] == "code" and ".check(" in _source(c)]
    assert len(checks) >= 3, "each chapter ends with at least three exercises"


def test_toc_notebooks_exist():
    assert toc_notebooks(), "at least one chapter"


@pytest.mark.parametrize("path", BOOK_NOTEBOOKS, ids=lambda p: p.name)
def test_colab_install_cell_does_nothing_outside_colab(path, monkeypatch):
    """Run the install cell as IPython would, outside Colab: no magic may be called."""
    import sys

    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(_source(_load(path)["cells"][1]))
    calls = []

    class _FakeShell:
        def run_line_magic(self, *args, **kwargs):
            calls.append(args)

        def system(self, *args, **kwargs):
            calls.append(args)

    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(code, "<install cell>", "exec"), {"get_ipython": lambda: _FakeShell()})
    assert calls == [], f"the install cell ran {calls} outside Colab"
    # And inside Colab it does install the package.
    monkeypatch.setitem(sys.modules, "google.colab", object())
    exec(compile(code, "<install cell>", "exec"), {"get_ipython": lambda: _FakeShell()})
    assert calls and "stylegan_edu" in " ".join(map(str, calls[0]))


def test_the_longest_first_list_names_files_that_exist():
    """conftest.py's LONGEST_FIRST orders collection for the two test workers; a renamed file would drop out of it
    silently (the run stays correct, only the order changes), so its entries must exist and be distinct."""
    import conftest

    assert len(set(conftest.LONGEST_FIRST)) == len(conftest.LONGEST_FIRST)
    for path in conftest.LONGEST_FIRST:
        assert (ROOT / path).is_file(), f"conftest.LONGEST_FIRST lists {path}, which does not exist"
