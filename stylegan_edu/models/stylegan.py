r"""StyleGAN building blocks: equalised learning rate, mapping network, AdaIN, modulated convolution.

Chapter 12 builds these, chapter 13 trains a style-based generator with them.
Everything here uses ``keras.layers`` and ``keras.ops`` only, so it also runs
on Keras' JAX backend, and every layer serialises (``get_config``, registered
under the package name ``"stylegan_edu"``, saved in ``.keras`` files).

* :class:`EqualizedDense`, :class:`EqualizedConv2D`: the equalised learning
  rate of Karras et al. (2018). Weights are stored as N(0, 1) and scaled at
  run time by :math:`1/\sqrt{\text{fan\_in}}` (He's constant), so that Adam's
  step, which does not depend on a weight's scale, is the same relative
  change for every layer.
* :class:`PixelNorm` and :class:`MappingNetwork` (:class:`MappingConfig`):
  z -> w, an MLP after normalising z to unit root-mean-square (StyleGAN, 2019).
* :class:`AdaIN`: adaptive instance normalisation with a per-sample style
  (StyleGAN's style input; :func:`stylegan_edu.style_statistics.adain` is the
  feature-space version).
* :class:`ModulatedConv2D`: StyleGAN2's modulation and weight demodulation
  (Karras et al., 2020), the AdaIN normalisation moved into the weights.
* :class:`NoiseInjection` and :class:`ConstantInput`: per-pixel noise with a
  learned per-channel scale, and the learned 4x4 start of the synthesis network.
"""

import dataclasses
import math

import keras
from keras import ops

from stylegan_edu._validation import check_choice, check_float_range, check_positive_int, invalid

__all__ = ["EqualizedDense", "EqualizedConv2D", "PixelNorm", "MappingConfig", "MappingNetwork", "AdaIN",
           "ModulatedConv2D", "NoiseInjection", "ConstantInput", "STYLEGAN_ACTIVATIONS"]

#: Activations of the equalised layers: none, or StyleGAN's leaky ReLU (slope 0.2) times sqrt(2).
STYLEGAN_ACTIVATIONS = ("linear", "leaky_relu")
_PACKAGE = "stylegan_edu"


def _check_seed(seed):
    if seed is not None:
        check_positive_int("seed", seed, minimum=0)
    return seed


def _activate(y, activation, negative_slope):
    """StyleGAN's bias_act: leaky ReLU scaled by sqrt(2), which keeps unit second moment for N(0, 1) inputs."""
    if activation == "leaky_relu":
        return ops.leaky_relu(y, negative_slope=negative_slope) * math.sqrt(2.0)
    return y


def _shapes(inputs):
    """The shapes of a list of tensors (arrays, Keras tensors), or ``inputs`` itself when it is not a list."""
    if isinstance(inputs, (list, tuple)):
        return [tuple(getattr(t, "shape", None) or ()) for t in inputs]
    return inputs


def _last_dim(name, shape, expected_rank, what):
    shape = tuple(shape)
    if len(shape) != expected_rank or shape[-1] is None:
        raise invalid(name, f"a tensor of shape {what} with a known last dimension", f"shape {shape}")
    return int(shape[-1])


# ---------------------------------------------------------------------------
# Equalised learning rate
# ---------------------------------------------------------------------------


