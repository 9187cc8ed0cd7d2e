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

Chapter 13's models, built from those blocks (each with a frozen config):

* :class:`SynthesisNetwork` (:class:`SynthesisConfig`): StyleGAN2's skip
  generator, styles -> a 32 x 32 image, one w per layer;
* :class:`StyleGANGenerator` (:class:`StyleGANGeneratorConfig`): mapping +
  synthesis, with the running average :math:`\bar w` (``w_avg``), the
  truncation trick and the noise modes (:data:`NOISE_MODES`);
* :class:`StyleGANDiscriminator` (:class:`StyleGANDiscriminatorConfig`):
  StyleGAN2's residual discriminator with :class:`MinibatchStdDev`.

:mod:`stylegan_edu.stylegan` trains them.
"""

import dataclasses
import math

import keras
from keras import ops

from stylegan_edu._validation import check_choice, check_float_range, check_positive_int, invalid

__all__ = ["EqualizedDense", "EqualizedConv2D", "PixelNorm", "MappingConfig", "MappingNetwork", "AdaIN",
           "ModulatedConv2D", "NoiseInjection", "ConstantInput", "STYLEGAN_ACTIVATIONS", "NOISE_MODES", "SynthesisConfig",
           "SynthesisNetwork", "StyleGANGeneratorConfig", "StyleGANGenerator", "MinibatchStdDev",
           "StyleGANDiscriminatorConfig", "StyleGANDiscriminator"]

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
        if not isinstance(config, MappingConfig):  # from_config converts the saved dict
            raise invalid("config", "a MappingConfig", f"config of type {type(config).__name__}")
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


# ---------------------------------------------------------------------------
# The style-based generator of chapter 13 (StyleGAN2's skip architecture)
# ---------------------------------------------------------------------------

#: How the synthesis network draws its noise inputs: fresh per call, fixed per layer, or none.
NOISE_MODES = ("random", "const", "none")


def _channels(name, channels, count):
    if not isinstance(channels, (tuple, list)) or len(channels) != count:
        raise invalid(name, f"a tuple of {count} channel counts, one per resolution", f"{name}={channels!r}")
    for c in channels:
        check_positive_int(name, c)
    return tuple(int(c) for c in channels)


def _resolutions(name, image_size):
    check_positive_int(name, image_size, minimum=8)
    if image_size & (image_size - 1):
        raise invalid(name, "a power of 2 >= 8 (the blocks double 4 -> 8 -> ... -> image_size)", f"{name}={image_size!r}")
    return tuple(4 * 2**i for i in range(int(math.log2(image_size)) - 1))  # (4, 8, ..., image_size)


@dataclasses.dataclass(frozen=True)
class SynthesisConfig:
    """How to build a :class:`SynthesisNetwork`: one block per resolution, 4 x 4 up to ``image_size``.

    Example:

    >>> c = SynthesisConfig()
    >>> c.resolutions, c.num_ws
    ((4, 8, 16, 32), 8)
    >>> SynthesisConfig(channels=(64, 64))
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `channels`. Expected a tuple of 4 channel counts, one per resolution. Received: channels=(64, 64)
    """

    image_size: int = 32  # output side; Fashion-MNIST's 28 x 28 padded to 32
    channels: tuple = (128, 64, 32, 16)  # feature maps at 4, 8, 16, 32 px: few at high resolution keeps a CPU step fast
    w_dim: int = 128  # the style vector's length (the mapping network's output)
    image_channels: int = 1  # grey images
    seed: object = None  # int: seeded initial weights; None: Keras' global RNG

    def __post_init__(self):
        res = _resolutions("image_size", self.image_size)
        object.__setattr__(self, "channels", _channels("channels", self.channels, len(res)))
        check_positive_int("w_dim", self.w_dim)
        check_positive_int("image_channels", self.image_channels)
        _check_seed(self.seed)

    @property
    def resolutions(self):
        """The blocks' sides: (4, 8, ..., image_size)."""
        return _resolutions("image_size", self.image_size)

    @property
    def num_ws(self):
        """How many w vectors the network reads: one per convolution, plus one for the last to-image layer."""
        return 2 * len(self.resolutions)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class SynthesisNetwork(keras.layers.Layer):
    r"""StyleGAN2's synthesis network (skip generator): styles in, image out.

    Formula:
        From a learned 4 x 4 constant :math:`h_0`, each block at resolution
        :math:`r` (4, 8, 16, 32) applies

        .. math:: h \leftarrow \phi\big(\mathrm{ModConv}_{3\times3}(\uparrow h,\ A_\ell(w_\ell)) + \alpha_\ell n_\ell\big)

        twice (once at 4 x 4, whose input is the constant; :math:`\uparrow`
        is bilinear 2x upsampling on the block's first convolution), with
        :math:`A_\ell` a learned affine map from :math:`w_\ell` to the
        layer's style (:class:`EqualizedDense`, bias 1), :math:`n_\ell`
        per-pixel noise (:class:`NoiseInjection`) and
        :math:`\phi = \sqrt2\,\mathrm{LeakyReLU}_{0.2}`. Each block also
        draws an image with a modulated 1 x 1 convolution without
        demodulation (ToRGB), and the images are summed across resolutions:

        .. math:: y_r = \uparrow y_{r/2} + \mathrm{ToRGB}_r(h_r), \qquad x = \tanh(y_{32})

        The tanh keeps the output in [-1, 1], the range of the data.

    The w index of each layer (StyleGAN2's): the 4 x 4 convolution reads
    :math:`w_0`; the to-image layer of a block and the first convolution of
    the next share one index, so with 4 blocks there are 8 (``num_ws``).
    :meth:`style_layers` lists them.

    Args:
        config: a :class:`SynthesisConfig`.

    Returns:
        Called on ws, (B, num_ws, w_dim), and ``noise`` (``"random"``,
        ``"const"``, ``"none"``, or a list of one (B, r, r, 1) array per
        convolution, :meth:`noise_shapes`): images (B, S, S, image_channels)
        in [-1, 1].

    Example:

    >>> import numpy as np
    >>> net = SynthesisNetwork(SynthesisConfig(channels=(16, 16, 8, 8), w_dim=8, seed=0))
    >>> ws = np.random.default_rng(0).normal(size=(2, 8, 8)).astype("float32")
    >>> tuple(net(ws).shape), [r for r, _ in net.noise_shapes()]
    ((2, 32, 32, 1), [4, 8, 8, 16, 16, 32, 32])
    >>> net.style_layers()[:3]
    [(0, 'b4_conv', 4), (1, 'b4_torgb', 4), (1, 'b8_conv0', 8)]
    """

    def __init__(self, config=None, **kwargs):
        super().__init__(**kwargs)
        config = SynthesisConfig() if config is None else config
        if not isinstance(config, SynthesisConfig):
            raise invalid("config", "a SynthesisConfig", f"config={config!r}")
        self.config = config
        seed = (lambda k: None) if config.seed is None else (lambda k: config.seed + k)
        self.const = ConstantInput(config.channels[0], size=4, seed=seed(0), name="const")
        self.upsample = keras.layers.UpSampling2D(2, interpolation="bilinear", name="upsample")
        # Each entry: (name, w index, resolution, affine, modulated conv, noise or None)
        self.layer_specs = []
        k = 1
        for i, (res, c_out) in enumerate(zip(config.resolutions, config.channels)):
            c_in = config.channels[max(i - 1, 0)]
            convs = [("b4_conv", 0, c_in)] if i == 0 else [(f"b{res}_conv0", 2 * i - 1, c_in), (f"b{res}_conv1", 2 * i, c_out)]
            for name, w_index, cin in convs:
                self.layer_specs.append(dict(
                    name=name, w_index=w_index, res=res, up=name.endswith("conv0"), c_in=cin,
                    affine=EqualizedDense(cin, bias_init=1.0, seed=seed(k), name=f"{name}_affine"),
                    conv=ModulatedConv2D(c_out, 3, seed=seed(k + 1), name=name),
                    noise=NoiseInjection(seed=seed(k + 2), name=f"{name}_noise")))
                k += 3
            self.layer_specs.append(dict(
                name=f"b{res}_torgb", w_index=2 * i + 1, res=res, up=False, c_in=c_out,
                affine=EqualizedDense(c_out, bias_init=1.0, seed=seed(k), name=f"b{res}_torgb_affine"),
                conv=ModulatedConv2D(config.image_channels, 1, demodulate=False, seed=seed(k + 1), name=f"b{res}_torgb"),
                noise=None))
            k += 3
        # Layers listed as attributes, so that Keras tracks their weights in a fixed order.
        self.affines = [s["affine"] for s in self.layer_specs]
        self.convs = [s["conv"] for s in self.layer_specs]
        self.noises = [s["noise"] for s in self.layer_specs if s["noise"] is not None]

    @property
    def num_ws(self):
        """How many w vectors a call reads (``config.num_ws``)."""
        return self.config.num_ws

    def style_layers(self):
        """``[(w index, layer name, resolution), ...]`` in the order the layers run."""
        return [(s["w_index"], s["name"], s["res"]) for s in self.layer_specs]

    def noise_shapes(self):
        """``[(resolution, layer name), ...]``: one noise image (B, r, r, 1) per convolution, in order."""
        return [(s["res"], s["name"]) for s in self.layer_specs if s["noise"] is not None]

    def build(self, input_shape):
        shape = tuple(input_shape)
        if len(shape) != 3 or shape[1] != self.num_ws or shape[2] != self.config.w_dim:
            raise invalid("ws", f"styles of shape (B, {self.num_ws}, {self.config.w_dim}) (num_ws, w_dim)", f"shape {shape}")
        self.const.build((None, self.config.w_dim))
        for s in self.layer_specs:
            s["affine"].build((None, self.config.w_dim))
            x_shape = (None, s["res"], s["res"], s["c_in"])
            s["conv"].build([x_shape, (None, s["c_in"])])
            if s["noise"] is not None:
                s["noise"].build((None, s["res"], s["res"], s["conv"].filters))

    def __call__(self, ws, noise="random", **kwargs):
        shape = tuple(ws.shape)  # checked here, not in call(): Keras rewraps errors raised inside call()
        if len(shape) != 3 or shape[1] != self.num_ws or shape[2] != self.config.w_dim:
            raise invalid("ws", f"styles of shape (B, {self.num_ws}, {self.config.w_dim}) (num_ws, w_dim)", f"shape {shape}")
        if isinstance(noise, str):
            check_choice("noise", noise, NOISE_MODES)
        elif not isinstance(noise, (list, tuple)) or len(noise) != len(self.noises):
            raise invalid("noise", f"one of {', '.join(map(repr, NOISE_MODES))}, or a list of {len(self.noises)} "
                          "noise images (B, r, r, 1), one per convolution", f"noise of type {type(noise).__name__}")
        return super().__call__(ws, noise=noise, **kwargs)

    def styles(self, ws):
        """The style reaching each layer: ``{layer name: A(w_index) (B, C_in)}`` (what style mixing swaps)."""
        ws = ops.convert_to_tensor(ws)
        return {s["name"]: s["affine"](ws[:, s["w_index"]]) for s in self.layer_specs}

    def _noise_for(self, j, res, batch, dtype, noise):
        if isinstance(noise, (list, tuple)):
            return noise[j]
        if noise == "none":
            return ops.zeros((batch, res, res, 1), dtype=dtype)
        if noise == "const":  # a fixed image per layer, the same for every sample and call
            import numpy as np

            fixed = np.random.default_rng(1000 + j).standard_normal((1, res, res, 1)).astype("float32")
            return ops.zeros((batch, 1, 1, 1), dtype=dtype) + ops.cast(fixed, dtype)
        return None  # "random": the layer draws it

    def call(self, ws, noise="random", return_intermediates=False):
        ws = ops.cast(ws, self.compute_dtype)  # (B, num_ws, w_dim)
        batch = ops.shape(ws)[0]
        h = self.const(ws[:, 0])  # (B, 4, 4, C_4)
        image, j, parts = None, 0, {"const": h}
        for s in self.layer_specs:
            style = s["affine"](ws[:, s["w_index"]])  # (B, C_in)
            if s["noise"] is None:  # ToRGB: a modulated 1x1 conv, summed with the upsampled image so far
                rgb = s["conv"]([h, style])  # (B, r, r, image_channels)
                image = rgb if image is None else self.upsample(image) + rgb
                parts[s["name"]] = image
                continue
            x = self.upsample(h) if s["up"] else h  # (B, r, r, C_in)
            y = s["conv"]([x, style])  # (B, r, r, C_out)
            y = s["noise"](y, noise=self._noise_for(j, s["res"], batch, y.dtype, noise))
            h = _activate(y, "leaky_relu", 0.2)
            parts[s["name"]] = h
            j += 1
        out = ops.tanh(image)  # (B, S, S, image_channels) in [-1, 1]
        return (out, parts) if return_intermediates else out

    def compute_output_shape(self, input_shape):
        s = self.config.image_size
        return (input_shape[0], s, s, self.config.image_channels)

    def get_config(self):
        return {**super().get_config(), "config": dataclasses.asdict(self.config)}

    @classmethod
    def from_config(cls, config):
        """Rebuild the network from :meth:`get_config`'s output."""
        config = dict(config)
        return cls(config=SynthesisConfig(**config.pop("config")), **config)


