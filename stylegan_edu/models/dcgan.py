r"""DCGAN and VGG-style generators and discriminators for 28x28 MNIST digits.

Chapters 2 (the generator) and 3 (the discriminator) build these models; the
training-loop chapter trains them. Everything here uses ``keras.layers`` and
``keras.ops`` only, so the models also run on Keras' JAX backend.

Two architectures, chosen by a config field:

* ``"dcgan"`` (Radford et al., 2015): the generator is Dense -> Reshape ->
  strided ``Conv2DTranspose`` blocks with BatchNorm and ReLU, ending in tanh; the
  discriminator is strided ``Conv2D`` -> LeakyReLU -> Dropout, ending in one logit.
* ``"vgg"``: what the source article means by "based on VGG16". VGG16 itself
  needs at least 32x32 RGB inputs, so this is VGG's *recipe* sized for 28x28
  grey digits: blocks of two 3x3 convolutions, with nearest-neighbour upsampling
  (generator) or max-pooling (discriminator) between blocks.

The default sizes are chosen so that a whole GAN (760,065 + 138,561 = 0.9 M parameters) trains
on a 2-core laptop CPU in minutes; the TensorFlow DCGAN tutorial's generator
alone has 2.3 M parameters, most of them in a Dense layer to 7x7x256.
"""

import dataclasses
import math

import numpy as np

from stylegan_edu._validation import (check_allocation, check_array, check_choice, check_float_range, check_model,
                                      check_positive_int, invalid)

__all__ = ["GeneratorConfig", "DiscriminatorConfig", "make_generator", "make_discriminator", "batch_normalization",
           "conv_output_size", "conv_transpose_output_size", "receptive_field", "layer_table", "format_layer_table",
           "multiply_adds", "sample_latent", "interpolate", "slerp", "expected_latent_norm", "ARCHITECTURES", "ACTIVATIONS"]

ARCHITECTURES = ("dcgan", "vgg")
ACTIVATIONS = ("relu", "leaky_relu")
UPSAMPLINGS = ("transpose", "resize")


def _check_filters(name, filters):
    ok = isinstance(filters, tuple) and len(filters) >= 1
    ok = ok and all(isinstance(f, int) and not isinstance(f, bool) and f >= 1 for f in filters)
    if not ok:
        raise invalid(name, "a non-empty tuple of positive integers", f"{name}={filters!r}")


def _check_weights_fit(config, weights, culprits):
    """Refuse, before building, a model whose float32 weights alone exceed 2 GB (a lower bound on its size)."""
    name = next((n for n, too_big in culprits if too_big), "filters")
    check_allocation(name, (weights,), 4, received=f"{name}={getattr(config, name)!r} ({weights:.3g} weights)")


def _check_reachable(image_size, n_steps, what):
    factor = 2**n_steps
    if image_size % factor:
        raise invalid(
            "image_size",
            f"a multiple of {factor} ({n_steps} {what} by 2, one per entry of `filters`)",
            f"image_size={image_size}",
        )