class _EqualizedLayer(keras.layers.Layer):
    """What the equalised-learning-rate layers share: the run-time weight scale, the bias and the activation."""

    @property
    def effective_kernel(self):
        """The kernel the layer computes with: the stored one times ``weight_scale``."""
        return self.kernel * self.weight_scale

    def _bias_and_activation(self, y):
        if self.bias is not None:
            y = y + self.bias * self.lr_multiplier  # the bias is equalised by the same multiplier
        return _activate(y, self.activation, self.negative_slope)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class EqualizedDense(_EqualizedLayer):
    r"""A dense layer with equalised learning rate: N(0, 1) weights scaled at run time.

    Formula:
        .. math:: y = \phi\left(x \, (c\, W) + \lambda\, b\right), \qquad
                  c = \frac{\lambda}{\sqrt{\text{fan\_in}}}

        The stored kernel :math:`W` is initialised from
        :math:`\mathcal N(0, 1/\lambda^2)` and the stored bias to
        ``bias_init`` / :math:`\lambda`, so the *effective* weights
        :math:`cW` start as :math:`\mathcal N(0, 1/\text{fan\_in})` (He's
        initialisation) whatever the learning-rate multiplier
        :math:`\lambda`; a gradient step on :math:`W` moves the effective
        weights :math:`\lambda` times as far (StyleGAN's mapping network
        uses :math:`\lambda = 0.01`). :math:`\phi` is the identity or
        :math:`\sqrt 2\,\mathrm{LeakyReLU}_{0.2}`.

    Args:
        units: output features.
        use_bias: whether to add a bias.
        bias_init: the bias' initial (effective) value; 1 for StyleGAN2's
            style affine layers, so that styles start around 1.
        lr_multiplier: :math:`\lambda > 0`, scales this layer's learning rate.
        activation: ``"linear"`` or ``"leaky_relu"`` (times sqrt(2)).
        negative_slope: the leaky ReLU's slope for negative inputs.
        seed: int seed of the kernel's initialiser, or ``None``.

    Returns:
        Called on (B, fan_in): (B, units).

    Example:

    >>> import numpy as np
    >>> layer = EqualizedDense(3, seed=0)
    >>> x = np.ones((2, 4), "float32")
    >>> tuple(layer(x).shape)
    (2, 3)
    >>> layer.weight_scale  # 1 / sqrt(4)
    0.5
    >>> bool(np.allclose(np.asarray(layer.effective_kernel), 0.5 * np.asarray(layer.kernel)))
    True
    """

    def __init__(self, units, use_bias=True, bias_init=0.0, lr_multiplier=1.0, activation="linear",
                 negative_slope=0.2, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.units = check_positive_int("units", units)
        if not isinstance(use_bias, bool):
            raise invalid("use_bias", "True or False", f"use_bias={use_bias!r}")
        self.use_bias = use_bias
        self.bias_init = check_float_range("bias_init", bias_init)
        self.lr_multiplier = check_float_range("lr_multiplier", lr_multiplier, 0.0, None, low_inclusive=False)
        self.activation = check_choice("activation", activation, STYLEGAN_ACTIVATIONS)
        self.negative_slope = check_float_range("negative_slope", negative_slope, 0.0, 1.0)
        self.seed = _check_seed(seed)

    def build(self, input_shape):
        fan_in = _last_dim("inputs", input_shape, len(input_shape), "(B, fan_in)")
        self.fan_in = fan_in
        self.weight_scale = self.lr_multiplier / math.sqrt(fan_in)  # c = lambda / sqrt(fan_in)
        init = keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier, seed=self.seed)
        self.kernel = self.add_weight(name="kernel", shape=(fan_in, self.units), initializer=init)  # (fan_in, units)
        self.bias = None
        if self.use_bias:
            b0 = keras.initializers.Constant(self.bias_init / self.lr_multiplier)
            self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=b0)  # (units,)

    def call(self, inputs):
        return self._bias_and_activation(ops.matmul(inputs, self.effective_kernel))  # (B, units)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "use_bias": self.use_bias, "bias_init": self.bias_init,
                "lr_multiplier": self.lr_multiplier, "activation": self.activation,
                "negative_slope": self.negative_slope, "seed": self.seed}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class EqualizedConv2D(_EqualizedLayer):
    r"""A stride-1, ``"same"``-padded convolution with equalised learning rate.

    Formula:
        .. math:: y = \phi\left(x \star (c\, W) + \lambda\, b\right), \qquad
                  c = \frac{\lambda}{\sqrt{k^2 C_\text{in}}}

        with :math:`W \in \mathbb R^{k \times k \times C_\text{in} \times C_\text{out}}`
        stored as :math:`\mathcal N(0, 1/\lambda^2)`, as in :class:`EqualizedDense`
        (:math:`\text{fan\_in} = k^2 C_\text{in}`). :math:`\star` is Keras'
        convolution (a cross-correlation).

    Args:
        filters: output channels.
        kernel_size: k, the side of the square kernel.
        use_bias: whether to add a bias (initialised to 0).
        lr_multiplier: :math:`\lambda > 0`.
        activation: ``"linear"`` or ``"leaky_relu"`` (times sqrt(2)).
        negative_slope: the leaky ReLU's slope for negative inputs.
        seed: int seed of the kernel's initialiser, or ``None``.

    Returns:
        Called on (B, H, W, C_in): (B, H, W, filters).

    Example:

    >>> import numpy as np
    >>> layer = EqualizedConv2D(8, 3, seed=0)
    >>> tuple(layer(np.zeros((1, 5, 5, 2), "float32")).shape)
    (1, 5, 5, 8)
    >>> round(layer.weight_scale, 6)  # 1 / sqrt(3 * 3 * 2)
    0.235702
    """

    def __init__(self, filters, kernel_size, use_bias=True, lr_multiplier=1.0, activation="linear",
                 negative_slope=0.2, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.filters = check_positive_int("filters", filters)
        self.kernel_size = check_positive_int("kernel_size", kernel_size)
        if not isinstance(use_bias, bool):
            raise invalid("use_bias", "True or False", f"use_bias={use_bias!r}")
        self.use_bias = use_bias
        self.lr_multiplier = check_float_range("lr_multiplier", lr_multiplier, 0.0, None, low_inclusive=False)
        self.activation = check_choice("activation", activation, STYLEGAN_ACTIVATIONS)
        self.negative_slope = check_float_range("negative_slope", negative_slope, 0.0, 1.0)
        self.seed = _check_seed(seed)

    def build(self, input_shape):
        c_in = _last_dim("inputs", input_shape, 4, "(B, H, W, C)")
        k = self.kernel_size
        self.fan_in = k * k * c_in
        self.weight_scale = self.lr_multiplier / math.sqrt(self.fan_in)
        init = keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier, seed=self.seed)
        self.kernel = self.add_weight(name="kernel", shape=(k, k, c_in, self.filters), initializer=init)  # (k, k, C_in, C_out)
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros") if self.use_bias else None

    def call(self, inputs):
        return self._bias_and_activation(ops.conv(inputs, self.effective_kernel, strides=1, padding="same"))  # (B, H, W, C_out)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "use_bias": self.use_bias, "lr_multiplier": self.lr_multiplier, "activation": self.activation,
                "negative_slope": self.negative_slope, "seed": self.seed}


