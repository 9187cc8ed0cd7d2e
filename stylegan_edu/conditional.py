r"""The conditional (pix2pix-style) GAN of chapter 11, on the shared trainer.

:class:`ConditionalGAN` subclasses :class:`stylegan_edu.training.GAN`: its
batches are ``(input, target)`` pairs instead of plain images, so it
overrides the two loss methods and the data check, and inherits everything
else: the two updates per step, the metrics, ``fit`` with resume,
checkpoints and callbacks.

Generator loss (weights in the frozen :class:`ConditionalLossConfig`):

.. math::

    L_G = w_\mathrm{adv}\,\mathrm{BCE}(1, D(x, G(x)))
        + w_{L1}\,\lVert G(x) - y \rVert_1
        + \underbrace{\lambda L_\mathrm{content}(\phi(G(x)), \phi(y))
        + \mu L_\mathrm{style}(\phi(G(x)), \mathcal G(\phi(y)))
        + \gamma\, TV(G(x))}_{\text{the mixed loss of chapter 7}}

with :math:`x` the degraded input, :math:`y` its CLAHE target and
:math:`\phi` VGG16 features. Unlike the source article's training step, the
content target :math:`y` differs from the input, so the content term has
something to teach.

With ``margin`` :math:`m > 0` every term (and the discriminator) sees only
the centre of each crop, :math:`m` pixels in from each border: the generator
runs on the whole crop, but the target of a pixel near the border depends on
CLAHE tiles outside the crop, which the network cannot see.
"""

import dataclasses

import keras
import numpy as np
from keras import ops

from stylegan_edu import losses
from stylegan_edu._validation import check_choice, check_float_range, check_positive_int, invalid
from stylegan_edu.models.pix2pix import UNetConfig, make_unet_generator
from stylegan_edu.training import GAN

#: The shipped CLAHE generator's architecture: a U-Net with a tone-curve head (32 knots) and local
#: histograms over 64-pixel windows at its bottleneck; about 1.0 M parameters (4 MB in float32).
GENERATOR_CONFIG = UNetConfig(base_filters=12, depth=4, max_filters=96, tone_curve_knots=32, histogram_window=64, seed=0)
#: The architecture ablation: the same U-Net with the plain residual head (output = clip(x + delta)).
PLAIN_GENERATOR_CONFIG = dataclasses.replace(GENERATOR_CONFIG, tone_curve_knots=0, histogram_window=0)
#: The shipped variants: the full conditional GAN and the L1-only ablation.
VARIANTS = ("gan", "l1")
#: Also trained and measured, not shipped (the weights would pass the 10 MB budget): the plain U-Net, L1 only.
ABLATIONS = ("plain_l1",)

__all__ = ["ConditionalLossConfig", "ConditionalGAN", "L1_ONLY", "centre", "GENERATOR_CONFIG", "PLAIN_GENERATOR_CONFIG", "VARIANTS",
           "make_perceptual_extractor", "load_clahe_generator", "generator_config_for", "ABLATIONS"]