@dataclasses.dataclass(frozen=True)
class GeneratorConfig:
    """How to build a generator with :func:`make_generator`.

    The number of x2 upsampling steps is ``len(filters)``, so ``image_size``
    must be a multiple of ``2 ** len(filters)``; the Dense layer projects z to
    a ``(image_size / 2**len(filters))``-pixel square with ``filters[0]`` channels.

    Example:

    >>> GeneratorConfig().latent_dim
    100
    >>> GeneratorConfig(latent_dim=0)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `latent_dim`. Expected an integer >= 1. Received: latent_dim=0
    >>> GeneratorConfig(image_size=30)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `image_size`. Expected a multiple of 4 (2 upsamplings by 2, one per entry of `filters`). Received: image_size=30
    """

    latent_dim: int = 100  # z ~ N(0, I) in R^100, as in the source article and DCGAN
    architecture: str = "dcgan"  # "dcgan" (strided Conv2DTranspose) or "vgg" (blocks of 3x3 convs)
    image_size: int = 28  # MNIST digits are 28x28
    channels: int = 1  # grey images
    filters: tuple = (128, 64)  # channels of the 7x7 projection, then of each hidden block; 7 -> 14 -> 28
    kernel_size: int = 4  # 4 is divisible by the stride 2: every output pixel gets the same overlap (fewer checkerboards)
    upsampling: str = "transpose"  # dcgan only: "transpose" (Conv2DTranspose) or "resize" (nearest x2, then Conv2D)
    activation: str = "relu"  # DCGAN uses ReLU in the generator (tanh at the output)
    negative_slope: float = 0.2  # slope of LeakyReLU for x < 0, used when activation="leaky_relu"
    batchnorm: bool = True  # BatchNorm after every hidden layer keeps activations at unit scale (DCGAN)
    init_stddev: float = 0.02  # weights ~ N(0, 0.02^2), the DCGAN paper's initialisation
    dropout: float = 0.0  # dropout after each hidden block; 0 = none (generators rarely need it)
    seed: object = None  # int: seeded, reproducible initial weights; None: Keras' global RNG

    def __post_init__(self):
        check_positive_int("latent_dim", self.latent_dim)
        check_choice("architecture", self.architecture, ARCHITECTURES)
        check_positive_int("image_size", self.image_size)
        check_positive_int("channels", self.channels)
        _check_filters("filters", self.filters)
        check_positive_int("kernel_size", self.kernel_size)
        check_choice("upsampling", self.upsampling, UPSAMPLINGS)
        check_choice("activation", self.activation, ACTIVATIONS)
        check_float_range("negative_slope", self.negative_slope, 0.0, 1.0)
        if not isinstance(self.batchnorm, bool):
            raise invalid("batchnorm", "True or False", f"batchnorm={self.batchnorm!r}")
        check_float_range("init_stddev", self.init_stddev, 0.0, None, low_inclusive=False)
        check_float_range("dropout", self.dropout, 0.0, 1.0, high_inclusive=False)
        if self.seed is not None:
            check_positive_int("seed", self.seed, minimum=0)
        _check_reachable(self.image_size, len(self.filters), "upsamplings")
        side = self.image_size // 2 ** len(self.filters)  # the Dense layer's square
        chans = (*self.filters, self.channels)
        weights = self.latent_dim * side * side * self.filters[0] + sum(
            self.kernel_size**2 * a * b for a, b in zip(chans[:-1], chans[1:]))
        _check_weights_fit(self, weights, (("image_size", side * side > max(self.filters)),
                                           ("latent_dim", self.latent_dim > max(self.filters))))


