r"""Every number in a chapter's prose appears in that chapter's code or outputs.

The book states measured numbers in its prose ("×2.13", "0.139 → 0.125", "about 10⁹"). When a
notebook is re-run, or a sentence is edited, the prose can drift away from the output it
describes. This test flags every number in a markdown cell that appears nowhere in the same
notebook's code cells or stored outputs, at the precision the prose writes it:

* a prose number matches a code/output number that *rounds* to it: "0.139" matches
  0.13912 and ``1.39e-01``; "12.6" does not match 12.69; "10⁸" (one significant digit)
  matches 1.2e8 but not 1e9;
* formats are normalised: ``1e9``, ``1e+09``, ``10^9``, ``10^{9}``, ``10⁹``,
  ``2.5 \times 10^{-3}``, ``1,000``, ``60\,000``, ``60k``; signs are ignored (prose says
  "falls by 0.3" for -0.3);
* a percentage "85 %" matches 85 or 0.85;
* not checked: integers up to 10 (counts, small constants), ordered-list markers, numbers
  inside identifiers and exponents (``conv4_2``, ``VGG16``, ``L2``, ``x^2``), years in a
  citation ("Gatys et al. 2015", "(2016)"), references ("chapter 7", "exercise 2",
  "tip 4", "section 3"), and URLs.

What is left and is not a measurement (a formula constant such as ln 10 ≈ 2.30, a layer
size written only in a formula) goes into ``tests/prose_numbers_allowlist.json``: per
notebook, the number as the prose writes it and the reason. An entry whose reason starts
with "TODO lead" is a prose/output mismatch in a chapter owned elsewhere, left for its owner
to fix. Entries that no longer match any flagged number fail the test, so the list
shrinks when the prose is fixed. To list what a notebook's prose leaves unmatched:
``.venv/bin/python -m tests.test_prose_numbers book/12_adain.ipynb``.
"""

import bisect
import json
import math
import re
from pathlib import Path

import pytest

from tests._notebooks import ROOT, toc_notebooks

ALLOWLIST = Path(__file__).with_name("prose_numbers_allowlist.json")

SMALL_INT = 10  # integers up to this are counts and constants, not measurements
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
# A number: digits with optional thousands separators (`,`, thin spaces, LaTeX `\,`), a decimal
# part, and an exponent (`e-3`, or `× 10^-3` / `\times 10^{-3}` / `·10^-3`, or a bare `10^9`).
_NUM = r"\d{1,3}(?:(?:,|\\,|\u2009|\u202f)\d{3})+(?!\d)|\d+"
NUMBER = re.compile(
    rf"(?P<mantissa>(?:{_NUM})(?:\.\d+)?|\.\d+)"
    r"(?:[eE](?P<exp>[+-]?\d+)"
    r"|\s*(?:×|\\times|\\cdot|·|x)\s*10\s*\^\s*\{?\s*(?P<exp10>[+-−]?\d+)\s*\}?)?"
    r"(?P<suffix>\s*%|\s*\\%|k\b|K\b|M\b|\s+(?:thousand|million|billion)\b)?"
)
POWER_OF_TEN = re.compile(r"(?<![\w.])10\s*\^\s*\{?\s*(?P<exp>[+-−]?\d+)\s*\}?")
# Words after which a number names a part of the book, not a measurement.
REFERENCE = re.compile(
    r"\b(?:chapters?|ch\.|sections?|exercises?|ex\.|tips?|parts?|cells?|figures?|fig\.|"
    r"equations?|eq\.|version|python|keras|tensorflow|tf)\s*(?:\d+(?:\.\d+)*\s*(?:,|and|or|to|–|-)\s*)*\Z",
    re.I,
)
CITATION_YEAR = re.compile(r"(?:et al\.?(?:'s|’s)?,?|[A-Z][A-Za-z'-]+,?|\(|&)\s*\Z")


# ---------------------------------------------------------------------------
# Reading numbers


