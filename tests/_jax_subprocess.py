"""The environment for a subprocess that runs the package on Keras' JAX backend, on the CPU.

The backend is chosen once per process and the test process uses TensorFlow, so JAX checks
run in a subprocess. Those checks make many small, one-off calls, each compiled by XLA; on a
CPU compiling costs more than running. Two XLA options make compiling cheaper with the same
results (scripts/check_backend.py on a 2-core CPU):

* ``--xla_backend_optimization_level=0``: 166 s -> 78 s;
* ``--xla_cpu_use_fusion_emitters=false`` on top (XLA's older code generator for fused
  operations, jaxlib 0.10.2): 75 s -> 53 s, the same 16 results to the printed digit.

The GPU run of that script keeps XLA's defaults. An XLA that no longer knows an option
refuses to start, so each option is kept only if a tiny JAX program runs with it.
"""

import functools
import os
import subprocess
import sys

FAST_COMPILE_FLAGS = ("--xla_backend_optimization_level=0", "--xla_cpu_use_fusion_emitters=false")


@functools.lru_cache(maxsize=None)
def _xla_accepts(flag):
    """Whether this machine's XLA starts with ``flag`` in XLA_FLAGS (a subprocess, about 2 s, once per flag)."""
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "XLA_FLAGS": flag}
    probe = "import jax.numpy as jnp; (jnp.arange(3.0) * 2).block_until_ready()"
    return subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, timeout=120).returncode == 0


def jax_cpu_env(xla_optimisations=False, **extra):
    """`os.environ` plus KERAS_BACKEND=jax on the CPU; XLA's cheaper compilation unless optimisations are asked for
    (a subprocess that times steps keeps them: it should time what users run)."""
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", **extra}
    if not xla_optimisations:
        flags = [env.get("XLA_FLAGS", ""), *(f for f in FAST_COMPILE_FLAGS if _xla_accepts(f))]
        env["XLA_FLAGS"] = " ".join(f for f in flags if f)
    return env
