r"""Training a style-based generator (chapter 13): :class:`StyleGAN`, :func:`make_stylegan`, :func:`train_stylegan`.

:class:`StyleGAN` is the package's two-player trainer
(:class:`stylegan_edu.training.AdversarialTrainer`) with StyleGAN2's
recipe (Karras et al., 2020) for the models of
:mod:`stylegan_edu.models.stylegan`:

* the non-saturating loss (chapter 1);
* **style-mixing regularisation**: with probability 0.9 a fake is drawn from
  two latents, the layers before a random crossover reading :math:`w_1`
  and the rest :math:`w_2` (:func:`mix_styles`), so that no layer can rely
  on the others sharing its style;
* the running average :math:`\bar w` of the mapping network's output, the
  centre of the truncation trick (:func:`truncate`), kept in the generator
  as ``w_avg`` (so it is checkpointed and shipped with the weights);
* **lazy R1** on real images and the **EMA generator**: options of the trainer
  (``TrainConfig.r1_weight``, ``r1_interval``, ``ema_decay``), switched on
  by :data:`STYLEGAN_TRAIN_CONFIG`.
* optional **DiffAugment** of every image the discriminator sees
  (``TrainConfig.augment``, :mod:`stylegan_edu.augment`), for few training images.

:func:`train_stylegan` trains it on Fashion-MNIST padded from 28 x 28 to
32 x 32 (:func:`pad_to_32`), with checkpoints, exact resume, samples, and
FID/KID against the test split (:class:`QualityMonitor`).
"""

import dataclasses
import json
import os

import keras
import numpy as np
from keras import ops

from stylegan_edu import losses, pipeline
from stylegan_edu._io import atomic_write
from stylegan_edu._batches import map_in_batches
from stylegan_edu._validation import check_float_range, check_positive_int, invalid
from stylegan_edu.models.stylegan import StyleGANDiscriminator, StyleGANDiscriminatorConfig, StyleGANGenerator, \
    StyleGANGeneratorConfig
from stylegan_edu.training import AdversarialTrainer, TrainConfig, discriminator_probabilities, num_replicas, \
    replica_slice

__all__ = ["StyleGANConfig", "StyleGAN", "STYLEGAN_TRAIN_CONFIG", "mix_styles", "truncate", "make_stylegan",
           "train_stylegan", "pad_to_32", "crop_to_28", "QualityMonitor"]

#: StyleGAN2's optimiser settings scaled to a CPU run: Adam(2e-3, 0, 0.99), batch 32, R1 gamma 0.1 every 16
#: steps, EMA 0.999 (the number of epochs is the run's budget).
STYLEGAN_TRAIN_CONFIG = TrainConfig(epochs=20, batch_size=32, learning_rate=2e-3, beta_1=0.0, beta_2=0.99, ema_decay=0.999,
                                    r1_weight=0.1, r1_interval=16, mixed_precision="off")


