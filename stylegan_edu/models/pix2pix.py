r"""A pix2pix-style conditional GAN: a U-Net generator and a PatchGAN discriminator.

Chapter 11 trains them to turn a low-contrast grey image into its CLAHE
enhancement (Isola et al., 2017, "Image-to-image translation with conditional
adversarial networks").

* The **U-Net** maps an image (B, H, W, C) to an image of the same shape. An
  encoder halves the resolution ``depth`` times; a decoder doubles it back,
  and at every level it concatenates the encoder's features of the same size
  (the *skip connections*), so fine detail does not have to squeeze through
  the bottleneck. H and W must be multiples of :math:`2^\text{depth}`.
* The **PatchGAN** discriminator sees the pair (input, candidate output) and
  returns a grid of logits, one per overlapping patch: "is this patch of the
  output a plausible enhancement of this patch of the input?".

Both use ``keras.layers`` only.
"""

import dataclasses

import keras

from stylegan_edu._validation import check_choice, check_positive_int, invalid

__all__ = [
    "UNetConfig",
    "PatchGANConfig",
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

    Args:
        config: a :class:`UNetConfig` (default ``UNetConfig()``).
        name: the model's name.

    Returns:
        A ``keras.Model`` taking (B, H, W, C) with H, W multiples of
        ``config.stride``. It carries ``stride`` and ``min_size`` attributes
        (both :math:`2^\text{depth}`), which :func:`stylegan_edu.clahe.enhance`
        reads.

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

    inputs = keras.Input((None, None, c), name="image")  # (B, H, W, C) in [0, 1]
    x = keras.layers.Rescaling(2.0, offset=-1.0, name="to_signed")(inputs)  # (B, H, W, C) in [-1, 1]
    skips = []
    for level in range(d):
        x = conv(x, filters[level], f"enc{level}_a")  # (B, H/2^l, W/2^l, f_l)
        x = conv(x, filters[level], f"enc{level}_b")
        skips.append(x)
        x = conv(x, filters[level + 1], f"down{level}", strides=2)  # (B, H/2^(l+1), W/2^(l+1), f_(l+1))
    x = conv(x, filters[d], "bottleneck_a")  # (B, H/2^d, W/2^d, f_d)
    x = conv(x, filters[d], "bottleneck_b")
    for level in reversed(range(d)):
        x = keras.layers.UpSampling2D(2, interpolation="bilinear", name=f"up{level}")(x)  # (B, H/2^l, W/2^l, .)
        x = conv(x, filters[level], f"up{level}_conv")
        x = keras.layers.Concatenate(name=f"skip{level}")([x, skips[level]])  # (B, H/2^l, W/2^l, 2 f_l)
        x = conv(x, filters[level], f"dec{level}_a")
        x = conv(x, filters[level], f"dec{level}_b")  # (B, H/2^l, W/2^l, f_l)
    if config.residual:
        delta = keras.layers.Conv2D(c, 1, kernel_initializer=keras.initializers.Zeros(), name="to_delta")(x)  # (B, H, W, C)
        summed = keras.layers.Add(name="input_plus_delta")([inputs, delta])
        outputs = keras.layers.ReLU(max_value=1.0, name="clip_0_1")(summed)  # clip to [0, 1], (B, H, W, C)
    else:
        outputs = conv(x, c, "to_image", kernel=1, activation=config.output_activation)  # (B, H, W, C)
    model = keras.Model(inputs, outputs, name=name)
    model.stride = config.stride
    model.min_size = config.stride
    model.config = config
    return model


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
