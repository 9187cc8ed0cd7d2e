r"""A pix2pix-style conditional GAN: a U-Net generator and a PatchGAN discriminator.

Chapter 11 trains them to turn a low-contrast grey image into its CLAHE
enhancement (Isola et al., 2017, "Image-to-image translation with conditional
adversarial networks").

* The **U-Net** maps an image (B, H, W, C) to an image of the same shape. An
  encoder halves the resolution ``depth`` times; a decoder doubles it back,
  and at every level it concatenates the encoder's features of the same size
  (the *skip connections*), so fine detail does not have to squeeze through
  the bottleneck. H and W must be multiples of :math:`2^\text{depth}`.
* The **tone-curve head** (optional, ``UNetConfig(tone_curve_knots=K)``):
  instead of an image, the U-Net predicts at every pixel a monotone tone
  curve with :math:`K` knots and applies it to that pixel's input grey level
  (:class:`ApplyToneCurve`), like the curve estimators of learned photo
  enhancement (HDRNet, Zero-DCE, CURL). The input also enters as :math:`K`
  soft intensity bins (:class:`IntensityBins`), and with
  ``histogram_window`` the bins are averaged over windows into *local
  histograms* that join the bottleneck. Chapter 11 shows why CLAHE needs
  this: its output is a pixel's rank among its neighbours, which a plain
  U-Net has to assemble from convolutions and ReLUs.
* The **PatchGAN** discriminator sees the pair (input, candidate output) and
  returns a grid of logits, one per overlapping patch: "is this patch of the
  output a plausible enhancement of this patch of the input?".

Both use ``keras.layers`` only.
"""

import dataclasses

import keras
from keras import ops

from stylegan_edu._validation import check_choice, check_positive_int, invalid

__all__ = [
    "UNetConfig",
    "PatchGANConfig",
    "IntensityBins",
    "ApplyToneCurve",
    "make_unet_generator",
    "make_patchgan_discriminator",
    "unet_valid_size",
]


@dataclasses.dataclass(frozen=True)
class UNetConfig:
    """Settings of :func:`make_unet_generator`."""

    channels: int = 1  # image channels in and out (1: grey/luminance)
    base_filters: int = 16  # filters at full resolution; doubled at each level
    depth: int = 4  # number of 2x downsamplings; H, W must be multiples of 2**depth
    max_filters: int = 128  # cap on the filters of the deep levels
    output_activation: str = "sigmoid"  # outputs in [0, 1], like the inputs (when residual=False)
    residual: bool = True  # predict a correction: output = clip(input + delta, 0, 1); starts near identity
    tone_curve_knots: int = 0  # > 0: predict a monotone tone curve with this many knots per pixel (grey only); 0: off
    histogram_window: int = 0  # > 0: local histograms over windows this wide join the bottleneck (needs the curve)
    seed: int = 0  # seed of the weight initialisers

    def __post_init__(self):
        check_positive_int("channels", self.channels)
        check_positive_int("base_filters", self.base_filters)
        check_positive_int("depth", self.depth)
        check_positive_int("max_filters", self.max_filters)
        if self.max_filters < self.base_filters:
            raise invalid("max_filters", f"an integer >= base_filters ({self.base_filters})", f"max_filters={self.max_filters}")
        check_choice("output_activation", self.output_activation, ("sigmoid", "linear"))
        check_choice("residual", self.residual, (True, False))
        check_positive_int("tone_curve_knots", self.tone_curve_knots, minimum=0)
        check_positive_int("histogram_window", self.histogram_window, minimum=0)
        if self.tone_curve_knots == 1:
            raise invalid("tone_curve_knots", "0 (off) or an integer >= 2", "tone_curve_knots=1")
        if self.tone_curve_knots and self.channels != 1:
            raise invalid("tone_curve_knots", "0 for images with more than one channel (tone curves map grey levels)",
                          f"tone_curve_knots={self.tone_curve_knots} with channels={self.channels}")
        if self.histogram_window and not self.tone_curve_knots:
            raise invalid("histogram_window", "0 unless tone_curve_knots > 0 (the histograms count its bins)",
                          f"histogram_window={self.histogram_window} with tone_curve_knots=0")
        check_positive_int("seed", self.seed, minimum=0)

    @property
    def stride(self):
        """Total downsampling factor :math:`2^\\text{depth}`: H and W must be multiples of it."""
        return 2**self.depth