@dataclasses.dataclass(frozen=True)
class StyleGANConfig:
    """The models of a :class:`StyleGAN` and the parts of its recipe that are not optimiser settings.

    Example:

    >>> StyleGANConfig().style_mixing_prob, StyleGANConfig().w_avg_beta
    (0.9, 0.995)
    >>> StyleGANConfig(style_mixing_prob=1.5)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `style_mixing_prob`. Expected a float in [0.0, 1.0]. Received: style_mixing_prob=1.5
    """

    generator: StyleGANGeneratorConfig = StyleGANGeneratorConfig()  # mapping 64 -> 128, synthesis 4..32 px
    discriminator: StyleGANDiscriminatorConfig = StyleGANDiscriminatorConfig()  # residual, minibatch std dev
    style_mixing_prob: float = 0.9  # StyleGAN2's: the share of fakes drawn from two latents
    w_avg_beta: float = 0.995  # w-bar <- w-bar + (1 - beta) (mean w of the batch - w-bar) after every generator step

    def __post_init__(self):
        if isinstance(self.generator, dict):
            object.__setattr__(self, "generator", StyleGANGeneratorConfig.from_dict(self.generator))
        if isinstance(self.discriminator, dict):
            object.__setattr__(self, "discriminator", StyleGANDiscriminatorConfig.from_dict(self.discriminator))
        if not isinstance(self.generator, StyleGANGeneratorConfig):
            raise invalid("generator", "a StyleGANGeneratorConfig", f"generator={self.generator!r}")
        if not isinstance(self.discriminator, StyleGANDiscriminatorConfig):
            raise invalid("discriminator", "a StyleGANDiscriminatorConfig", f"discriminator={self.discriminator!r}")
        check_float_range("style_mixing_prob", self.style_mixing_prob, 0.0, 1.0)
        check_float_range("w_avg_beta", self.w_avg_beta, 0.0, 1.0, high_inclusive=False)
        g, d = self.generator.synthesis, self.discriminator
        if (g.image_size, g.image_channels) != (d.image_size, d.image_channels):
            raise invalid("discriminator", f"image_size={g.image_size} and image_channels={g.image_channels}, the generator's",
                          f"image_size={d.image_size}, image_channels={d.image_channels}")

    @classmethod
    def from_dict(cls, d):
        """The config from ``dataclasses.asdict`` output (e.g. read from JSON)."""
        return cls(**d)


def mix_styles(w1, w2, crossover, num_ws):
    r"""Per-layer styles that switch from ``w1`` to ``w2`` at layer ``crossover``: StyleGAN's style mixing.

    Formula:
        :math:`w'_\ell = w_1` for :math:`\ell < k`, :math:`w'_\ell = w_2`
        for :math:`\ell \ge k`, with :math:`k` the crossover.
        :math:`k = 0` gives :math:`w_2` everywhere, :math:`k = L` (``num_ws``)
        :math:`w_1` everywhere.

    Args:
        w1: (B, w_dim): the styles of the early (coarse) layers.
        w2: (B, w_dim): the styles of the late (fine) layers.
        crossover: k, an int in [0, num_ws], or one per sample, shape (B,).
        num_ws: L, the number of per-layer styles (``generator.num_ws``).

    Returns:
        ws (B, num_ws, w_dim) for :meth:`~stylegan_edu.models.StyleGANGenerator.synthesize`.

    Example:

    >>> import numpy as np
    >>> ws = np.asarray(mix_styles(np.zeros((1, 2)), np.ones((1, 2)), 3, num_ws=5))
    >>> ws[0, :, 0].tolist()
    [0.0, 0.0, 0.0, 1.0, 1.0]
    >>> mix_styles(np.zeros((1, 2)), np.ones((1, 2)), 6, num_ws=5)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `crossover`. Expected an integer layer index in [0, 5] (num_ws=5). Received: crossover=6
    """
    num_ws = check_positive_int("num_ws", num_ws)
    if isinstance(crossover, (int, np.integer)) and not isinstance(crossover, bool):
        if not 0 <= crossover <= num_ws:
            raise invalid("crossover", f"an integer layer index in [0, {num_ws}] (num_ws={num_ws})", f"crossover={crossover!r}")
    elif isinstance(crossover, (float, bool, str)) or crossover is None:
        raise invalid("crossover", f"an integer layer index in [0, {num_ws}] (num_ws={num_ws})", f"crossover={crossover!r}")
    w1 = ops.convert_to_tensor(w1, "float32")  # (B, w_dim)
    w2 = ops.convert_to_tensor(w2, "float32")  # (B, w_dim)
    k = ops.reshape(ops.cast(crossover, "int32"), (-1, 1))  # (B, 1) or (1, 1)
    first = ops.expand_dims(ops.arange(num_ws, dtype="int32"), 0) < k  # (B, num_ws): layer < k reads w1
    return ops.where(first[:, :, None], w1[:, None, :], w2[:, None, :])  # (B, num_ws, w_dim)


