"""The mixed-loss panel: one slider per weight of the mixed loss, re-running a short optimisation.

Also the helpers behind chapter 7's measurements:
:func:`measure_mixed_loss_parts` (each part's size and gradient norm),
:class:`MixedLossOptimiser` and :func:`optimise_mixed_loss` (a short image
optimisation under given weights).
"""

import math
import numbers

import numpy as np

from stylegan_edu._validation import check_choice, check_positive_int, invalid


#: Layers used by default: one deep layer for content, the first conv of four blocks for style
#: (Gatys et al.'s choice, without block 5 so that 64 px images still give 4x4 maps).
DEFAULT_CONTENT_LAYERS = ("block4_conv2",)
DEFAULT_STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1")
PARTS = ("content", "style", "tv")


def _losses():
    """``stylegan_edu.losses``, imported on first use (it imports Keras; importing this module does not)."""
    from stylegan_edu import losses

    return losses


def _weights(weights, name="weights"):
    """``weights``, or the article's defaults for ``None``; anything else is an error."""
    MixedLossWeights = _losses().MixedLossWeights
    if weights is None:
        return MixedLossWeights()
    if not isinstance(weights, MixedLossWeights):
        raise invalid(name, "a MixedLossWeights instance (or None for the article's (1, 100, 1e-6))",
                      f"{type(weights).__name__}")
    return weights


def _image(name, image):
    a = np.asarray(image, dtype=np.float32)
    if a.ndim == 4 and a.shape[0] == 1:
        a = a[0]
    if a.ndim != 3 or a.shape[-1] != 3:
        raise invalid(name, "one RGB image of shape (H, W, 3) with values in [0, 1]", f"shape {a.shape}")
    if not np.all(np.isfinite(a)) or a.min() < 0 or a.max() > 1:
        raise invalid(name, "finite values in [0, 1]", f"min={np.nanmin(a):g}, max={np.nanmax(a):g}")
    return a  # (H, W, 3)


def _setup(content_image, style_image, extractor, content_layers, style_layers):
    """Validate; return (content (H, W, 3), content targets, style Gram targets)."""
    content = _image("content_image", content_image)
    style = _image("style_image", style_image)
    names = tuple(getattr(extractor, "layer_names", ()))
    if not callable(extractor) or not names:
        raise invalid("extractor", "a feature extractor from stylegan_edu.features.vgg16_extractor", f"{extractor!r:.80}")
    content_layers, style_layers = tuple(content_layers), tuple(style_layers)
    missing = sorted(set(content_layers + style_layers) - set(names))
    if missing:
        raise invalid("extractor", f"an extractor computing the layers {sorted(set(content_layers + style_layers))}",
                      f"an extractor without {missing} (it has {list(names)})")
    fc = extractor(content[None])  # {layer: (1, h, w, C)}
    fs = extractor(style[None])
    content_targets = {k: fc[k] for k in content_layers}
    style_grams = {k: _losses().gram_matrix(fs[k]) for k in style_layers}  # {layer: (1, C, C)}
    return content, content_targets, style_grams, content_layers, style_layers


def _loss_fn(extractor, content_targets, style_grams, content_layers, style_layers, weights, tv_kind):
    def loss(x):  # x: (1, H, W, 3)
        f = extractor(x)
        return _losses().mixed_loss({k: f[k] for k in content_layers}, content_targets,
                          {k: f[k] for k in style_layers}, style_grams, x, weights=weights, tv_kind=tv_kind)

    return loss