# ---------------------------------------------------------------------------
# Mapping network: z -> w
# ---------------------------------------------------------------------------


@keras.saving.register_keras_serializable(package=_PACKAGE)
class PixelNorm(keras.layers.Layer):
    r"""Normalise each vector to unit root-mean-square over its last axis.

    Formula:
        .. math:: \hat z = \frac{z}{\sqrt{\frac{1}{D} \sum_d z_d^2 + \epsilon}}

        For :math:`z \sim \mathcal N(0, I_D)`, :math:`\lVert z \rVert \approx
        \sqrt D` already; pixel-norm makes it exact, so the mapping network
        sees latents on one sphere.

    Args:
        epsilon: added to the mean square, >= 0.

    Example:

    >>> import numpy as np
    >>> z = np.array([[3.0, 4.0]], "float32")
    >>> np.round(np.asarray(PixelNorm(epsilon=0.0)(z), "float64"), 4).tolist()  # rms of (3, 4) is sqrt(12.5)
    [[0.8485, 1.1314]]
    """

    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = check_float_range("epsilon", epsilon, 0.0, None)

    def call(self, inputs):
        ms = ops.mean(ops.square(inputs), axis=-1, keepdims=True)  # (B, 1)
        return inputs * ops.rsqrt(ms + self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@dataclasses.dataclass(frozen=True)
class MappingConfig:
    """How to build a :class:`MappingNetwork`.

    Example:

    >>> MappingConfig().num_layers
    4
    >>> MappingConfig(lr_multiplier=0)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `lr_multiplier`. Expected a float in (0.0, inf]. Received: lr_multiplier=0
    """

    latent_dim: int = 64  # z ~ N(0, I) in R^64 (StyleGAN: 512); small enough for a CPU
    w_dim: int = 64  # w in R^64, also the width of every hidden layer (StyleGAN: 512)
    num_layers: int = 4  # dense layers; StyleGAN uses 8, half is plenty for 28x28 images
    lr_multiplier: float = 0.01  # StyleGAN's: the mapping network learns 100 times slower than the synthesis network
    negative_slope: float = 0.2  # leaky ReLU slope, as in StyleGAN
    pixel_norm: bool = True  # normalise z to unit root-mean-square first
    seed: object = None  # int: seeded, reproducible initial weights (layer i gets seed + i); None: Keras' global RNG

    def __post_init__(self):
        check_positive_int("latent_dim", self.latent_dim)
        check_positive_int("w_dim", self.w_dim)
        check_positive_int("num_layers", self.num_layers)
        check_float_range("lr_multiplier", self.lr_multiplier, 0.0, None, low_inclusive=False)
        check_float_range("negative_slope", self.negative_slope, 0.0, 1.0)
        if not isinstance(self.pixel_norm, bool):
            raise invalid("pixel_norm", "True or False", f"pixel_norm={self.pixel_norm!r}")
        _check_seed(self.seed)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class MappingNetwork(keras.layers.Layer):
    r"""StyleGAN's mapping network: z -> w, pixel-norm then an MLP.

    Formula:
        .. math:: w = f_L \circ \dots \circ f_1(\mathrm{PixelNorm}(z)), \qquad
                  f_\ell(h) = \sqrt 2\,\mathrm{LeakyReLU}_{0.2}(h\, c W_\ell + \lambda b_\ell)

        with :class:`EqualizedDense` layers (learning-rate multiplier
        :math:`\lambda`). The generator never sees z, only w: the MLP is free
        to warp the Gaussian into whatever distribution of styles fits the
        data (StyleGAN's "disentangled" intermediate latent space).

    Args:
        config: a :class:`MappingConfig` (default ``MappingConfig()``).

    Returns:
        Called on z, (B, latent_dim): w, (B, w_dim).

    Example:

    >>> import numpy as np
    >>> mapping = MappingNetwork(MappingConfig(latent_dim=8, w_dim=16, num_layers=2, seed=0))
    >>> tuple(mapping(np.random.default_rng(0).normal(size=(3, 8)).astype("float32")).shape)
    (3, 16)
    >>> mapping.count_params()  # (8 * 16 + 16) + (16 * 16 + 16)
    416
    """

    def __init__(self, config=None, **kwargs):
        super().__init__(**kwargs)
        config = MappingConfig() if config is None else config
        if isinstance(config, dict):
            config = MappingConfig(**config)
        if not isinstance(config, MappingConfig):
            raise invalid("config", "a MappingConfig", f"config={config!r}")
        self.config = config
        self.pixel_norm = PixelNorm(name="pixel_norm") if config.pixel_norm else None
        self.dense_layers = [
            EqualizedDense(config.w_dim, lr_multiplier=config.lr_multiplier, activation="leaky_relu",
                           negative_slope=config.negative_slope,
                           seed=None if config.seed is None else config.seed + i, name=f"dense_{i}")
            for i in range(config.num_layers)
        ]

    def build(self, input_shape):
        d = _last_dim("z", input_shape, 2, "(B, latent_dim)")
        if d != self.config.latent_dim:
            raise invalid("z", f"latents of shape (B, {self.config.latent_dim}) (config.latent_dim)", f"shape {tuple(input_shape)}")
        shape = tuple(input_shape)
        for layer in self.dense_layers:
            layer.build(shape)
            shape = (shape[0], self.config.w_dim)

    def call(self, z):
        if z.shape[-1] != self.config.latent_dim:
            raise invalid("z", f"latents of shape (B, {self.config.latent_dim}) (config.latent_dim)", f"shape {tuple(z.shape)}")
        h = self.pixel_norm(z) if self.pixel_norm is not None else z  # (B, latent_dim)
        for layer in self.dense_layers:
            h = layer(h)  # (B, w_dim)
        return h

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.config.w_dim)

    def get_config(self):
        return {**super().get_config(), "config": dataclasses.asdict(self.config)}

    @classmethod
    def from_config(cls, config):
        """Rebuild the network from :meth:`get_config`'s output."""
        config = dict(config)
        return cls(config=MappingConfig(**config.pop("config")), **config)