def truncate(w, w_avg, psi):
    r"""The truncation trick: move w toward the average :math:`\bar w`.

    Formula:
        .. math:: w' = \bar w + \psi\,(w - \bar w)

        :math:`\psi = 1` keeps w; :math:`\psi = 0` gives :math:`\bar w`, the
        same image for every z; in between trades diversity for typicality.

    Args:
        w: (B, w_dim) or (B, num_ws, w_dim).
        w_avg: (w_dim,), e.g. ``generator.w_avg``.
        psi: :math:`\psi` in [0, 1].

    Returns:
        The truncated w, same shape.

    Example:

    >>> import numpy as np
    >>> np.asarray(truncate(np.array([[2.0, 4.0]]), np.array([0.0, 2.0]), 0.5)).tolist()
    [[1.0, 3.0]]
    >>> truncate(np.zeros((1, 2)), np.zeros(2), -0.1)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `truncation_psi`. Expected a float in [0.0, 1.0]. Received: truncation_psi=-0.1
    """
    psi = check_float_range("truncation_psi", psi, 0.0, 1.0)
    w = ops.convert_to_tensor(w, "float32")
    w_avg = ops.convert_to_tensor(w_avg, "float32")
    return w_avg + psi * (w - w_avg)


class StyleGAN(AdversarialTrainer):
    r"""StyleGAN2's training recipe on the package's two-player trainer.

    Formula:
        Each step draws :math:`z_1, z_2 \sim \mathcal N(0, I)`,
        :math:`w_i = f(z_i)`, and per sample, with probability
        ``style_mixing_prob``, a crossover :math:`k \sim U\{1, L-1\}`
        (else :math:`k = L`: no mixing); the fake is
        :math:`G = g(\mathrm{mix}(w_1, w_2, k))` with fresh noise. Then

        .. math::

            L_D = \mathrm{softplus}(D(T(G))) + \mathrm{softplus}(-D(T(x)))
                  \;[+\ k_{R1} \tfrac{\gamma}{2} R_1 \text{ every } k_{R1} \text{ steps}], \qquad
            L_G = \mathrm{softplus}(-D(T(G)))

        (BCE with logits, the non-saturating generator loss; :math:`T` is
        the DiffAugment policy ``TrainConfig.augment``, a fresh draw per
        call, or the identity when it is ``""``; R1 is taken on the
        un-augmented reals), and after
        each generator step :math:`\bar w \leftarrow \bar w + (1 - \beta_w)
        (\operatorname{mean}_b w_{1,b} - \bar w)` and the EMA generator's
        update (with ``TrainConfig.ema_decay``).

    Args:
        generator: a :class:`~stylegan_edu.models.StyleGANGenerator`.
        discriminator: a model, images (B, S, S, C) -> logits (B, 1).
        config: a :class:`StyleGANConfig` (its mixing probability and
            :math:`\beta_w`; its model configs are recorded with checkpoints).
        seed: seeds the latents, the crossovers and the data order.

    Example:

    >>> import numpy as np
    >>> from stylegan_edu.models import MappingConfig, SynthesisConfig, StyleGANDiscriminatorConfig
    >>> small = StyleGANConfig(
    ...     generator=StyleGANGeneratorConfig(MappingConfig(latent_dim=8, w_dim=8, num_layers=2, seed=0),
    ...                                       SynthesisConfig(channels=(8, 8, 8, 8), w_dim=8, seed=0)),
    ...     discriminator=StyleGANDiscriminatorConfig(channels=(8, 8, 8, 8), seed=1))
    >>> sg = make_stylegan(TrainConfig(epochs=1, batch_size=8, ema_decay=0.9, r1_weight=1.0, r1_interval=2), small)
    >>> tuple(sg.sample_ws(4).shape), sg.ema_generator is not None  # (B, num_ws, w_dim), an EMA copy kept
    ((4, 8, 8), True)
    >>> sg.generate(np.zeros((2, 8)), truncation_psi=0.5).shape
    (2, 32, 32, 1)

    ``sg.fit(images)`` then trains it (``tests/test_stylegan_training.py`` does, briefly).
    """

    def __init__(self, generator, discriminator, config=StyleGANConfig(), seed=0, **kwargs):
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        if not isinstance(generator, StyleGANGenerator):
            raise invalid("generator", "a StyleGANGenerator", f"generator of type {type(generator).__name__}")
        if not isinstance(config, StyleGANConfig):
            raise invalid("config", "a StyleGANConfig", f"config of type {type(config).__name__}")
        self.stylegan_config = config
        self.latent_dim = generator.latent_dim
        self.num_ws = generator.num_ws
        generator.build()

    def run_settings(self):
        """The :class:`~stylegan_edu.training.TrainConfig` (but ``epochs``), the generator's and this :class:`StyleGANConfig`."""
        return {**super().run_settings(), "stylegan": dataclasses.asdict(self.stylegan_config),
                "generator": dataclasses.asdict(self.generator.config)}

    # ---------------------------------------------------------------- latents

    def sample_ws(self, batch_size, update_w_avg=False):
        """Per-layer styles for a batch of fakes, with style mixing: (B, num_ws, w_dim).

        Under a data-parallel strategy every replica draws the global batch's
        values and keeps its own rows (as :meth:`stylegan_edu.gan.GAN.sample_noise`).
        """
        global_b = batch_size * num_replicas()
        z = keras.random.normal((2 * global_b, self.latent_dim), seed=self.rng)  # (2 B_global, latent_dim)
        z1, z2 = replica_slice(z[:global_b], batch_size), replica_slice(z[global_b:], batch_size)  # (B, latent_dim) each
        w1 = self.generator.mapping(z1, training=True)  # (B, w_dim)
        w2 = self.generator.mapping(z2, training=True)  # (B, w_dim)
        if update_w_avg:
            beta = self.stylegan_config.w_avg_beta
            w_avg = self.generator.w_avg
            w_avg.assign(w_avg + (1.0 - beta) * (ops.mean(ops.stop_gradient(w1), axis=0) - w_avg))
        u = replica_slice(keras.random.uniform((global_b,), seed=self.rng), batch_size)  # (B,)
        k = replica_slice(keras.random.randint((global_b,), 1, self.num_ws, seed=self.rng), batch_size)  # (B,) in [1, L-1]
        k = ops.where(u < self.stylegan_config.style_mixing_prob, k, self.num_ws)  # L: no mixing
        return mix_styles(w1, w2, k, self.num_ws)  # (B, num_ws, w_dim)

    # ---------------------------------------------------------------- losses

    def discriminator_loss_on_batch(self, batch):
        """Non-saturating BCE on real images and fakes with mixed styles: ``(d_loss, logs)``."""
        real = batch  # (B, S, S, C)
        ws = self.sample_ws(ops.shape(real)[0])  # (B, num_ws, w_dim)
        fake = self.generator.synthesize(ws, training=True)  # (B, S, S, C)
        real_logits = ops.cast(self.discriminator(self.augment(real), training=True), "float32")  # (B, 1)
        fake_logits = ops.cast(self.discriminator(self.augment(fake), training=True), "float32")  # (B, 1)
        d_loss = losses.discriminator_loss(real_logits, fake_logits, label_smoothing=self.config.label_smoothing)
        return d_loss, discriminator_probabilities(real_logits, fake_logits)

    def generator_loss_on_batch(self, batch):
        """The non-saturating generator loss on fresh fakes with mixed styles; updates w-bar: ``(g_loss, {})``."""
        ws = self.sample_ws(ops.shape(batch)[0], update_w_avg=True)  # (B, num_ws, w_dim)
        fake = self.generator.synthesize(ws, training=True)  # (B, S, S, C)
        fake_logits = ops.cast(self.discriminator(self.augment(fake), training=True), "float32")  # (B, 1)
        return losses.generator_loss(fake_logits), {}

    def check_data(self, x):
        """Images of the generator's output shape, in [-1, 1] (:func:`stylegan_edu.pipeline.check_images`)."""
        c = self.generator.config.synthesis
        pipeline.check_images(x, (c.image_size, c.image_size, c.image_channels), value_range=(-1.0, 1.0))

    # ---------------------------------------------------------------- sampling

    def generate(self, inputs, batch_size=256, use_ema=None, truncation_psi=1.0, noise="random"):
        """Images for latents z (N, latent_dim), as float32 numpy (N, S, S, C) in [-1, 1].

        Args:
            inputs: z, (N, latent_dim).
            batch_size: latents per forward pass.
            use_ema: as :meth:`stylegan_edu.training.AdversarialTrainer.generate`
                (default: the EMA generator when the run keeps one).
            truncation_psi: :math:`\\psi` in [0, 1] (see :func:`truncate`).
            noise: ``"random"``, ``"const"`` or ``"none"``.
        """
        z = np.asarray(inputs, dtype=np.float32)
        batch_size = check_positive_int("batch_size", batch_size)
        model = self.sampling_generator(use_ema)
        return map_in_batches(lambda v: model(v, truncation_psi=truncation_psi, noise=noise, training=False),
                              z, batch_size).astype(np.float32)