def measure_mixed_loss_parts(image, content_image, style_image, extractor, weights=None,
                             content_layers=DEFAULT_CONTENT_LAYERS, style_layers=DEFAULT_STYLE_LAYERS, tv_kind="l1"):
    r"""Each part of the mixed loss at ``image``: raw size, weighted size, and their gradient norms.

    Formula:
        For each part :math:`L_k` with weight :math:`w_k`, the raw value
        :math:`L_k(x)`, the weighted value :math:`w_k L_k(x)`, the raw
        gradient norm :math:`\|\nabla_x L_k\|_2` and the weighted one
        :math:`w_k \|\nabla_x L_k\|_2`, the size of the push the optimiser feels.

    Args:
        image: the image x being optimised, (H, W, 3) in [0, 1].
        content_image: the content target's image, (H, W, 3) in [0, 1].
        style_image: the style image, (H', W', 3) in [0, 1].
        extractor: a feature extractor computing every layer named below.
        weights: a :class:`~stylegan_edu.losses.MixedLossWeights`; ``None``
            for the article's (1, 100, 1e-6).
        content_layers: layers of the content term.
        style_layers: layers of the style term.
        tv_kind: ``"l1"`` or ``"l2"``.

    Returns:
        dict: ``{part: {"raw", "weighted", "grad_raw", "grad_weighted"}}`` (floats) for
        ``"content"``, ``"style"``, ``"tv"``.

    Example:

    >>> import numpy as np
    >>> from stylegan_edu.features import vgg16_extractor
    >>> vgg = vgg16_extractor(["block1_conv1", "block2_conv1"], weights=None)
    VGG16: using seeded random weights (seed 0), as asked (weights=None). Features are not ImageNet features.
    >>> img = np.random.default_rng(0).uniform(size=(32, 32, 3)).astype("float32")
    >>> m = measure_mixed_loss_parts(img, img, img[::-1], vgg, content_layers=["block2_conv1"],
    ...                              style_layers=["block1_conv1"])
    >>> m["content"]["raw"], m["content"]["grad_raw"]  # x is its own content target
    (0.0, 0.0)
    """
    import tensorflow as tf

    weights = _weights(weights)
    x0 = _image("image", image)
    _, ct, sg, cl, sl = _setup(content_image, style_image, extractor, content_layers, style_layers)
    unit = _losses().MixedLossWeights(content=1.0, style=1.0, tv=1.0)
    x = tf.constant(x0[None])  # (1, H, W, 3)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        _, parts = _loss_fn(extractor, ct, sg, cl, sl, unit, tv_kind)(x)
    out = {}
    for k in PARTS:
        g = tape.gradient(parts[k], x)
        gnorm = 0.0 if g is None else float(tf.norm(g))
        w = getattr(weights, k)
        raw = float(parts[k])
        out[k] = {"raw": raw, "weighted": w * raw, "grad_raw": gnorm, "grad_weighted": w * gnorm}
    del tape
    return out


