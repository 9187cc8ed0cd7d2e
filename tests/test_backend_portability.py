"""Models, losses and metrics also run on Keras' JAX backend (convention 5).

The checks live in scripts/check_backend.py, which is also what runs on a GPU
machine; here it runs on JAX's CPU backend in a subprocess (the backend is
chosen once per process, and this test process uses TensorFlow).
"""

import json
import subprocess
import sys

import pytest

from tests._jax_subprocess import jax_cpu_env
from tests._notebooks import ROOT


def test_package_runs_on_jax_backend(tmp_path, shared_data):
    pytest.importorskip("jax", reason="the dev extra installs jax; install it to run this check")
    out = tmp_path / "jax.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_backend.py"), "--data", shared_data, "--json", str(out)],
        env=jax_cpu_env(), capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = json.loads(out.read_text())
    assert summary["backend"] == "jax" and summary["failed"] == 0 and summary["passed"] >= 10


def test_gan_step_benchmark_still_starts(tmp_path):
    """benchmarks/gan_step_backends.py (the CPU/GPU step timing quoted in chapter 9) still runs."""
    pytest.importorskip("jax", reason="the dev extra installs jax")
    env = jax_cpu_env(xla_optimisations=True)
    out = tmp_path / "steps"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "gan_step_backends.py"), "--steps", "2", "--batch", "8", "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (entry,) = json.loads(out.with_suffix(".json").read_text())["entries"]
    (row,) = entry["results"]
    assert entry["device_platform"] == "cpu" and row["batch"] == 8 and row["seconds_per_step"] > 0
    assert "ms/step" in out.with_suffix(".md").read_text()
