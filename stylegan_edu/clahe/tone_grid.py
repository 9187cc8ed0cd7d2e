r"""A learned enhancer built like CLAHE: a small network turns tile histograms into tone curves.

CLAHE (see :mod:`stylegan_edu.clahe.classical`) is three steps: a histogram
per tile, a tone curve per tile computed from that histogram alone (clip,
redistribute, cumulative sum), and a lookup of every pixel in the curves of
the four nearest tiles, blended bilinearly. Only the middle step has choices
in it. :class:`ToneGrid` keeps the first and the last step as fixed
operations and *learns* the middle one: a network that reads a tile's
histogram and writes its curve. Everything at full resolution is a
histogram count and four lookups per pixel, as in CLAHE itself, so the model
costs about what CLAHE costs; the network runs once per tile, not per pixel.

The fixed steps follow ``skimage.exposure.equalize_adapthist`` (the
chapter's target) exactly, so that the model *can* represent its target:
the input is stretched from its minimum to its maximum, counted in
skimage's bins (:func:`bin_width`), tiles of ``tile_px`` pixels laid out
by :func:`stylegan_edu.clahe.tile_grid_for`, reflection padding, the same
bilinear weights, and a final stretch of the output to [0, 1].

The learned step (:class:`CurveNet`) treats a histogram as a set of bins: a
small MLP gives every bin features from its own count, their mean over the
bins is the tile's context, and a second MLP maps (bin features, context)
to the bin's non-negative *rise*; the curve is the running sum of the rises,
divided by their total. Clipping at :math:`\beta` and spreading the excess
evenly is one such rule (:math:`\min(h, \beta)` per bin plus the mean excess,
which the context can carry), so CLAHE is inside the model's reach, and so
are rules CLAHE does not have (for degraded inputs, chapter 11).
"""

import dataclasses
import functools

import keras
import numpy as np
from keras import ops

from stylegan_edu._validation import (check_bool, check_learning_rate, check_names, check_positive_int, check_seed,
                                      invalid)
from stylegan_edu.clahe.pairs import tile_grid_for
from stylegan_edu.clahe.repairs import REPAIRS

__all__ = ["ToneGridConfig", "TONE_GRID_CONFIG", "bin_width", "tile_layout", "CurveNet", "ToneGrid",
           "ToneGridEnhancer", "make_tone_grid_enhancer"]

_LEVELS = 2**14  # skimage's NR_OF_GRAY: the stretched image has 16,384 grey levels


@dataclasses.dataclass(frozen=True)
class ToneGridConfig:
    """Settings of :func:`make_tone_grid_enhancer` (one frozen config per model)."""

    tile_px: int = 64  # tile size in pixels (the target's, :data:`stylegan_edu.clahe.TARGET`)
    nbins: int = 256  # histogram bins as skimage counts them (256 -> 253 bins of 65 levels, see bin_width)
    features: int = 16  # per-bin features of the curve network
    hidden: int = 32  # hidden units of the curve network's second MLP
    restore_filters: int = 0  # > 0: a cleaning U-Net with this many channels at full resolution runs first (damaged photos)
    restore_levels: int = 3  # its resolutions: full, 1/2, 1/4, ... (channels double per level)
    restore_repairs: tuple = ()  # classical repairs (clahe.REPAIRS) it sees next to the photo, and mixes
    restore_context: bool = False  # the U-Net's bottleneck also gets the mean of its features over the whole input
    seed: int = 0  # initial weights

    def __post_init__(self):
        check_positive_int("tile_px", self.tile_px, minimum=2)
        check_positive_int("nbins", self.nbins, minimum=2)
        if self.nbins > _LEVELS:
            raise invalid("nbins", f"an integer in [2, {_LEVELS}]", f"nbins={self.nbins}")
        check_positive_int("features", self.features)
        check_positive_int("hidden", self.hidden)
        check_positive_int("restore_filters", self.restore_filters, minimum=0)
        check_positive_int("restore_levels", self.restore_levels)
        object.__setattr__(self, "restore_repairs", check_names("restore_repairs", self.restore_repairs, tuple(REPAIRS),
                                                                allow_empty=True))
        check_bool("restore_context", self.restore_context)
        if self.restore_context and not self.restore_filters:
            raise invalid("restore_context", "False when restore_filters is 0 (the context is part of the cleaning U-Net)",
                          f"restore_context={self.restore_context}")
        if self.restore_repairs and not self.restore_filters:
            raise invalid("restore_repairs", "() when restore_filters is 0 (repairs are inputs of the cleaning U-Net)",
                          f"restore_repairs={self.restore_repairs}")
        check_seed("seed", self.seed, allow_none=False)

    @property
    def in_channels(self):
        """Channels of the model's input: the photo, then its :attr:`restore_repairs` (:func:`~stylegan_edu.clahe.repair_stack`)."""
        return 1 + len(self.restore_repairs)

    @property
    def bins(self):
        """The number of bins actually used, :math:`\\lfloor (2^{14} - 1) / w \\rfloor + 1` with :func:`bin_width` ``w``."""
        return (_LEVELS - 1) // bin_width(self.nbins) + 1


