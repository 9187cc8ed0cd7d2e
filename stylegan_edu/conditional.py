r"""The conditional (pix2pix-style) GAN of chapter 11, on the two-player trainer.

:class:`ConditionalGAN` subclasses
:class:`stylegan_edu.training.AdversarialTrainer`: its generator's input is
an image, and its batches are ``(input, target)`` pairs. It says only how to
compute the two losses and what a batch must look like, and inherits
everything else: the two updates per step, the metrics, ``fit`` with resume,
the schedule, checkpoints and callbacks.

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

from keras import ops

from stylegan_edu import losses, pipeline
from stylegan_edu._validation import check_float_range, check_names, check_positive_int, invalid
from stylegan_edu.features import VGG_LAYERS
from stylegan_edu.training import AdversarialTrainer, discriminator_probabilities

__all__ = ["ConditionalLossConfig", "ConditionalGAN", "L1_ONLY", "centre", "make_perceptual_extractor"]


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
            check_names(name, value, VGG_LAYERS["vgg16"], allow_empty=True)  # a typo would silently drop the term

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
    check_positive_int("margin", margin, minimum=0)
    if len(images.shape) != 4:
        raise invalid("images", "a batch of images (B, H, W, C)", f"shape {tuple(images.shape)}")
    if not margin:
        return images
    if images.shape[1] is not None and min(images.shape[1], images.shape[2]) <= 2 * margin:
        raise invalid("margin", f"less than half the image side, {tuple(images.shape[1:3])}", f"margin={margin}")
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
    return vgg16_extractor(layers, vgg_weights=config.vgg_weights)


class ConditionalGAN(AdversarialTrainer):
    r"""A conditional GAN on ``(input, target)`` pairs: pix2pix with the mixed loss.

    Formula:
        .. math::

            L_D = \mathrm{BCE}(1, D(x, y)) + \mathrm{BCE}(0, D(x, G(x)))

        and :math:`L_G` as in the module docstring. One update of each per
        step (:meth:`stylegan_edu.training.AdversarialTrainer.train_step`).
        With ``loss_config.adversarial == 0`` the discriminator still trains
        but the generator ignores it: a plain regression (the L1 ablation).
        The logs hold every term *raw*, before its weight (``g_adv``,
        ``g_l1``, ``g_content``, ``g_style``, ``g_tv``), and ``g_loss``, the
        weighted total that is differentiated.

    Args:
        generator: a Keras model, inputs (B, H, W, C) in [0, 1] -> outputs of the same shape.
        discriminator: a Keras model on ``[input, candidate]`` -> patch logits.
        loss_config: a :class:`ConditionalLossConfig`.
        feature_extractor: VGG features for the perceptual and style terms;
            ``None`` builds :func:`make_perceptual_extractor` when needed.
        size_multiple: training crops' height and width must be multiples of
            this: a U-Net's ``UNetConfig.stride`` (``2 ** depth``).
        seed: seed of the trainer (data order of array inputs).

    Example:

    >>> import numpy as np
    >>> from stylegan_edu.models import UNetConfig, PatchGANConfig, make_unet_generator, make_patchgan_discriminator
    >>> from stylegan_edu.training import TrainConfig
    >>> config = UNetConfig(base_filters=4, depth=2)
    >>> gan = ConditionalGAN(make_unet_generator(config), make_patchgan_discriminator(PatchGANConfig(base_filters=4)),
    ...                      loss_config=L1_ONLY, size_multiple=config.stride)
    >>> gan.compile(TrainConfig(epochs=1, batch_size=4))
    >>> x = np.random.default_rng(0).uniform(size=(8, 16, 16, 1)).astype("float32")
    >>> history = gan.fit((x, 1 - x), verbose=0)
    >>> sorted(history.history)
    ['d_fake', 'd_loss', 'd_real', 'g_adv', 'g_l1', 'g_loss']
    """

    def __init__(self, generator, discriminator, loss_config=ConditionalLossConfig(), feature_extractor=None,
                 size_multiple=1, seed=0, **kwargs):
        if not isinstance(loss_config, ConditionalLossConfig):
            raise invalid("loss_config", "a ConditionalLossConfig", f"{type(loss_config).__name__}")
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        self.loss_config = loss_config
        self.size_multiple = check_positive_int("size_multiple", size_multiple)
        if feature_extractor is None and loss_config.needs_features:
            feature_extractor = make_perceptual_extractor(loss_config)
        self.feature_extractor = feature_extractor

    def loss_names(self):
        c = self.loss_config
        return ("g_adv", "g_l1") + tuple(n for n, w in (("g_content", c.content), ("g_style", c.style), ("g_tv", c.tv)) if w > 0)

    def discriminator_loss_on_batch(self, batch):
        """BCE on real pairs (input, target) and fake pairs (input, G(input))."""
        x, y = (ops.convert_to_tensor(b, "float32") for b in batch)  # (B, H, W, C) each, in [0, 1]
        fake = self.generator(x, training=True)  # (B, H, W, C)
        m = self.loss_config.margin
        x, y, fake = centre(x, m), centre(y, m), centre(fake, m)  # (B, H - 2m, W - 2m, C): the judged region
        real_logits = ops.cast(self.discriminator([x, y], training=True), "float32")  # (B, h, w, 1)
        fake_logits = ops.cast(self.discriminator([x, fake], training=True), "float32")  # (B, h, w, 1)
        d_loss = losses.discriminator_loss(real_logits, fake_logits, label_smoothing=self.config.label_smoothing)
        return d_loss, discriminator_probabilities(real_logits, fake_logits)

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
                    logs[f"g_{name}"] = parts[name] / getattr(c, name)  # raw, like g_adv and g_l1
        return total, logs

    def check_data(self, x):
        """Batches must be ``(input, target)`` pairs of equal shape, values in [0, 1] (:func:`stylegan_edu.pipeline.check_image_pairs`)."""
        shape = pipeline.check_image_pairs(x, value_range=(0.0, 1.0), size_multiple=self.size_multiple)
        m = self.loss_config.margin
        if min(shape[1], shape[2]) <= 2 * m + 8:
            raise invalid("x", f"crops larger than 2 * margin + 8 = {2 * m + 8} pixels (loss_config.margin={m})",
                          f"shape {shape}")
