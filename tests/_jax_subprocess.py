"""The environment for a subprocess that runs the package on Keras' JAX backend, on the CPU.

The backend is chosen once per process and the test process uses TensorFlow, so JAX checks
run in a subprocess. Those checks make many small, one-off calls, each compiled by XLA; at
XLA's default optimisation level compiling costs more than running. Level 0 halved the
backend check (scripts/check_backend.py: 166 s -> 78 s on a 2-core CPU) with the same
results; the GPU run of that script keeps XLA's defaults.
"""

import os


def jax_cpu_env(xla_optimisations=False, **extra):
    """`os.environ` plus KERAS_BACKEND=jax on the CPU; XLA's backend optimisations off unless asked for
    (a subprocess that times steps keeps them: it should time what users run)."""
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", **extra}
    if not xla_optimisations:
        env["XLA_FLAGS"] = " ".join(f for f in (env.get("XLA_FLAGS", ""), "--xla_backend_optimization_level=0") if f)
    return env