def _check_psi(psi):
    return check_float_range("truncation_psi", psi, 0.0, 1.0)


@dataclasses.dataclass(frozen=True)
class StyleGANGeneratorConfig:
    """How to build a :class:`StyleGANGenerator`: its mapping network and its synthesis network.

    Example:

    >>> c = StyleGANGeneratorConfig()
    >>> c.mapping.latent_dim, c.mapping.w_dim, c.synthesis.w_dim, c.synthesis.num_ws
    (64, 128, 128, 8)
    >>> StyleGANGeneratorConfig(mapping=MappingConfig(w_dim=64))
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `mapping`. Expected a MappingConfig with w_dim=128, the synthesis network's w_dim. Received: w_dim=64
    """

    mapping: MappingConfig = MappingConfig(latent_dim=64, w_dim=128, num_layers=4)  # z (64) -> w (128), 4 layers, lr x 0.01
    synthesis: SynthesisConfig = SynthesisConfig()  # 4 -> 8 -> 16 -> 32 px, channels (128, 64, 32, 16)

    def __post_init__(self):
        if isinstance(self.mapping, dict):
            object.__setattr__(self, "mapping", MappingConfig(**self.mapping))
        if isinstance(self.synthesis, dict):
            object.__setattr__(self, "synthesis", SynthesisConfig(**self.synthesis))
        if not isinstance(self.mapping, MappingConfig):
            raise invalid("mapping", "a MappingConfig", f"mapping={self.mapping!r}")
        if not isinstance(self.synthesis, SynthesisConfig):
            raise invalid("synthesis", "a SynthesisConfig", f"synthesis={self.synthesis!r}")
        if self.mapping.w_dim != self.synthesis.w_dim:
            raise invalid("mapping", f"a MappingConfig with w_dim={self.synthesis.w_dim}, the synthesis network's w_dim",
                          f"w_dim={self.mapping.w_dim}")

    @classmethod
    def from_dict(cls, d):
        """The config from ``dataclasses.asdict`` output (JSON: lists become the tuples again)."""
        syn = dict(d["synthesis"])
        syn["channels"] = tuple(syn["channels"])
        return cls(mapping=MappingConfig(**d["mapping"]), synthesis=SynthesisConfig(**syn))


