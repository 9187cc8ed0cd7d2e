"""Panels for a style-based generator (chapter 13): style mixing, truncation, new noise.

Each panel redraws synchronously when a control's ``.value`` changes (no event
loop needed), so tests and scripts can drive it; ``figure()`` draws the current
state with matplotlib, for the static pages of the rendered book.
"""

import numbers

import numpy as np

from stylegan_edu._io import png_bytes
from stylegan_edu._validation import check_float_range, check_positive_int, invalid


def _check_generator(generator):
    from stylegan_edu.latent_space import _check_generator as check  # one check for every StyleGAN tool

    return check(generator)


def _labelled_row(labels, images):
    """One row of images, each under its label."""
    import ipywidgets as w

    return w.HBox([w.VBox([label, image]) for label, image in zip(labels, images)])


def _redraw_on(panel, controls):
    """Redraw ``panel`` whenever one of ``controls`` changes value."""
    for control in controls:
        control.observe(lambda change: panel.redraw(), names="value")


def _check_seed_boxes(panel, names):
    """A seed typed into a box must be >= 0 (the boxes are plain IntText)."""
    for name in names:
        value = getattr(panel, name).value
        if value < 0:
            raise invalid(name, "an int >= 0", f"{name}={value}")


def _z(generator, seed):
    return np.random.default_rng(seed).standard_normal((1, generator.latent_dim)).astype(np.float32)  # (1, latent_dim)


def _to_unit(x):
    return np.clip((np.asarray(x, np.float32) + 1.0) / 2.0, 0.0, 1.0)  # [-1, 1] -> [0, 1]


def _widget_base():
    import ipywidgets

    return ipywidgets.VBox


def style_mixing_panel(generator, seed_a=0, seed_b=1, crossover=3, zoom=5):
    r"""An ipywidgets panel: two seeds and a crossover slider; shows A, B and their mix.

    The mix reads A's w in the layers with w index below the crossover k (the
    coarse layers when k is small) and B's w in the rest:
    ``mix_styles(w_A, w_B, k)``. k = 0 gives B, k = ``num_ws`` gives A. The
    noise inputs are fixed (``noise="const"``), so only the styles change.

    Args:
        generator: a :class:`~stylegan_edu.models.StyleGANGenerator`.
        seed_a: seed of z_A (an int >= 0).
        seed_b: seed of z_B.
        crossover: k in [0, num_ws].
        zoom: the images are shown enlarged this many times.

    Returns:
        StyleMixingPanel: an ``ipywidgets.VBox`` with ``seed_a``, ``seed_b``
        (``IntText``), ``crossover`` (``IntSlider``), ``images`` (three
        ``ipywidgets.Image``), ``arrays`` (A, B, mix as (S, S) arrays in
        [-1, 1]) and ``figure()``.

    Example:

    >>> from stylegan_edu.models import MappingConfig, StyleGANGenerator, StyleGANGeneratorConfig, SynthesisConfig
    >>> g = StyleGANGenerator(StyleGANGeneratorConfig(MappingConfig(latent_dim=8, w_dim=8, num_layers=2, seed=0),
    ...                                               SynthesisConfig(channels=(8, 8, 8, 8), w_dim=8, seed=0)))
    >>> panel = style_mixing_panel(g, crossover=0)
    >>> import numpy as np
    >>> bool(np.allclose(panel.arrays[2], panel.arrays[1]))  # k = 0: every layer reads B
    True
    >>> panel.crossover.value = 8
    >>> bool(np.allclose(panel.arrays[2], panel.arrays[0]))  # k = num_ws: every layer reads A
    True
    """
    return StyleMixingPanel(generator, seed_a=seed_a, seed_b=seed_b, crossover=crossover, zoom=zoom)


