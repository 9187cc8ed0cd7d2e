"""The mixed-loss panel (chapter 7): one slider per weight, re-running the pixel-optimisation engine.

The panel is a view over a :class:`~stylegan_edu.pixel_optimisation.PixelOptimiser`:
the engine holds the images, their targets and the traced step; a slider
move calls its ``run`` with the new weights (no new tracing).
"""

from stylegan_edu._validation import invalid

PARTS = ("content", "style", "tv")
_LABELS = {"content": "content λ", "style": "style μ", "tv": "TV γ"}


def weight_sliders(weights, log_min, log_max):
    """One ``FloatLogSlider`` per weight of ``weights``, from 10^log_min to 10^log_max (shared by the panels)."""
    import ipywidgets

    from stylegan_edu.pixel_optimisation import StyleTransferConfig

    weights = StyleTransferConfig(weights=weights).weights  # a MixedLossWeights, or the config's error
    for k in PARTS:
        v = getattr(weights, k)
        if not 10.0 ** log_min <= v <= 10.0 ** log_max:
            raise invalid(f"weights.{k}", f"a weight in [1e{log_min}, 1e{log_max}] (the log sliders' range)", f"{k}={v!r}")
    return {k: ipywidgets.FloatLogSlider(value=getattr(weights, k), base=10, min=log_min, max=log_max, step=0.25,
                                         description=_LABELS[k], continuous_update=False, readout_format=".1e")
            for k in PARTS}


def mixed_loss_panel(optimiser, auto_run=True, zoom=2, **settings):
    r"""An ipywidgets panel: one log-scale slider per weight of the mixed loss, and the result.

    Moving a slider (or pressing *Run*) calls ``optimiser.run(weights=...)``
    (a fresh run from the start image) and redraws the image and the weighted
    parts. Redrawing is synchronous (no event loop needed), so code can drive
    the panel: set ``panel.sliders["style"].value``, or call ``panel.run()``.

    Args:
        optimiser: a :class:`~stylegan_edu.pixel_optimisation.PixelOptimiser`
            (its config sets the layers, the loss units and the other settings).
        auto_run: re-run when a slider moves (on release); else only on *Run*.
        zoom: the image is shown enlarged this many times.
        **settings: settings of every run (``weights``, the sliders' start,
            each in [1e-8, 1e4]; ``steps``, ``learning_rate``, ``init``,
            ``seed``); default the optimiser's config.

    Returns:
        MixedLossPanel: an ``ipywidgets.VBox``. Its attributes ``sliders``
        (dict of ``FloatLogSlider``), ``button``, ``image`` (``ipywidgets.Image``),
        ``status`` (``HTML``), ``array`` (the last result, (H, W, 3)) and
        ``history`` let code drive and read it.

    Example:

    >>> import contextlib, io
    >>> from stylegan_edu.pixel_optimisation import PixelOptimiser, StyleTransferConfig
    >>> config = StyleTransferConfig(size=32, steps=2, normalise=False, vgg_weights=None,
    ...                              content_layers=["block2_conv1"], style_layers=["block1_conv1"])
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     optimiser = PixelOptimiser("camera", "brick", config)
    >>> panel = mixed_loss_panel(optimiser)
    >>> before = panel.array.copy()
    >>> panel.sliders["tv"].value = 10.0
    >>> bool(abs(panel.array - before).max() > 0)
    True
    """
    return MixedLossPanel(optimiser, auto_run=auto_run, zoom=zoom, **settings)


def _widget_base():
    import ipywidgets

    return ipywidgets.VBox


class WeightsPanel(_widget_base()):
    """What both style-transfer panels share: one slider per weight (``self.sliders``), a *Run* button, auto-run."""

    @property
    def weights(self):
        """The sliders' current :class:`~stylegan_edu.losses.MixedLossWeights`."""
        from stylegan_edu.losses import MixedLossWeights

        return MixedLossWeights(**{k: float(s.value) for k, s in self.sliders.items()})

    def _connect(self, controls, auto_run):
        """Run on *Run*; with ``auto_run`` also when one of ``controls`` changes."""
        self.button.on_click(lambda _: self.run())
        if auto_run:
            for control in controls:
                control.observe(lambda _: self.run(), names="value")


class MixedLossPanel(WeightsPanel):
    """The panel that :func:`mixed_loss_panel` returns (an ``ipywidgets.VBox``)."""

    LOG_MIN, LOG_MAX = -8, 4  # slider range: 10^-8 .. 10^4

    def __init__(self, optimiser, auto_run=True, zoom=2, **settings):
        import ipywidgets as w

        from stylegan_edu._validation import check_positive_int
        from stylegan_edu.pixel_optimisation import RUN_SETTINGS, PixelOptimiser

        if not isinstance(optimiser, PixelOptimiser):
            raise invalid("optimiser", "a stylegan_edu.pixel_optimisation.PixelOptimiser", f"optimiser of type {type(optimiser).__name__}")
        self.optimiser = optimiser
        config = optimiser.run_config(**settings)  # validated: only the settings a run may change
        self._settings = {k: getattr(config, k) for k in RUN_SETTINGS if k != "weights"}
        self._zoom = check_positive_int("zoom", zoom)
        self.sliders = weight_sliders(config.weights, self.LOG_MIN, self.LOG_MAX)
        self.button = w.Button(description="Run", tooltip=f"re-run {config.steps} optimisation steps")
        self.image = w.Image(format="png")
        self.status = w.HTML()
        self.array, self.history = None, None
        caption = w.HTML(f"<small>VGG weights: {optimiser.weights_label}; {config.steps} Adam steps "
                         f"from the {config.init} image</small>")
        super().__init__([w.HBox([w.VBox([*self.sliders.values(), self.button, self.status]), w.VBox([self.image, caption])])])
        self._connect(self.sliders.values(), auto_run)
        self.run()

    def run(self):
        """Re-run the optimisation with the sliders' weights and redraw; returns the image (H, W, 3)."""
        from stylegan_edu._io import png_bytes

        self.array, self.history = self.optimiser.run(weights=self.weights, **self._settings)
        self.image.value = png_bytes(self.array, zoom=self._zoom)
        self.status.value = "<br>".join(f"{k}: {self.history[k][-1]:.3g}" for k in PARTS)
        return self.array

    def __repr__(self):
        w = self.weights
        return f"MixedLossPanel(content={w.content:.2g}, style={w.style:.2g}, tv={w.tv:.2g}, steps={self._settings['steps']})"
