"""The chapter 10 panel: choose a photograph, a painting, the weights and the steps; run; look."""

from stylegan_edu._validation import check_positive_int, invalid
from stylegan_edu.losses import MixedLossWeights

PARTS = ("content", "style", "tv")


def style_transfer_panel(contents=("astronaut", "chelsea", "coffee", "rocket"), styles=None, weights=None, steps=50,
                         size=128, max_steps=1000, extractor=None, auto_run=False, **stylize_options):
    r"""An ipywidgets panel around :func:`stylegan_edu.style_transfer.stylize`.

    Two drop-downs choose the content photograph and the painting (their
    previews redraw at once), three log-scale sliders set the weights
    :math:`(\lambda, \mu, \gamma)` of the normalised mixed loss, a slider sets
    the number of steps, and *Run* stylises and redraws the result and the
    final loss parts. Everything is synchronous, so code can drive it: set
    ``panel.content.value``, ``panel.sliders["style"].value``, ``panel.steps.value``,
    then call ``panel.run()`` (what the button does).

    Args:
        contents: the photographs offered: ``skimage.data`` names, paths or arrays.
        styles: the paintings offered; default every shipped one
            (:func:`stylegan_edu.data.list_style_images`).
        weights: the sliders' starting :class:`~stylegan_edu.losses.MixedLossWeights`;
            default :data:`stylegan_edu.style_transfer.DEFAULT_WEIGHTS`. Each in [1e-4, 1e4].
        steps: the steps slider's starting value.
        size: the long side of the result, in pixels.
        max_steps: the steps slider's maximum.
        extractor: a ready VGG extractor; default: built by ``stylize``
            (ImageNet VGG16, or seeded random weights offline).
        auto_run: also run when a control changes (else only on *Run*).
        **stylize_options: passed on to ``stylize`` (``learning_rate``, ``seed``, ``init``, ...).

    Returns:
        StyleTransferPanel: an ``ipywidgets.VBox`` with attributes ``content``,
        ``style`` (``Dropdown``), ``sliders`` (dict of ``FloatLogSlider``),
        ``steps`` (``IntSlider``), ``button``, ``image``, ``content_preview``,
        ``style_preview`` (``ipywidgets.Image``), ``status`` (``HTML``), and
        after a run ``array`` ((H, W, 3) in [0, 1]) and ``history``.

    Example:

    >>> from stylegan_edu.features import vgg16_extractor
    >>> from stylegan_edu.style_transfer import DEFAULT_CONTENT_LAYERS, DEFAULT_STYLE_LAYERS
    >>> vgg = vgg16_extractor(DEFAULT_CONTENT_LAYERS + DEFAULT_STYLE_LAYERS, weights=None)
    VGG16: using seeded random weights (seed 0), as asked (weights=None). Features are not ImageNet features.
    >>> panel = style_transfer_panel(contents=["camera"], steps=2, size=64, extractor=vgg, progress=False)
    >>> panel.style.value = "the_scream_munch"; panel.array is None
    True
    >>> image = panel.run()
    >>> image.shape, len(panel.history["total"])
    ((64, 64, 3), 2)
    """
    return StyleTransferPanel(contents=contents, styles=styles, weights=weights, steps=steps, size=size,
                              max_steps=max_steps, extractor=extractor, auto_run=auto_run, **stylize_options)


def _widget_base():
    import ipywidgets

    return ipywidgets.VBox