@keras.saving.register_keras_serializable(package=_PACKAGE)
class StyleGANGenerator(keras.Model):
    r"""A style-based generator (StyleGAN2-style): z -> w -> styles of every layer -> image.

    Formula:
        .. math:: w = f(z), \qquad w' = \bar w + \psi\,(w - \bar w), \qquad
                  x = g(w'_0, \dots, w'_{L-1})

        with :math:`f` the :class:`MappingNetwork`, :math:`g` the
        :class:`SynthesisNetwork` (which reads one w per layer, ``num_ws``
        of them), :math:`\bar w` the running average of w kept during
        training (``w_avg``, updated by the trainer) and :math:`\psi` the
        truncation: 1 leaves w as it is, 0 gives :math:`\bar w` for every z.

    Style mixing: pass per-layer ws to :meth:`synthesize` (for example from
    :func:`stylegan_edu.stylegan.mix_styles`): layers before a crossover read
    one w, the rest another.

    Args:
        config: a :class:`StyleGANGeneratorConfig`.
        output_crop: pixels cut from each border of every image, an int
            >= 0 with room left (0: none). A generator trained on 28 x 28
            digits padded to 32 x 32 gives the digits' own size with 2.
            It has no weights, so it is not part of the config: the same
            weights load with any crop.

    Returns:
        Called on z (B, latent_dim), with optional ``truncation_psi`` in
        [0, 1] and ``noise`` (see :class:`SynthesisNetwork`): images
        (B, S - 2 * output_crop, S - 2 * output_crop, C) in [-1, 1].

    Example:

    >>> import numpy as np
    >>> small = StyleGANGeneratorConfig(mapping=MappingConfig(latent_dim=8, w_dim=8, num_layers=2, seed=0),
    ...                                 synthesis=SynthesisConfig(channels=(8, 8, 8, 8), w_dim=8, seed=0))
    >>> g = StyleGANGenerator(small)
    >>> z = np.random.default_rng(0).normal(size=(3, 8)).astype("float32")
    >>> tuple(g(z).shape)
    (3, 32, 32, 1)
    >>> x = np.asarray(g(z, truncation_psi=0.0, noise="const"))  # psi = 0: every z gives w-bar, one image
    >>> bool(np.abs(x - x[:1]).max() < 1e-6)
    True
    >>> g(z, truncation_psi=1.5)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `truncation_psi`. Expected a float in [0.0, 1.0]. Received: truncation_psi=1.5

    The same weights with the border cut off (here the centre 28 x 28):

    >>> cropped = StyleGANGenerator(small, output_crop=2)
    >>> cropped.build()
    >>> cropped.set_weights(g.get_weights())
    >>> y = np.asarray(cropped(z, truncation_psi=0.0, noise="const"))
    >>> y.shape, bool(np.abs(y - x[:, 2:-2, 2:-2]).max() < 1e-6)
    ((3, 28, 28, 1), True)
    >>> StyleGANGenerator(small, output_crop=16)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `output_crop`. Expected an int in [0, 15] (the images are 32 x 32). Received: output_crop=16
    """

    def __init__(self, config=None, output_crop=0, **kwargs):
        super().__init__(**kwargs)
        config = StyleGANGeneratorConfig() if config is None else config
        if not isinstance(config, StyleGANGeneratorConfig):
            raise invalid("config", "a StyleGANGeneratorConfig", f"config={config!r}")
        size = config.synthesis.image_size
        if isinstance(output_crop, bool) or not isinstance(output_crop, int) or not 0 <= output_crop < size // 2:
            raise invalid("output_crop", f"an int in [0, {size // 2 - 1}] (the images are {size} x {size})",
                          f"output_crop={output_crop!r}")
        self.config = config
        self.output_crop = output_crop
        self.mapping = MappingNetwork(config.mapping, name="mapping")
        self.synthesis = SynthesisNetwork(config.synthesis, name="synthesis")
        self.latent_dim = config.mapping.latent_dim
        self.w_dim = config.mapping.w_dim
        self.num_ws = config.synthesis.num_ws

    def build(self, input_shape=None):
        if self.built:
            return
        self.mapping.build((None, self.latent_dim))
        self.synthesis.build((None, self.num_ws, self.w_dim))
        #: The running average of w (the truncation trick's centre); the trainer updates it.
        self.w_avg = self.add_weight(name="w_avg", shape=(self.w_dim,), initializer="zeros", trainable=False)  # (w_dim,)
        self.built = True

    def map(self, z, truncation_psi=1.0):
        """w for each z, optionally truncated toward ``w_avg``: (B, latent_dim) -> (B, w_dim)."""
        psi = _check_psi(truncation_psi)
        w = self.mapping(ops.convert_to_tensor(z, "float32"))  # (B, w_dim)
        return self.truncate(w, psi)

    def truncate(self, w, truncation_psi):
        r"""The truncation trick: :math:`\bar w + \psi (w - \bar w)`, for w (B, w_dim) or ws (B, num_ws, w_dim)."""
        psi = _check_psi(truncation_psi)
        if psi == 1.0:
            return w
        return self.w_avg + psi * (w - self.w_avg)

    def broadcast(self, w):
        """The same w for every layer: (B, w_dim) -> ws (B, num_ws, w_dim)."""
        return ops.repeat(ops.expand_dims(w, 1), self.num_ws, axis=1)

    def synthesize(self, ws, noise="random", training=False):
        """Images from per-layer styles ws (B, num_ws, w_dim); ``noise`` as in :class:`SynthesisNetwork`."""
        x = self.synthesis(ops.convert_to_tensor(ws, "float32"), noise=noise, training=training)  # (B, S, S, C)
        c = self.output_crop
        return x[:, c:-c, c:-c, :] if c else x  # (B, S - 2c, S - 2c, C)

    def __call__(self, z, truncation_psi=1.0, noise="random", **kwargs):
        _check_psi(truncation_psi)  # here, not in call(): Keras rewraps errors raised inside call()
        if isinstance(noise, str):
            check_choice("noise", noise, NOISE_MODES)
        return super().__call__(z, truncation_psi=truncation_psi, noise=noise, **kwargs)

    def call(self, z, truncation_psi=1.0, noise="random", training=False):
        w = self.map(z, truncation_psi)  # (B, w_dim)
        return self.synthesize(self.broadcast(w), noise=noise, training=training)  # (B, S, S, C)

    def compute_output_shape(self, input_shape):
        b, s, _, c = self.synthesis.compute_output_shape((input_shape[0], self.num_ws, self.w_dim))
        return (b, s - 2 * self.output_crop, s - 2 * self.output_crop, c)

    def get_config(self):
        return {"name": self.name, "config": dataclasses.asdict(self.config), "output_crop": self.output_crop}

    @classmethod
    def from_config(cls, config):
        """Rebuild the generator from :meth:`get_config`'s output."""
        config = dict(config)
        return cls(config=StyleGANGeneratorConfig.from_dict(config.pop("config")), **config)