class StyleMixingPanel(_widget_base()):
    """The panel that :func:`style_mixing_panel` returns."""

    def __init__(self, generator, seed_a=0, seed_b=1, crossover=3, zoom=5):
        import ipywidgets as w

        self._g = _check_generator(generator)
        check_positive_int("seed_a", seed_a, minimum=0)
        check_positive_int("seed_b", seed_b, minimum=0)
        num_ws = self._g.num_ws
        if isinstance(crossover, bool) or not isinstance(crossover, numbers.Integral) or not 0 <= crossover <= num_ws:
            raise invalid("crossover", f"an integer layer index in [0, {num_ws}] (num_ws={num_ws})", f"crossover={crossover!r}")
        self._zoom = check_positive_int("zoom", zoom)
        self.seed_a = w.IntText(value=seed_a, description="seed A")
        self.seed_b = w.IntText(value=seed_b, description="seed B")
        self.crossover = w.IntSlider(value=int(crossover), min=0, max=num_ws, step=1, description="crossover k",
                                     continuous_update=True)
        self.images = [w.Image(format="png") for _ in range(3)]
        self.arrays = [None, None, None]
        self.labels = [w.HTML("A"), w.HTML("B"), w.HTML("mix")]
        super().__init__([w.HBox([self.seed_a, self.seed_b]), self.crossover, _labelled_row(self.labels, self.images)])
        _redraw_on(self, (self.seed_a, self.seed_b, self.crossover))
        self.redraw()

    def redraw(self):
        """Recompute A, B and the mix for the current controls."""
        from stylegan_edu.stylegan import mix_styles

        _check_seed_boxes(self, ("seed_a", "seed_b"))
        g = self._g
        w_a = np.asarray(g.mapping(_z(g, self.seed_a.value)))  # (1, w_dim)
        w_b = np.asarray(g.mapping(_z(g, self.seed_b.value)))
        ws = np.concatenate([np.asarray(g.broadcast(w_a)), np.asarray(g.broadcast(w_b)),
                             np.asarray(mix_styles(w_a, w_b, int(self.crossover.value), g.num_ws))])  # (3, num_ws, w_dim)
        out = np.asarray(g.synthesize(ws, noise="const"))[..., 0]  # (3, S, S)
        self.arrays = list(out)
        k = int(self.crossover.value)
        self.labels[0].value, self.labels[1].value = f"A (seed {self.seed_a.value})", f"B (seed {self.seed_b.value})"
        self.labels[2].value = f"mix: w0..w{k - 1} from A" if k else "mix: all from B"
        for im, a in zip(self.images, out):
            im.value = png_bytes(_to_unit(a), zoom=self._zoom)

    def figure(self):
        """The current A, B and mix as a matplotlib figure (for static pages): :func:`~stylegan_edu.widgets.snapshot`."""
        from stylegan_edu.widgets._static import snapshot

        return snapshot(self, title=f"Style mixing: w0..w{self.crossover.value - 1} from A, the rest from B"
                        if self.crossover.value else "Style mixing: every style from B")


def truncation_panel(generator, seeds=tuple(range(8)), psi=1.0, zoom=3):
    r"""An ipywidgets panel: a truncation slider ψ over a row of samples.

    Each sample is :math:`g(\bar w + \psi (f(z) - \bar w))` with fixed noise;
    at ψ = 0 every seed gives the same image.

    Args:
        generator: a :class:`~stylegan_edu.models.StyleGANGenerator`.
        seeds: the seeds of the z's shown (1 to 16 of them).
        psi: the start value, in [0, 1].
        zoom: enlargement.

    Returns:
        TruncationPanel: an ``ipywidgets.VBox`` with ``psi`` (``FloatSlider``),
        ``image`` (``ipywidgets.Image``), ``arrays`` ((n, S, S) in [-1, 1])
        and ``figure()``.

    Example:

    >>> import numpy as np
    >>> from stylegan_edu.models import MappingConfig, StyleGANGenerator, StyleGANGeneratorConfig, SynthesisConfig
    >>> g = StyleGANGenerator(StyleGANGeneratorConfig(MappingConfig(latent_dim=8, w_dim=8, num_layers=2, seed=0),
    ...                                               SynthesisConfig(channels=(8, 8, 8, 8), w_dim=8, seed=0)))
    >>> panel = truncation_panel(g, seeds=[0, 1, 2])
    >>> panel.psi.value = 0.0
    >>> float(np.abs(panel.arrays - panel.arrays[:1]).max())  # psi = 0: one image for every seed
    0.0
    """
    return TruncationPanel(generator, seeds=seeds, psi=psi, zoom=zoom)


class TruncationPanel(_widget_base()):
    """The panel that :func:`truncation_panel` returns."""

    def __init__(self, generator, seeds=tuple(range(8)), psi=1.0, zoom=3):
        import ipywidgets as w

        self._g = _check_generator(generator)
        if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
            raise invalid("seeds", "1 to 16 seeds, ints >= 0", f"seeds={seeds!r}")
        seeds = list(seeds)
        if not 1 <= len(seeds) <= 16 or any(isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0 for s in seeds):
            raise invalid("seeds", "1 to 16 seeds, ints >= 0", f"seeds={seeds!r}")
        check_float_range("psi", psi, 0.0, 1.0)
        self._zoom = check_positive_int("zoom", zoom)
        self.seeds = seeds
        self._z = np.concatenate([_z(self._g, s) for s in seeds])  # (n, latent_dim)
        self.psi = w.FloatSlider(value=float(psi), min=0.0, max=1.0, step=0.05, description="ψ", continuous_update=True)
        self.image = w.Image(format="png")
        self.arrays = None
        super().__init__([self.psi, self.image])
        _redraw_on(self, (self.psi,))
        self.redraw()

    def redraw(self):
        """Regenerate the row at the current ψ."""
        from stylegan_edu.viz import image_grid

        self.arrays = np.asarray(self._g(self._z, truncation_psi=float(self.psi.value), noise="const"))[..., 0]  # (n, S, S)
        self.image.value = png_bytes(image_grid(self.arrays, ncols=len(self.seeds)), zoom=self._zoom)

    def figure(self):
        """The current row as a matplotlib figure (for static pages): :func:`~stylegan_edu.widgets.snapshot`."""
        from stylegan_edu.widgets._static import snapshot

        return snapshot(self, title=f"Truncation: seeds {self.seeds[0]}..{self.seeds[-1]}")