def make_stylegan(config=None, stylegan_config=None):
    """A compiled :class:`StyleGAN` with new models, seeded from ``config.seed``.

    Args:
        config: a :class:`~stylegan_edu.training.TrainConfig` (default
            :data:`STYLEGAN_TRAIN_CONFIG`).
        stylegan_config: a :class:`StyleGANConfig` (default ``StyleGANConfig()``).
            Model configs without a seed get ``config.seed`` (generator) and
            ``config.seed + 1`` (discriminator).

    Returns:
        StyleGAN: compiled, ready for ``fit``.
    """
    config = STYLEGAN_TRAIN_CONFIG if config is None else config
    stylegan_config = StyleGANConfig() if stylegan_config is None else stylegan_config
    if not isinstance(config, TrainConfig):
        raise invalid("config", "a TrainConfig", f"config of type {type(config).__name__}")
    if not isinstance(stylegan_config, StyleGANConfig):
        raise invalid("stylegan_config", "a StyleGANConfig", f"stylegan_config of type {type(stylegan_config).__name__}")
    g, d = stylegan_config.generator, stylegan_config.discriminator
    if g.mapping.seed is None and g.synthesis.seed is None:
        g = StyleGANGeneratorConfig(dataclasses.replace(g.mapping, seed=config.seed),
                                    dataclasses.replace(g.synthesis, seed=config.seed + 100))
    if d.seed is None:
        d = dataclasses.replace(d, seed=config.seed + 1)
    stylegan_config = dataclasses.replace(stylegan_config, generator=g, discriminator=d)
    keras.utils.set_random_seed(config.seed)
    generator = StyleGANGenerator(g, name="stylegan_generator")
    generator.build()
    discriminator = StyleGANDiscriminator(d, name="stylegan_discriminator")
    discriminator.build((None, g.synthesis.image_size, g.synthesis.image_size, g.synthesis.image_channels))
    trainer = StyleGAN(generator, discriminator, config=stylegan_config, seed=config.seed)
    trainer.compile(config)
    return trainer