@dataclasses.dataclass(frozen=True)
class ConditionalLossConfig:
    """Weights of the conditional generator's loss (chapter 11).

    The magnitudes were set so that, at the start of training on 64 x 64
    CLAHE pairs (the raw input against its target), the L1 term (~18) dominates, the perceptual and style terms are
    each roughly a tenth of it (random VGG16 features, measured at initialisation), and TV only discourages speckle.
    """

    adversarial: float = 1.0  # w_adv on the non-saturating BCE (0 = no discriminator: a plain regression)
    l1: float = 100.0  # w_L1 on the mean absolute error to the CLAHE target (pix2pix's 100)
    content: float = 1e-3  # lambda: mean-squared VGG-feature difference (~1800 for the raw input: ~1.8 weighted)
    style: float = 2e-7  # mu: Gram style loss of G(x) vs the target's VGG features (~9e6 for the raw input: ~1.8 weighted)
    tv: float = 1e-4  # gamma: L1 total variation of G(x), summed over pixels (so small)
    content_layers: tuple = ("block1_conv2", "block2_conv2")  # VGG16 layers of the perceptual term
    style_layers: tuple = ("block1_conv2", "block2_conv2")  # VGG16 layers of the Gram term
    vgg_weights: object = None  # None: seeded random VGG16 (offline, reproducible); "imagenet" in Colab
    margin: int = 0  # pixels at each border of a training crop left out of every term (they lack context)

    def __post_init__(self):
        for name in ("adversarial", "l1", "content", "style", "tv"):
            check_float_range(name, getattr(self, name), 0.0)
        check_positive_int("margin", self.margin, minimum=0)
        for name in ("content_layers", "style_layers"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
                raise invalid(name, "a tuple of VGG16 layer names", f"{name}={value!r}")

    @property
    def needs_features(self):
        """Whether the VGG extractor is needed (a perceptual or style weight > 0)."""
        return (self.content > 0 and bool(self.content_layers)) or (self.style > 0 and bool(self.style_layers))


#: The ablation: L1 to the target only (no discriminator, no VGG terms, no TV).
L1_ONLY = ConditionalLossConfig(adversarial=0.0, l1=100.0, content=0.0, style=0.0, tv=0.0)


def centre(images, margin):
    """Drop ``margin`` pixels at each border of (B, H, W, C) images (the loss region).

    Example:

    >>> import numpy as np
    >>> tuple(centre(np.zeros((2, 128, 96, 1)), 32).shape)
    (2, 64, 32, 1)
    """
    if not margin:
        return images
    return images[:, margin:-margin, margin:-margin, :]


def make_perceptual_extractor(config):
    """The VGG16 feature extractor for ``config``'s layers (``None`` if not needed).

    Example:

    >>> make_perceptual_extractor(L1_ONLY) is None
    True
    """
    if not isinstance(config, ConditionalLossConfig):
        raise invalid("config", "a ConditionalLossConfig", f"{type(config).__name__}")
    if not config.needs_features:
        return None
    from stylegan_edu.features import vgg16_extractor

    layers = list(dict.fromkeys(config.content_layers + config.style_layers))
    return vgg16_extractor(layers, weights=config.vgg_weights)


class ConditionalGAN(GAN):
    r"""A conditional GAN on ``(input, target)`` pairs: pix2pix with the mixed loss.

    Formula:
        .. math::

            L_D = \mathrm{BCE}(1, D(x, y)) + \mathrm{BCE}(0, D(x, G(x)))

        and :math:`L_G` as in the module docstring. One update of each per
        step (inherited :meth:`GAN.train_step`). With
        ``loss_config.adversarial == 0`` the discriminator still trains but
        the generator ignores it: a plain regression (the L1 ablation).

    Args:
        generator: a Keras model, inputs (B, H, W, C) in [0, 1] -> outputs of the same shape.
        discriminator: a Keras model on ``[input, candidate]`` -> patch logits.
        loss_config: a :class:`ConditionalLossConfig`.
        feature_extractor: VGG features for the perceptual and style terms;
            ``None`` builds :func:`make_perceptual_extractor` when needed.
        seed: seed of the trainer (data order of array inputs).

    Example:

    >>> import keras, numpy as np
    >>> from stylegan_edu.models import UNetConfig, PatchGANConfig, make_unet_generator, make_patchgan_discriminator
    >>> G = make_unet_generator(UNetConfig(base_filters=4, depth=2))
    >>> D = make_patchgan_discriminator(PatchGANConfig(base_filters=4))
    >>> gan = ConditionalGAN(G, D, loss_config=L1_ONLY)
    >>> gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    >>> x = np.random.default_rng(0).uniform(size=(8, 16, 16, 1)).astype("float32")
    >>> history = gan.fit((x, 1 - x), epochs=1, batch_size=4, verbose=0)
    >>> sorted(history.history)
    ['d_fake', 'd_loss', 'd_real', 'g_adv', 'g_l1', 'g_loss']
    """

    def __init__(self, generator, discriminator, loss_config=ConditionalLossConfig(), feature_extractor=None,
                 seed=0, **kwargs):
        if not isinstance(loss_config, ConditionalLossConfig):
            raise invalid("loss_config", "a ConditionalLossConfig", f"{type(loss_config).__name__}")
        super().__init__(generator, discriminator, latent_dim=1, seed=seed, feature_extractor=feature_extractor, **kwargs)
        self.loss_config = loss_config
        if feature_extractor is None and loss_config.needs_features:
            self.feature_extractor = make_perceptual_extractor(loss_config)

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        """As :meth:`GAN.compile`; also tracks the generator's loss parts."""
        super().compile(d_optimizer, g_optimizer, **kwargs)
        c = self.loss_config
        names = ["g_adv", "g_l1"] + [n for n, w in (("g_content", c.content), ("g_style", c.style), ("g_tv", c.tv)) if w > 0]
        for n in names:
            self._trackers[n] = keras.metrics.Mean(name=n)

    def call(self, x, training=False):
        """Enhance: the conditional GAN used as a model is its generator."""
        return self.generator(x, training=training)

    def discriminator_loss_on_batch(self, batch):
        """BCE on real pairs (input, target) and fake pairs (input, G(input))."""
        x, y = (ops.convert_to_tensor(b, "float32") for b in batch)  # (B, H, W, C) each, in [0, 1]
        fake = self.generator(x, training=True)  # (B, H, W, C)
        m = self.loss_config.margin
        x, y, fake = centre(x, m), centre(y, m), centre(fake, m)  # (B, H - 2m, W - 2m, C): the judged region
        real_logits = ops.cast(self.discriminator([x, y], training=True), "float32")  # (B, h, w, 1)
        fake_logits = ops.cast(self.discriminator([x, fake], training=True), "float32")  # (B, h, w, 1)
        d_loss = losses.discriminator_loss(real_logits, fake_logits, label_smoothing=self.label_smoothing)
        return d_loss, {"d_real": ops.mean(ops.sigmoid(real_logits)), "d_fake": ops.mean(ops.sigmoid(fake_logits))}

    def generator_loss_on_batch(self, batch):
        """Adversarial + L1 + the mixed loss (perceptual content, Gram style, TV) against the target."""
        x, y = (ops.convert_to_tensor(b, "float32") for b in batch)  # (B, H, W, C) each, in [0, 1]
        c = self.loss_config
        fake = ops.cast(self.generator(x, training=True), "float32")  # (B, H, W, C): the whole crop is context
        x, y, fake = centre(x, c.margin), centre(y, c.margin), centre(fake, c.margin)  # (B, H - 2m, W - 2m, C)
        fake_logits = ops.cast(self.discriminator([x, fake], training=True), "float32")  # (B, h, w, 1)
        g_adv = losses.generator_loss(fake_logits)
        g_l1 = ops.mean(ops.abs(fake - y))
        total = c.adversarial * g_adv + c.l1 * g_l1
        logs = {"g_adv": g_adv, "g_l1": g_l1}
        if c.needs_features or c.tv > 0:
            content_f = content_t = style_f = style_t = None
            if c.needs_features:
                f_fake = self.feature_extractor(fake)  # {layer: (B, h, w, k)}
                f_true = self.feature_extractor(y)
                if c.content > 0 and c.content_layers:
                    content_f = {k: f_fake[k] for k in c.content_layers}
                    content_t = {k: f_true[k] for k in c.content_layers}
                if c.style > 0 and c.style_layers:
                    style_f = {k: f_fake[k] for k in c.style_layers}
                    style_t = {k: losses.gram_matrix(f_true[k]) for k in c.style_layers}  # (B, k, k): per-image targets
            mixed, parts = losses.mixed_loss(
                content_features=content_f, content_targets=content_t, style_features=style_f, style_targets=style_t,
                images=fake, weights=losses.MixedLossWeights(content=c.content, style=c.style, tv=c.tv),
                content_reduction="mean", tv_kind="l1")
            total = total + mixed
            for name in ("content", "style", "tv"):
                if getattr(c, name) > 0:
                    logs[f"g_{name}"] = parts[name]
        return total, logs

    def check_data(self, x):
        """Batches must be ``(input, target)`` pairs of equal shape, values in [0, 1]."""
        import tensorflow as tf

        if isinstance(x, tf.data.Dataset):
            spec = x.element_spec
            if not (isinstance(spec, tuple) and len(spec) == 2):
                raise invalid("x", "a dataset of (input, target) batch pairs", f"element_spec={spec}")
            sample = next(iter(x.take(1)), None)
            if sample is None:
                raise invalid("x", "a dataset with at least one batch", "an empty dataset")
            pair = tuple(np.asarray(s) for s in sample)
        else:
            if not (isinstance(x, tuple) and len(x) == 2):
                raise invalid("x", "a tuple (inputs, targets) of arrays (N, H, W, C)", f"x of type {type(x).__name__}")
            pair = tuple(np.asarray(a) for a in x)
        a, b = pair
        if a.ndim != 4 or a.shape != b.shape:
            raise invalid("x", "inputs and targets of the same shape (N, H, W, C)", f"shapes {a.shape} and {b.shape}")
        m = self.loss_config.margin
        if min(a.shape[1], a.shape[2]) <= 2 * m + 8:
            raise invalid("x", f"crops larger than 2 * margin + 8 = {2 * m + 8} pixels (loss_config.margin={m})",
                          f"shape {a.shape}")
        stride = int(getattr(self.generator, "stride", 1))
        if a.shape[1] % stride or a.shape[2] % stride:
            raise invalid("x", f"height and width that are multiples of the generator's stride {stride}", f"shape {a.shape}")
        for name, arr in (("inputs", a), ("targets", b)):
            if arr.dtype.kind != "f" or not np.all(np.isfinite(arr)) or arr.min() < 0 or arr.max() > 1:
                raise invalid("x", f"float {name} in [0, 1]",
                              f"{name} with dtype {arr.dtype}, min={float(arr.min()):.4g}, max={float(arr.max()):.4g}")

    def enhance_batch(self, x):
        """Run the generator in inference mode on (B, H, W, C) in [0, 1]; numpy out."""
        x = np.asarray(x, np.float32)
        check_positive_int("batch", len(x))
        return np.asarray(self.generator(x, training=False))


def generator_config_for(variant):
    """The U-Net settings of a shipped variant: :data:`PLAIN_GENERATOR_CONFIG` for
    ``"plain_l1"``, else :data:`GENERATOR_CONFIG`.

    Example:

    >>> generator_config_for("gan").tone_curve_knots, generator_config_for("plain_l1").tone_curve_knots
    (32, 0)
    """
    check_choice("variant", variant, VARIANTS + ABLATIONS)
    return PLAIN_GENERATOR_CONFIG if variant == "plain_l1" else GENERATOR_CONFIG


def load_clahe_generator(variant="gan"):
    """Load a shipped CLAHE generator (offline; see ``stylegan_edu/assets/clahe_generator/README.md``).

    Args:
        variant: ``"gan"`` (adversarial + mixed loss) or ``"l1"`` (the L1-only
            ablation). The plain U-Net (``"plain_l1"``) is not shipped: its
            metrics are in :func:`stylegan_edu.pretrained.clahe_generator_info`, and
            ``scripts/train_clahe_generator.py`` rebuilds it.

    Returns:
        keras.Model: the U-Net, (B, H, W, 1) in [0, 1] -> same, with ``stride``
        and ``min_size`` = 16.

    Example:

    >>> g = load_clahe_generator("gan")  # doctest: +SKIP
    >>> g.min_size  # doctest: +SKIP
    16
    """
    import importlib.resources

    check_choice("variant", variant, VARIANTS)
    config = generator_config_for(variant)
    path = importlib.resources.files("stylegan_edu") / "assets" / "clahe_generator" / f"{variant}.weights.h5"
    if not path.is_file():
        raise FileNotFoundError(f"The shipped CLAHE generator {variant!r} is missing ({path}); "
                                "train it with scripts/train_clahe_generator.py.")
    model = make_unet_generator(config, name=f"clahe_generator_{variant}")
    with importlib.resources.as_file(path) as p:
        model.load_weights(str(p))
    return model