@dataclasses.dataclass(frozen=True)
class DiscriminatorConfig:
    """How to build a discriminator with :func:`make_discriminator`.

    Each entry of ``filters`` is one block that halves the image size (a
    stride-2 convolution for ``"dcgan"``, two 3x3 convolutions and a 2x2
    max-pool for ``"vgg"``), so ``image_size`` must be a multiple of
    ``2 ** len(filters)``.

    Example:

    >>> DiscriminatorConfig().dropout
    0.3
    >>> DiscriminatorConfig(dropout=-0.1)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `dropout`. Expected a float in [0.0, 1.0). Received: dropout=-0.1
    >>> DiscriminatorConfig(activation="swish")
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `activation`. Expected one of 'relu', 'leaky_relu'. Received: activation='swish'
    """

    architecture: str = "dcgan"  # "dcgan" (strided Conv2D) or "vgg" (blocks of 3x3 convs + max-pool)
    image_size: int = 28  # MNIST digits are 28x28
    channels: int = 1  # grey images
    filters: tuple = (64, 128)  # channels of each downsampling block; 28 -> 14 -> 7
    kernel_size: int = 4  # dcgan only: 4x4 kernels with stride 2, as in DCGAN
    activation: str = "leaky_relu"  # LeakyReLU lets gradients through for x < 0, which the generator needs
    negative_slope: float = 0.2  # DCGAN's LeakyReLU slope
    batchnorm: bool = False  # off: the TensorFlow DCGAN tutorial's discriminator trains well without it
    dropout: float = 0.3  # dropout after each block keeps D from memorising the real digits
    init_stddev: float = 0.02  # weights ~ N(0, 0.02^2), the DCGAN paper's initialisation
    patch_output: bool = False  # True: a PatchGAN, one logit per patch (B, h, w, 1) instead of (B, 1)
    seed: object = None  # int: seeded, reproducible initial weights; None: Keras' global RNG

    def __post_init__(self):
        check_choice("architecture", self.architecture, ARCHITECTURES)
        check_positive_int("image_size", self.image_size)
        check_positive_int("channels", self.channels)
        _check_filters("filters", self.filters)
        check_positive_int("kernel_size", self.kernel_size)
        check_choice("activation", self.activation, ACTIVATIONS)
        check_float_range("negative_slope", self.negative_slope, 0.0, 1.0)
        for name in ("batchnorm", "patch_output"):
            if not isinstance(getattr(self, name), bool):
                raise invalid(name, "True or False", f"{name}={getattr(self, name)!r}")
        check_float_range("dropout", self.dropout, 0.0, 1.0, high_inclusive=False)
        check_float_range("init_stddev", self.init_stddev, 0.0, None, low_inclusive=False)
        if self.seed is not None:
            check_positive_int("seed", self.seed, minimum=0)
        _check_reachable(self.image_size, len(self.filters), "downsamplings")
        side = self.image_size // 2 ** len(self.filters)
        chans = (self.channels, *self.filters)
        weights = side * side * self.filters[-1] + sum(self.kernel_size**2 * a * b for a, b in zip(chans[:-1], chans[1:]))
        _check_weights_fit(self, weights, (("image_size", side * side > max(self.filters)),
                                           ("kernel_size", self.kernel_size > 64)))


class _Init:
    """Hands out one N(0, stddev^2) initializer per layer (seeded ones get distinct seeds)."""

    def __init__(self, stddev, seed):
        self.stddev, self.seed, self.count = stddev, seed, 0

    def __call__(self):
        import keras

        seed = None if self.seed is None else self.seed + self.count
        self.count += 1
        return keras.initializers.RandomNormal(mean=0.0, stddev=self.stddev, seed=seed)


def _activation(config, name):
    import keras

    if config.activation == "relu":
        return keras.layers.ReLU(name=name)
    return keras.layers.LeakyReLU(negative_slope=config.negative_slope, name=name)