class MixedLossOptimiser:
    r"""Optimises an image under the mixed loss; traced once, re-run cheaply with new weights.

    Formula:
        Adam on the pixels, clipped to [0, 1] after each step:

        .. math:: x_{t+1} = \mathrm{clip}_{[0,1]}\big(x_t - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)\big),
                  \quad g_t = \nabla_x [\lambda L_\mathrm{content} + \mu L_\mathrm{style} + \gamma TV](x_t)

        with Adam's moments :math:`\hat m_t, \hat v_t` of :math:`g_t`
        (:math:`\beta_1 = 0.9, \beta_2 = 0.999, \epsilon = 10^{-7}`, as Keras).

    The weights and the learning rate are inputs of one traced step, so a
    new run with other weights costs no new tracing (what a slider needs).

    Args:
        content_image: (H, W, 3) in [0, 1]; its features are the content target.
        style_image: (H', W', 3) in [0, 1]; its Gram matrices are the style target.
        extractor: a feature extractor computing every layer named below
            (:func:`stylegan_edu.features.vgg16_extractor`).
        content_layers: layers of the content term.
        style_layers: layers of the style term.
        tv_kind: ``"l1"`` or ``"l2"``.
    """

    def __init__(self, content_image, style_image, extractor, content_layers=DEFAULT_CONTENT_LAYERS,
                 style_layers=DEFAULT_STYLE_LAYERS, tv_kind="l1"):
        import tensorflow as tf

        check_choice("tv_kind", tv_kind, ("l1", "l2"))
        self.content, ct, sg, cl, sl = _setup(content_image, style_image, extractor, content_layers, style_layers)
        unit = _losses().MixedLossWeights(content=1.0, style=1.0, tv=1.0)
        parts_of = _loss_fn(extractor, ct, sg, cl, sl, unit, tv_kind)  # raw (unit-weight) parts
        shape = (1,) + self.content.shape  # (1, H, W, 3)
        self._x = tf.Variable(tf.zeros(shape))
        self._m = tf.Variable(tf.zeros(shape))  # Adam's first moment
        self._v = tf.Variable(tf.zeros(shape))  # Adam's second moment
        self._t = tf.Variable(0.0)
        x, m, v, t = self._x, self._m, self._v, self._t

        @tf.function
        def step(w, lr):  # w: (3,) weights (content, style, tv); lr: scalar
            with tf.GradientTape() as tape:
                _, raw = parts_of(x)
                parts = tf.stack([raw["content"], raw["style"], raw["tv"]]) * w  # (3,) weighted parts
                total = tf.reduce_sum(parts)
            g = tape.gradient(total, x)  # (1, H, W, 3)
            t.assign_add(1.0)
            m.assign(0.9 * m + 0.1 * g)
            v.assign(0.999 * v + 0.001 * tf.square(g))
            m_hat, v_hat = m / (1.0 - 0.9 ** t), v / (1.0 - 0.999 ** t)
            x.assign(tf.clip_by_value(x - lr * m_hat / (tf.sqrt(v_hat) + 1e-7), 0.0, 1.0))
            return total, parts

        self._step = step

    def run(self, weights=None, steps=20, learning_rate=0.02, init="content", seed=0):
        """Run ``steps`` Adam steps from ``init`` (Adam's state starts afresh).

        Args:
            weights: a :class:`~stylegan_edu.losses.MixedLossWeights`; ``None``
                for the article's (1, 100, 1e-6).
            steps: number of steps.
            learning_rate: Adam's step size, in pixel units (images in [0, 1]).
            init: ``"content"`` (start from the content image), ``"noise"``
                (uniform noise drawn from ``seed``) or an (H, W, 3) array.
            seed: seed of the noise start.

        Returns:
            tuple: ``(image, history)``: the (H, W, 3) float32 image in [0, 1] and
            ``{"total", "content", "style", "tv"}`` lists of the weighted values at
            each step (before that step's update).
        """
        import tensorflow as tf

        weights = _weights(weights)
        steps = check_positive_int("steps", steps)
        if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real) or not (
                math.isfinite(learning_rate) and learning_rate > 0):
            raise invalid("learning_rate", "a positive, finite float", f"learning_rate={learning_rate!r}")
        if isinstance(init, str):
            check_choice("init", init, ("content", "noise"))
            x0 = self.content if init == "content" else np.random.default_rng(seed).uniform(
                size=self.content.shape).astype(np.float32)
        else:
            x0 = _image("init", init)
            if x0.shape != self.content.shape:
                raise invalid("init", f"an image of the content image's shape {self.content.shape}", f"shape {x0.shape}")
        self._x.assign(x0[None])
        self._m.assign(tf.zeros_like(self._m))
        self._v.assign(tf.zeros_like(self._v))
        self._t.assign(0.0)
        w = tf.constant([weights.content, weights.style, weights.tv], tf.float32)
        lr = tf.constant(learning_rate, tf.float32)
        history = {k: [] for k in ("total",) + PARTS}
        for _ in range(steps):
            total, parts = self._step(w, lr)
            parts = parts.numpy()
            history["total"].append(float(total))
            for k, value in zip(PARTS, parts):
                history[k].append(float(value))
        return self._x.numpy()[0], history