# ---------------------------------------------------------------------------
# The discriminator
# ---------------------------------------------------------------------------


@keras.saving.register_keras_serializable(package=_PACKAGE)
class MinibatchStdDev(keras.layers.Layer):
    r"""Append the spread of the features across a group of samples as extra channels (ProGAN, StyleGAN).

    Formula:
        Split the batch into groups of :math:`G` samples (sample :math:`b`
        joins group :math:`b \bmod (B/G)`) and the C channels into
        :math:`F` parts; per group and part,

        .. math:: s = \operatorname{mean}_{i,j,c}\ \sqrt{\operatorname{Var}_{g}(x_{g,ijc}) + 10^{-8}}

        over the group's samples :math:`g`, averaged over pixels and the
        part's channels, is appended as a constant channel to each sample
        of the group. A generator that collapses to few images gives a small
        :math:`s`: the discriminator can see it, so collapse does not pay.

    Args:
        group_size: G; the batch size must be a multiple of ``min(G, B)``.
        num_channels: F, extra channels appended.

    Returns:
        Called on (B, H, W, C): (B, H, W, C + F).

    Example:

    >>> import numpy as np
    >>> x = np.stack([np.zeros((2, 2, 1)), np.ones((2, 2, 1)) * 2], 0).astype("float32")  # (2, 2, 2, 1)
    >>> y = np.asarray(MinibatchStdDev(group_size=2)(x))
    >>> y.shape, round(float(y[0, 0, 0, 1]), 4)  # std of (0, 2) is 1
    ((2, 2, 2, 2), 1.0)
    """

    def __init__(self, group_size=4, num_channels=1, **kwargs):
        super().__init__(**kwargs)
        self.group_size = check_positive_int("group_size", group_size)
        self.num_channels = check_positive_int("num_channels", num_channels)

    def _check(self, shape):
        c = _last_dim("x", shape, 4, "(B, H, W, C)")
        if c % self.num_channels:
            raise invalid("x", f"a channel count divisible by num_channels={self.num_channels}", f"shape {tuple(shape)}")
        b = shape[0]
        if b is not None and b % min(self.group_size, b):
            raise invalid("x", f"a batch size divisible by group_size={self.group_size} (or smaller than it)", f"shape {tuple(shape)}")

    def __call__(self, x, *args, **kwargs):
        self._check(tuple(x.shape))  # here, not in call(): Keras rewraps errors raised inside call()
        return super().__call__(x, *args, **kwargs)

    def build(self, input_shape):
        self._check(tuple(input_shape))

    def call(self, x):
        shape = ops.shape(x)
        b, h, w, c = shape[0], shape[1], shape[2], shape[3]
        static_b = x.shape[0]
        g = min(self.group_size, static_b) if static_b is not None else self.group_size
        f = self.num_channels
        y = ops.reshape(ops.cast(x, "float32"), (g, -1, h, w, f, c // f))  # (G, B/G, H, W, F, C/F)
        y = y - ops.mean(y, axis=0)
        y = ops.sqrt(ops.mean(ops.square(y), axis=0) + 1e-8)  # (B/G, H, W, F, C/F): std over the group
        y = ops.mean(y, axis=(1, 2, 4))  # (B/G, F)
        y = ops.tile(y, (g, 1))  # (B, F): sample b gets its group's (b mod B/G)
        y = ops.cast(y[:, None, None, :], x.dtype) * ops.ones((b, h, w, f), dtype=x.dtype)  # (B, H, W, F)
        return ops.concatenate([x, y], axis=-1)  # (B, H, W, C + F)

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape)[:-1], input_shape[-1] + self.num_channels)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size, "num_channels": self.num_channels}