# ---------------------------------------------------------------------------
# Fashion-MNIST at 32 x 32
# ---------------------------------------------------------------------------


def pad_to_32(images):
    """28 x 28 images to 32 x 32 in [-1, 1]: 2 background pixels (value -1) on every side.

    Args:
        images: uint8 (N, 28, 28) with values 0..255, or float (N, 28, 28[, 1]) in [-1, 1].

    Returns:
        numpy.ndarray: float32 (N, 32, 32, 1) in [-1, 1].

    Example:

    >>> import numpy as np
    >>> x = pad_to_32(np.full((1, 28, 28), 255, np.uint8))
    >>> x.shape, float(x[0, 0, 0, 0]), float(x[0, 2, 2, 0])
    ((1, 32, 32, 1), -1.0, 1.0)
    """
    from stylegan_edu.data import to_unit_range

    a = np.asarray(images)
    a = to_unit_range(a) if a.dtype == np.uint8 else a.astype(np.float32)
    if a.ndim == 3:
        a = a[..., None]
    if a.ndim != 4 or a.shape[1:] != (28, 28, 1):
        raise invalid("images", "28 x 28 grey images, shape (N, 28, 28) or (N, 28, 28, 1)", f"shape {np.shape(images)}")
    return np.pad(a, ((0, 0), (2, 2), (2, 2), (0, 0)), constant_values=-1.0)