def optimise_mixed_loss(content_image, style_image, extractor, weights=None, steps=20,
                        learning_rate=0.02, init="content", seed=0, content_layers=DEFAULT_CONTENT_LAYERS,
                        style_layers=DEFAULT_STYLE_LAYERS, tv_kind="l1"):
    r"""Optimise an image under the mixed loss with Adam, for a few steps (one-off).

    A shortcut for ``MixedLossOptimiser(...).run(...)``; to try several
    weights on the same images, build one :class:`MixedLossOptimiser` and call
    its ``run`` (traced once).

    Formula:
        .. math:: x_{t+1} = \mathrm{clip}_{[0,1]}\big(x_t - \mathrm{Adam}(\nabla_x
                  [\lambda L_\mathrm{content} + \mu L_\mathrm{style} + \gamma TV](x_t))\big)

    Args:
        content_image: (H, W, 3) in [0, 1]; its features are the content target.
        style_image: (H', W', 3) in [0, 1]; its Gram matrices are the style target.
        extractor: a feature extractor computing every layer named below.
        weights: a :class:`~stylegan_edu.losses.MixedLossWeights`; ``None``
            for the article's (1, 100, 1e-6).
        steps: number of Adam steps.
        learning_rate: Adam's step size (in pixel units, images in [0, 1]).
        init: ``"content"``, ``"noise"`` or an (H, W, 3) array.
        seed: seed of the noise start.
        content_layers: layers of the content term.
        style_layers: layers of the style term.
        tv_kind: ``"l1"`` or ``"l2"``.

    Returns:
        tuple: ``(image, history)``, see :meth:`MixedLossOptimiser.run`.

    Example:

    >>> import numpy as np
    >>> from stylegan_edu.features import vgg16_extractor
    >>> vgg = vgg16_extractor(["block1_conv1", "block2_conv1"], weights=None)
    VGG16: using seeded random weights (seed 0), as asked (weights=None). Features are not ImageNet features.
    >>> rng = np.random.default_rng(0)
    >>> c, s = rng.uniform(size=(2, 32, 32, 3)).astype("float32")
    >>> out, hist = optimise_mixed_loss(c, s, vgg, steps=3, content_layers=["block2_conv1"],
    ...                                 style_layers=["block1_conv1"])
    >>> out.shape, len(hist["total"]), hist["total"][-1] < hist["total"][0]
    ((32, 32, 3), 3, True)
    """
    optimiser = MixedLossOptimiser(content_image, style_image, extractor, content_layers, style_layers, tv_kind)
    return optimiser.run(weights, steps=steps, learning_rate=learning_rate, init=init, seed=seed)


def mixed_loss_panel(content_image, style_image, extractor, weights=None, steps=10,
                     learning_rate=0.02, auto_run=True, zoom=2, **options):
    r"""An ipywidgets panel: one log-scale slider per weight of the mixed loss, and the result.

    Moving a slider (or pressing *Run*) re-runs :func:`optimise_mixed_loss`
    from the content image for ``steps`` steps and redraws the image and the
    weighted parts. Redrawing is synchronous (no event loop needed), so code
    can drive the panel: set ``panel.sliders["style"].value``, or call
    ``panel.run()``.

    Args:
        content_image: (H, W, 3) in [0, 1].
        style_image: (H', W', 3) in [0, 1].
        extractor: a feature extractor computing the layers used.
        weights: the sliders' starting :class:`~stylegan_edu.losses.MixedLossWeights`
            (each must be > 0: the sliders are logarithmic, 1e-8 to 1e4);
            ``None`` for the article's (1, 100, 1e-6).
        steps: optimisation steps per run.
        learning_rate: Adam's step size.
        auto_run: re-run when a slider moves (on release); else only on *Run*.
        zoom: the image is shown enlarged this many times.
        **options: ``content_layers``, ``style_layers``, ``tv_kind`` (see
            :class:`MixedLossOptimiser`), ``init`` and ``seed`` (see its ``run``).

    Returns:
        MixedLossPanel: an ``ipywidgets.VBox``. Its attributes ``sliders``
        (dict of ``FloatLogSlider``), ``button``, ``image`` (``ipywidgets.Image``),
        ``status`` (``HTML``), ``array`` (the last result, (H, W, 3)) and
        ``history`` let code drive and read it.

    Example:

    >>> import numpy as np
    >>> from stylegan_edu.features import vgg16_extractor
    >>> vgg = vgg16_extractor(["block1_conv1", "block2_conv1"], weights=None)
    VGG16: using seeded random weights (seed 0), as asked (weights=None). Features are not ImageNet features.
    >>> c, s = np.random.default_rng(0).uniform(size=(2, 32, 32, 3)).astype("float32")
    >>> panel = mixed_loss_panel(c, s, vgg, steps=2, content_layers=["block2_conv1"], style_layers=["block1_conv1"])
    >>> before = panel.array.copy()
    >>> panel.sliders["tv"].value = 10.0
    >>> bool(np.abs(panel.array - before).max() > 0)
    True
    """
    return MixedLossPanel(content_image, style_image, extractor, weights=weights, steps=steps,
                          learning_rate=learning_rate, auto_run=auto_run, zoom=zoom, **options)