# ---------------------------------------------------------------------------
# Styles: AdaIN (StyleGAN) and modulated convolution (StyleGAN2)
# ---------------------------------------------------------------------------


@keras.saving.register_keras_serializable(package=_PACKAGE)
class AdaIN(keras.layers.Layer):
    r"""Adaptive instance normalisation with a given per-sample style (StyleGAN).

    Formula:
        .. math:: \mathrm{AdaIN}(x, y_s, y_b)_{bijc} = y_{s,bc}\,
                  \frac{x_{bijc} - \mu_{bc}(x)}{\sigma_{bc}(x)} + y_{b,bc},
                  \qquad \sigma_{bc}(x) = \sqrt{\mathrm{Var}_{ij}(x_{bijc}) + \epsilon}

        per sample :math:`b` and channel :math:`c`, over height and width.
        StyleGAN computes the style :math:`(y_s, y_b)` from w with a learned
        affine layer (:class:`EqualizedDense`, bias 1 for :math:`y_s`);
        :func:`stylegan_edu.style_statistics.adain` is the same operation with
        the style taken from another image's features. A constant channel
        (zero variance) gives :math:`y_b`, thanks to :math:`\epsilon`.

    Args:
        epsilon: added to the variance, >= 0.

    Returns:
        Called on ``[x, style_scale, style_bias]``, shapes (B, H, W, C),
        (B, C) and (B, C): (B, H, W, C).

    Example:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(2, 8, 8, 3)).astype("float32")
    >>> scale, bias = np.full((2, 3), 2.0, "float32"), np.full((2, 3), 5.0, "float32")
    >>> y = np.asarray(AdaIN()([x, scale, bias]))
    >>> np.round(y.mean(axis=(1, 2)), 4).tolist()[0], np.round(y.std(axis=(1, 2)), 3).tolist()[0]
    ([5.0, 5.0, 5.0], [2.0, 2.0, 2.0])
    >>> AdaIN()([x, scale[:, :2], bias])
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `style_scale`. Expected one value per channel of `x`, shape (B, 3). Received: shape (2, 2)
    """

    def __init__(self, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = check_float_range("epsilon", epsilon, 0.0, None)

    def _check(self, shapes):
        if not isinstance(shapes, (list, tuple)) or len(shapes) != 3:
            raise invalid("inputs", "a list [x, style_scale, style_bias]", f"{type(shapes).__name__}")
        x_shape, scale_shape, bias_shape = (tuple(s) for s in shapes)
        c = _last_dim("x", x_shape, 4, "(B, H, W, C)")
        for name, shape in (("style_scale", scale_shape), ("style_bias", bias_shape)):
            if len(shape) != 2 or shape[-1] != c:
                raise invalid(name, f"one value per channel of `x`, shape (B, {c})", f"shape {shape}")

    def __call__(self, inputs, *args, **kwargs):
        self._check(_shapes(inputs))  # here, not in call(): Keras rewraps errors raised inside call()
        return super().__call__(inputs, *args, **kwargs)

    def build(self, input_shape):
        self._check(input_shape)

    def call(self, inputs):
        x, style_scale, style_bias = inputs  # (B, H, W, C), (B, C), (B, C)
        mean = ops.mean(x, axis=(1, 2), keepdims=True)  # (B, 1, 1, C)
        var = ops.mean(ops.square(x - mean), axis=(1, 2), keepdims=True)  # (B, 1, 1, C)
        normalized = (x - mean) * ops.rsqrt(var + self.epsilon)  # (B, H, W, C)
        return style_scale[:, None, None, :] * normalized + style_bias[:, None, None, :]  # (B, H, W, C)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ModulatedConv2D(EqualizedConv2D):
    r"""StyleGAN2's modulated convolution with weight demodulation (stride 1, ``"same"`` padding).

    Formula:
        With the equalised kernel :math:`w = cW` (:class:`EqualizedConv2D`), the
        literal definition builds one kernel per sample :math:`b`:

        .. math:: w'_{b,kli o} = s_{b,i}\, w_{kli o}, \qquad
                  w''_{b,kli o} = \frac{w'_{b,kli o}}{\sqrt{\sum_{k,l,i} {w'_{b,kli o}}^2 + \epsilon}}

        (modulation by the style :math:`s_b`, one scale per input channel
        :math:`i`, then demodulation per output channel :math:`o`) and
        convolves sample :math:`b` with :math:`w''_b`. Scaling the kernel's
        input channels is scaling the input's channels, and scaling its
        output channels is scaling the output's, so the layer computes the
        same thing with one shared convolution:

        .. math:: y_b = d_b \odot \big( (s_b \odot x_b) \star w \big), \qquad
                  d_{b,o} = \Big(\sum_i s_{b,i}^2 \sum_{k,l} w_{kli o}^2 + \epsilon\Big)^{-1/2}

        If the :math:`x_{b,\cdot i}` are i.i.d. with unit variance, the output
        :math:`y_{b,\cdot o}` has unit variance too: the normalisation AdaIN
        applies to the activations, applied to the weights instead, from
        statistics *assumed* rather than measured.

    Args:
        filters: output channels.
        kernel_size: k, the side of the square kernel.
        demodulate: whether to divide by the demodulation coefficients.
        use_bias: whether to add a bias (initialised to 0) after demodulation.
        epsilon: added under the square root, >= 0.
        seed: int seed of the kernel's initialiser, or ``None``.

    Returns:
        Called on ``[x, style]``, shapes (B, H, W, C_in) and (B, C_in):
        (B, H, W, filters).

    Example:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> layer = ModulatedConv2D(16, 3, seed=0)
    >>> x = rng.normal(size=(2, 32, 32, 8)).astype("float32")
    >>> y = np.asarray(layer([x, rng.uniform(0.5, 2.0, size=(2, 8)).astype("float32")]))
    >>> y.shape, round(float(y[:, 1:-1, 1:-1].std()), 1)  # unit-variance input, unit-variance output
    ((2, 32, 32, 16), 1.0)
    >>> layer([x, np.ones((2, 4), "float32")])
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `style`. Expected one scale per input channel of `x`, shape (B, 8). Received: shape (2, 4)
    """

    def __init__(self, filters, kernel_size, demodulate=True, use_bias=True, epsilon=1e-8, seed=None, **kwargs):
        super().__init__(filters, kernel_size, use_bias=use_bias, seed=seed, **kwargs)  # lr multiplier 1, linear
        if not isinstance(demodulate, bool):
            raise invalid("demodulate", "True or False", f"demodulate={demodulate!r}")
        self.demodulate = demodulate
        self.epsilon = check_float_range("epsilon", epsilon, 0.0, None)

    def _check(self, shapes):
        if not isinstance(shapes, (list, tuple)) or len(shapes) != 2:
            raise invalid("inputs", "a list [x, style]", f"{type(shapes).__name__}")
        x_shape, style_shape = tuple(shapes[0]), tuple(shapes[1])
        c_in = _last_dim("x", x_shape, 4, "(B, H, W, C_in)")
        if len(style_shape) != 2 or style_shape[-1] != c_in:
            raise invalid("style", f"one scale per input channel of `x`, shape (B, {c_in})", f"shape {style_shape}")
        return c_in

    def build(self, input_shape):
        self._check(input_shape)
        super().build(tuple(input_shape[0]))  # the shared kernel w = c W, equalised learning rate

    def demodulation(self, style):
        r"""The coefficients :math:`d_{b,o}`, shape (B, C_out), for styles of shape (B, C_in)."""
        w = self.effective_kernel  # (k, k, C_in, C_out)
        w2 = ops.sum(ops.square(w), axis=(0, 1))  # (C_in, C_out)
        return ops.rsqrt(ops.matmul(ops.square(style), w2) + self.epsilon)  # (B, C_out)

    def __call__(self, inputs, *args, **kwargs):
        self._check(_shapes(inputs))  # here, not in call(): Keras rewraps errors raised inside call()
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs):
        x, style = inputs  # (B, H, W, C_in), (B, C_in)
        y = ops.conv(x * style[:, None, None, :], self.effective_kernel, strides=1, padding="same")  # (B, H, W, C_out)
        if self.demodulate:
            y = y * self.demodulation(style)[:, None, None, :]  # (B, H, W, C_out)
        if self.bias is not None:
            y = y + self.bias
        return y

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape[0])[:-1], self.filters)

    def get_config(self):
        return {**keras.layers.Layer.get_config(self), "filters": self.filters, "kernel_size": self.kernel_size,
                "demodulate": self.demodulate, "use_bias": self.use_bias, "epsilon": self.epsilon, "seed": self.seed}


