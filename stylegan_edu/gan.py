r"""The unconditional GAN of chapters 8 and 9: :class:`GAN`, :func:`make_gan`, :func:`train_mnist`.

:class:`GAN` is the two-player trainer
(:class:`stylegan_edu.training.AdversarialTrainer`) with a latent noise
input. It says only how to draw the generator's input
(:math:`z \sim \mathcal N(0, I)`), how to compute the two losses, and what
its data must look like; the step, ``fit``, resume, the schedule and the
callbacks are the trainer's.

Its optional extra generator terms (:class:`GANLossConfig`) live here, not in
the trainer: the feature-statistics term matches Gram matrices of the shipped
MNIST feature net, so it belongs to this MNIST GAN alone.
"""

import dataclasses

import keras
import numpy as np
from keras import ops

from stylegan_edu import losses, pipeline
from stylegan_edu._io import atomic_write
from stylegan_edu._validation import (as_image, check_bool, check_callable, check_float_range, check_path, check_positive_int,
                                      check_tensor, invalid)
from stylegan_edu.training import AdversarialTrainer, TrainConfig, discriminator_probabilities, num_replicas, \
    replica_slice, resolve_mixed_precision

__all__ = ["GANLossConfig", "GAN", "make_gan", "train_mnist", "feature_statistics_loss", "mnist_feature_maps"]


@dataclasses.dataclass(frozen=True)
class GANLossConfig:
    """The generator loss of :class:`GAN`: which form of the adversarial term, and extra terms.

    Example:

    >>> GANLossConfig()
    GANLossConfig(saturating=False, style_weight=0.0, tv_weight=0.0)
    >>> GANLossConfig(tv_weight=-1.0)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `tv_weight`. Expected a float in [0.0, inf]. Received: tv_weight=-1.0
    """

    saturating: bool = False  # the minimax log(1 - D(G(z))) instead of -log D(G(z)); only to show why nobody does (chapter 8)
    style_weight: float = 0.0  # weight of the Gram feature-statistics term on MNIST features (0 = off)
    tv_weight: float = 0.0  # weight of the L1 total-variation term on generated images (0 = off)

    def __post_init__(self):
        if not isinstance(self.saturating, bool):
            raise invalid("saturating", "True or False", f"saturating={self.saturating!r}")
        check_float_range("style_weight", self.style_weight, 0.0)
        check_float_range("tv_weight", self.tv_weight, 0.0)