def _widget_base():
    import ipywidgets

    return ipywidgets.VBox


class MixedLossPanel(_widget_base()):
    """The panel that :func:`mixed_loss_panel` returns (an ``ipywidgets.VBox``)."""

    LOG_MIN, LOG_MAX = -8, 4  # slider range: 10^-8 .. 10^4

    def __init__(self, content_image, style_image, extractor, weights=None, steps=10,
                 learning_rate=0.02, auto_run=True, zoom=2, **options):
        import ipywidgets as w

        weights = _weights(weights)
        for k in PARTS:
            v = getattr(weights, k)
            if not 10.0 ** self.LOG_MIN <= v <= 10.0 ** self.LOG_MAX:
                raise invalid(f"weights.{k}", f"a weight in [1e{self.LOG_MIN}, 1e{self.LOG_MAX}] (the log sliders' range)",
                              f"{k}={v!r}")
        self._content = _image("content_image", content_image)
        self._style = _image("style_image", style_image)
        self._options = dict(options)
        self._seed = self._options.pop("seed", 0)
        self._init = self._options.pop("init", "content")
        self._steps = check_positive_int("steps", steps)
        self._lr = learning_rate
        self._zoom = check_positive_int("zoom", zoom)
        self.optimiser = MixedLossOptimiser(self._content, self._style, extractor, **self._options)  # traced once
        self.sliders = {
            k: w.FloatLogSlider(value=getattr(weights, k), base=10, min=self.LOG_MIN, max=self.LOG_MAX, step=0.25,
                                description={"content": "content λ", "style": "style μ", "tv": "TV γ"}[k],
                                continuous_update=False, readout_format=".1e")
            for k in PARTS
        }
        self.button = w.Button(description="Run", tooltip=f"re-run {self._steps} optimisation steps")
        self.image = w.Image(format="png")
        self.status = w.HTML()
        self.array, self.history = None, None
        source = getattr(extractor, "weights_source", "unknown")
        caption = w.HTML(f"<small>VGG weights: {source}; {self._steps} Adam steps from the content image</small>")
        super().__init__([w.HBox([w.VBox([*self.sliders.values(), self.button, self.status]), w.VBox([self.image, caption])])])
        self.button.on_click(lambda _: self.run())
        if auto_run:
            for slider in self.sliders.values():
                slider.observe(lambda _: self.run(), names="value")
        self.run()

    @property
    def weights(self):
        """The sliders' current :class:`~stylegan_edu.losses.MixedLossWeights`."""
        return _losses().MixedLossWeights(**{k: float(s.value) for k, s in self.sliders.items()})

    def run(self):
        """Re-run the optimisation with the sliders' weights and redraw."""
        from stylegan_edu.widgets._latent import _png

        self.array, self.history = self.optimiser.run(self.weights, steps=self._steps, learning_rate=self._lr,
                                                      init=self._init, seed=self._seed)
        self.image.value = _png(self.array, self._zoom)
        last = {k: self.history[k][-1] for k in PARTS}
        self.status.value = "<br>".join(f"{k}: {v:.3g}" for k, v in last.items())
        return self.array

    def __repr__(self):
        w = self.weights
        return f"MixedLossPanel(content={w.content:.2g}, style={w.style:.2g}, tv={w.tv:.2g}, steps={self._steps})"