def make_generator(config=None, name="generator"):
    r"""Build a generator: z of shape (B, latent_dim) -> images (B, H, W, C) in [-1, 1].

    ``"dcgan"``: Dense -> Reshape to (s, s, filters[0]) -> BatchNorm -> ReLU, then
    one stride-2 ``Conv2DTranspose`` block per further entry of ``filters``, and a
    last stride-2 ``Conv2DTranspose`` to ``channels`` with tanh. With
    ``upsampling="resize"`` each transposed convolution becomes a nearest-neighbour
    x2 resize followed by a ``Conv2D`` (no checkerboard artifacts).

    ``"vgg"``: the same projection, then per entry ``f`` of ``filters`` an x2
    nearest-neighbour upsampling and two 3x3 ``Conv2D`` with ``f`` channels
    (each with BatchNorm and the activation), and a last 3x3 ``Conv2D`` with tanh.

    Hidden layers have no bias when BatchNorm follows them (BatchNorm's own
    offset replaces it).

    Args:
        config: a :class:`GeneratorConfig` (default: ``GeneratorConfig()``).
        name: the model's name.

    Returns:
        keras.Model: an uncompiled functional model.

    Example:

    >>> g = make_generator(GeneratorConfig(seed=0))
    >>> g.output_shape
    (None, 28, 28, 1)
    >>> g.count_params()
    760065
    """
    import keras
    from keras import layers

    config = GeneratorConfig() if config is None else config
    if not isinstance(config, GeneratorConfig):
        raise invalid("config", "a GeneratorConfig", f"config={type(config).__name__}")
    init = _Init(config.init_stddev, config.seed)
    n_up = len(config.filters)
    s0 = config.image_size // 2**n_up  # side of the first feature map (7 for 28 and 2 steps)
    bias = not config.batchnorm

    def post(x, tag):
        if config.batchnorm:
            x = batch_normalization(f"{tag}_bn")(x)
        x = _activation(config, f"{tag}_act")(x)
        if config.dropout:
            x = layers.Dropout(config.dropout, name=f"{tag}_dropout")(x)
        return x

    z = keras.Input(shape=(config.latent_dim,), name="z")  # (B, latent_dim)
    x = layers.Dense(s0 * s0 * config.filters[0], use_bias=bias, kernel_initializer=init(), name="project")(z)
    x = layers.Reshape((s0, s0, config.filters[0]), name="reshape")(x)  # (B, s0, s0, filters[0])
    x = post(x, "project")
    out_init = init  # the output layer is initialised like the others

    if config.architecture == "dcgan":
        outs = list(config.filters[1:]) + [config.channels]
        for i, f in enumerate(outs):
            last = i == len(outs) - 1
            tag = "output" if last else f"up{i + 1}"
            kw = dict(
                kernel_size=config.kernel_size,
                padding="same",
                use_bias=bias or last,
                kernel_initializer=out_init(),
                activation="tanh" if last else None,
                name=f"{tag}_conv",
            )
            if config.upsampling == "transpose":
                x = layers.Conv2DTranspose(f, strides=2, **kw)(x)  # (B, 2h, 2w, f)
            else:
                x = layers.UpSampling2D(2, interpolation="nearest", name=f"{tag}_resize")(x)  # (B, 2h, 2w, c)
                x = layers.Conv2D(f, **kw)(x)  # (B, 2h, 2w, f)
            if not last:
                x = post(x, tag)
    else:  # vgg
        for i, f in enumerate(config.filters):
            tag = f"block{i + 1}"
            x = layers.UpSampling2D(2, interpolation="nearest", name=f"{tag}_up")(x)  # (B, 2h, 2w, c)
            for j in (1, 2):
                x = layers.Conv2D(f, 3, padding="same", use_bias=bias, kernel_initializer=init(), name=f"{tag}_conv{j}")(x)
                x = post(x, f"{tag}_conv{j}")
        x = layers.Conv2D(config.channels, 3, padding="same", activation="tanh", kernel_initializer=init(), name="output_conv")(x)
    return keras.Model(z, x, name=name)  # (B, latent_dim) -> (B, H, W, C)