class StyleTransferPanel(_widget_base()):
    """The panel that :func:`style_transfer_panel` returns (an ``ipywidgets.VBox``)."""

    LOG_MIN, LOG_MAX = -4, 4  # slider range: 10^-4 .. 10^4

    def __init__(self, contents=("astronaut",), styles=None, weights=None, steps=50, size=128, max_steps=1000,
                 extractor=None, auto_run=False, **stylize_options):
        import ipywidgets as w

        from stylegan_edu.data import list_style_images
        from stylegan_edu.style_transfer import DEFAULT_WEIGHTS, load_image

        weights = DEFAULT_WEIGHTS if weights is None else weights
        if not isinstance(weights, MixedLossWeights):
            raise invalid("weights", "a MixedLossWeights instance", f"weights of type {type(weights).__name__}")
        for k in PARTS:
            v = getattr(weights, k)
            if not 10.0 ** self.LOG_MIN <= v <= 10.0 ** self.LOG_MAX:
                raise invalid(f"weights.{k}", f"a weight in [1e{self.LOG_MIN}, 1e{self.LOG_MAX}] (the log sliders' range)",
                              f"{k}={v!r}")
        self._size = check_positive_int("size", size, 32)
        max_steps = check_positive_int("max_steps", max_steps)
        steps = check_positive_int("steps", steps)
        if steps > max_steps:
            raise invalid("steps", f"an integer in [1, max_steps={max_steps}]", f"steps={steps}")
        styles = list_style_images() if styles is None else list(styles)
        if not list(contents) or not styles:
            raise invalid("contents", "at least one content and one style image", f"{len(list(contents))} and {len(styles)}")
        # Load every choice once, now: a bad name fails here, with load_image's message.
        self._images = {}
        options = {}
        for role, items in (("content", contents), ("style", styles)):
            labels = []
            for i, item in enumerate(items):
                label = item if isinstance(item, str) else f"{role} image {i + 1}"
                self._images[(role, label)] = load_image(item, self._size, name=role)  # (H, W, 3)
                labels.append(label)
            options[role] = labels
        self._extractor = extractor
        self._options = dict(stylize_options)

        self.content = w.Dropdown(options=options["content"], description="content")
        self.style = w.Dropdown(options=options["style"], description="style")
        self.sliders = {
            k: w.FloatLogSlider(value=getattr(weights, k), base=10, min=self.LOG_MIN, max=self.LOG_MAX, step=0.25,
                                description={"content": "content λ", "style": "style μ", "tv": "TV γ"}[k],
                                continuous_update=False, readout_format=".1e")
            for k in PARTS
        }
        self.steps = w.IntSlider(value=steps, min=1, max=max_steps, step=1, description="steps", continuous_update=False)
        self.button = w.Button(description="Run", tooltip="stylise with these settings")
        self.content_preview, self.style_preview = w.Image(format="png"), w.Image(format="png")
        self.image = w.Image(format="png")
        self.status = w.HTML("<small>Press Run.</small>")
        self.array, self.history, self.weights_source = None, None, None
        controls = w.VBox([self.content, self.style, *self.sliders.values(), self.steps, self.button, self.status])
        pictures = w.HBox([w.VBox([w.HTML("content"), self.content_preview]), w.VBox([w.HTML("style"), self.style_preview]),
                           w.VBox([w.HTML("result"), self.image])])
        super().__init__([w.HBox([controls, pictures])])
        self.content.observe(lambda _: self._preview(), names="value")
        self.style.observe(lambda _: self._preview(), names="value")
        self.button.on_click(lambda _: self.run())
        if auto_run:
            for control in (self.content, self.style, *self.sliders.values(), self.steps):
                control.observe(lambda _: self.run(), names="value")
        self._preview()

    @property
    def weights(self):
        """The sliders' current :class:`~stylegan_edu.losses.MixedLossWeights`."""
        return MixedLossWeights(**{k: float(s.value) for k, s in self.sliders.items()})

    def _preview(self):
        from stylegan_edu.widgets._latent import _png

        self.content_preview.value = _png(self._images[("content", self.content.value)], 1)
        self.style_preview.value = _png(self._images[("style", self.style.value)], 1)

    def run(self):
        """Stylise with the current choices and redraw; returns the image (H, W, 3) in [0, 1]."""
        from stylegan_edu.style_transfer import stylize
        from stylegan_edu.widgets._latent import _png

        self.status.value = "<small>running...</small>"
        result = stylize(self._images[("content", self.content.value)], self._images[("style", self.style.value)],
                         steps=int(self.steps.value), weights=self.weights, size=self._size,
                         extractor=self._extractor, **self._options)
        self.array, self.history, self.weights_source = result.image, result.history, result.weights_source
        self.image.value = _png(self.array, 1)
        parts = ", ".join(f"{k} {self.history[k][-1]:.3g}" for k in ("total", *PARTS))
        self.status.value = (f"<small>{len(self.history['total'])} steps, {result.seconds_per_step:.2f} s/step; "
                             f"{parts}; VGG weights: {self.weights_source}</small>")
        return self.array

    def __repr__(self):
        w = self.weights
        return (f"StyleTransferPanel(content={self.content.value!r}, style={self.style.value!r}, "
                f"weights=({w.content:.2g}, {w.style:.2g}, {w.tv:.2g}), steps={self.steps.value})")