def _prose_text(markdown: str) -> str:
    """The markdown's text with URLs, HTML tags, images and list markers removed."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", markdown)  # images
    text = re.sub(r"\]\([^)]*\)", "] ", text)  # link targets
    text = re.sub(r"<[^>]+>", " ", text)  # HTML tags and their attributes
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"(?m)^\s*\d+[.)]\s", " ", text)  # ordered-list markers
    text = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+", lambda m: "^{" + m.group(0).translate(SUPERSCRIPTS) + "}", text)
    return text.replace("−", "-")


def _value(match):
    """(value, tolerance) of a NUMBER match, or None when it is not a number we can read."""
    mantissa = re.sub(r",|\\,|\u2009|\u202f", "", match.group("mantissa"))
    exp = match.group("exp") or match.group("exp10") or "0"
    exp = int(exp.replace("−", "-"))
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    value = float(mantissa) * 10.0**exp
    tolerance = 0.5 * 10.0 ** (exp - decimals)
    suffix = (match.group("suffix") or "").strip().lstrip("\\")
    if "." not in mantissa and exp == 0 and not match.group("exp10") and not match.group("exp"):
        # An integer's trailing zeros are not significant ("about 550", "4,000 to 17,000 times"),
        # within 5 % of the value (a round 100 or 1,000 is still read closely).
        zeros = len(mantissa) - len(mantissa.rstrip("0"))
        tolerance = max(0.5, min(0.5 * 10.0**zeros, 0.05 * value))
    scale = {"k": 1e3, "K": 1e3, "M": 1e6, "thousand": 1e3, "million": 1e6, "billion": 1e9}.get(suffix, 1.0)
    return value * scale, tolerance * scale, suffix == "%"


def prose_numbers(markdown: str):
    """The numbers a markdown cell states: a list of (written, value, tolerance, is_percent)."""
    text = _prose_text(markdown)
    found = []
    taken = []  # spans already read as part of a number
    for m in POWER_OF_TEN.finditer(text):  # a bare 10^9 / 10⁹ / 10^{-6}: 1 significant digit
        before = text[: m.start()].rstrip()
        if re.search(r"(?:×|\\times|\\cdot|·|x)\Z", before):
            continue  # part of `2.5 × 10^-3`, read below
        exp = int(m.group("exp").replace("−", "-"))
        found.append((m.group(0), 10.0**exp, 0.5 * 10.0**exp, False))
        taken.append(m.span())
    for m in NUMBER.finditer(text):
        start, end = m.span()
        if any(a <= start < b for a, b in taken):
            continue
        before, after = text[:start], text[end:]
        if re.search(r"(?:[\w.^_]|[\^_]\{)\Z", before) and not re.search(r"(?:×|\\times)\Z", before):
            continue  # inside an identifier (conv4_2, VGG16, L2), a version, an exponent or subscript
        if re.match(r"[A-Za-z_]", after) and not re.match(r"(?:x\b|×|e\b|st\b|nd\b|rd\b|th\b)", after):
            if not m.group("suffix"):
                continue  # a name such as 3D, 2x2 handled below; units written apart are fine
        if re.match(r"(?:st|nd|rd|th)\b", after):
            continue  # an ordinal
        value, tolerance, percent = _value(m)
        written = m.group(0).strip()
        is_int = re.fullmatch(r"[\d,]+", written) is not None
        if is_int and value <= SMALL_INT:
            continue
        if REFERENCE.search(before[-60:]):
            continue
        if is_int and 1900 <= value <= 2030 and CITATION_YEAR.search(before[-40:]):
            continue
        found.append((written, value, tolerance, percent))
    return found


EVIDENCE_NUMBER = re.compile(r"(?<![\d.])(\d+(?:,\d{3})*(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?")


# Outputs whose digits are identifiers, not numbers: widget model ids, random hex ids, temporary paths.
IGNORED_MIMES = ("application/vnd.jupyter.widget-view+json",)
RANDOM_ID = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{12,}\b|/tmp/\S+")


def evidence_values(text: str):
    """Every number in code or outputs, as absolute values (thousands separators read)."""
    text = RANDOM_ID.sub(" ", text)
    values = []
    for m in EVIDENCE_NUMBER.finditer(text):
        mantissa = m.group(1).replace(",", "")
        try:
            values.append(float(mantissa) * 10.0 ** int(m.group(2) or 0))
        except (ValueError, OverflowError):
            continue
        if "," in m.group(1):  # also the parts, in case the commas separated a list: (1,000) vs (1,000,)
            values.extend(float(p) for p in m.group(1).split(",") if p and p.replace(".", "").isdigit())
    return values


class Evidence:
    """The sorted numbers of a notebook's code and outputs; answers "is there one that rounds to x?"."""

    def __init__(self, values):
        self.values = sorted(set(v for v in values if math.isfinite(v)))

    def has(self, value, tolerance):
        lo, hi = value - tolerance * (1 + 1e-9), value + tolerance * (1 + 1e-9)
        i = bisect.bisect_left(self.values, lo)
        return i < len(self.values) and self.values[i] <= hi

    def matches(self, value, tolerance, percent):
        if self.has(value, tolerance):
            return True
        return percent and self.has(value / 100, tolerance / 100)


