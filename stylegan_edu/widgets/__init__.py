"""Interactive ipywidgets panels used by the chapters.

Each panel lives in its own submodule and is re-exported here. Panels redraw
synchronously when a control's ``.value`` changes, so tests can drive them by
setting values and reading the displayed image back. :func:`snapshot` draws any
panel's current images and control values as a static figure, for the rendered
book, where widgets cannot run. The two style-transfer
panels are views over the pixel-optimisation engine
(:mod:`stylegan_edu.pixel_optimisation`).
"""

from stylegan_edu.widgets._clahe import ClahePanel, clahe_panel
from stylegan_edu.widgets._latent import LatentExplorer, latent_explorer
from stylegan_edu.widgets._mixed_loss import MixedLossPanel, mixed_loss_panel
from stylegan_edu.widgets._static import snapshot
from stylegan_edu.widgets._style_transfer import StyleTransferPanel, style_transfer_panel
from stylegan_edu.widgets._stylegan import NoisePanel, StyleMixingPanel, TruncationPanel, noise_panel, style_mixing_panel, \
    truncation_panel

__all__ = ["ClahePanel", "clahe_panel", "LatentExplorer", "latent_explorer", "MixedLossPanel", "mixed_loss_panel",
           "StyleTransferPanel", "style_transfer_panel", "StyleMixingPanel", "style_mixing_panel", "TruncationPanel",
           "truncation_panel", "NoisePanel", "noise_panel", "snapshot"]