#: The shipped enhancer's settings: 64-pixel tiles, skimage's 256-bin setting, a curve network of 1,121 weights.
TONE_GRID_CONFIG = ToneGridConfig()


def bin_width(nbins):
    """The width of one histogram bin in grey levels of the stretched image, as skimage computes it.

    Formula:
        :math:`w = 1 + \\lfloor 2^{14} / n_\\text{bins} \\rfloor`. For 256 bins
        that is 65 levels, so the 16,384 levels fill only bins 0 to 252:
        skimage's "256 bins" are 253 in practice.

    Example:

    >>> bin_width(256), (2**14 - 1) // bin_width(256) + 1
    (65, 253)
    """
    return 1 + _LEVELS // check_positive_int("nbins", nbins, minimum=2)


def tile_layout(shape, tile_px=64):
    """Where CLAHE's tiles are for an image of ``shape``: grid, tile size, padding and bilinear weights.

    For each axis of length :math:`s`, with :math:`n` tiles of :math:`k = \\lfloor s / n \\rfloor`
    pixels (:func:`~stylegan_edu.clahe.tile_grid_for`): the image is padded by reflection with
    :math:`\\lfloor k/2 \\rfloor` pixels before and :math:`(k - s \\bmod k) \\bmod k + \\lceil k/2 \\rceil`
    after, to :math:`(\\lceil s/k \\rceil + 1)\\,k`; the histogram tiles are the :math:`m = \\lceil s/k \\rceil`
    blocks of :math:`k` pixels that start at the original image's first pixel. A pixel at
    :math:`p = y + \\lfloor k/2 \\rfloor` (padded coordinates) reads the curves of tiles
    :math:`\\lfloor p/k \\rfloor - 1` and :math:`\\lfloor p/k \\rfloor` (clamped to the grid) with
    weights :math:`1 - r` and :math:`r`, :math:`r = (p \\bmod k) / k`.

    Args:
        shape: (H, W) or (H, W, C).
        tile_px: tile size in pixels.

    Returns:
        dict with, per axis (tuples of two): ``"kernel"`` :math:`k`, ``"tiles"`` :math:`m`,
        ``"pad"`` ((before, after) per axis), and ``"index"`` ((2, s) int arrays: the two tiles,
        clamped) and ``"weight"`` ((2, s) float arrays).

    Example:

    >>> lay = tile_layout((100, 128))
    >>> lay["kernel"], lay["tiles"], lay["pad"]
    ((50, 64), (2, 2), ((25, 25), (32, 32)))
    >>> lay["index"][1][:, [0, 31, 32, 127]].tolist(), lay["weight"][1][1, [0, 32, 95]].round(3).tolist()
    ([[0, 0, 0, 1], [0, 0, 1, 1]], [0.5, 0.0, 0.984])
    """
    if not isinstance(shape, (tuple, list)):
        raise invalid("shape", "an image shape (H, W) or (H, W, C) with H, W >= 1", f"shape={shape!r}")
    grid = tile_grid_for(tuple(shape), tile_px)
    out = {"kernel": [], "tiles": [], "pad": [], "index": [], "weight": []}
    for s, n in zip(shape[:2], grid):
        k = s // n
        m = -(-s // k)  # ceil(s / k) histogram tiles (the last may reach into the padding)
        out["kernel"].append(k)
        out["tiles"].append(m)
        out["pad"].append((k // 2, (k - s % k) % k + -(-k // 2)))
        p = np.arange(s) + k // 2  # (s,) padded coordinates
        b, r = p // k, (p % k) / k  # (s,) block, position in it
        out["index"].append(np.clip(np.stack([b - 1, b]), 0, m - 1))  # (2, s)
        out["weight"].append(np.stack([1.0 - r, r]))  # (2, s)
    return {key: tuple(v) for key, v in out.items()}


@functools.lru_cache(maxsize=64)
def _cached_layout(height, width, tile_px):
    """:func:`tile_layout` once per image size: the histograms and the lookup of a call share it."""
    lay = tile_layout((height, width), tile_px)
    for arrays in (lay["index"], lay["weight"]):
        for a in arrays:
            a.flags.writeable = False  # shared between calls
    return lay


@keras.saving.register_keras_serializable(package="stylegan_edu")
class CurveNet(keras.layers.Layer):
    r"""Map tile histograms to monotone tone curves (the learned step of :class:`ToneGrid`).

    Formula:
        For a tile's normalised histogram :math:`h \in \mathbb{R}^K` (bins
        sum to 1), scaled to :math:`u = K h` (mean 1):
        bin features :math:`f_i = \mathrm{relu}(W_1 u_i + b_1)`, context
        :math:`c = \tfrac{1}{K}\sum_i f_i`, rises
        :math:`r_i = \mathrm{relu}(w_3^\top \mathrm{relu}(W_2 [f_i, c] + b_2) + b_3) + \epsilon`,
        and the curve :math:`T_i = \sum_{j \le i} r_j / \sum_j r_j`, increasing from
        :math:`r_0 / \sum r` to 1 like a cumulative histogram.
        (CLAHE: :math:`r_i = \min(u_i, K\beta) + \text{mean excess}`.)

    Args:
        features: width of the bin features :math:`f_i`.
        hidden: width of the second MLP.

    Returns:
        Called on (..., K) histograms: (..., K) curves in (0, 1].

    Example:

    >>> import numpy as np
    >>> net = CurveNet(features=4, hidden=8)
    >>> curves = np.asarray(net(np.full((2, 3, 3, 10), 0.1, "float32")))
    >>> curves.shape, bool(np.all(np.diff(curves, axis=-1) >= 0)), float(curves[..., -1].min()) == 1.0
    ((2, 3, 3, 10), True, True)
    """

    def __init__(self, features=16, hidden=32, **kwargs):
        super().__init__(**kwargs)
        self.features = check_positive_int("features", features)
        self.hidden = check_positive_int("hidden", hidden)
        self.bin_features = keras.layers.Dense(self.features, activation="relu", name="bin_features")
        self.mix = keras.layers.Dense(self.hidden, activation="relu", name="mix")
        self.rise = keras.layers.Dense(1, name="rise")

    def build(self, input_shape):
        self.bin_features.build((None, 1))
        self.mix.build((None, 2 * self.features))
        self.rise.build((None, self.hidden))

    def call(self, hist):  # hist: (..., K), each row summing to 1
        r = ops.relu(self.rise_logits(hist)) + 1e-4  # (..., K): non-negative rises
        t = ops.cumsum(r, axis=-1)  # (..., K)
        return t / t[..., -1:]  # (..., K): increasing, ends at 1

    def compute_output_shape(self, input_shape):
        return input_shape

    def rise_logits(self, hist):
        """The rises before their ReLU, (..., K): where all are negative, nothing can learn."""
        k = hist.shape[-1]
        u = ops.expand_dims(hist * k, -1)  # (..., K, 1): mean 1 over the bins
        f = self.bin_features(u)  # (..., K, F)
        c = ops.mean(f, axis=-2, keepdims=True)  # (..., 1, F): the tile's context
        z = self.mix(ops.concatenate([f, ops.broadcast_to(c, ops.shape(f))], axis=-1))  # (..., K, hidden)
        return ops.squeeze(self.rise(z), -1)  # (..., K)

    def is_dead(self, bins=253, alive_share=0.1):
        """Whether (nearly) every rise is cut to zero on probe histograms: no gradient, no learning.

        The probes are a flat histogram and six random ones (Dirichlet); the network counts as dead
        when fewer than ``alive_share`` of their bins get a positive rise before the ReLU.

        Example:

        >>> net = CurveNet(features=4, hidden=8)
        >>> net.build((None, 253)); _ = net.rise.bias.assign(-1e3 * np.ones(1, "float32")); net.is_dead()
        True
        """
        rng = np.random.default_rng(0)
        probes = np.concatenate([np.full((1, bins), 1.0 / bins), rng.dirichlet(np.ones(bins), size=6)]).astype("float32")
        return bool(np.mean(np.asarray(self.rise_logits(probes)) > 0.0) < alive_share)  # probes: (7, K)

    def get_config(self):
        return {**super().get_config(), "features": self.features, "hidden": self.hidden}


@keras.saving.register_keras_serializable(package="stylegan_edu")
class ToneGrid(keras.layers.Layer):
    r"""CLAHE's structure with a learned curve step: histograms per tile, :class:`CurveNet`, bilinear lookup.

    Formula:
        :math:`s = (x - \min x)/(\max x - \min x)`, bins
        :math:`b = \lfloor \mathrm{round}((2^{14}-1)s) / w \rfloor` (:func:`bin_width`),
        per tile :math:`t` the normalised histogram :math:`h_t` of :math:`b` and the curve
        :math:`T_t = \mathrm{CurveNet}(h_t)`; a pixel's value is
        :math:`v = \sum_{a, c \in \{0, 1\}} w^y_a w^x_c\, T_{t(a, c)}(b)` over the four nearest
        tiles (:func:`tile_layout`), and the output is :math:`(v - \min v)/(\max v - \min v)`.

    The image's height and width are read from the input's static shape (one
    layout per size); the batch may vary.

    Args:
        config: a :class:`ToneGridConfig`.

    Returns:
        Called on (B, H, W, 1) in [0, 1]: (B, H, W, 1) in [0, 1].

    Example:

    >>> import numpy as np
    >>> layer = ToneGrid(ToneGridConfig(features=4, hidden=8))
    >>> y = np.asarray(layer(np.random.default_rng(0).uniform(size=(2, 70, 90, 1)).astype("float32")))
    >>> y.shape, float(y.min()), float(y.max())
    ((2, 70, 90, 1), 0.0, 1.0)
    """

    def __init__(self, config=TONE_GRID_CONFIG, **kwargs):
        super().__init__(**kwargs)
        if isinstance(config, dict):  # from get_config
            config = ToneGridConfig(**config)
        if not isinstance(config, ToneGridConfig):
            raise invalid("config", "a ToneGridConfig", f"config of type {type(config).__name__}")
        self.config = config
        self.curves = CurveNet(config.features, config.hidden, name="curve_net")

    def build(self, input_shape):
        self.curves.build((None, self.config.bins))

    def histograms(self, x, with_fraction=False):
        """Bin indices (B, H, W) and normalised tile histograms (B, m_y, m_x, K) of a batch (B, H, W, 1);
        with ``with_fraction`` also each pixel's position inside its bin, (B, H, W) in [0, 1]."""
        H, W = x.shape[1], x.shape[2]
        if H is None or W is None:
            raise invalid("x", "images with a known height and width", f"shape {tuple(x.shape)}")
        lay = _cached_layout(H, W, self.config.tile_px)
        K, w = self.config.bins, bin_width(self.config.nbins)
        x = ops.convert_to_tensor(x)[..., 0]  # (B, H, W)
        lo = ops.min(x, axis=(1, 2), keepdims=True)
        hi = ops.max(x, axis=(1, 2), keepdims=True)
        s = (x - lo) / ops.maximum(hi - lo, 1e-6)  # (B, H, W) in [0, 1]
        level = s * (_LEVELS - 1)  # (B, H, W) in [0, 16383]
        b = ops.cast(ops.floor(ops.round(level) / w), "int32")  # (B, H, W) in 0..K-1
        (ky, kx), (my, mx) = lay["kernel"], lay["tiles"]
        (py0, _), (px0, _) = lay["pad"]
        padded = ops.pad(b, ((0, 0), *lay["pad"]), mode="reflect")  # (B, Hp, Wp)
        region = padded[:, py0 : py0 + my * ky, px0 : px0 + mx * kx]  # (B, my*ky, mx*kx): the histogram tiles
        tiles = ops.reshape(region, (-1, my, ky, mx, kx))
        tile_id = (np.arange(my)[:, None, None, None] * mx + np.arange(mx)[None, None, :, None])  # (my, 1, mx, 1)
        batch = ops.shape(tiles)[0]
        offset = ops.reshape(ops.arange(batch, dtype="int32") * (my * mx * K), (-1, 1, 1, 1, 1))  # (B, 1, 1, 1, 1)
        ids = offset + ops.convert_to_tensor(tile_id.astype("int32") * K)[None] + tiles  # (B, my, ky, mx, kx)
        ones = ops.ones((ops.shape(ids)[0] * my * ky * mx * kx,), dtype=x.dtype)  # one count per pixel
        counts = ops.segment_sum(ones, ops.reshape(ids, (-1,)), num_segments=batch * my * mx * K)  # (B*my*mx*K,)
        hist = ops.reshape(counts, (-1, my, mx, K)) / float(ky * kx)  # (B, my, mx, K), rows sum to 1
        if not with_fraction:
            return b, hist
        frac = ops.clip(level / w - ops.cast(b, level.dtype), 0.0, 1.0)  # (B, H, W): where in its bin
        return b, hist, frac

    def call(self, x, with_gradient=False):  # x: (B, H, W, 1) in [0, 1]
        """``with_gradient``: pass a (straight-through) gradient to ``x``, for a network before the layer."""
        # (B, H, W) bins, (B, my, mx, K) histograms, and without a gradient to pass no in-bin position (the cheap path)
        b, hist, frac = self.histograms(x, with_fraction=True) if with_gradient else (*self.histograms(x), None)
        return self.apply_curves(b, self.curves(hist), frac)

    def apply_curves(self, b, curves, frac=None):
        """Look every pixel's bin ``b`` (B, H, W) up in the curves (B, m_y, m_x, K) of its four
        nearest tiles, blend bilinearly and stretch to [0, 1]: (B, H, W, 1).

        The lookup is a step function of the grey level, so its gradient with respect to the
        input is zero. With ``frac`` (B, H, W), each pixel's position inside its bin as a
        differentiable tensor, the gradient is that of the curve interpolated linearly inside the
        bin (a straight-through estimate: the values stay the step lookup's), so that a network
        placed before the tone grid can learn through it.
        """
        H, W = b.shape[1], b.shape[2]
        lay = _cached_layout(H, W, self.config.tile_px)
        (my, mx), K = lay["tiles"], self.config.bins
        (iy, ix), (wy, wx) = lay["index"], lay["weight"]  # (2, H), (2, W) each
        curves = ops.convert_to_tensor(curves)
        # Blend the tile rows first, once per image row: (B, H, m_x, K), a dense operation ...
        rows = sum(ops.take(curves, ops.convert_to_tensor(iy[a].astype("int32")), axis=1)
                   * ops.convert_to_tensor(wy[a].astype("float32").reshape(1, H, 1, 1), dtype=curves.dtype)
                   for a in range(2))
        rows = ops.reshape(rows, (-1, H, mx * K))  # (B, H, m_x*K): each image row's blended curves
        out = 0.0
        for c in range(2):  # ... then two lookups per pixel instead of four
            idx = ops.convert_to_tensor((ix[c] * K).astype("int32"))[None, None, :] + b  # (B, H, W)
            v = ops.take_along_axis(rows, idx, axis=2)  # (B, H, W): T[b], the top of the pixel's bin
            if frac is not None:
                below_idx = ops.convert_to_tensor((ix[c] * K).astype("int32"))[None, None, :] + ops.maximum(b - 1, 0)
                below = ops.take_along_axis(rows, below_idx, axis=2)  # T[b - 1] of the same tile (T[0] for bin 0)
                v = v + (v - below) * (frac - ops.stop_gradient(frac))  # value unchanged, gradient (T[b] - T[b-1]) dfrac
            out = out + v * ops.convert_to_tensor(wx[c].astype("float32").reshape(1, 1, W), dtype=v.dtype)
        lo = ops.min(out, axis=(1, 2), keepdims=True)
        hi = ops.max(out, axis=(1, 2), keepdims=True)
        out = (out - lo) / ops.maximum(hi - lo, 1e-6)  # (B, H, W): skimage's final stretch
        return ops.reshape(out, (-1, H, W, 1))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "config": dataclasses.asdict(self.config)}


def make_tone_grid_enhancer(config=TONE_GRID_CONFIG, name="tone_grid_enhancer"):
    """A Keras model (B, H, W, C) -> (B, H, W, 1) around one :class:`ToneGrid` layer (C = ``config.in_channels``).

    Any height and width of at least 2 pixels works (the layout is computed
    per size when the model is called). With ``config.restore_filters == 0``
    its only weights are the :class:`CurveNet`'s. With ``restore_filters > 0``
    a cleaning U-Net runs first (:meth:`ToneGridEnhancer.cleaned`): 3 x 3
    convolutions with LeakyReLU (slope 0.2; with ReLU a whole hidden layer of
    an earlier CNN went dead in training) at ``restore_levels`` resolutions,
    ``restore_filters`` channels at full resolution and twice as many at each
    halving, skips between equal resolutions, and a zero-initialised head, so
    that the model starts as the plain tone grid. With ``restore_repairs``
    the input is (B, H, W, 1 + K), the photo and its K classical repairs
    (:func:`~stylegan_edu.clahe.repair_stack`), and the head predicts, per
    pixel, how much of each repair to take and a residual:
    :math:`x' = \mathrm{clip}(x + \sum_k a_k (R_k(x) - x) + r, 0, 1)`. With
    ``restore_context`` the U-Net's bottleneck also gets a *global context*
    (as in HDRNet's global path, Gharbi et al., 2017): the mean of its
    features over the whole input, through a dense layer, added at every
    position, so that each pixel's weights can depend on what the whole
    photo looks like (noisy, blurred, clean), not only on its neighbourhood.
    The tone grid works on :math:`x'`. The U-Net learns on its own output
    (:meth:`ToneGridEnhancer.cleaner`) against clean photos, or through the
    tone grid's straight-through lookup (:meth:`ToneGrid.apply_curves`).

    **Dead initialisations are redrawn.** The curve network's last ReLU can
    start negative for (nearly) every bin (6 of the seeds 0 to 11 do): every
    rise is then the constant :math:`\epsilon`, the curve a straight line, and
    no gradient reaches the weights, so the model stays the plain min-max
    stretch whatever the loss. :meth:`CurveNet.is_dead` detects it before
    training, and the weights are drawn again from seed
    ``seed + 10_000 * k`` (k = 1, 2, ...) until they are alive. A seed whose
    first draw is alive (0 and 1, for instance) is unaffected.

    Args:
        config: a :class:`ToneGridConfig`.
        name: the model's name.

    Returns:
        keras.Model.

    Example:

    >>> import numpy as np
    >>> model = make_tone_grid_enhancer()
    >>> model.count_params(), tuple(model(np.zeros((1, 48, 80, 1), "float32")).shape)
    (1121, (1, 48, 80, 1))
    """
    if not isinstance(config, ToneGridConfig):
        raise invalid("config", "a ToneGridConfig", f"config of type {type(config).__name__}")
    for attempt in range(_MAX_DRAWS):
        keras.utils.set_random_seed(config.seed + _REDRAW_STRIDE * attempt)  # attempt 0: the seed itself
        model = ToneGridEnhancer(config, name=name)
        model.build((None, None, None, config.in_channels))
        if not model.tone_grid.curves.is_dead():
            return model
    raise RuntimeError(f"make_tone_grid_enhancer: {_MAX_DRAWS} initialisations from seed {config.seed} were all dead")


#: Redrawing a dead initialisation uses the seed ``seed + 10_000 * attempt`` (attempt 0: the seed itself).
_REDRAW_STRIDE = 10_000
_MAX_DRAWS = 20


@keras.saving.register_keras_serializable(package="stylegan_edu")
class ToneGridEnhancer(keras.Model):
    """The model :func:`make_tone_grid_enhancer` returns (subclassed: each image size gets its own layout)."""

    def __init__(self, config=TONE_GRID_CONFIG, **kwargs):
        super().__init__(**kwargs)
        if isinstance(config, dict):  # from get_config
            config = ToneGridConfig(**{**config, "restore_repairs": tuple(config.get("restore_repairs", ()))})
        self.config = config
        self.encoder, self.decoder, self.restore = [], [], []  # restore: every layer of the cleaning U-Net
        self.context = None  # the U-Net's global context (config.restore_context)
        if config.restore_filters:
            def conv(level, tag, strides=1):
                return keras.layers.Conv2D(config.restore_filters * 2**level, 3, strides=strides, padding="same",
                                           activation="leaky_relu", kernel_initializer="he_normal",
                                           name=f"restore_{tag}{level}")
            for level in range(config.restore_levels):  # full resolution, then halving
                block = ([conv(level, "down", 2)] if level else []) + [conv(level, "enc_a")]
                self.encoder.append(block + ([conv(level, "enc_b")] if level else []))
            for level in range(config.restore_levels - 2, -1, -1):  # back up, with the skip of each level
                self.decoder.append([conv(level, "dec_a"), conv(level, "dec_b")])
            # head: one mixing weight per repair, then a residual; zero-initialised, so the model starts as x' = x
            self.head = keras.layers.Conv2D(config.in_channels, 3, padding="same", kernel_initializer="zeros",
                                            name="restore_head")
            if config.restore_context:  # what the whole image looks like (noisy? blurred?), added at every position
                width = config.restore_filters * 2 ** (config.restore_levels - 1)  # the bottleneck's channels
                self.context = keras.layers.Dense(width, activation="leaky_relu", name="restore_context")
                self.context.build((None, width))
            self.restore = ([layer for block in self.encoder + self.decoder for layer in block] + [self.head]
                            + ([self.context] if self.context else []))
        self.tone_grid = ToneGrid(config, name="tone_grid")

    def build(self, input_shape):
        if self.restore:
            self.cleaned(ops.zeros((1, 8, 8, self.config.in_channels)))  # builds every layer of the U-Net
        self.tone_grid.build((None, None, None, 1))
        self.built = True

    def _check_restoring(self):
        if not self.restore:
            raise invalid("config", "a restoring model (restore_filters > 0)", f"restore_filters={self.config.restore_filters}")

    def _check_restoring_for(self, argument):
        if not self.restore:
            raise invalid(argument, "False for a model without a cleaning U-Net (restore_filters=0)", f"{argument}=True")

    def mixing(self, x):
        r"""The cleaning U-Net's head: per-pixel mixing weights :math:`a_k` and residual :math:`r`.

        Args:
            x: (B, H, W, 1 + K), the photo and its K repairs.

        Returns:
            (B, H, W, K + 1): :math:`a_1, \dots, a_K`, then :math:`r` (see :meth:`cleaned`).
        """
        self._check_restoring()
        x = ops.convert_to_tensor(x, "float32")  # (B, H, W, 1 + K)
        h, skips = x, []
        for block in self.encoder:
            for layer in block:
                h = layer(h)
            skips.append(h)  # (B, H / 2^l, W / 2^l, C 2^l)
        if self.context is not None:
            h = h + self.context(ops.mean(h, axis=(1, 2), keepdims=True))  # (B, 1, 1, C') broadcast over the bottleneck
        for block, skip in zip(self.decoder, skips[-2::-1]):
            h = ops.repeat(ops.repeat(h, 2, axis=1), 2, axis=2)  # nearest x 2 ...
            h = h[:, : ops.shape(skip)[1], : ops.shape(skip)[2], :]  # ... cropped to the skip (odd sizes)
            h = ops.concatenate([h, skip], axis=-1)
            for layer in block:
                h = layer(h)
        return self.head(h)  # (B, H, W, K + 1)

    def cleaned(self, x):
        r"""The cleaning U-Net's output :math:`x'` (B, H, W, 1); ``x`` itself without one.

        Formula:
            :math:`x' = \mathrm{clip}_{[0, 1]}\big(x + \sum_k a_k\,(R_k(x) - x) + r\big)`,
            with :math:`R_k(x)` the repairs in channels 1 to K of the input
            (:func:`~stylegan_edu.clahe.repair_stack`) and the per-pixel
            mixing weights :math:`a_k` and residual :math:`r` predicted by the
            U-Net (:meth:`mixing`; any sign: :math:`a_k > 1` strengthens a repair).
        """
        x = ops.convert_to_tensor(x, "float32")  # (B, H, W, 1 + K)
        if not self.restore:
            return x
        photo = x[..., :1]  # (B, H, W, 1)
        head = self.mixing(x)  # (B, H, W, K + 1): K mixing weights, then the residual
        mixed = photo + ops.sum(head[..., :-1] * (x[..., 1:] - photo), axis=-1, keepdims=True) + head[..., -1:]
        return ops.clip(mixed, 0.0, 1.0)

    def cleaner(self):
        """A Keras model of the cleaning U-Net alone, :meth:`cleaned`, sharing this model's layers.

        Its trainable weights are the U-Net's only, so that it can be fitted
        on its own (stage 1 of the restoring model: L1 to the clean photo).

        Example:

        >>> import numpy as np
        >>> g = make_tone_grid_enhancer(ToneGridConfig(restore_filters=4, restore_levels=2))
        >>> c = g.cleaner()
        >>> len(c.trainable_weights) == len(g.trainable_weights) - len(g.tone_grid.trainable_weights)
        True
        """
        self._check_restoring()
        return _Cleaner(self.restore, self.cleaned, name=f"{self.name}_cleaner")

    def ensembled(self, x):
        r"""The restoring model's output with a geometric self-ensemble (Lim et al., 2017): 8 orientations, averaged.

        Formula:
            :math:`\hat y = \frac{1}{8}\sum_{g} T\big(g^{-1}(x'(g(x)))\big)`
            over the 8 flips and quarter turns :math:`g` of the square, with
            :math:`x'` the cleaning U-Net (:meth:`cleaned`) and :math:`T` the
            tone grid, applied in the photo's own orientation. The U-Net is
            not rotation-invariant, so its errors differ between orientations
            and partly average out; so does the global stretch of each output,
            which a single brightest pixel of :math:`x'` sets. Costs 8 times
            the whole model.

        Args:
            x: (B, H, W, 1 + K), the photo and its K repairs.

        Returns:
            (B, H, W, 1) in [0, 1].

        Example:

        >>> import numpy as np
        >>> g = make_tone_grid_enhancer(ToneGridConfig(restore_filters=4, restore_levels=2))
        >>> x = np.random.default_rng(0).uniform(size=(1, 12, 20, 1)).astype("float32")
        >>> bool(np.allclose(g.ensembled(x), g(x), atol=1e-6))  # a fresh U-Net returns x in every orientation
        True
        """
        self._check_restoring_for("self_ensemble")
        x = ops.convert_to_tensor(x, "float32")  # (B, H, W, 1 + K)
        outs = [self.tone_grid(_dihedral(self.cleaned(_dihedral(x, k)), k, inverse=True), with_gradient=True)
                for k in range(8)]  # 8 x (B, H, W, 1)
        return sum(outs) / 8.0

    def oracle_mixing(self, x, target, steps=150, learning_rate=0.05):
        r"""An upper bound for the cleaning U-Net: the best *global* mix of the repairs, fitted to the target.

        The U-Net chooses its mixing weights from the damaged photo alone.
        This method asks what the same ingredients, the photo, its repairs
        and the model's tone grid, could give if one knew the answer: the
        :math:`K` constants (one weight per repair, the same at every
        pixel) that bring the output closest to ``target``
        (L2, what PSNR measures), fitted by Keras ``fit`` with Adam through
        the tone grid's straight-through lookup; the tone grid is frozen.
        At a constant learning rate Adam's last step is not always its best,
        so the weights returned are the best the fit visited (the lowest
        squared error of all ``steps + 1`` mixes it evaluated): more steps
        never lower the bound.
        When the bound is above a classical pipeline and the model is not,
        the model's ingredients suffice and what is missing is the U-Net's
        choice (a learning problem); when the bound is below it too, no
        choice of the weights would win.

        Formula:
            :math:`c^\star = \arg\min_c \lVert T\big(\mathrm{clip}_{[0, 1]}
            (x + \sum_k c_k (R_k(x) - x))\big) - y\rVert_2^2`,
            from :math:`c = 0` (the plain tone grid on the photo), with
            :math:`T` the tone grid and :math:`y` the target. (No offset:
            the tone grid's min-max stretch removes one.)

        Args:
            x: (1, H, W, 1 + K), one photo and its K repairs
                (:func:`~stylegan_edu.clahe.repair_stack`, the model's ``restore_repairs``).
            target: (1, H, W, 1) in [0, 1], e.g. the CLAHE of the clean photo.
            steps: Adam steps.
            learning_rate: Adam's learning rate.

        Returns:
            ``(weights, output)``: float32 (K,), :math:`c_1, \dots, c_K`
            in the order of ``config.restore_repairs``, and the output
            (1, H, W, 1) with them.

        Example:

        >>> import numpy as np
        >>> g = make_tone_grid_enhancer(ToneGridConfig(restore_filters=4, restore_levels=2,
        ...                                            restore_repairs=("Gaussian",)))
        >>> rng = np.random.default_rng(0)
        >>> photo = rng.uniform(size=(1, 64, 64, 1)).astype("float32")
        >>> smooth = (photo + np.roll(photo, 1, 1) + np.roll(photo, 1, 2)) / 3  # a stand-in for the repair
        >>> x = np.concatenate([photo, smooth], axis=-1)
        >>> target = np.asarray(g.tone_grid(smooth))  # what taking the whole repair gives
        >>> weights, out = g.oracle_mixing(x, target, steps=100)
        >>> round(float(weights[0]), 1)  # the whole repair, found from 0
        1.0
        """
        self._check_restoring()
        shape = (1, None, None, self.config.in_channels)
        x = np.asarray(x, "float32")
        if x.ndim != 4 or x.shape[0] != 1 or x.shape[-1] != self.config.in_channels:
            raise invalid("x", f"one photo and its repairs, of shape {shape}", f"x of shape {x.shape}")
        target = np.asarray(target, "float32")
        if target.shape != x.shape[:3] + (1,):
            raise invalid("target", f"an array of shape {x.shape[:3] + (1,)}", f"target of shape {target.shape}")
        steps = check_positive_int("steps", steps)
        learning_rate = check_learning_rate("learning_rate", learning_rate)
        mix = _GlobalMix(self.tone_grid, self.config.in_channels - 1, name=f"{self.name}_oracle_mixing")
        mix.compile(keras.optimizers.Adam(learning_rate), "mse")
        best = _BestWeights()
        mix.fit(x, target, epochs=steps, batch_size=1, verbose=0, callbacks=[best])  # one step an epoch
        best.visit(float(ops.mean(ops.square(mix(x) - target))), ops.convert_to_numpy(mix.mixing_weights))  # the last
        mix.mixing_weights.assign(best.weights)
        return best.weights.astype("float32"), ops.convert_to_numpy(mix(x))  # (K,), (1, H, W, 1)

    def call(self, x, training=False, self_ensemble=False):
        """``self_ensemble``: a restoring model's :meth:`ensembled` output (8 orientations)."""
        if check_bool("self_ensemble", self_ensemble):
            return self.ensembled(x)
        return self.tone_grid(self.cleaned(x), with_gradient=bool(self.restore))  # (B, H, W, 1)

    def get_config(self):
        return {**super().get_config(), "config": dataclasses.asdict(self.config)}


def _dihedral(x, k, inverse=False):
    """The k-th of the 8 flips and quarter turns of a batch (B, H, W, C), or its inverse.

    Bit 0 of ``k`` flips the rows, bit 1 the columns, bit 2 swaps H and W
    (applied in that order; the inverse undoes them in the opposite order).

    Example:

    >>> import numpy as np
    >>> x = np.arange(6, dtype="float32").reshape(1, 2, 3, 1)
    >>> all(np.array_equal(_dihedral(_dihedral(x, k), k, inverse=True), x) for k in range(8))
    True
    """
    steps = [lambda v: ops.flip(v, axis=1)] * bool(k & 1) + [lambda v: ops.flip(v, axis=2)] * bool(k & 2)
    steps += [lambda v: ops.transpose(v, (0, 2, 1, 3))] * bool(k & 4)
    for step in reversed(steps) if inverse else steps:
        x = step(x)
    return x


class _BestWeights(keras.callbacks.Callback):
    """The mixing weights with the lowest loss seen in a one-step-an-epoch fit of a :class:`_GlobalMix`.

    An epoch's ``loss`` is that of the weights the step started from (its
    forward pass comes before its update), so they are kept at the start.
    """

    def __init__(self):
        super().__init__()
        self.loss, self.weights, self._start = np.inf, None, None

    def visit(self, loss, weights):
        if loss < self.loss:
            self.loss, self.weights = loss, np.array(weights)

    def on_epoch_begin(self, epoch, logs=None):
        self._start = ops.convert_to_numpy(self.model.mixing_weights)

    def on_epoch_end(self, epoch, logs=None):
        self.visit(logs["loss"], self._start)


class _GlobalMix(keras.Model):
    """What :meth:`ToneGridEnhancer.oracle_mixing` fits: K mixing weights before a frozen tone grid."""

    def __init__(self, tone_grid, repairs, **kwargs):
        super().__init__(**kwargs)
        self._tone = lambda z: tone_grid(z, with_gradient=True)  # not tracked: the tone grid's weights stay frozen
        self.mixing_weights = self.add_weight(shape=(repairs,), initializer="zeros", name="mixing_weights")

    def call(self, x):  # x: (1, H, W, 1 + K)
        photo = x[..., :1]  # (1, H, W, 1)
        z = photo + ops.sum(self.mixing_weights * (x[..., 1:] - photo), axis=-1, keepdims=True)  # (1, H, W, 1)
        return self._tone(ops.clip(z, 0.0, 1.0))  # (1, H, W, 1)


class _Cleaner(keras.Model):
    """What :meth:`ToneGridEnhancer.cleaner` returns: tracks the U-Net's layers, calls the enhancer's ``cleaned``."""

    def __init__(self, layers, cleaned, **kwargs):
        super().__init__(**kwargs)
        self.unet = list(layers)  # tracked: their weights are this model's
        self._cleaned = cleaned  # a bound method: not tracked (the tone grid is not part of this model)

    def call(self, x):
        return self._cleaned(x)  # (B, H, W, 1)