@dataclasses.dataclass(frozen=True)
class StyleGANDiscriminatorConfig:
    """How to build a :class:`StyleGANDiscriminator` (StyleGAN2's residual discriminator).

    Example:

    >>> StyleGANDiscriminatorConfig().channels
    (64, 64, 32, 16)
    >>> StyleGANDiscriminatorConfig(mbstd_group_size=0)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `mbstd_group_size`. Expected an integer >= 1. Received: mbstd_group_size=0
    """

    image_size: int = 32
    channels: tuple = (64, 64, 32, 16)  # feature maps at 4, 8, 16, 32 px: half the generator's at 4 px (a CPU budget)
    image_channels: int = 1
    mbstd_group_size: int = 4  # samples per minibatch-standard-deviation group
    mbstd_channels: int = 1  # channels it appends
    seed: object = None

    def __post_init__(self):
        res = _resolutions("image_size", self.image_size)
        object.__setattr__(self, "channels", _channels("channels", self.channels, len(res)))
        check_positive_int("image_channels", self.image_channels)
        check_positive_int("mbstd_group_size", self.mbstd_group_size)
        check_positive_int("mbstd_channels", self.mbstd_channels)
        _check_seed(self.seed)

    @property
    def resolutions(self):
        """(4, 8, ..., image_size)."""
        return _resolutions("image_size", self.image_size)

    @classmethod
    def from_dict(cls, d):
        """The config from ``dataclasses.asdict`` output (JSON lists become tuples)."""
        return cls(**{**d, "channels": tuple(d["channels"])})


