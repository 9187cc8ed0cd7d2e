"""Models, losses and metrics also run on Keras' JAX backend (convention 5).

The checks live in scripts/check_backend.py, which is also what runs on a GPU
machine; here it runs on JAX's CPU backend in a subprocess (the backend is
chosen once per process, and this test process uses TensorFlow).
"""

import json
import os
import subprocess
import sys

import pytest

from tests._notebooks import ROOT


def test_package_runs_on_jax_backend(tmp_path, shared_data):
    pytest.importorskip("jax", reason="the dev extra installs jax; install it to run this check")
    out = tmp_path / "jax.json"
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_backend.py"), "--data", shared_data, "--json", str(out)],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = json.loads(out.read_text())
    assert summary["backend"] == "jax" and summary["failed"] == 0 and summary["passed"] >= 10
