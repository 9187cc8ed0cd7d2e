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
def _xla_accepts(flags):
    """Whether this machine's XLA starts with ``flags`` in XLA_FLAGS (a subprocess of about 2 s, once per value)."""
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "XLA_FLAGS": " ".join(flags)}
    probe = "import jax.numpy as jnp; (jnp.arange(3.0) * 2).block_until_ready()"
    return subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, timeout=120).returncode == 0


def _fast_compile_flags():
    """The options of FAST_COMPILE_FLAGS that XLA accepts: all of them in one probe, else each one on its own."""
    if _xla_accepts(FAST_COMPILE_FLAGS):
        return FAST_COMPILE_FLAGS
    return tuple(f for f in FAST_COMPILE_FLAGS if _xla_accepts((f,)))


def jax_cpu_env(xla_optimisations=False, **extra):
    """`os.environ` plus KERAS_BACKEND=jax on the CPU; XLA's cheaper compilation unless optimisations are asked for
    (a subprocess that times steps keeps them: it should time what users run)."""
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", **extra}
    if not xla_optimisations:
        env["XLA_FLAGS"] = " ".join(f for f in (env.get("XLA_FLAGS", ""), *_fast_compile_flags()) if f)
    return env
