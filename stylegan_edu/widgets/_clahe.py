"""The CLAHE panel of chapter 11: clip-limit and tile-grid sliders, the image and its histogram."""

import numpy as np

from stylegan_edu._io import figure_png, png_bytes
from stylegan_edu._validation import check_float_range, check_positive_int, invalid


def clahe_panel(image, clip_limit=0.01, tile_grid=(8, 8), max_tiles=16, backend="skimage"):
    """An ipywidgets panel: CLAHE of ``image`` with a clip-limit and two tile sliders.

    Moving a slider recomputes :func:`stylegan_edu.clahe.clahe` and redraws,
    synchronously (in the call that sets ``.value``), the input beside its
    enhancement and both histograms (256 bins), so you can watch the clip
    limit cap the histogram's peaks and the tile grid make the result more or
    less local.

    Args:
        image: uint8 or float in [0, 1], grey or RGB (shown as luminance).
        clip_limit: the initial normalised clip limit, in [0.001, 1].
        tile_grid: the initial (rows, columns).
        max_tiles: the tile sliders' maximum.
        backend: ``"skimage"`` or ``"opencv"``.

    Returns:
        ClahePanel: an ``ipywidgets.VBox``. Its ``clip`` (``FloatLogSlider``),
        ``rows`` and ``cols`` (``IntSlider``) drive it; ``array`` (the
        enhanced (H, W) float image), ``histogram`` (its 256 bin counts) and
        ``redraws`` (a counter) let code read it.

    Example:

    >>> import numpy as np
    >>> img = np.random.default_rng(0).uniform(0.3, 0.6, (64, 64))
    >>> panel = clahe_panel(img, tile_grid=(2, 2))
    >>> before = panel.array.copy()
    >>> panel.clip.value = 0.05
    >>> bool(panel.redraws == 2 and (panel.array != before).any())
    True
    """
    return ClahePanel(image, clip_limit=clip_limit, tile_grid=tile_grid, max_tiles=max_tiles, backend=backend)


try:  # the class needs ipywidgets at definition time; the package imports without it
    import ipywidgets as _widgets

    _Base = _widgets.VBox
except ImportError:  # pragma: no cover - ipywidgets is a runtime dependency
    _Base = object


class ClahePanel(_Base):
    """See :func:`clahe_panel`."""

    def __init__(self, image, clip_limit=0.01, tile_grid=(8, 8), max_tiles=16, backend="skimage"):
        import ipywidgets as widgets

        from stylegan_edu.clahe import to_luminance
        from stylegan_edu.clahe.classical import _check_tile_grid

        self.input = to_luminance(image)  # (H, W) float64 in [0, 1]
        max_tiles = check_positive_int("max_tiles", max_tiles)
        h, w = self.input.shape
        ty, tx = _check_tile_grid(tile_grid, self.input.shape)
        if max(ty, tx) > max_tiles:
            raise invalid("tile_grid", f"at most {max_tiles} tiles per side (max_tiles)", f"tile_grid={tuple(tile_grid)!r}")
        check_float_range("clip_limit", clip_limit, 0.001, 1.0)  # a str or bool is not a clip limit
        self.backend = backend
        self.clip = widgets.FloatLogSlider(value=float(clip_limit), base=10, min=-3, max=0, step=0.1,
                                           description="clip limit", readout_format=".3f", continuous_update=False)
        self.rows = widgets.IntSlider(value=ty, min=1, max=min(max_tiles, h), description="tile rows",
                                      continuous_update=False)
        self.cols = widgets.IntSlider(value=tx, min=1, max=min(max_tiles, w), description="tile columns",
                                      continuous_update=False)
        self.image = widgets.Image(format="png")
        self.plot = widgets.Image(format="png")
        self.redraws = 0
        super().__init__([widgets.HBox([self.clip, self.rows, self.cols]), self.image, self.plot])
        for control in (self.clip, self.rows, self.cols):
            control.observe(lambda change: self.redraw(), names="value")
        self.redraw()

    def redraw(self):
        """Recompute CLAHE with the current slider values and redraw image and histograms."""
        from matplotlib.figure import Figure

        from stylegan_edu.clahe import clahe

        self.array = clahe(self.input, float(self.clip.value), (int(self.rows.value), int(self.cols.value)),
                           backend=self.backend)  # (H, W) float64
        self.histogram = np.histogram(self.array, bins=256, range=(0.0, 1.0))[0]  # (256,)
        self.image.value = png_bytes(np.concatenate([self.input, self.array], axis=1))  # (H, 2W)
        fig = Figure(figsize=(8, 2.2))
        ax = fig.add_subplot(1, 1, 1)
        centres = (np.arange(256) + 0.5) / 256
        ax.fill_between(centres, np.histogram(self.input, bins=256, range=(0.0, 1.0))[0], step="mid", alpha=0.5,
                        label="input")
        ax.fill_between(centres, self.histogram, step="mid", alpha=0.5, label="CLAHE")
        ax.set_xlabel("grey level")
        ax.set_ylabel("pixels")
        ax.set_title(f"clip limit {self.clip.value:.3f}, tiles {self.rows.value} x {self.cols.value}")
        ax.legend(loc="upper right")
        fig.tight_layout()
        self.plot.value = figure_png(fig)
        self.redraws += 1