class GAN(AdversarialTrainer):
    r"""A GAN whose generator maps latent noise to images.

    Formula:
        Each step draws :math:`z \sim \mathcal N(0, I)` and makes one update of
        each network:

        .. math::

            L_D = \mathrm{BCE}(1, D(x)) + \mathrm{BCE}(0, D(G(z))), \qquad
            L_G = \mathrm{BCE}(1, D(G(z))) + w_s L_\mathrm{stats} + w_{tv} L_{TV}

        (the non-saturating generator loss), where the optional
        :math:`L_\mathrm{stats}` (:func:`feature_statistics_loss`) matches
        the batch-mean Gram matrices of MNIST features of fakes and real
        digits, and :math:`L_{TV}` is the L1 total variation of the fakes.

    Args:
        generator: a Keras model, z (B, latent_dim) -> images (B, H, W, C) in [-1, 1].
        discriminator: a Keras model, images -> logits (B, 1) (no sigmoid).
        loss_config: a :class:`GANLossConfig`.
        seed: seeds the noise generator (its state is checkpointed) and the data order.
        feature_extractor: for the feature-statistics term: a callable
            images (B, 28, 28, 1) in [-1, 1] -> a feature map (B, h, w, c), or
            a dict of them. ``None``: :func:`mnist_feature_maps`, loaded when
            ``loss_config.style_weight > 0``.

    Example:

    >>> import keras, numpy as np
    >>> G = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="tanh"), keras.layers.Reshape((4, 4, 1))])
    >>> D = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    >>> gan = GAN(G, D, seed=0)
    >>> gan.compile(TrainConfig(epochs=2, batch_size=8))
    >>> x = np.random.default_rng(0).uniform(-1, 1, (32, 4, 4, 1)).astype("float32")
    >>> history = gan.fit(x, verbose=0)
    >>> sorted(history.history), gan.state.epochs_done
    (['d_fake', 'd_loss', 'd_real', 'g_loss'], 2)
    """

    def __init__(self, generator, discriminator, loss_config=GANLossConfig(), seed=0, feature_extractor=None, **kwargs):
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        if not isinstance(loss_config, GANLossConfig):
            raise invalid("loss_config", "a GANLossConfig", f"loss_config of type {type(loss_config).__name__}")
        shape = generator.input_shape
        if isinstance(shape, list) or len(shape) != 2:
            raise invalid("generator", "a model with one input z of shape (B, latent_dim)", f"input_shape={shape!r}")
        self.latent_dim = check_positive_int("latent_dim", shape[-1])
        self.loss_config = loss_config
        if feature_extractor is None and loss_config.style_weight > 0:
            feature_extractor = mnist_feature_maps()
        self.feature_extractor = feature_extractor

    def loss_names(self):
        c = self.loss_config
        if not (c.style_weight > 0 or c.tv_weight > 0):
            return ()
        return ("g_adv",) + (("g_stats",) if c.style_weight > 0 else ()) + (("g_tv",) if c.tv_weight > 0 else ())

    # -------------------------------------------------------------- the losses

    def sample_noise(self, batch_size):
        """z ~ N(0, I), shape (batch_size, latent_dim), from the GAN's own seeded RNG.

        Under a data-parallel strategy every replica draws the global batch's
        noise and keeps its own rows, so each example gets the z it would get
        on one device.
        """
        z = keras.random.normal((batch_size * num_replicas(), self.latent_dim), seed=self.rng)  # (B_global, latent_dim)
        return replica_slice(z, batch_size)  # (B, latent_dim)

    def discriminator_loss_on_batch(self, batch):
        """The discriminator's loss on one batch of real images (B, H, W, C) in [-1, 1]: ``(d_loss, logs)``."""
        real = batch  # (B, H, W, C)
        z = self.sample_noise(ops.shape(real)[0])  # (B, latent_dim)
        fake = self.generator(z, training=True)  # (B, H, W, C)
        real_logits = ops.cast(self.discriminator(self.augment(real), training=True), "float32")  # (B, 1)
        fake_logits = ops.cast(self.discriminator(self.augment(fake), training=True), "float32")  # (B, 1)
        d_loss = losses.discriminator_loss(real_logits, fake_logits, label_smoothing=self.config.label_smoothing)
        return d_loss, discriminator_probabilities(real_logits, fake_logits)

    def generator_loss_on_batch(self, batch):
        """The generator's loss on one batch: adversarial, plus the optional extra terms: ``(g_loss, logs)``."""
        real = batch  # (B, H, W, C): only the feature-statistics term reads it; the others need only B
        c = self.loss_config
        z = self.sample_noise(ops.shape(real)[0])  # (B, latent_dim)
        fake = self.generator(z, training=True)  # (B, H, W, C)
        fake_logits = ops.cast(self.discriminator(self.augment(fake), training=True), "float32")  # (B, 1)
        g_adv = losses.generator_loss(fake_logits, saturating=c.saturating)
        if not (c.style_weight > 0 or c.tv_weight > 0):
            return g_adv, {}
        fake32 = ops.cast(fake, "float32")
        g_loss, logs = g_adv, {"g_adv": g_adv}
        if c.style_weight > 0:
            logs["g_stats"] = feature_statistics_loss(self.feature_extractor, fake32, real)
            g_loss = g_loss + c.style_weight * logs["g_stats"]
        if c.tv_weight > 0:
            logs["g_tv"] = losses.total_variation_loss(fake32, kind="l1")
            g_loss = g_loss + c.tv_weight * logs["g_tv"]
        return g_loss, logs

    def check_data(self, x):
        """Images with the generator's output shape, in [-1, 1] (:func:`stylegan_edu.pipeline.check_images`)."""
        pipeline.check_images(x, self.generator.output_shape[1:], value_range=(-1.0, 1.0))