def crop_to_28(images):
    """The central 28 x 28 of 32 x 32 images (what the Fashion-MNIST feature net and FID read).

    Example:

    >>> import numpy as np
    >>> crop_to_28(np.zeros((3, 32, 32, 1))).shape
    (3, 28, 28, 1)
    """
    a = np.asarray(images)
    if a.ndim != 4 or a.shape[1:3] != (32, 32):
        raise invalid("images", "32 x 32 images, shape (N, 32, 32, C)", f"shape {a.shape}")
    return a[:, 2:30, 2:30]


class QualityMonitor(keras.callbacks.Callback):
    """FID and KID of generated samples against the Fashion-MNIST test split, every ``every`` epochs.

    The samples come from a fixed noise batch through the trainer's
    :meth:`StyleGAN.generate` (the EMA generator when there is one), are
    cropped to 28 x 28 when they are 32 x 32 (:func:`crop_to_28`; any
    trainer with ``generate`` and ``latent_dim`` works, the DCGAN too) and scored by
    :func:`stylegan_edu.metrics.fid` and :func:`stylegan_edu.metrics.kid`
    with the shipped Fashion-MNIST feature net. Logged as ``fid`` and ``kid``.

    Args:
        every: every this many epochs (the last epoch always).
        num_samples: generated images per measurement.
        seed: seeds the noise.
        dataset: the reference data set (``"fashion_mnist"``).

    Attributes:
        values: ``[(epoch, fid, kid), ...]``.
    """

    order = 10

    def __init__(self, every=1, num_samples=2000, seed=0, dataset="fashion_mnist"):
        super().__init__()
        from stylegan_edu._validation import check_choice

        self.every = check_positive_int("every", every)
        self.num_samples = check_positive_int("num_samples", num_samples, minimum=2)
        self.seed = check_positive_int("seed", seed, minimum=0)
        from stylegan_edu.pretrained import DATASETS

        self.dataset = check_choice("dataset", dataset, DATASETS)
        self.values = []

    def on_epoch_end(self, epoch, logs=None):
        from stylegan_edu import metrics

        last = epoch + 1 == self.params.get("epochs")
        if (epoch + 1) % self.every and not last:
            return
        z = np.random.default_rng(self.seed + 1).standard_normal((self.num_samples, self.model.latent_dim)).astype(np.float32)
        images = np.asarray(self.model.generate(z))
        if images.shape[1:3] == (32, 32):
            images = crop_to_28(images)  # (N, 28, 28, 1); a 28 x 28 generator (the DCGAN) is measured as it is
        fid = float(metrics.fid(images, dataset=self.dataset))
        kid = float(metrics.kid(images, dataset=self.dataset, subset_size=min(1000, self.num_samples), num_subsets=20))
        self.values.append((epoch + 1, fid, kid))
        if logs is not None:
            logs["fid"], logs["kid"] = fid, kid