def make_discriminator(config=None, name="discriminator"):
    r"""Build a discriminator: images (B, H, W, C) in [-1, 1] -> logits (B, 1).

    The output is a *logit* :math:`\ell`, not a probability: :math:`D(x) =
    \sigma(\ell)`. Pair it with the from-logits losses
    (``stylegan_edu.losses.discriminator_loss``), which compute BCE stably.

    ``"dcgan"``: per entry ``f`` of ``filters`` a stride-2 ``Conv2D`` with ``f``
    channels (kernel ``kernel_size``), optional BatchNorm (never on the first
    block, as in DCGAN), the activation and Dropout; then Flatten -> Dense(1).

    ``"vgg"``: per entry ``f`` two 3x3 ``Conv2D`` with ``f`` channels and the
    activation, a 2x2 max-pool and Dropout; then Flatten -> Dense(1).

    With ``patch_output=True`` the head is a 3x3 ``Conv2D`` with one channel
    instead of Flatten -> Dense: one logit per patch, shape (B, h, w, 1)
    (a PatchGAN, as pix2pix uses).

    Args:
        config: a :class:`DiscriminatorConfig` (default: ``DiscriminatorConfig()``).
        name: the model's name.

    Returns:
        keras.Model: an uncompiled functional model.

    Example:

    >>> d = make_discriminator(DiscriminatorConfig(seed=0))
    >>> d.output_shape
    (None, 1)
    >>> d.count_params()
    138561
    """
    import keras
    from keras import layers

    config = DiscriminatorConfig() if config is None else config
    if not isinstance(config, DiscriminatorConfig):
        raise invalid("config", "a DiscriminatorConfig", f"config={type(config).__name__}")
    init = _Init(config.init_stddev, config.seed)
    size = config.image_size
    x_in = keras.Input(shape=(size, size, config.channels), name="image")  # (B, H, W, C)
    x = x_in
    for i, f in enumerate(config.filters):
        tag = f"block{i + 1}"
        if config.architecture == "dcgan":
            use_bn = config.batchnorm and i > 0
            x = layers.Conv2D(
                f, config.kernel_size, strides=2, padding="same", use_bias=not use_bn, kernel_initializer=init(), name=f"{tag}_conv"
            )(x)  # (B, h/2, w/2, f)
            if use_bn:
                x = batch_normalization(f"{tag}_bn")(x)
            x = _activation(config, f"{tag}_act")(x)
        else:
            for j in (1, 2):
                use_bn = config.batchnorm and not (i == 0 and j == 1)
                x = layers.Conv2D(f, 3, padding="same", use_bias=not use_bn, kernel_initializer=init(), name=f"{tag}_conv{j}")(x)
                if use_bn:
                    x = batch_normalization(f"{tag}_conv{j}_bn")(x)
                x = _activation(config, f"{tag}_conv{j}_act")(x)
            x = layers.MaxPooling2D(2, name=f"{tag}_pool")(x)  # (B, h/2, w/2, f)
        if config.dropout:
            x = layers.Dropout(config.dropout, name=f"{tag}_dropout")(x)
    if config.patch_output:
        logits = layers.Conv2D(1, 3, padding="same", kernel_initializer=init(), name="patch_logits")(x)  # (B, h, w, 1)
    else:
        x = layers.Flatten(name="flatten")(x)  # (B, h * w * f)
        logits = layers.Dense(1, kernel_initializer=init(), name="logit")(x)  # (B, 1)
    return keras.Model(x_in, logits, name=name)


def batch_normalization(name):
    """A ``BatchNormalization`` layer, synchronised across replicas when built data-parallel.

    Built inside a ``tf.distribute`` strategy's scope with several replicas,
    the layer computes its batch statistics over the *global* batch
    (``synchronized=True``), as on one device; elsewhere it is Keras' plain
    layer (the only kind the JAX backend has).

    Example:

    >>> batch_normalization("bn").synchronized
    False
    """
    import keras

    from stylegan_edu.training import num_replicas

    return keras.layers.BatchNormalization(name=name, synchronized=num_replicas() > 1)


# ---------------------------------------------------------------------------
# Shape arithmetic and receptive fields
# ---------------------------------------------------------------------------


def _check_conv_arguments(size, kernel_size, strides, padding):
    check_positive_int("size", size)
    check_positive_int("kernel_size", kernel_size)
    check_positive_int("strides", strides)
    check_choice("padding", padding, ("valid", "same"))


