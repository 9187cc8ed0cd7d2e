"""Loading a repository script (``scripts/``, ``benchmarks/``) as a module, so that a test calls its functions or its
``main`` in the test process."""

import importlib.util
import sys

from tests._notebooks import ROOT


def load_script(path):
    """The script at ``path`` (relative to the repository root) as a module, registered in ``sys.modules`` under its
    file name (dataclasses look their module up there). The script's folder is on ``sys.path`` while it loads, as
    when it is run, so that it can import its neighbours (``benchmarks/_timing.py``)."""
    file = ROOT / path
    spec = importlib.util.spec_from_file_location(file.stem, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    sys.path.insert(0, str(file.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(file.parent))
    return module