def noise_panel(generator, seed=0, zoom=5):
    r"""An ipywidgets panel: one w, and a "new noise" button that redraws it with fresh noise.

    Shows the image with noise draw 0, the image with the current draw and
    their difference (stretched to its own range, which the label gives).

    Args:
        generator: a :class:`~stylegan_edu.models.StyleGANGenerator`.
        seed: seed of z.
        zoom: enlargement.

    Returns:
        NoisePanel: an ``ipywidgets.VBox`` with ``seed`` and ``noise_seed``
        (``IntText``; the button adds 1 to ``noise_seed``), ``button``,
        ``images``, ``arrays`` (first draw, current draw, difference) and
        ``figure()``.

    Example:

    >>> import numpy as np
    >>> from stylegan_edu.models import MappingConfig, StyleGANGenerator, StyleGANGeneratorConfig, SynthesisConfig
    >>> g = StyleGANGenerator(StyleGANGeneratorConfig(MappingConfig(latent_dim=8, w_dim=8, num_layers=2, seed=0),
    ...                                               SynthesisConfig(channels=(8, 8, 8, 8), w_dim=8, seed=0)))
    >>> g.build()
    >>> for layer in g.synthesis.noises:  # a new generator's noise strengths start at 0; the trained ones are not
    ...     _ = layer.noise_scale.assign(np.full(layer.noise_scale.shape, 0.1, "float32"))
    >>> panel = noise_panel(g)
    >>> float(np.abs(panel.arrays[2]).max())  # draw 0 against itself
    0.0
    >>> panel.button.click()
    >>> panel.noise_seed.value, bool(np.abs(panel.arrays[2]).max() > 0)
    (1, True)
    """
    return NoisePanel(generator, seed=seed, zoom=zoom)


class NoisePanel(_widget_base()):
    """The panel that :func:`noise_panel` returns."""

    def __init__(self, generator, seed=0, zoom=5):
        import ipywidgets as w

        self._g = _check_generator(generator)
        check_positive_int("seed", seed, minimum=0)
        self._zoom = check_positive_int("zoom", zoom)
        self.seed = w.IntText(value=seed, description="seed (z)")
        self.noise_seed = w.IntText(value=0, description="noise draw")
        self.button = w.Button(description="new noise")
        self.button.on_click(lambda _: setattr(self.noise_seed, "value", self.noise_seed.value + 1))
        self.images = [w.Image(format="png") for _ in range(3)]
        self.labels = [w.HTML("noise draw 0"), w.HTML("this draw"), w.HTML("difference")]
        self.arrays = [None, None, None]
        super().__init__([w.HBox([self.seed, self.noise_seed, self.button]), _labelled_row(self.labels, self.images)])
        _redraw_on(self, (self.seed, self.noise_seed))
        self.redraw()

    def redraw(self):
        """Regenerate the image with noise draw 0 and with the current draw."""
        from stylegan_edu.latent_space import noise_images

        _check_seed_boxes(self, ("seed", "noise_seed"))
        g = self._g
        ws = np.asarray(g.broadcast(g.mapping(_z(g, self.seed.value))))  # (1, num_ws, w_dim)
        first = np.asarray(g.synthesize(ws, noise=noise_images(g, 1, 0)))[0, ..., 0]  # (S, S)
        this = np.asarray(g.synthesize(ws, noise=noise_images(g, 1, int(self.noise_seed.value))))[0, ..., 0]
        diff = this - first
        self.arrays = [first, this, diff]
        span = float(np.abs(diff).max())
        self.labels[0].value = "noise draw 0"
        self.labels[1].value = f"noise draw {self.noise_seed.value}"
        self.labels[2].value = f"difference (±{span:.3f} → black..white)"
        shown = [_to_unit(first), _to_unit(this), 0.5 + 0.5 * diff / span if span > 0 else np.full_like(diff, 0.5)]
        for im, a in zip(self.images, shown):
            im.value = png_bytes(a, zoom=self._zoom)

    def figure(self):
        """The current state as a matplotlib figure (for static pages): :func:`~stylegan_edu.widgets.snapshot`."""
        from stylegan_edu.widgets._static import snapshot

        return snapshot(self, title="One w, new noise")
