"""The latent-space explorer: sliders for a few coordinates of z and a seed."""

import numbers

import numpy as np

from stylegan_edu._io import png_bytes
from stylegan_edu._validation import check_positive_int, invalid


def latent_explorer(generator, dims=4, seed=0, value_range=(-1, 1), slider_range=3.0, zoom=8):
    """An ipywidgets panel that shows ``generator(z)`` and lets you move z.

    A seed draws the whole latent vector z ~ N(0, I); one slider per chosen
    coordinate of z then moves that coordinate, and the image is redrawn at
    once (synchronously, in the same call that sets the value: no event loop
    is needed, so tests and scripts can drive it).

    Args:
        generator: a Keras model mapping (B, latent_dim) to images (B, H, W, C)
            with C = 1 or 3 (for example ``stylegan_edu.models.make_generator()``).
        dims: which coordinates of z get a slider: an int n (the first n) or
            a sequence of indices.
        seed: the initial seed for drawing z.
        value_range: the generator's output range, mapped to black..white
            (``(-1, 1)`` for tanh); ``None`` stretches each image's min..max
            (useful for an untrained generator, whose output is nearly flat).
        slider_range: each slider spans ``[-slider_range, slider_range]``
            (3 standard deviations by default).
        zoom: the image is shown enlarged this many times.

    Returns:
        LatentExplorer: an ``ipywidgets.VBox``; display it in a notebook.
        Its attributes ``sliders`` (list of ``FloatSlider``), ``seed``
        (``IntText``), ``image`` (``ipywidgets.Image``), ``z`` (the current
        latent vector) and ``array`` (the image shown, (H, W) or (H, W, 3),
        in the generator's own range) let code drive and read it.

    Example:

    >>> from stylegan_edu.models import GeneratorConfig, make_generator
    >>> panel = latent_explorer(make_generator(GeneratorConfig(latent_dim=8, seed=0)), dims=2)
    >>> before = panel.array.copy()
    >>> panel.sliders[0].value = 2.5
    >>> bool((panel.array != before).any())
    True
    """
    return LatentExplorer(generator, dims=dims, seed=seed, value_range=value_range, slider_range=slider_range, zoom=zoom)


def _widget_base():
    import ipywidgets

    return ipywidgets.VBox


class LatentExplorer(_widget_base()):
    """The panel that :func:`latent_explorer` returns (an ``ipywidgets.VBox``)."""

    def __init__(self, generator, dims=4, seed=0, value_range=(-1, 1), slider_range=3.0, zoom=8):
        import ipywidgets as w

        from stylegan_edu.models import sample_latent
        from stylegan_edu.viz import _as_batch, _scale

        shape = getattr(generator, "input_shape", None)
        if not callable(generator) or not isinstance(shape, tuple) or len(shape) != 2 or not shape[1]:
            raise invalid("generator", "a Keras model with inputs of shape (B, latent_dim)", f"input_shape={shape!r}")
        self.latent_dim = int(shape[1])
        if isinstance(dims, numbers.Integral) and not isinstance(dims, bool):
            check_positive_int("dims", dims)
            if dims > self.latent_dim:
                raise invalid("dims", f"at most latent_dim = {self.latent_dim} sliders, or indices in [0, {self.latent_dim})",
                              f"dims={dims}")
            dims = tuple(range(int(dims)))
        if isinstance(dims, (str, bytes)) or not hasattr(dims, "__iter__"):
            raise invalid("dims", f"an int or indices in [0, {self.latent_dim})", f"dims={dims!r}")
        dims = tuple(dims)
        if not dims or any(isinstance(d, bool) or not isinstance(d, numbers.Integral) or not 0 <= d < self.latent_dim for d in dims):
            raise invalid("dims", f"an int or indices in [0, {self.latent_dim})", f"dims={dims!r}")
        check_positive_int("seed", seed, minimum=0)
        check_positive_int("zoom", zoom)
        if isinstance(slider_range, bool) or not isinstance(slider_range, numbers.Real) or not 0 < slider_range < float("inf"):
            raise invalid("slider_range", "a positive float", f"slider_range={slider_range!r}")
        _scale(np.zeros(1), value_range)  # validates value_range
        self._generator, self._dims, self._zoom, self._value_range = generator, dims, zoom, value_range
        self._sample, self._as_batch, self._scale = sample_latent, _as_batch, _scale
        self._syncing = False

        self.seed = w.IntText(value=seed, description="seed")
        self.sliders = [
            w.FloatSlider(value=0.0, min=-slider_range, max=slider_range, step=0.05, description=f"z[{d}]", continuous_update=True)
            for d in dims
        ]
        self.image = w.Image(format="png")
        self.z = np.zeros(self.latent_dim, dtype=np.float32)
        self.array = None
        super().__init__([w.HBox([w.VBox([self.seed, *self.sliders]), self.image])])
        self._reseed({"new": seed})
        self.seed.observe(self._reseed, names="value")
        for slider in self.sliders:
            slider.observe(self._moved, names="value")

    def _reseed(self, change):
        self.z = self._sample(1, self.latent_dim, seed=int(change["new"]))[0]  # (latent_dim,)
        self._syncing = True  # set the sliders to the new z without redrawing once per slider
        try:
            for d, slider in zip(self._dims, self.sliders):
                slider.value = float(np.clip(self.z[d], slider.min, slider.max))
                self.z[d] = slider.value
        finally:
            self._syncing = False
        self.redraw()

    def _moved(self, change):
        if self._syncing:
            return
        for d, slider in zip(self._dims, self.sliders):
            self.z[d] = slider.value
        self.redraw()

    def redraw(self):
        """Run the generator on the current z and show the image."""
        import keras

        x = keras.ops.convert_to_numpy(self._generator(self.z[None, :], training=False))  # (1, H, W, C)
        batch = self._as_batch(x, name="generator output")
        self.array = batch[0, ..., 0] if batch.shape[-1] == 1 else batch[0]
        self.image.value = png_bytes(self._scale(self.array, self._value_range), zoom=self._zoom)

    def __repr__(self):
        dims = ", ".join(str(d) for d in self._dims)
        return f"LatentExplorer(sliders for z[{dims}], seed={self.seed.value}, image {self.array.shape})"