def train_stylegan(out_dir, config=None, stylegan_config=None, images=None, resume=False, quality_every=0,
                   quality_num_samples=2000, progress=True, show=False, extra_callbacks=(), data_dir=None,
                   dataset="fashion_mnist"):
    """Train a :class:`StyleGAN` on Fashion-MNIST (or MNIST) with every callback, writing into ``out_dir``.

    This is what ``python -m stylegan_edu train-stylegan`` runs. ``out_dir``
    receives ``checkpoints/``, ``samples/epoch_NNNN.png`` (EMA generator),
    ``progress.gif``, ``history.json`` and ``config.json``.

    Args:
        out_dir: the output folder.
        config: a :class:`~stylegan_edu.training.TrainConfig` (default :data:`STYLEGAN_TRAIN_CONFIG`).
        stylegan_config: a :class:`StyleGANConfig`.
        images: uint8 (N, 28, 28) or float (N, 32, 32, 1) in [-1, 1];
            default: the training images of ``dataset``.
        resume: continue from the newest good checkpoint in ``out_dir``
            (its settings must be these; the error names any that differ).
        quality_every: FID and KID against ``dataset``'s reference images
            every this many epochs (0: never); see :class:`QualityMonitor`.
        quality_num_samples: generated images per measurement.
        progress: show a progress bar.
        show: show sample grids inline (notebooks).
        extra_callbacks: more callbacks.
        data_dir: where ``fashion_mnist/`` and ``mnist/`` lie (default ``$STYLEGAN_EDU_DATA``).
        dataset: ``"fashion_mnist"`` (default images: the 60,000 of
            ``load_fashion_mnist("train")``; quality against the test split)
            or ``"mnist"`` (the training digits of
            :func:`stylegan_edu.data.mnist_gan_split`, offline 8,000; quality
            against its held-out digits).

    Returns:
        StyleGAN: the trained trainer (``.ema_generator`` is the model to use).
    """
    from stylegan_edu import callbacks as cbs
    from stylegan_edu._validation import check_choice
    from stylegan_edu.data import load_fashion_mnist, mnist_gan_split
    from stylegan_edu.pretrained import DATASETS

    check_choice("dataset", dataset, DATASETS)  # the data sets with a shipped feature net (QualityMonitor's reference)
    config = STYLEGAN_TRAIN_CONFIG if config is None else config
    if images is None:
        images = load_fashion_mnist("train", data_dir=data_dir)[0] if dataset == "fashion_mnist" else \
            mnist_gan_split(data_dir=data_dir)[0]
    images = np.asarray(images)
    x = pad_to_32(images) if images.shape[1:3] == (28, 28) else images  # (N, 32, 32, 1)
    trainer = make_stylegan(config, stylegan_config)
    out_dir = os.fspath(out_dir)
    quality_every = check_positive_int("quality_every", quality_every, minimum=0)
    callbacks = [
        cbs.SampleGrid(os.path.join(out_dir, "samples"), num_samples=64, ncols=8, seed=config.seed, show=show),
        cbs.ProgressGif(os.path.join(out_dir, "progress.gif"), frames_dir=os.path.join(out_dir, "samples")),
        cbs.NonFiniteGuard(),
        cbs.Checkpoint(os.path.join(out_dir, "checkpoints")),
        cbs.HistoryJson(os.path.join(out_dir, "history.json")),
        *extra_callbacks,
    ]
    if progress:
        callbacks.append(cbs.ProgressBar(keys=("d_loss", "g_loss", "r1", "fid")))
    if quality_every:
        callbacks.append(QualityMonitor(every=quality_every, num_samples=quality_num_samples, seed=config.seed,
                                        dataset=dataset))
    os.makedirs(out_dir, exist_ok=True)
    if not resume:
        atomic_write(os.path.join(out_dir, "config.json"),
                     json.dumps({"train": dataclasses.asdict(config), "stylegan": dataclasses.asdict(trainer.stylegan_config)},
                                indent=1))
    trainer.fit(x, callbacks=callbacks, resume=resume, verbose=0 if progress else 2)
    return trainer