def feature_statistics_loss(extractor, fake, real):
    r"""Match the batch-mean Gram matrices of features of fakes and real images.

    Formula:
        .. math:: L = \sum_l \mathrm{mean}\big(\bar{\mathcal G}_l(\phi(G(z))) - \bar{\mathcal G}_l(\phi(x))\big)^2,
            \quad \bar{\mathcal G}_l = \frac1B \sum_b \mathcal G(\phi_l(\cdot)_b)

        with :func:`stylegan_edu.losses.gram_matrix`. Averaging over the batch
        first compares the two *distributions'* feature correlations, not one
        fake with one unrelated real image.

    Args:
        extractor: images -> a feature map (B, h, w, c) or a dict of them.
        fake: generated images (B, H, W, C).
        real: real images (B', H, W, C).

    Returns:
        A scalar tensor.

    Example:

    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(2, 4, 4, 3)).astype("float32")
    >>> float(feature_statistics_loss(lambda im: im, x, x))
    0.0
    """
    check_callable("extractor", extractor, "a callable images -> feature map (B, h, w, c) or a dict of them")
    check_tensor("fake", fake)  # eager: real, finite, non-empty; traced (in a train step): the dtype only
    check_tensor("real", real)
    f_fake, f_real = extractor(fake), extractor(real)
    if not isinstance(f_fake, dict):
        f_fake, f_real = {"features": f_fake}, {"features": f_real}
    total = 0.0
    for name in f_fake:
        g_fake = ops.mean(losses.gram_matrix(ops.cast(f_fake[name], "float32")), axis=0)  # (c, c)
        g_real = ops.mean(losses.gram_matrix(ops.cast(f_real[name], "float32")), axis=0)  # (c, c)
        total = total + ops.mean(ops.square(g_fake - ops.stop_gradient(g_real)))
    return total


def mnist_feature_maps():
    """The shipped MNIST feature net's two convolutional maps, for the feature-statistics term.

    Returns:
        keras.Model: frozen; images (B, 28, 28, 1) in [-1, 1] to
        ``{"conv1": (B, 26, 26, 32), "conv2": (B, 11, 11, 64)}``.
    """
    from stylegan_edu import pretrained

    net = pretrained.mnist_feature_net()
    model = keras.Model(net.input, {n: net.get_layer(n).output for n in ("conv1", "conv2")}, name="mnist_feature_maps")
    model.trainable = False
    return model


def make_gan(config=None, generator=None, discriminator=None, loss_config=GANLossConfig(), feature_extractor=None):
    """A compiled :class:`GAN` with the default MNIST models, from a :class:`~stylegan_edu.training.TrainConfig`.

    The models are seeded from ``config.seed``. With mixed precision on
    (``"auto"`` on a GPU) they compute in float16 with float32 weights, and
    the optimizers scale the loss. Call it inside a ``tf.distribute``
    strategy's scope to train data-parallel.

    Args:
        config: a :class:`~stylegan_edu.training.TrainConfig` (default settings if ``None``).
        generator: a generator to use instead of the default one.
        discriminator: a discriminator to use instead of the default one.
        loss_config: a :class:`GANLossConfig`.
        feature_extractor: see :class:`GAN`.

    Returns:
        GAN: compiled, ready for ``fit``.
    """
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise invalid("config", "a TrainConfig", f"config of type {type(config).__name__}")
    keras.utils.set_random_seed(config.seed)  # dropout seeds and any unseeded initialiser
    previous = keras.config.dtype_policy()
    if resolve_mixed_precision(config.mixed_precision):
        keras.config.set_dtype_policy("mixed_float16")
    try:
        if generator is None or discriminator is None:
            from stylegan_edu.models import DiscriminatorConfig, GeneratorConfig, make_discriminator, make_generator

            generator = generator or make_generator(GeneratorConfig(seed=config.seed))
            discriminator = discriminator or make_discriminator(DiscriminatorConfig(seed=config.seed + 1))
        gan = GAN(generator, discriminator, loss_config=loss_config, seed=config.seed, feature_extractor=feature_extractor)
    finally:
        keras.config.set_dtype_policy(previous)
    gan.compile(config)
    return gan