def _source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _output_text(output):
    parts = []
    if "text" in output:
        parts.append(_source({"source": output["text"]}))
    for mime, data in output.get("data", {}).items():
        if mime.startswith("image/") or mime in IGNORED_MIMES:
            continue
        parts.append(data if isinstance(data, str) else "".join(data) if isinstance(data, list) else json.dumps(data))
    if output.get("output_type") == "error":
        parts.append("\n".join(output.get("traceback", [])))
    return "\n".join(parts)


def notebook_evidence(nb):
    """The numbers of every code cell's source and stored outputs."""
    chunks = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            chunks.append(_source(cell))
            chunks.extend(_output_text(o) for o in cell.get("outputs", []))
    return Evidence(evidence_values("\n".join(chunks)))


# A results file of the repository that a cell names, e.g. `benchmarks/models_speed.md`.
RESULTS_FILE = re.compile(r"`([\w./-]+\.(?:md|json|csv|txt))`")


def cited_files(markdown: str, root: Path = ROOT):
    """The repository's results files (md, json, csv, txt) that a markdown cell names in backticks."""
    return [root / p for p in RESULTS_FILE.findall(markdown) if (root / p).is_file()]


def unmatched_numbers(nb, root: Path = ROOT):
    """(cell index, written number, sentence) for each prose number with no code/output match.

    A cell that names a results file of the repository (`benchmarks/models_speed.md`) may also
    quote numbers from that file: they are checked against it.
    """
    notebook = notebook_evidence(nb)
    flagged = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        text = _source(cell)
        files = cited_files(text, root)
        evidence = notebook
        if files:
            quoted = evidence_values("\n".join(f.read_text(errors="replace") for f in files))
            evidence = Evidence(notebook.values + quoted)
        for written, value, tolerance, percent in prose_numbers(text):
            if not evidence.matches(value, tolerance, percent):
                flagged.append((index, written, _context(text, written)))
    return flagged


def _context(text, written, width=60):
    i = text.find(written)
    return " ".join(text[max(0, i - width) : i + len(written) + width].split()) if i >= 0 else ""


def load_allowlist():
    return json.loads(ALLOWLIST.read_text())


# ---------------------------------------------------------------------------
# The test over the book


NOTEBOOKS = toc_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_prose_numbers_appear_in_code_or_outputs(path):
    nb = json.loads(path.read_text())
    key = path.relative_to(ROOT).as_posix()
    allowed = load_allowlist().get(key, {})
    flagged = unmatched_numbers(nb)
    unexplained = [f"  cell {i}: {w!r} in: ...{ctx}..." for i, w, ctx in flagged if w not in allowed]
    assert not unexplained, (
        f"{key}: numbers in the prose that appear nowhere in the code or outputs (fix the prose, or add "
        f"the number with a reason to {ALLOWLIST.name}):\n" + "\n".join(unexplained)
    )
    stale = sorted(set(allowed) - {w for _, w, _ in flagged})
    assert not stale, f"{key}: allow-list entries that no longer match a flagged number (remove them): {stale}"


def test_allowlist_is_reviewed():
    allowlist = load_allowlist()
    listed = {p.relative_to(ROOT).as_posix() for p in NOTEBOOKS}
    for key, entries in allowlist.items():
        if key.startswith("_"):
            continue
        assert key in listed, f"{key} is not a notebook of the book"
        for number, reason in entries.items():
            assert isinstance(reason, str) and len(reason.split()) >= 3, f"{key}: {number!r} needs a reason"


# ---------------------------------------------------------------------------
# The reading itself, on hand-made text


def _written(markdown):
    return [w for w, *_ in prose_numbers(markdown)]


