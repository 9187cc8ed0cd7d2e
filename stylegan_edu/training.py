r"""The GAN training loop: :class:`GAN`, :class:`TrainConfig` and :func:`train_mnist`.

Chapter 9 takes :meth:`GAN.train_step` apart line by line. It is the step the
source article describes, done right: one discriminator update, then one
generator update, on every batch, with the losses tracked as metrics.

:meth:`GAN.fit` is Keras' ``fit`` plus three things a long GAN run needs:

* the data is checked before the first step (shape and range [-1, 1]);
* arrays are shuffled per epoch from ``(seed, epoch)``, so a resumed run
  sees exactly the batches an uninterrupted one would;
* ``resume=True`` restores the newest good checkpoint written by
  :class:`stylegan_edu.callbacks.Checkpoint` (weights, optimizer state, RNG
  state, epoch, history) and continues from there.

Extension point (conditional GANs, chapter 11): :meth:`GAN.train_step` gets
its two losses from :meth:`GAN.discriminator_loss_on_batch` and
:meth:`GAN.generator_loss_on_batch`. A subclass whose batches are
``(input, target)`` pairs overrides those two methods (and
:meth:`GAN.check_data` for its own input checks) and inherits the rest:
the two updates, metrics, fit, resume, checkpoints and callbacks.
"""

import dataclasses
import math

import keras
import numpy as np
from keras import ops

from stylegan_edu import losses
from stylegan_edu._validation import check_choice, check_float_range, check_positive_int, invalid

__all__ = ["TrainConfig", "GAN", "make_gan", "resolve_mixed_precision", "learning_rate_at", "train_mnist", "feature_statistics_loss", "mnist_feature_maps", "SCHEDULES"]

SCHEDULES = ("constant", "halve_per_epoch", "cosine")


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """How to train a GAN: the settings of :func:`make_gan` and :meth:`GAN.fit`.

    Example:

    >>> TrainConfig().learning_rate, TrainConfig().beta_1, TrainConfig().schedule
    (0.0002, 0.5, 'constant')
    >>> TrainConfig(batch_size=0)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `batch_size`. Expected an integer >= 1. Received: batch_size=0
    >>> TrainConfig(schedule="linear")
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `schedule`. Expected one of 'constant', 'halve_per_epoch', 'cosine'. Received: schedule='linear'
    """

    epochs: int = 10  # passes over the data; 10 over MNIST's 10,000 test digits takes minutes on a CPU
    batch_size: int = 64  # 64 gives 156 steps per epoch on 10,000 digits; DCGAN used 128
    learning_rate: float = 2e-4  # Adam's step size for both networks (DCGAN's and the article's value)
    beta_1: float = 0.5  # DCGAN's Adam momentum; the default 0.9 oscillates in the two-player game
    schedule: str = "constant"  # "constant", the article's "halve_per_epoch" (2e-4 / 2^k), or "cosine" decay to ~0
    seed: int = 0  # seeds the initial weights, the data order, the noise z and dropout
    mixed_precision: str = "auto"  # "auto": float16 compute on a GPU only; "on" or "off" to force it
    label_smoothing: float = 0.0  # one-sided: real targets become 1 - s (0 = off)
    style_weight: float = 0.0  # weight of the Gram feature-statistics term on MNIST features (0 = off)
    tv_weight: float = 0.0  # weight of the L1 total-variation term on generated images (0 = off)

    def __post_init__(self):
        check_positive_int("epochs", self.epochs)
        check_positive_int("batch_size", self.batch_size)
        check_float_range("learning_rate", self.learning_rate, 0.0, 1.0, low_inclusive=False)
        check_float_range("beta_1", self.beta_1, 0.0, 1.0, high_inclusive=False)
        check_choice("schedule", self.schedule, SCHEDULES)
        check_positive_int("seed", self.seed, minimum=0)
        check_choice("mixed_precision", self.mixed_precision, ("auto", "on", "off"))
        check_float_range("label_smoothing", self.label_smoothing, 0.0, 0.5, high_inclusive=False)
        check_float_range("style_weight", self.style_weight, 0.0)
        check_float_range("tv_weight", self.tv_weight, 0.0)