@keras.saving.register_keras_serializable(package=_PACKAGE)
class StyleGANDiscriminator(keras.Model):
    r"""StyleGAN2's residual discriminator with a minibatch standard-deviation layer.

    Formula:
        FromRGB (1 x 1 conv) at the full resolution, then per block from
        :math:`r` down to :math:`r/2`:

        .. math:: h \leftarrow \tfrac{1}{\sqrt2}\Big(\downarrow \phi(\mathrm{conv}(\phi(\mathrm{conv}(h))))
                  + \mathrm{conv}_{1\times1}(\downarrow h)\Big)

        (:math:`\downarrow`: 2 x 2 average pooling; the 1/sqrt(2) keeps the
        variance of the sum), and at 4 x 4: :class:`MinibatchStdDev`, a 3 x 3
        conv, a dense layer and the logit. Every layer has the equalised
        learning rate (:class:`EqualizedConv2D`, :class:`EqualizedDense`).

    Args:
        config: a :class:`StyleGANDiscriminatorConfig`.

    Returns:
        Called on images (B, S, S, C) in [-1, 1]: logits (B, 1).

    Example:

    >>> import numpy as np
    >>> d = StyleGANDiscriminator(StyleGANDiscriminatorConfig(channels=(8, 8, 8, 8), seed=0))
    >>> tuple(d(np.zeros((4, 32, 32, 1), "float32")).shape)
    (4, 1)
    """

    def __init__(self, config=None, **kwargs):
        super().__init__(**kwargs)
        config = StyleGANDiscriminatorConfig() if config is None else config
        if not isinstance(config, StyleGANDiscriminatorConfig):
            raise invalid("config", "a StyleGANDiscriminatorConfig", f"config={config!r}")
        self.config = config
        seed = (lambda k: None) if config.seed is None else (lambda k: config.seed + k)
        res, ch = config.resolutions[::-1], config.channels[::-1]  # from image_size down to 4
        self.from_rgb = EqualizedConv2D(ch[0], 1, activation="leaky_relu", seed=seed(0), name="from_rgb")
        self.blocks = []
        for i in range(len(res) - 1):
            c_in, c_out = ch[i], ch[i + 1]
            self.blocks.append((
                EqualizedConv2D(c_in, 3, activation="leaky_relu", seed=seed(3 * i + 1), name=f"b{res[i]}_conv0"),
                EqualizedConv2D(c_out, 3, activation="leaky_relu", seed=seed(3 * i + 2), name=f"b{res[i]}_conv1"),
                EqualizedConv2D(c_out, 1, use_bias=False, seed=seed(3 * i + 3), name=f"b{res[i]}_skip"),
            ))
        k = 3 * len(res)
        self.pool = keras.layers.AveragePooling2D(2, name="downsample")
        self.mbstd = MinibatchStdDev(config.mbstd_group_size, config.mbstd_channels, name="mbstd")
        self.final_conv = EqualizedConv2D(ch[-1], 3, activation="leaky_relu", seed=seed(k), name="b4_conv")
        self.flatten = keras.layers.Flatten(name="flatten")
        self.final_dense = EqualizedDense(ch[-1], activation="leaky_relu", seed=seed(k + 1), name="b4_dense")
        self.out = EqualizedDense(1, seed=seed(k + 2), name="logit")

    def build(self, input_shape=None):
        if self.built:
            return
        c = self.config
        res, ch = c.resolutions[::-1], c.channels[::-1]
        self.from_rgb.build((None, res[0], res[0], c.image_channels))
        for i, (conv0, conv1, skip) in enumerate(self.blocks):
            conv0.build((None, res[i], res[i], ch[i]))
            conv1.build((None, res[i], res[i], ch[i]))
            skip.build((None, res[i + 1], res[i + 1], ch[i]))
        self.final_conv.build((None, 4, 4, ch[-1] + c.mbstd_channels))
        self.final_dense.build((None, 16 * ch[-1]))
        self.out.build((None, ch[-1]))
        self.built = True

    def call(self, images, training=False):
        h = self.from_rgb(ops.convert_to_tensor(images))  # (B, S, S, C_S)
        for conv0, conv1, skip in self.blocks:
            y = self.pool(conv1(conv0(h)))  # (B, r/2, r/2, C_out)
            h = (y + skip(self.pool(h))) * (1.0 / math.sqrt(2.0))  # residual, variance kept
        h = self.final_conv(self.mbstd(h))  # (B, 4, 4, C_4)
        return self.out(self.final_dense(self.flatten(h)))  # (B, 1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1)

    def get_config(self):
        return {"name": self.name, "config": dataclasses.asdict(self.config)}

    @classmethod
    def from_config(cls, config):
        """Rebuild the discriminator from :meth:`get_config`'s output."""
        config = dict(config)
        return cls(config=StyleGANDiscriminatorConfig.from_dict(config.pop("config")), **config)