def test_reads_the_formats_the_prose_uses():
    got = {w: (v, t, p) for w, v, t, p in prose_numbers("0.139, 1.5e-3, 10⁹, 10^{-6}, 1,000, 85 %, ×2.54, 2.5 \\times 10^{-3}, 60k")}
    assert got["0.139"] == pytest.approx((0.139, 0.0005, False))
    assert got["1.5e-3"][:2] == pytest.approx((1.5e-3, 0.5e-4))
    assert got["10^{9}"][:2] == pytest.approx((1e9, 0.5e9))
    assert got["10^{-6}"][:2] == pytest.approx((1e-6, 0.5e-6))
    assert got["1,000"][:2] == pytest.approx((1000, 50))  # trailing zeros: within 5 %
    assert got["85 %"] == pytest.approx((85, 0.5, True))
    assert got["2.54"][:2] == pytest.approx((2.54, 0.005))
    assert got["2.5 \\times 10^{-3}"][:2] == pytest.approx((2.5e-3, 0.05e-3))
    assert got["60k"][:2] == pytest.approx((60000, 3000))  # 60, trailing zero: within 5 %


def test_skips_references_identifiers_years_and_small_integers():
    text = (
        "1. In chapter 11 (see exercise 12 and tip 4), conv4_2 and VGG16 with L2, "
        "Gatys et al. 2015 and (2016) showed $x^{12}$ on 3 of 7 images; "
        "see [the paper](https://arxiv.org/abs/1508.06576). It was 2015 images."
    )
    assert _written(text) == ["2015"]


def test_rounding_decides_a_match():
    ev = Evidence(evidence_values("print(0.13912, 12.69, 1e+09, 1,000, 0.85)"))
    for prose, ok in [
        ("0.139", True), ("0.14", True), ("0.1391", True), ("0.138", False),
        ("12.7", True), ("12.6", False), ("10⁹", True), ("10⁸", False), ("1e9", True),
        ("1,000", True), ("85 %", True), ("85.5 %", False), ("1.39e-01", True),
    ]:
        [(written, value, tol, pct)] = prose_numbers(prose)
        assert ev.matches(value, tol, pct) is ok, prose


def test_trailing_zeros_of_an_integer_are_not_significant():
    ev = Evidence(evidence_values("speed-up: 553x, 4031x; fid 111; n = 1,040"))
    for prose, ok in [("about 550", True), ("4,000", True), ("111", True), ("110", True), ("120", False), ("1,000", True), ("1,100", False), ("560", False)]:
        [(written, value, tol, pct)] = prose_numbers(prose)
        assert ev.matches(value, tol, pct) is ok, prose


def test_random_ids_are_not_evidence():
    ev = Evidence(evidence_values("model_id 82697e291adb422392b64bfa740b4365 in /tmp/ch9_59j5m1gw/x, epoch 12"))
    assert ev.values == [12.0]


def test_a_notebook_with_a_drifted_number_is_flagged():
    nb = {
        "cells": [
            {"cell_type": "code", "source": "ratio = 10.66", "outputs": [{"output_type": "stream", "name": "stdout", "text": "×12.69\n"}]},
            {"cell_type": "markdown", "source": "The step is 12.6 times slower; the forward pass 12.7 and 10.7 (chapter 9)."},
        ]
    }
    assert [(i, w) for i, w, _ in unmatched_numbers(nb)] == [(1, "12.6")]


def test_a_cell_may_quote_a_results_file_it_names(tmp_path):
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "speed.md").write_text("| step | 10.66 |\n| forward | 12.69 |\n")
    code = {"cell_type": "code", "source": "x = 1", "outputs": []}
    named = {"cell_type": "markdown", "source": "Measured in `bench/speed.md`: 10.7 and 12.7 times, not 12.6."}
    unnamed = {"cell_type": "markdown", "source": "Elsewhere, 10.7 times."}
    nb = {"cells": [code, named, unnamed]}
    assert [(i, w) for i, w, _ in unmatched_numbers(nb, root=tmp_path)] == [(1, "12.6"), (2, "10.7")]


if __name__ == "__main__":  # `.venv/bin/python -m tests.test_prose_numbers book/12_adain.ipynb`: list what is flagged
    import sys

    allowlist = load_allowlist()
    for arg in sys.argv[1:] or [str(p) for p in NOTEBOOKS]:
        path = Path(arg).resolve()
        key = path.relative_to(ROOT).as_posix()
        for index, written, context in unmatched_numbers(json.loads(path.read_text())):
            mark = "allowed" if written in allowlist.get(key, {}) else "FLAGGED"
            print(f"{key} cell {index}: {mark} {written!r} ...{context}...")