@dataclasses.dataclass(frozen=True)
class PatchGANConfig:
    """Settings of :func:`make_patchgan_discriminator`."""

    channels: int = 1  # channels of the condition and of the image (each)
    base_filters: int = 32  # filters of the first layer; doubled per downsampling
    n_down: int = 2  # stride-2 layers; with the two stride-1 layers the patch is 34 px wide
    seed: int = 0  # seed of the weight initialisers

    def __post_init__(self):
        check_positive_int("channels", self.channels)
        check_positive_int("base_filters", self.base_filters)
        check_positive_int("n_down", self.n_down)
        check_positive_int("seed", self.seed, minimum=0)


def unet_valid_size(size, depth):
    """The smallest size >= ``size`` that a U-Net of ``depth`` levels accepts.

    Each level halves the size with a stride-2 convolution and the decoder
    doubles it back; the skip connection concatenates features of both, so
    they must agree at every level: the size must be a multiple of
    :math:`2^\\text{depth}`. (100 halves to 50, 25, 13, 7; 7 doubled is 14,
    not 13.)

    Example:

    >>> unet_valid_size(100, 4), unet_valid_size(128, 4)
    (112, 128)
    """
    check_positive_int("size", size)
    check_positive_int("depth", depth)
    m = 2**depth
    return -(-size // m) * m


@keras.saving.register_keras_serializable(package="stylegan_edu")
class IntensityBins(keras.layers.Layer):
    r"""Soft one-hot encoding of grey levels: :math:`K` hat functions on [0, 1].

    Formula:
        With knots :math:`v_k = k / (K - 1)`, :math:`k = 0 \ldots K-1`:
        :math:`m_k(x) = \max(0,\ 1 - |(K - 1)\,x - k|)`. For
        :math:`x \in [0, 1]` at most two are non-zero and they sum to 1;
        averaging them over a window gives a (linearly interpolated)
        :math:`K`-bin histogram of the window.

    Args:
        knots: :math:`K`, the number of bins, >= 2.

    Returns:
        Called on (B, H, W, 1) in [0, 1]: (B, H, W, K).

    Example:

    >>> import numpy as np
    >>> m = IntensityBins(5)(np.array([[[[0.0], [0.375], [1.0]]]], "float32"))
    >>> np.round(np.asarray(m, "float64")[0, 0], 2).tolist()
    [[1.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 1.0]]
    """

    def __init__(self, knots, **kwargs):
        super().__init__(**kwargs)
        self.knots = check_positive_int("knots", knots, minimum=2)

    def call(self, x):  # x: (B, H, W, 1) in [0, 1]
        k = ops.arange(self.knots, dtype=x.dtype)  # (K,)
        return ops.relu(1.0 - ops.abs(x * (self.knots - 1) - k))  # (B, H, W, K)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.knots)

    def get_config(self):
        return {**super().get_config(), "knots": self.knots}


@keras.saving.register_keras_serializable(package="stylegan_edu")
class ApplyToneCurve(keras.layers.Layer):
    r"""Apply a per-pixel monotone tone curve to the pixel's own grey level.

    Formula:
        From :math:`K - 1` logits :math:`a_1 \ldots a_{K-1}` per pixel, with
        :math:`p = \mathrm{softmax}(a)` (the curve's rise between
        neighbouring knots), the knot values are the running sums
        :math:`c_0 = 0`, :math:`c_k = \sum_{j \le k} p_j`, up to
        :math:`c_{K-1} = 1`: an increasing curve from black to white, like
        a cumulative histogram. The output is the curve read at the pixel's
        grey level :math:`x` by linear interpolation between the knots
        :math:`(k / (K-1),\ c_k)`: :math:`y = \sum_k m_k(x)\, c_k` with
        :math:`m_k` from :class:`IntensityBins`. Zero logits give equal
        rises, :math:`c_k = k / (K - 1)`: exactly the identity.

    Returns:
        Called on ``[bins, logits]``, (B, H, W, K) and (B, H, W, K - 1):
        (B, H, W, 1) in [0, 1].

    Example:

    >>> import numpy as np
    >>> x = np.array([[[[0.0], [0.3], [1.0]]]], "float32")  # (1, 1, 3, 1)
    >>> ApplyToneCurve()([IntensityBins(5)(x), np.zeros((1, 1, 3, 4), "float32")]).shape  # zero logits: y = x
    TensorShape([1, 1, 3, 1])
    >>> a = np.log(np.array([1.0, 1.0, 6.0, 2.0], "float32")).reshape(1, 1, 1, 4)  # rises 0.1, 0.1, 0.6, 0.2
    >>> y = ApplyToneCurve()([IntensityBins(5)(x), np.broadcast_to(a, (1, 1, 3, 4))])
    >>> np.round(np.asarray(y, "float64")[0, 0, :, 0], 3).tolist()
    [0.0, 0.12, 1.0]
    """

    def call(self, inputs):
        bins, logits = inputs  # (B, H, W, K) and (B, H, W, K - 1)
        p = ops.softmax(logits, axis=-1)  # (B, H, W, K - 1): the rise between neighbouring knots
        c = ops.concatenate([ops.zeros_like(p[..., :1]), ops.cumsum(p, axis=-1)], axis=-1)  # (B, H, W, K): 0 ... 1
        return ops.sum(bins * c, axis=-1, keepdims=True)  # (B, H, W, 1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[0][:-1], 1)


def _init(seed, k):
    return keras.initializers.HeNormal(seed=seed * 1000 + k)


def make_unet_generator(config=None, name="unet_generator"):
    r"""A U-Net generator: (B, H, W, C) in [0, 1] to (B, H, W, C) in [0, 1].

    Formula:
        Level :math:`\ell = 0 \ldots d` has :math:`f_\ell =
        \min(f_0 2^\ell, f_\max)` filters. Encoder: two 3x3 convolutions +
        ReLU per level, then a 3x3 stride-2 convolution down. Decoder:
        bilinear 2x upsampling + 3x3 convolution, concatenated with the
        encoder's level-:math:`\ell` features, then two 3x3 convolutions.
        A 1x1 convolution gives the output: with ``residual=True`` (the
        default) it is a correction :math:`\delta` and the output is
        :math:`\mathrm{clip}(x + \delta, 0, 1)`, so an untrained network is
        close to the identity (a good start: a photo is already close to its
        enhancement); otherwise a sigmoid. Inputs are mapped to [-1, 1]
        inside the model.

        With ``tone_curve_knots`` :math:`K > 0` the input also enters as
        :math:`K` soft intensity bins :math:`m(x)` (:class:`IntensityBins`),
        the 1x1 output convolution gives :math:`K - 1` curve logits per
        pixel, and the output is :class:`ApplyToneCurve`: the pixel's grey
        level read through its own monotone curve from 0 to 1
        (zero-initialised, so it starts as the identity). With
        ``histogram_window`` :math:`w > 0` the bins, averaged over
        :math:`w \times w` windows at the bottleneck's stride (local
        :math:`K`-bin histograms), are concatenated to the bottleneck.

    Args:
        config: a :class:`UNetConfig` (default ``UNetConfig()``).
        name: the model's name.

    Returns:
        A ``keras.Model`` taking (B, H, W, C) with H, W multiples of
        ``config.stride`` (:math:`2^\text{depth}`; pass it to
        :func:`stylegan_edu.clahe.enhance` as ``stride``).

    Example:

    >>> import numpy as np
    >>> g = make_unet_generator(UNetConfig(base_filters=4, depth=2))
    >>> g(np.zeros((1, 20, 32, 1), "float32")).shape
    TensorShape([1, 20, 32, 1])
    """
    config = UNetConfig() if config is None else config
    if not isinstance(config, UNetConfig):
        raise invalid("config", "a UNetConfig", f"{type(config).__name__}")
    c, d = config.channels, config.depth
    filters = [min(config.base_filters * 2**level, config.max_filters) for level in range(d + 1)]
    k = iter(range(10_000))

    def conv(x, f, tag, strides=1, kernel=3, activation="relu"):
        return keras.layers.Conv2D(f, kernel, strides=strides, padding="same", activation=activation,
                                   kernel_initializer=_init(config.seed, next(k)), name=tag)(x)

    K = config.tone_curve_knots
    inputs = keras.Input((None, None, c), name="image")  # (B, H, W, C) in [0, 1]
    x = keras.layers.Rescaling(2.0, offset=-1.0, name="to_signed")(inputs)  # (B, H, W, C) in [-1, 1]
    if K:
        bins = IntensityBins(K, name="intensity_bins")(inputs)  # (B, H, W, K), m_k(x)
        x = keras.layers.Concatenate(name="image_and_bins")([x, bins])  # (B, H, W, 1 + K)
    skips = []
    for level in range(d):
        x = conv(x, filters[level], f"enc{level}_a")  # (B, H/2^l, W/2^l, f_l)
        x = conv(x, filters[level], f"enc{level}_b")
        skips.append(x)
        x = conv(x, filters[level + 1], f"down{level}", strides=2)  # (B, H/2^(l+1), W/2^(l+1), f_(l+1))
    if config.histogram_window:
        local_hist = keras.layers.AveragePooling2D(config.histogram_window, strides=config.stride, padding="same",
                                                   name="local_histograms")(bins)  # (B, H/2^d, W/2^d, K)
        x = keras.layers.Concatenate(name="bottleneck_and_histograms")([x, local_hist])
    x = conv(x, filters[d], "bottleneck_a")  # (B, H/2^d, W/2^d, f_d)
    x = conv(x, filters[d], "bottleneck_b")
    for level in reversed(range(d)):
        x = keras.layers.UpSampling2D(2, interpolation="bilinear", name=f"up{level}")(x)  # (B, H/2^l, W/2^l, .)
        x = conv(x, filters[level], f"up{level}_conv")
        x = keras.layers.Concatenate(name=f"skip{level}")([x, skips[level]])  # (B, H/2^l, W/2^l, 2 f_l)
        x = conv(x, filters[level], f"dec{level}_a")
        x = conv(x, filters[level], f"dec{level}_b")  # (B, H/2^l, W/2^l, f_l)
    if K:
        logits = keras.layers.Conv2D(K - 1, 1, kernel_initializer=keras.initializers.Zeros(),
                                     name="curve_logits")(x)  # (B, H, W, K - 1): the curve's rises
        outputs = ApplyToneCurve(name="apply_tone_curve")([bins, logits])  # (B, H, W, 1)
    elif config.residual:
        delta = keras.layers.Conv2D(c, 1, kernel_initializer=keras.initializers.Zeros(), name="to_delta")(x)  # (B, H, W, C)
        summed = keras.layers.Add(name="input_plus_delta")([inputs, delta])
        outputs = keras.layers.ReLU(max_value=1.0, name="clip_0_1")(summed)  # clip to [0, 1], (B, H, W, C)
    else:
        outputs = conv(x, c, "to_image", kernel=1, activation=config.output_activation)  # (B, H, W, C)
    return keras.Model(inputs, outputs, name=name)


def make_patchgan_discriminator(config=None, name="patchgan_discriminator"):
    r"""A PatchGAN discriminator on (condition, image) pairs.

    Formula:
        :math:`D(x, y)` concatenates the input :math:`x` and the candidate
        :math:`y` along channels, then ``n_down`` 4x4 stride-2 convolutions
        (:math:`f_0, 2f_0, \ldots`, LeakyReLU 0.2), one 4x4 stride-1
        convolution and a 4x4 stride-1 convolution to one logit per patch.

    Args:
        config: a :class:`PatchGANConfig` (default ``PatchGANConfig()``).
        name: the model's name.

    Returns:
        A ``keras.Model`` taking ``[condition, image]``, each (B, H, W, C) in
        [0, 1], and returning logits (B, H / 2^n_down, W / 2^n_down, 1).

    Example:

    >>> import numpy as np
    >>> d = make_patchgan_discriminator(PatchGANConfig(base_filters=4))
    >>> x = np.zeros((2, 64, 64, 1), "float32")
    >>> tuple(d([x, x]).shape)
    (2, 16, 16, 1)
    """
    config = PatchGANConfig() if config is None else config
    if not isinstance(config, PatchGANConfig):
        raise invalid("config", "a PatchGANConfig", f"{type(config).__name__}")
    c = config.channels
    condition = keras.Input((None, None, c), name="condition")  # (B, H, W, C) in [0, 1]
    image = keras.Input((None, None, c), name="image")  # (B, H, W, C) in [0, 1]
    x = keras.layers.Concatenate(name="pair")([condition, image])  # (B, H, W, 2C)
    x = keras.layers.Rescaling(2.0, offset=-1.0, name="to_signed")(x)
    f = config.base_filters
    for i in range(config.n_down):
        x = keras.layers.Conv2D(f * 2**i, 4, strides=2, padding="same", kernel_initializer=_init(config.seed, i),
                                name=f"down{i}")(x)  # (B, H/2^(i+1), W/2^(i+1), f 2^i)
        x = keras.layers.LeakyReLU(0.2, name=f"down{i}_lrelu")(x)
    x = keras.layers.Conv2D(f * 2**config.n_down, 4, padding="same", kernel_initializer=_init(config.seed, 100),
                            name="conv")(x)
    x = keras.layers.LeakyReLU(0.2, name="conv_lrelu")(x)
    logits = keras.layers.Conv2D(1, 4, padding="same", kernel_initializer=_init(config.seed, 101),
                                 name="patch_logits")(x)  # (B, H/2^n, W/2^n, 1)
    return keras.Model([condition, image], logits, name=name)
