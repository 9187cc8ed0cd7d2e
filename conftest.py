"""Root pytest configuration, loaded for unit tests and notebooks alike.

Notebook kernels inherit this process's environment. A non-inline
matplotlib backend there (MPLBACKEND=Agg, common on CI) would make every
``plt.show()`` display nothing, so stored figure outputs would go missing.
Kernels must use the inline backend: drop the variable before any kernel
starts. Unit tests set their own backend in tests/conftest.py.
"""

import os

if os.environ.get("MPLBACKEND", "").lower() in {"agg", "pdf", "svg", "ps", "cairo", "template"}:
    os.environ.pop("MPLBACKEND")
