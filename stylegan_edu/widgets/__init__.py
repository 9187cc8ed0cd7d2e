"""Interactive ipywidgets panels used by the chapters.

Each panel lives in its own submodule and is re-exported here. Panels redraw
synchronously when a control's ``.value`` changes, so tests can drive them by
setting values and reading the displayed image back.
"""

from stylegan_edu.widgets._latent import LatentExplorer, latent_explorer

__all__ = ["LatentExplorer", "latent_explorer"]