# ---------------------------------------------------------------------------
# Noise and the constant input
# ---------------------------------------------------------------------------


@keras.saving.register_keras_serializable(package=_PACKAGE)
class NoiseInjection(keras.layers.Layer):
    r"""Add per-pixel Gaussian noise with a learned per-channel scale (StyleGAN).

    Formula:
        .. math:: y_{bijc} = x_{bijc} + \alpha_c\, n_{bij}, \qquad n_{bij} \sim \mathcal N(0, 1)

        One noise image per sample, shared by the channels, each channel
        with its own learned scale :math:`\alpha_c`, initialised to 0 (the
        layer starts as the identity and learns how much noise it wants).

    Args:
        seed: int seed of the layer's ``keras.random.SeedGenerator``, or
            ``None``. Each call draws fresh noise from it.

    Returns:
        Called on x, (B, H, W, C), and optionally ``noise``, (B, H, W, 1):
        (B, H, W, C). Pass ``noise`` to fix it (for example to show what
        the noise changes in an image).

    Example:

    >>> import numpy as np
    >>> layer = NoiseInjection(seed=0)
    >>> x = np.zeros((1, 2, 2, 3), "float32")
    >>> float(np.abs(np.asarray(layer(x))).max())  # scale starts at 0
    0.0
    >>> _ = layer.noise_scale.assign([1.0, 0.0, -2.0])
    >>> np.asarray(layer(x, noise=np.ones((1, 2, 2, 1), "float32")))[0, 0, 0].tolist()
    [1.0, 0.0, -2.0]
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = _check_seed(seed)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        c = _last_dim("x", input_shape, 4, "(B, H, W, C)")
        self.noise_scale = self.add_weight(name="noise_scale", shape=(c,), initializer="zeros")  # (C,)

    def __call__(self, x, noise=None, **kwargs):
        if noise is not None:  # checked here, not in call(): Keras rewraps errors raised inside call()
            x_shape, n_shape = tuple(x.shape), tuple(noise.shape)
            spatial_ok = len(x_shape) == 4 and all(a is None or b is None or a == b for a, b in zip(n_shape[1:3], x_shape[1:3]))
            if len(n_shape) != 4 or n_shape[-1] != 1 or not spatial_ok:
                hw = f"{x_shape[1]}, {x_shape[2]}" if len(x_shape) == 4 else "H, W"
                raise invalid("noise", f"one noise image per sample, shape (B, {hw}, 1)", f"shape {n_shape}")
        return super().__call__(x, noise=noise, **kwargs)

    def call(self, x, noise=None):
        if noise is None:
            shape = ops.shape(x)
            noise = keras.random.normal((shape[0], shape[1], shape[2], 1), dtype=x.dtype, seed=self.seed_generator)  # (B, H, W, 1)
        else:
            noise = ops.cast(noise, x.dtype)  # (B, H, W, 1)
        return x + self.noise_scale * noise  # (B, H, W, C)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ConstantInput(keras.layers.Layer):
    r"""A learned (size, size, C) tensor, the same for every sample: where synthesis starts (StyleGAN).

    StyleGAN's synthesis network does not start from the latent; it starts
    from this constant, and the latent enters only through the styles.

    Args:
        channels: C.
        size: the side of the square, 4 in StyleGAN.
        seed: int seed of the N(0, 1) initialiser, or ``None``.

    Returns:
        Called on any tensor with a batch dimension (typically w, (B, w_dim)):
        (B, size, size, C), the constant repeated B times.

    Example:

    >>> import numpy as np
    >>> const = ConstantInput(8, seed=0)
    >>> out = np.asarray(const(np.zeros((3, 16), "float32")))
    >>> out.shape, bool((out[0] == out[2]).all())
    ((3, 4, 4, 8), True)
    """

    def __init__(self, channels, size=4, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.channels = check_positive_int("channels", channels)
        self.size = check_positive_int("size", size)
        self.seed = _check_seed(seed)

    def build(self, input_shape):
        init = keras.initializers.RandomNormal(stddev=1.0, seed=self.seed)
        self.constant = self.add_weight(name="constant", shape=(self.size, self.size, self.channels), initializer=init)  # (s, s, C)

    def call(self, inputs):
        if len(inputs.shape) < 1:
            raise invalid("inputs", "a tensor with a batch dimension, (B, ...)", f"shape {tuple(inputs.shape)}")
        ones = ops.ones_like(inputs[(slice(None),) + (0,) * (len(inputs.shape) - 1)], dtype=self.constant.dtype)  # (B,)
        return ones[:, None, None, None] * self.constant[None]  # (B, s, s, C)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.channels)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels, "size": self.size, "seed": self.seed}
