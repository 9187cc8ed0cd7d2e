"""Helpers for the notebook tests: which notebooks the book lists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def toc_entries():
    """The `file:` entries of _toc.yml that are not commented out."""
    entries = []
    for line in (ROOT / "_toc.yml").read_text().splitlines():
        stripped = line.split("#", 1)[0]
        m = re.search(r"(?:file|root):\s*(\S+)", stripped)
        if m:
            entries.append(m.group(1))
    return entries


def toc_notebooks():
    return [ROOT / f"{e}.ipynb" for e in toc_entries() if (ROOT / f"{e}.ipynb").exists()]