def resolve_mixed_precision(setting="auto"):
    """Whether to compute in float16: ``"on"``, ``"off"``, or ``"auto"`` (only on a GPU).

    Example:

    >>> resolve_mixed_precision("off"), resolve_mixed_precision("on")
    (False, True)
    """
    check_choice("mixed_precision", setting, ("auto", "on", "off"))
    if setting != "auto":
        return setting == "on"
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def learning_rate_at(epoch, base, schedule="constant", epochs=None):
    r"""The learning rate during ``epoch`` (0-based) under a schedule.

    Formula:
        ``"constant"``: :math:`\eta_k = \eta_0`; ``"halve_per_epoch"`` (the
        source article's): :math:`\eta_k = \eta_0 / 2^k`. After 10 epochs
        the article's rate is :math:`2\cdot10^{-4}/1024 \approx 2\cdot10^{-7}`:
        learning has all but stopped. ``"cosine"`` (Loshchilov & Hutter,
        2017) over :math:`E` epochs:
        :math:`\eta_k = \tfrac{\eta_0}{2}(1 + \cos(\pi k / E))`, large
        steps first, small ones to settle at the end (chapter 11).

    Args:
        epoch: the 0-based epoch.
        base: :math:`\eta_0`.
        schedule: one of :data:`SCHEDULES`.
        epochs: :math:`E`, the run's number of epochs (``"cosine"`` only).

    Returns:
        float: the learning rate.

    Example:

    >>> [learning_rate_at(k, 2e-4, "halve_per_epoch") for k in range(3)]
    [0.0002, 0.0001, 5e-05]
    >>> [round(learning_rate_at(k, 1e-3, "cosine", epochs=4), 6) for k in range(4)]
    [0.001, 0.000854, 0.0005, 0.000146]
    """
    check_choice("schedule", schedule, SCHEDULES)
    if schedule == "constant":
        return base
    if schedule == "halve_per_epoch":
        return base * 0.5**epoch
    if epochs is None:
        raise invalid("epochs", "the run's number of epochs for the cosine schedule", "epochs=None")
    epochs = check_positive_int("epochs", epochs)
    return base * 0.5 * (1.0 + math.cos(math.pi * min(epoch, epochs) / epochs))


