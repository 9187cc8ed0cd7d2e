"""Execute chapter notebooks top to bottom and store their outputs.

Committed notebooks carry the outputs of an honest full run: run this without
``--quick`` before committing a notebook. It

* executes every cell in a fresh kernel of this environment (nbclient),
* with ``STYLEGAN_EDU_QUICK`` unset (full run) or set (``--quick``, to try),
* strips TensorFlow's C++ start-up log lines (machine-dependent noise that
  ``TF_CPP_MIN_LOG_LEVEL`` cannot silence) from stderr outputs,
* and writes the notebook back in place.

Usage::

    .venv/bin/python scripts/run_notebooks.py book/01_cross_entropy.ipynb [...] [--quick]
"""

import argparse
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

TF_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IWE]\d{4} [0-9:. ]+\d+ [a-z_]+\.(cc|h):\d+\].*"
    r"|To enable the following instructions:.*rebuild TensorFlow with the appropriate compiler flags\.)$"
)


def clean_outputs(nb):
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                lines = [l for l in out["text"].splitlines(keepends=True) if not TF_NOISE.match(l.rstrip("\n"))]
                if not "".join(lines).strip():
                    continue
                out["text"] = "".join(lines)
            kept.append(out)
        cell["outputs"] = kept
        cell.metadata.pop("execution", None)
    return nb


def run(path, quick, timeout):
    env_before = os.environ.get("STYLEGAN_EDU_QUICK")
    if quick:
        os.environ["STYLEGAN_EDU_QUICK"] = "1"
    else:
        os.environ.pop("STYLEGAN_EDU_QUICK", None)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(Path(path).parent)}})
    t0 = time.time()
    try:
        client.execute()
    finally:
        if env_before is None:
            os.environ.pop("STYLEGAN_EDU_QUICK", None)
        else:
            os.environ["STYLEGAN_EDU_QUICK"] = env_before
    nbformat.write(clean_outputs(nb), path)
    return time.time() - t0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--quick", action="store_true", help="run in quick mode (to try; do not commit those outputs)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        seconds = run(path, args.quick, args.timeout)
        print(f"{path}: executed ({'quick' if args.quick else 'full'} mode) in {seconds:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