def train_mnist(config, out_dir, images=None, resume=False, fid_every=0, fid_num_samples=1000, progress=True,
                show=False, extra_callbacks=()):
    """Train the default MNIST GAN with every callback, writing into ``out_dir``.

    This is what ``python -m stylegan_edu train-mnist`` runs. ``out_dir``
    receives ``checkpoints/``, ``samples/epoch_NNNN.png``, ``progress.gif``
    and ``history.json`` (one entry per epoch of the whole run).

    Args:
        config: a :class:`~stylegan_edu.training.TrainConfig`.
        out_dir: the output folder.
        images: uint8 (N, 28, 28) digits, or float (N, 28, 28, 1) in [-1, 1];
            default: the training digits of :func:`stylegan_edu.data.mnist_gan_split`
            (offline: 8,000; FID is measured against the other 2,000).
        resume: continue from the newest good checkpoint in ``out_dir``.
        fid_every: compute MNIST-FID every this many epochs (0: never).
        fid_num_samples: generated images per FID.
        progress: show a progress bar.
        show: show sample grids inline (notebooks).
        extra_callbacks: more callbacks.

    Returns:
        GAN: the trained GAN.
    """
    import json
    import os

    from stylegan_edu import callbacks as cbs
    from stylegan_edu.data import mnist_gan_split, to_unit_range

    # Every argument is checked before anything is loaded, built or written.
    if not isinstance(config, TrainConfig):
        raise invalid("config", "a TrainConfig", f"config of type {type(config).__name__}")
    out_dir = os.fspath(check_path("out_dir", out_dir, kind="folder"))
    resume, progress, show = check_bool("resume", resume), check_bool("progress", progress), check_bool("show", show)
    fid_every = check_positive_int("fid_every", fid_every, minimum=0)
    fid_num_samples = check_positive_int("fid_num_samples", fid_num_samples, minimum=2)
    if not isinstance(extra_callbacks, (list, tuple)):
        raise invalid("extra_callbacks", "a list or tuple of Keras callbacks", f"extra_callbacks of type {type(extra_callbacks).__name__}")
    if images is None:
        images, _, _ = mnist_gan_split()
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]  # (N, 28, 28)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or not len(images):
        raise invalid("images", "MNIST digits: uint8 (N, 28, 28), or floats (N, 28, 28, 1) in [-1, 1], N >= 1", f"shape {images.shape}")
    if images.dtype == np.uint8:
        x = to_unit_range(images)[..., None]  # (N, 28, 28, 1)
    else:
        x = as_image(images, (-1, 1), name="images")[..., None]  # real, finite, in [-1, 1]
    gan = make_gan(config)
    callbacks = [
        cbs.SampleGrid(os.path.join(out_dir, "samples"), seed=config.seed, show=show),
        cbs.ProgressGif(os.path.join(out_dir, "progress.gif"), frames_dir=os.path.join(out_dir, "samples")),
        cbs.NonFiniteGuard(),
        cbs.Checkpoint(os.path.join(out_dir, "checkpoints")),
        cbs.HistoryJson(os.path.join(out_dir, "history.json")),
        *extra_callbacks,
    ]
    if progress:
        callbacks.append(cbs.ProgressBar())
    if fid_every:
        callbacks.append(cbs.FIDMonitor(every=fid_every, num_samples=fid_num_samples, seed=config.seed))
    os.makedirs(out_dir, exist_ok=True)
    atomic_write(os.path.join(out_dir, "config.json"), json.dumps(dataclasses.asdict(config), indent=1))
    gan.fit(x, callbacks=callbacks, resume=resume, verbose=0 if progress else 2)
    return gan
