"""book/api.md's chapter-to-module map agrees with what each chapter's code cells use."""

import importlib
import json
import re

import pytest

from tests._notebooks import ROOT

API = ROOT / "book" / "api.md"
PACKAGE = ROOT / "stylegan_edu"
_FROM = re.compile(r"^\s*from\s+(stylegan_edu(?:\.\w+)*)\s+import\s+\(?([^)#\n]+)", re.M)
_IMPORT = re.compile(r"^\s*import\s+(stylegan_edu(?:\.\w+)*)", re.M)
_ATTRIBUTE = re.compile(r"\b(stylegan_edu(?:\.\w+)+)")


def _is_module(dotted):
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _module_of(dotted):
    """The longest prefix of ``stylegan_edu.a.b.name`` that is a module: ``stylegan_edu.a.b``."""
    parts = dotted.split(".")
    while len(parts) > 1 and not _is_module(".".join(parts)):
        parts.pop()
    return ".".join(parts)


def modules_used(notebook):
    """Every ``stylegan_edu`` module a notebook's code cells import or reach by attribute."""
    used = set()
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        for package, names in _FROM.findall(source):
            used.add(_module_of(package))
            for name in re.split(r"[,\s]+", names):
                if name and name != "as" and _is_module(f"{package}.{name}"):
                    used.add(f"{package}.{name}")
        used.update(_module_of(m) for m in _IMPORT.findall(source))
        used.update(_module_of(m) for m in _ATTRIBUTE.findall(source))
    return used


def top_level(module):
    """``stylegan_edu.clahe.degradations`` -> ``stylegan_edu.clahe``: the map lists top-level modules."""
    return ".".join(module.split(".")[:2])


def api_map():
    """``{module: set of chapter numbers}`` from the table in book/api.md."""
    rows = re.findall(r"^\| `(stylegan_edu[\w.]*)` \| ([^|]*) \|", API.read_text(), re.M)
    table = {}
    for module, chapters in rows:
        assert module not in table, f"{module} is listed twice in book/api.md"
        table[module] = {int(c) for c in re.findall(r"\d+", chapters)}
    return table


CHAPTERS = {int(nb.name[:2]): nb for nb in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))}


def test_map_is_not_empty_and_lists_real_modules():
    table = api_map()
    assert "stylegan_edu.losses" in table and len(table) >= 10
    for module in table:
        importlib.import_module(module)


@pytest.mark.parametrize("number", sorted(CHAPTERS))
def test_every_module_a_chapter_uses_is_in_the_map(number):
    table = api_map()
    used = modules_used(CHAPTERS[number])
    assert used, f"chapter {number} uses nothing from stylegan_edu?"
    private = sorted(m for m in used if any(part.startswith("_") for part in m.split(".")[1:]))
    assert not private, f"chapter {number} imports private modules {private}: use a public one"
    missing = sorted(m for m in {top_level(m) for m in used} if number not in table.get(m, set()))
    assert not missing, f"book/api.md's map lacks chapter {number} for {missing}"


def test_map_lists_no_chapter_that_does_not_use_the_module():
    used = {n: {top_level(m) for m in modules_used(nb)} for n, nb in CHAPTERS.items()}
    for module, chapters in api_map().items():
        extra = sorted(n for n in chapters if module not in used.get(n, set()))
        assert not extra, f"book/api.md says chapters {extra} use {module}, but their code does not"


def test_every_public_module_is_mapped_and_documented():
    public = {f"stylegan_edu.{p.stem}" for p in PACKAGE.glob("*.py") if not p.stem.startswith("_")}
    public |= {f"stylegan_edu.{p.parent.name}" for p in PACKAGE.glob("*/__init__.py") if not p.parent.name.startswith("_")}
    public = {m for m in public if m != "stylegan_edu.__main__"} | {"stylegan_edu"}
    table = api_map()
    assert public <= set(table), f"add to book/api.md's map: {sorted(public - set(table))}"
    text = API.read_text()
    for module in table:
        assert f"## `{module}`" in text, f"book/api.md has no section for {module}"


def test_modules_appear_in_book_order():
    order = [min(chapters) for chapters in api_map().values() if chapters]
    assert order == sorted(order), "book/api.md lists the modules in the order the book first uses them"


def test_every_public_module_declares_its_api():
    """``__all__`` in every public module (subpackages and exercise modules included), naming real objects."""
    import pkgutil

    import stylegan_edu

    for info in pkgutil.walk_packages(stylegan_edu.__path__, "stylegan_edu."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        module = importlib.import_module(info.name)
        names = getattr(module, "__all__", None)
        assert names is not None, f"{info.name} has no __all__"
        assert not [n for n in names if not hasattr(module, n)], f"{info.name}.__all__ names missing objects"