class GAN(keras.Model):
    r"""A generator and a discriminator trained against each other.

    Formula:
        Each step draws :math:`z \sim \mathcal N(0, I)` and makes one update of
        each network (Goodfellow et al.'s algorithm with k = 1):

        .. math::

            L_D = \mathrm{BCE}(1, D(x)) + \mathrm{BCE}(0, D(G(z))), \qquad
            L_G = \mathrm{BCE}(1, D(G(z))) + w_s L_\mathrm{stats} + w_{tv} L_{TV}

        (the non-saturating generator loss), where the optional
        :math:`L_\mathrm{stats} = \lVert \bar{\mathcal G}(\phi(G(z))) - \bar{\mathcal G}(\phi(x)) \rVert^2`
        matches the batch-mean Gram matrices of MNIST features :math:`\phi`
        of fakes and real digits, and :math:`L_{TV}` is the L1 total variation
        of the fakes.

    Args:
        generator: a Keras model, z (B, latent_dim) -> images (B, H, W, C) in [-1, 1].
        discriminator: a Keras model, images -> logits (B, 1) (no sigmoid).
        latent_dim: length of z; read from ``generator.input_shape`` if ``None``.
        seed: seeds the noise generator (its state is checkpointed).
        feature_extractor: for the feature-statistics term: a callable
            images (B, 28, 28, 1) in [-1, 1] -> a feature map (B, h, w, c), or
            a dict of them. ``None``: :func:`mnist_feature_maps` (the shipped
            MNIST feature net's conv maps), loaded when ``style_weight > 0``.

    Extension point:
        :meth:`train_step` calls :meth:`discriminator_loss_on_batch` and
        :meth:`generator_loss_on_batch` (each returns ``(loss, logs)``), and
        :meth:`fit` calls :meth:`check_data`. A conditional GAN whose batches
        are ``(input, target)`` pairs overrides these three and nothing else.

    Example:

    >>> import keras, numpy as np
    >>> G = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="tanh"), keras.layers.Reshape((4, 4, 1))])
    >>> D = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    >>> gan = GAN(G, D, seed=0)
    >>> gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    >>> x = np.random.default_rng(0).uniform(-1, 1, (32, 4, 4, 1)).astype("float32")
    >>> history = gan.fit(x, epochs=2, batch_size=8, verbose=0)
    >>> sorted(history.history)
    ['d_fake', 'd_loss', 'd_real', 'g_loss']
    >>> gan.epochs_done
    2
    """

    def __init__(self, generator, discriminator, latent_dim=None, seed=0, feature_extractor=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(generator, keras.Model):
            raise invalid("generator", "a keras.Model", f"generator of type {type(generator).__name__}")
        if not isinstance(discriminator, keras.Model):
            raise invalid("discriminator", "a keras.Model", f"discriminator of type {type(discriminator).__name__}")
        self.generator = generator
        self.discriminator = discriminator
        if latent_dim is None:
            latent_dim = generator.input_shape[-1] if not isinstance(generator.input_shape, list) else None
        self.latent_dim = check_positive_int("latent_dim", latent_dim)
        self.seed = check_positive_int("seed", seed, minimum=0)
        self.noise_seed = keras.random.SeedGenerator(self.seed, name="noise_seed")
        self.feature_extractor = feature_extractor
        self.epochs_done = 0  # finished epochs (checkpointed)
        self.lr_scale = 1.0  # lowered by the non-finite-loss guard (checkpointed)
        self.history_records = []  # one dict of logs per finished epoch (checkpointed)
        self._trackers = {}

    # ------------------------------------------------------------------ set-up

    def compile(self, d_optimizer, g_optimizer, label_smoothing=0.0, style_weight=0.0, tv_weight=0.0,
                schedule="constant", saturating=False, jit_compile="auto"):
        """Set the two optimizers, the loss options and the learning-rate schedule.

        Args:
            d_optimizer: a ``keras.optimizers.Optimizer`` for the discriminator.
            g_optimizer: another one (its own moments) for the generator.
            label_smoothing: one-sided label smoothing for real targets, in [0, 0.5).
            style_weight: weight of the feature-statistics (Gram) term, >= 0.
            tv_weight: weight of the total-variation term, >= 0.
            schedule: ``"constant"``, ``"halve_per_epoch"`` or ``"cosine"`` (over
                the epochs of the ``fit`` call's run), applied at the start of each
                epoch to each optimizer's initial rate.
            saturating: use the minimax (saturating) generator loss; only to
                show why nobody does (chapter 8).
            jit_compile: passed to ``keras.Model.compile`` (XLA on GPUs).
        """
        for name, opt in (("d_optimizer", d_optimizer), ("g_optimizer", g_optimizer)):
            if not isinstance(opt, keras.optimizers.Optimizer):
                raise invalid(name, "a keras.optimizers.Optimizer instance", f"{name} of type {type(opt).__name__}")
        if d_optimizer is g_optimizer:
            raise invalid("g_optimizer", "a different optimizer object from d_optimizer (each network needs its own Adam moments)", "the same object twice")
        super().compile(optimizer=None, jit_compile=jit_compile)  # no Keras optimizer: the two below do the work
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        self.label_smoothing = check_float_range("label_smoothing", label_smoothing, 0.0, 0.5, high_inclusive=False)
        self.style_weight = check_float_range("style_weight", style_weight, 0.0)
        self.tv_weight = check_float_range("tv_weight", tv_weight, 0.0)
        self.schedule = check_choice("schedule", schedule, SCHEDULES)
        self.saturating = bool(saturating)
        self.base_learning_rates = (float(d_optimizer.learning_rate), float(g_optimizer.learning_rate))
        if self.style_weight > 0 and self.feature_extractor is None:
            self.feature_extractor = _default_feature_extractor()
        names = ["d_loss", "g_loss", "d_real", "d_fake"]
        if self.style_weight > 0 or self.tv_weight > 0:
            names += ["g_adv"] + (["g_stats"] if self.style_weight > 0 else []) + (["g_tv"] if self.tv_weight > 0 else [])
        self._trackers = {n: keras.metrics.Mean(name=n) for n in names}

    @property
    def metrics(self):
        # Keras resets these at the start of every epoch: each logs a running mean over the epoch.
        return list(self._trackers.values())

    def call(self, z, training=False):
        """Generate images from z: the GAN used as a model is its generator."""
        return self.generator(z, training=training)

    # -------------------------------------------------------------- the losses

    def sample_noise(self, batch_size):
        """z ~ N(0, I), shape (batch_size, latent_dim), from the GAN's own seeded RNG."""
        return keras.random.normal((batch_size, self.latent_dim), seed=self.noise_seed)  # (B, latent_dim)

    def discriminator_loss_on_batch(self, batch):
        """The discriminator's loss on one batch of real images.

        Override this (with :meth:`generator_loss_on_batch`) for a GAN whose
        batches are not plain images, e.g. ``(input, target)`` pairs.

        Args:
            batch: real images (B, H, W, C) in [-1, 1].

        Returns:
            tuple: ``(d_loss, logs)``, logs a dict of scalars to track.
        """
        real = batch  # (B, H, W, C)
        z = self.sample_noise(ops.shape(real)[0])  # (B, latent_dim)
        fake = self.generator(z, training=True)  # (B, H, W, C)
        real_logits = ops.cast(self.discriminator(real, training=True), "float32")  # (B, 1)
        fake_logits = ops.cast(self.discriminator(fake, training=True), "float32")  # (B, 1)
        d_loss = losses.discriminator_loss(real_logits, fake_logits, label_smoothing=self.label_smoothing)
        logs = {"d_real": ops.mean(ops.sigmoid(real_logits)), "d_fake": ops.mean(ops.sigmoid(fake_logits))}
        return d_loss, logs

    def generator_loss_on_batch(self, batch):
        """The generator's loss on one batch: adversarial, plus the optional extra terms.

        Args:
            batch: real images (B, H, W, C) in [-1, 1] (used by the
                feature-statistics term; the adversarial term only needs B).

        Returns:
            tuple: ``(g_loss, logs)``.
        """
        real = batch  # (B, H, W, C)
        z = self.sample_noise(ops.shape(real)[0])  # (B, latent_dim)
        fake = self.generator(z, training=True)  # (B, H, W, C)
        fake_logits = ops.cast(self.discriminator(fake, training=True), "float32")  # (B, 1)
        g_adv = losses.generator_loss(fake_logits, saturating=self.saturating)
        if not (self.style_weight > 0 or self.tv_weight > 0):
            return g_adv, {}
        fake32 = ops.cast(fake, "float32")
        g_loss, logs = g_adv, {"g_adv": g_adv}
        if self.style_weight > 0:
            logs["g_stats"] = feature_statistics_loss(self.feature_extractor, fake32, real)
            g_loss = g_loss + self.style_weight * logs["g_stats"]
        if self.tv_weight > 0:
            logs["g_tv"] = losses.total_variation_loss(fake32, kind="l1")
            g_loss = g_loss + self.tv_weight * logs["g_tv"]
        return g_loss, logs

    # ------------------------------------------------------------ the step

    def train_step(self, batch):
        """One discriminator update, then one generator update (chapter 9 dissects this)."""
        import tensorflow as tf

        # 1. The discriminator learns to tell real images from the current fakes.
        with tf.GradientTape() as tape:
            d_loss, d_logs = self.discriminator_loss_on_batch(batch)
            scaled = self.d_optimizer.scale_loss(d_loss)  # x loss scale in mixed precision, else unchanged
        d_vars = self.discriminator.trainable_variables
        d_grads = tape.gradient(scaled, d_vars)  # dL_D / dtheta_D only: G is not updated here
        self.d_optimizer.apply_gradients(zip(d_grads, d_vars))

        # 2. The generator learns to fool the discriminator it just faced (fresh z).
        with tf.GradientTape() as tape:
            g_loss, g_logs = self.generator_loss_on_batch(batch)
            scaled = self.g_optimizer.scale_loss(g_loss)
        g_vars = self.generator.trainable_variables
        g_grads = tape.gradient(scaled, g_vars)  # flows back through D into G; D's weights stay as they are
        self.g_optimizer.apply_gradients(zip(g_grads, g_vars))

        # 3. Running means over the epoch, shown by the progress bar and kept in the history.
        return self._track({"d_loss": d_loss, "g_loss": g_loss, **d_logs, **g_logs})

    def _track(self, values):
        for name, value in values.items():
            if name in self._trackers:
                self._trackers[name].update_state(value)
        return {name: t.result() for name, t in self._trackers.items()}

    # -------------------------------------------------------------- fitting

    def check_data(self, x):
        """Reject data that is not what :meth:`train_step` expects, before the first step.

        The default checks that images have the generator's output shape and
        lie in [-1, 1] (all of an array; the first batch of a dataset).
        Override it in a subclass with other batches.

        Raises:
            ValueError: naming what was expected and what was received.
        """
        want = tuple(self.generator.output_shape[1:])
        if _is_dataset(x):
            spec = x.element_spec
            shape = tuple(spec.shape) if hasattr(spec, "shape") else None
            if shape is None or tuple(shape[1:]) != want:
                raise invalid("x", f"a dataset of image batches of shape (B, {', '.join(map(str, want))}) (what the generator makes)",
                              f"element_spec={spec}")
            sample = next(iter(x.take(1)), None)
            if sample is None:
                raise invalid("x", "a dataset with at least one batch", "an empty dataset")
            _check_range(np.asarray(sample), "the first batch")
            return
        a = np.asarray(x)
        if a.ndim != len(want) + 1 or tuple(a.shape[1:]) != want:
            raise invalid("x", f"images of shape (N, {', '.join(map(str, want))}) (what the generator makes)", f"shape {a.shape}")
        if a.dtype.kind not in "f":
            raise invalid("x", "float images in [-1, 1] (scale uint8 with stylegan_edu.data.to_unit_range)", f"dtype={a.dtype}")
        _check_range(a, "x")

    def make_dataset(self, x, batch_size, epochs, initial_epoch=0):
        """Batches for epochs ``initial_epoch .. epochs-1``, shuffled per epoch from ``(seed, epoch)``.

        Epoch k always sees the same order, whether or not the run was
        interrupted before it: this is what makes resuming exact. The last
        partial batch of each epoch is dropped (every step has the same shape).

        Returns:
            tuple: ``(dataset, steps_per_epoch)``.
        """
        import tensorflow as tf

        arrays = x if isinstance(x, tuple) else (x,)
        n = len(arrays[0])
        steps = n // batch_size
        if steps < 1:
            raise invalid("batch_size", f"at most the number of training images ({n})", f"batch_size={batch_size}")
        perms = np.stack([np.random.default_rng([self.seed, e]).permutation(n)[: steps * batch_size]
                          for e in range(initial_epoch, epochs)])  # (epochs, steps*B)
        index = tf.data.Dataset.from_tensor_slices(perms.reshape(-1, batch_size).astype(np.int64))  # (B,) per element
        tensors = tuple(tf.constant(np.asarray(a, dtype=np.float32)) for a in arrays)
        if len(tensors) == 1:
            ds = index.map(lambda i: tf.gather(tensors[0], i))
        else:
            ds = index.map(lambda i: tuple(tf.gather(t, i) for t in tensors))
        return ds.prefetch(2), steps

    def fit(self, x, epochs=1, batch_size=None, callbacks=None, resume=False, verbose="auto", initial_epoch=None, **kwargs):
        """Train for ``epochs`` epochs in all (counting epochs done before a resume).

        Args:
            x: images (N, H, W, C) in [-1, 1] as a numpy array (shuffled per
                epoch, exactly resumable), or a ``tf.data.Dataset`` of batches
                (used as it is; its own shuffling decides the order).
            epochs: the total number of epochs of the run.
            batch_size: images per step, for arrays (default 64).
            callbacks: Keras callbacks, e.g. from :mod:`stylegan_edu.callbacks`.
                They run in the order of their ``order`` attribute (default
                0), so :class:`~stylegan_edu.callbacks.Checkpoint` saves
                after the others have logged (FID, for instance).
            resume: continue from the newest good checkpoint of the
                :class:`~stylegan_edu.callbacks.Checkpoint` callback in
                ``callbacks``.
            verbose: Keras' own progress output (0 when a
                :class:`~stylegan_edu.callbacks.ProgressBar` is used).
            initial_epoch: the epoch to start at; default: the epochs done so
                far (0, or what the checkpoint says).
            **kwargs: passed to ``keras.Model.fit`` (e.g. ``steps_per_epoch``
                for a dataset).

        Returns:
            keras.callbacks.History: this call's epochs. The whole run's
            per-epoch logs, across resumes, are in ``self.history_records``.

        Raises:
            ValueError: bad data or arguments, before any step.
            FileNotFoundError: ``resume=True`` and no checkpoint exists.
            stylegan_edu.checkpoints.CheckpointError: every checkpoint is damaged.
        """
        from stylegan_edu import callbacks as cbs

        if not hasattr(self, "d_optimizer"):
            raise RuntimeError("Call compile(d_optimizer, g_optimizer) before fit().")
        epochs = check_positive_int("epochs", epochs)
        callbacks = list(callbacks or [])
        self.check_data(x)
        if resume:
            ckpt = [c for c in callbacks if isinstance(c, cbs.Checkpoint)]
            if not ckpt:
                raise invalid("resume", "a Checkpoint callback in `callbacks` to resume from", "resume=True without one")
            path = ckpt[0].restore(self)
            print(f"Resumed from {path}: {self.epochs_done} epoch(s) done.")
        start = self.epochs_done if initial_epoch is None else check_positive_int("initial_epoch", initial_epoch, minimum=0)
        if start >= epochs:
            print(f"Nothing to do: {start} of {epochs} epoch(s) already done.")
            return keras.callbacks.History()
        if _is_dataset(x):
            data, steps = x, kwargs.pop("steps_per_epoch", None)
        else:
            batch_size = check_positive_int("batch_size", 64 if batch_size is None else batch_size)
            data, steps = self.make_dataset(x, batch_size, epochs, start)
        internal = [cbs._Schedule(), cbs._Recorder()]
        ordered = sorted(internal + callbacks, key=lambda c: getattr(c, "order", 0))
        if any(isinstance(c, cbs.ProgressBar) for c in callbacks) and verbose == "auto":
            verbose = 0
        return super().fit(data, epochs=epochs, initial_epoch=start, steps_per_epoch=steps,
                           callbacks=ordered, verbose=verbose, shuffle=False, **kwargs)

    def set_learning_rates(self, epoch, epochs=None):
        """Set both optimizers' rates for ``epoch`` of ``epochs``: schedule x ``lr_scale``.

        ``epochs=None`` reuses the run length of the last call (the cosine
        schedule needs it; the fit loop passes it at every epoch).
        """
        if epochs is None:
            epochs = getattr(self, "_schedule_epochs", None)
        self._schedule_epochs = epochs
        for opt, base in zip((self.d_optimizer, self.g_optimizer), self.base_learning_rates):
            opt.learning_rate = learning_rate_at(epoch, base, self.schedule, epochs) * self.lr_scale

    def generate(self, z, batch_size=256):
        """Images from the generator in inference mode, as numpy (N, H, W, C)."""
        z = np.asarray(z, dtype=np.float32)
        parts = [np.asarray(self.generator(z[i : i + batch_size], training=False)) for i in range(0, len(z), batch_size)]
        return np.concatenate(parts).astype(np.float32)


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
    """
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
    from stylegan_edu.features import mnist_feature_net

    net = mnist_feature_net()
    model = keras.Model(net.input, {n: net.get_layer(n).output for n in ("conv1", "conv2")}, name="mnist_feature_maps")
    model.trainable = False
    return model


def _default_feature_extractor():
    return mnist_feature_maps()


def _is_dataset(x):
    try:
        import tensorflow as tf
    except ImportError:  # pragma: no cover
        return False
    return isinstance(x, tf.data.Dataset)


def _check_range(a, what):
    a = np.asarray(a)
    if a.size == 0:
        raise invalid("x", "at least one image", "an empty array")
    if not np.all(np.isfinite(a)):
        raise invalid("x", "finite pixel values", f"{int(a.size - np.count_nonzero(np.isfinite(a)))} non-finite value(s) in {what}")
    lo, hi = float(a.min()), float(a.max())
    if lo < -1.0 - 1e-6 or hi > 1.0 + 1e-6:
        hint = " (this looks like 0..255: use stylegan_edu.data.to_unit_range)" if hi > 2 else (
            " (this looks like [0, 1]: use 2 * x - 1)" if lo >= 0 and hi <= 1 else "")
        raise invalid("x", f"images in [-1, 1], the range of the generator's tanh{hint}", f"min={lo:.4g}, max={hi:.4g} in {what}")


def make_gan(config=None, generator=None, discriminator=None, feature_extractor=None):
    """A compiled :class:`GAN` with the default MNIST models and Adam, from a :class:`TrainConfig`.

    The models are seeded from ``config.seed``. With mixed precision on
    (``"auto"`` on a GPU) they compute in float16 with float32 weights, and
    the optimizers scale the loss.

    Args:
        config: a :class:`TrainConfig` (default settings if ``None``).
        generator: a generator to use instead of the default one.
        discriminator: a discriminator to use instead of the default one.
        feature_extractor: see :class:`GAN`.

    Returns:
        GAN: compiled, ready for :meth:`GAN.fit`.
    """
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise invalid("config", "a TrainConfig", f"config of type {type(config).__name__}")
    keras.utils.set_random_seed(config.seed)  # dropout seeds and any unseeded initialiser
    mixed = resolve_mixed_precision(config.mixed_precision)
    previous = keras.config.dtype_policy()
    if mixed:
        keras.config.set_dtype_policy("mixed_float16")
    try:
        if generator is None or discriminator is None:
            from stylegan_edu.models import DiscriminatorConfig, GeneratorConfig, make_discriminator, make_generator

            generator = generator or make_generator(GeneratorConfig(seed=config.seed))
            discriminator = discriminator or make_discriminator(DiscriminatorConfig(seed=config.seed + 1))
        gan = GAN(generator, discriminator, seed=config.seed, feature_extractor=feature_extractor)
    finally:
        keras.config.set_dtype_policy(previous)
    opts = [keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1) for _ in range(2)]
    if mixed:
        opts = [keras.optimizers.LossScaleOptimizer(o) for o in opts]
    gan.compile(*opts, label_smoothing=config.label_smoothing, style_weight=config.style_weight,
                tv_weight=config.tv_weight, schedule=config.schedule)
    return gan


def train_mnist(config, out_dir, images=None, resume=False, fid_every=0, fid_samples=1000, progress=True,
                show=False, extra_callbacks=()):
    """Train the default MNIST GAN with every callback, writing into ``out_dir``.

    This is what ``python -m stylegan_edu train-mnist`` runs. ``out_dir``
    receives ``checkpoints/``, ``samples/epoch_NNNN.png``, ``progress.gif``
    and ``history.json`` (one entry per epoch of the whole run).

    Args:
        config: a :class:`TrainConfig`.
        out_dir: the output folder.
        images: uint8 (N, 28, 28) digits, or float (N, 28, 28, 1) in [-1, 1];
            default: ``load_mnist("all")``.
        resume: continue from the newest good checkpoint in ``out_dir``.
        fid_every: compute MNIST-FID every this many epochs (0: never).
        fid_samples: generated images per FID.
        progress: show a progress bar.
        show: show sample grids inline (notebooks).
        extra_callbacks: more callbacks.

    Returns:
        GAN: the trained GAN.
    """
    import json
    import os

    from stylegan_edu import callbacks as cbs
    from stylegan_edu.data import load_mnist, to_unit_range

    if images is None:
        images, _ = load_mnist("all")
    images = np.asarray(images)
    x = to_unit_range(images)[..., None] if images.dtype == np.uint8 else images  # (N, 28, 28, 1)
    gan = make_gan(config)
    out_dir = os.fspath(out_dir)
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
        callbacks.append(cbs.FIDMonitor(every=fid_every, num_samples=fid_samples, seed=config.seed))
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(dataclasses.asdict(config), f, indent=1)
    gan.fit(x, epochs=config.epochs, batch_size=config.batch_size, callbacks=callbacks, resume=resume,
            verbose=0 if progress else 2)
    return gan