def conv_output_size(size, kernel_size, strides=1, padding="valid"):
    r"""Spatial output size of a ``Conv2D`` (or pooling) along one axis.

    Formula:
        ``"valid"``: :math:`\lfloor (n - k) / s \rfloor + 1`;
        ``"same"``: :math:`\lceil n / s \rceil`.

    Args:
        size: input size :math:`n`.
        kernel_size: kernel size :math:`k`.
        strides: stride :math:`s`.
        padding: ``"valid"`` or ``"same"``.

    Returns:
        int: the output size.

    Example:

    >>> conv_output_size(28, 4, strides=2, padding="same")
    14
    >>> conv_output_size(28, 3, strides=1, padding="valid")
    26
    """
    _check_conv_arguments(size, kernel_size, strides, padding)
    if padding == "same":
        return -(-size // strides)
    if kernel_size > size:
        raise invalid("kernel_size", f"at most the input size {size} with padding='valid'", f"kernel_size={kernel_size}")
    return (size - kernel_size) // strides + 1


def conv_transpose_output_size(size, kernel_size, strides=1, padding="valid"):
    r"""Spatial output size of a ``Conv2DTranspose`` along one axis (no output_padding).

    Formula:
        ``"valid"``: :math:`(n - 1)\,s + \max(k, s)`;
        ``"same"``: :math:`n\,s`.

    Args:
        size: input size :math:`n`.
        kernel_size: kernel size :math:`k`.
        strides: stride :math:`s`.
        padding: ``"valid"`` or ``"same"``.

    Returns:
        int: the output size, as Keras computes it.

    Example:

    >>> conv_transpose_output_size(7, 4, strides=2, padding="same")
    14
    >>> conv_transpose_output_size(7, 3, strides=2, padding="valid")
    15
    """
    _check_conv_arguments(size, kernel_size, strides, padding)
    if padding == "same":
        return size * strides
    return (size - 1) * strides + max(kernel_size, strides)


def layer_table(model):
    """One row per layer: name, type, output shape and parameter count.

    The book prints it to show how a model's feature maps change shape.

    Args:
        model: a built Keras model.

    Returns:
        list of tuples ``(name, class_name, output_shape, n_params)``, the
        output shape without its batch dimension.

    Example:

    >>> rows = layer_table(make_generator(GeneratorConfig(seed=0)))
    >>> rows[0]
    ('z', 'InputLayer', (100,), 0)
    >>> rows[-1]
    ('output_conv', 'Conv2DTranspose', (28, 28, 1), 1025)
    """
    check_model("model", model)
    rows = []
    for layer in model.layers:
        out = layer.output.shape if hasattr(layer, "output") else layer.output_shape
        rows.append((layer.name, type(layer).__name__, tuple(out[1:]), int(layer.count_params())))
    return rows


def format_layer_table(model):
    """:func:`layer_table` as aligned text, with a total line.

    Example:

    >>> format_layer_table(make_discriminator(DiscriminatorConfig(seed=0))).splitlines()[-1].split()
    ['total', '138,561']
    """
    check_model("model", model)
    rows = layer_table(model)
    lines = [f"{'layer':<18} {'type':<20} {'output shape':<15} {'params':>9}"]
    for name, kind, shape, n in rows:
        lines.append(f"{name:<18} {kind:<20} {str(shape):<15} {n:>9,}")
    lines.append(f"{'total':<55} {model.count_params():>9,}")
    return "\n".join(lines)


def multiply_adds(model):
    r"""Multiply-adds of one forward pass for one image, per layer and in total.

    Counts the layers that hold almost all the arithmetic; BatchNorm,
    activations and pooling (a few operations per value) are left out.

    Formula:
        ``Dense``: :math:`n_\text{in} n_\text{out}`;
        ``Conv2D``: :math:`H_\text{out} W_\text{out} k_h k_w C_\text{in} C_\text{out}`;
        ``Conv2DTranspose``: :math:`H_\text{in} W_\text{in} k_h k_w C_\text{in} C_\text{out}`
        (every input pixel stamps a kernel).

    Args:
        model: a built Keras model.

    Returns:
        tuple ``(total, rows)``, ``rows`` a list of ``(layer_name, multiply_adds)``.

    Example:

    >>> total, rows = multiply_adds(make_generator(GeneratorConfig(seed=0)))
    >>> total
    7250432
    >>> rows[1]
    ('up1_conv', 6422528)
    """
    check_model("model", model)
    rows = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Dense":
            n = int(layer.kernel.shape[0]) * int(layer.kernel.shape[1])
        elif kind in ("Conv2D", "Conv2DTranspose"):
            kh, kw = layer.kernel_size
            in_shape, out_shape = layer.input.shape, layer.output.shape
            c_in, c_out = int(in_shape[-1]), int(out_shape[-1])
            h, w = (in_shape[1], in_shape[2]) if kind == "Conv2DTranspose" else (out_shape[1], out_shape[2])
            n = int(h) * int(w) * kh * kw * c_in * c_out // getattr(layer, "groups", 1)
        else:
            continue
        rows.append((layer.name, n))
    return sum(n for _, n in rows), rows


_SPATIAL = ("Conv2D", "MaxPooling2D", "AveragePooling2D")
_UPSAMPLING = ("Conv2DTranspose", "UpSampling2D")


def receptive_field(model):
    r"""Receptive field of each convolution and pooling layer of an image classifier.

    The receptive field :math:`r` is the side of the input square that one
    output pixel of a layer can see; the jump :math:`j` is how many input
    pixels apart two neighbouring output pixels are.

    Formula:
        A convolution or pooling with kernel :math:`k`, stride :math:`s` and
        dilation :math:`d`: :math:`r \leftarrow r + (k - 1)\,d\,j`, then
        :math:`j \leftarrow j\,s`, starting from :math:`r = j = 1`. Point-wise
        layers (activations, BatchNorm, Dropout) change nothing; a ``Flatten``
        followed by ``Dense`` sees the whole image.

    Args:
        model: a Keras model whose layers form a chain (as :func:`make_discriminator`
            builds), without upsampling layers.

    Returns:
        list of ``(layer_name, r, j)`` for each convolution or pooling layer, in order.

    Example:

    >>> receptive_field(make_discriminator(DiscriminatorConfig(seed=0, patch_output=True)))
    [('block1_conv', 4, 2), ('block2_conv', 10, 4), ('patch_logits', 18, 4)]
    """
    check_model("model", model)
    r, j = 1, 1
    rows = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in _UPSAMPLING:
            raise invalid("model", "a model without upsampling layers (a discriminator or classifier)", f"layer {layer.name!r} of type {kind}")
        if kind not in _SPATIAL:
            continue
        k = layer.kernel_size[0] if hasattr(layer, "kernel_size") else layer.pool_size[0]
        dilation = getattr(layer, "dilation_rate", (1, 1))[0]
        r, j = r + (k - 1) * dilation * j, j * layer.strides[0]
        rows.append((layer.name, int(r), int(j)))
    return rows


# ---------------------------------------------------------------------------
# The latent space
# ---------------------------------------------------------------------------


def sample_latent(n, latent_dim=100, seed=None):
    """Draw ``n`` latent vectors z ~ N(0, I), as the source article says.

    Args:
        n: how many vectors.
        latent_dim: their dimension.
        seed: an int for a reproducible draw (numpy's ``default_rng``).

    Returns:
        np.ndarray: float32, shape (n, latent_dim).

    Example:

    >>> sample_latent(2, 3, seed=0).shape
    (2, 3)
    """
    check_positive_int("n", n)
    check_positive_int("latent_dim", latent_dim)
    check_allocation("n" if n >= latent_dim else "latent_dim", (n, latent_dim), 8, received=f"n={n}, latent_dim={latent_dim}")
    if seed is not None:
        check_positive_int("seed", seed, minimum=0)
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype(np.float32)


def slerp(z0, z1, t):
    r"""Spherical linear interpolation between two latent vectors.

    Formula:
        :math:`\Omega = \arccos\frac{z_0 \cdot z_1}{\lVert z_0\rVert\lVert z_1\rVert}`,
        :math:`\mathrm{slerp}(z_0, z_1; t) = \frac{\sin((1-t)\Omega)}{\sin\Omega} z_0 + \frac{\sin(t\Omega)}{\sin\Omega} z_1`.
        When :math:`\sin\Omega \approx 0` (parallel vectors) it falls back to the
        linear interpolation :math:`(1-t) z_0 + t z_1`.

    Args:
        z0: start vector, shape (D,).
        z1: end vector, shape (D,).
        t: a float or an array of floats in [0, 1].

    Returns:
        np.ndarray: shape (D,) for a scalar ``t``, else (len(t), D).

    Example:

    >>> import numpy as np
    >>> np.round(slerp(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.5), 4)
    array([0.7071, 0.7071])
    """
    z0, z1 = _check_pair(z0, z1)
    t_arr = check_array("t", t, ndim=(0, 1))
    if t_arr.min() < 0 or t_arr.max() > 1:
        raise invalid("t", "values in [0, 1]", f"min={t_arr.min():g}, max={t_arr.max():g}")
    scalar = t_arr.ndim == 0
    tt = t_arr.reshape(-1, 1)  # (T, 1)
    n0, n1 = np.linalg.norm(z0), np.linalg.norm(z1)
    if n0 == 0 or n1 == 0:
        out = (1 - tt) * z0 + tt * z1
    else:
        cos = np.clip(np.dot(z0, z1) / (n0 * n1), -1.0, 1.0)
        omega = np.arccos(cos)
        so = np.sin(omega)
        if so < 1e-6:
            out = (1 - tt) * z0 + tt * z1
        else:
            out = np.sin((1 - tt) * omega) / so * z0 + np.sin(tt * omega) / so * z1  # (T, D)
    return out[0] if scalar else out


def _check_pair(z0, z1):
    z0 = check_array("z0", z0)
    z1 = check_array("z1", z1)
    if z0.ndim != 1:
        raise invalid("z0", "a vector of shape (D,)", f"shape {z0.shape}")
    if z1.shape != z0.shape:
        raise invalid("z1", f"the same shape as `z0`, {z0.shape}", f"shape {z1.shape}")
    return z0, z1


def interpolate(z0, z1, steps, kind="slerp"):
    r"""``steps`` latent vectors from ``z0`` to ``z1`` (both ends included).

    Formula:
        ``"linear"``: :math:`(1-t) z_0 + t z_1`; ``"slerp"``: see :func:`slerp`;
        for :math:`t = 0, \frac{1}{steps-1}, \dots, 1`.

    Linear interpolation between two Gaussian vectors passes close to the
    origin, where :math:`\lVert z\rVert` is about :math:`\sqrt{D/2}` instead of
    :math:`\sqrt{D}`: the generator never saw such short vectors in training.
    Spherical interpolation keeps the norm near :math:`\sqrt{D}`.

    Args:
        z0: start vector, shape (D,).
        z1: end vector, shape (D,).
        steps: number of vectors, >= 2.
        kind: ``"linear"`` or ``"slerp"``.

    Returns:
        np.ndarray: float32, shape (steps, D).

    Example:

    >>> import numpy as np
    >>> interpolate(np.zeros(2), np.ones(2), 3, kind="linear")
    array([[0. , 0. ],
           [0.5, 0.5],
           [1. , 1. ]], dtype=float32)
    """
    z0, z1 = _check_pair(z0, z1)
    check_positive_int("steps", steps, minimum=2)
    check_allocation("steps", (steps, len(z0)), 8, received=f"steps={steps}")
    check_choice("kind", kind, ("linear", "slerp"))
    t = np.linspace(0.0, 1.0, steps)
    if kind == "linear":
        out = (1 - t[:, None]) * z0 + t[:, None] * z1  # (steps, D)
    else:
        out = slerp(z0, z1, t)
    return out.astype(np.float32)


def expected_latent_norm(latent_dim):
    r"""Mean norm of z ~ N(0, I_D): :math:`\sqrt{2}\,\Gamma(\frac{D+1}{2}) / \Gamma(\frac{D}{2}) \approx \sqrt{D}`.

    Example:

    >>> round(expected_latent_norm(100), 4)
    9.975
    """
    check_positive_int("latent_dim", latent_dim)
    return float(math.sqrt(2.0) * math.exp(math.lgamma((latent_dim + 1) / 2) - math.lgamma(latent_dim / 2)))
