r"""The two-player trainer: one engine for every GAN in the book.

:class:`AdversarialTrainer` owns everything that is the same for every GAN:

* :meth:`~AdversarialTrainer.train_step`: one discriminator update, then one
  generator update (chapter 9 takes it apart line by line);
* the loss trackers (running means over the epoch, logged by Keras);
* :meth:`~AdversarialTrainer.fit`: the data checked before the first step,
  arrays shuffled per epoch from ``(seed, epoch)`` (exact resumes), and
  ``resume=True`` from the newest good checkpoint;
* the learning-rate schedule, applied at the start of every epoch;
* the :class:`TrainingState` that checkpoints save and callbacks update;
* data-parallel training under ``tf.distribute`` (several GPUs or machines).

Two options every GAN can switch on from its :class:`TrainConfig`:

* ``ema_decay``: an exponential moving average of the generator's weights,
  kept in ``trainer.ema_generator``, updated after every generator step,
  checkpointed, and used by :meth:`~AdversarialTrainer.generate` (ProGAN,
  StyleGAN);
* ``r1_weight`` and ``r1_interval``: the R1 gradient penalty on real
  images (Mescheder et al., 2018), lazily every ``r1_interval`` steps
  (StyleGAN2);
* ``augment``: differentiable augmentation of every image the discriminator
  sees, real and fake (DiffAugment, :mod:`stylegan_edu.augment`), through
  :meth:`~AdversarialTrainer.augment`, for training on few images.

A subclass says only what differs:

* :meth:`~AdversarialTrainer.discriminator_loss_on_batch` and
  :meth:`~AdversarialTrainer.generator_loss_on_batch`: the two losses;
* :meth:`~AdversarialTrainer.check_data`: what a batch must look like;
* optionally :meth:`~AdversarialTrainer.extra_checkpoint_variables`.

The subclasses are :class:`stylegan_edu.gan.GAN` (latent noise, chapter 9)
and :class:`stylegan_edu.conditional.ConditionalGAN` (an input image,
chapter 11). Every setting of a run comes from one frozen :class:`TrainConfig`:
``compile(config)`` builds both optimizers from it (:func:`make_optimizers`).
"""

import dataclasses
import math

import keras
import numpy as np
from keras import ops

from stylegan_edu import pipeline
from stylegan_edu._batches import map_in_batches
from stylegan_edu._validation import check_choice, check_float_range, check_positive_int, check_tensor, invalid

__all__ = ["TrainConfig", "TrainingState", "AdversarialTrainer", "make_optimizers", "resolve_mixed_precision",
           "json_ready", "settings_differences", "ema_decay_at", "r1_penalty", "discriminator_report", "copy_model", "learning_rate_at",
           "current_learning_rate", "num_replicas", "replica_slice", "discriminator_probabilities", "SCHEDULES"]

SCHEDULES = ("constant", "halve_per_epoch", "cosine")


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """How to train a GAN: every setting of :meth:`AdversarialTrainer.compile` and ``fit``.

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
    >>> TrainConfig(ema_decay=1.0)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `ema_decay`. Expected a float in [0.0, 1.0). Received: ema_decay=1.0
    >>> TrainConfig(r1_weight=-1.0)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `r1_weight`. Expected a float in [0.0, inf]. Received: r1_weight=-1.0
    """

    epochs: int = 10  # passes over the data; 10 over MNIST's 10,000 test digits takes minutes on a CPU
    batch_size: int = 64  # global batch (split across replicas when data-parallel); 64 gives 156 steps per epoch on 10,000 digits
    learning_rate: float = 2e-4  # Adam's step size for both networks (DCGAN's and the article's value)
    beta_1: float = 0.5  # DCGAN's Adam momentum; the default 0.9 oscillates in the two-player game
    schedule: str = "constant"  # "constant", the article's "halve_per_epoch" (2e-4 / 2^k), or "cosine" decay to ~0
    seed: int = 0  # seeds the initial weights, the data order, the noise z and dropout
    mixed_precision: str = "auto"  # "auto": float16 compute on a GPU only; "on" or "off" to force it
    label_smoothing: float = 0.0  # one-sided: real targets become 1 - s (0 = off)
    beta_2: float = 0.999  # Adam's second-moment decay (Keras' default; StyleGAN2 uses 0.99)
    ema_decay: object = None  # None or 0: off; else the decay beta in [0, 1) of the generator's weight average (e.g. 0.999)
    r1_weight: float = 0.0  # gamma of the R1 penalty gamma/2 E||grad_x D(x)||^2 on real images (0 = off)
    r1_interval: int = 1  # lazy regularisation: the penalty every k steps, times k (StyleGAN2: 16)
    augment: str = ""  # DiffAugment policy for the discriminator's inputs, e.g. "translation,cutout" ("" = off)
    d_learning_rate: object = None  # None: learning_rate; else the discriminator's own rate (two time-scale updates, TTUR)

    def __post_init__(self):
        check_positive_int("epochs", self.epochs)
        check_positive_int("batch_size", self.batch_size)
        check_float_range("learning_rate", self.learning_rate, 0.0, 1.0, low_inclusive=False)
        if self.d_learning_rate is not None:
            check_float_range("d_learning_rate", self.d_learning_rate, 0.0, 1.0, low_inclusive=False)
        check_float_range("beta_1", self.beta_1, 0.0, 1.0, high_inclusive=False)
        check_choice("schedule", self.schedule, SCHEDULES)
        check_positive_int("seed", self.seed, minimum=0)
        check_choice("mixed_precision", self.mixed_precision, ("auto", "on", "off"))
        check_float_range("label_smoothing", self.label_smoothing, 0.0, 0.5, high_inclusive=False)
        check_float_range("beta_2", self.beta_2, 0.0, 1.0, high_inclusive=False)
        if self.ema_decay is not None:
            check_float_range("ema_decay", self.ema_decay, 0.0, 1.0, high_inclusive=False)
        check_float_range("r1_weight", self.r1_weight, 0.0)
        check_positive_int("r1_interval", self.r1_interval)
        from stylegan_edu.augment import parse_policy

        parse_policy(self.augment)  # a clear error for an unknown augmentation

    @property
    def uses_ema(self):
        """Whether the run keeps an EMA generator (``ema_decay`` neither ``None`` nor 0)."""
        return bool(self.ema_decay)


@dataclasses.dataclass
class TrainingState:
    """What a run has done so far, beside its variables: what checkpoints save and callbacks update.

    Every trainer has one, as ``trainer.state``. It is the only training
    bookkeeping that callbacks (:mod:`stylegan_edu.callbacks`) and
    checkpoints (:mod:`stylegan_edu.checkpoints`) read or write; the
    variables they save come from :meth:`AdversarialTrainer.checkpoint_variables`.

    Attributes:
        epochs_done: finished epochs of the whole run (across resumes).
        lr_scale: a factor on the scheduled learning rate; the
            :class:`~stylegan_edu.callbacks.NonFiniteGuard` lowers it after a
            NaN loss.
        history: one dict of logs per finished epoch (``{"epoch": k,
            "d_loss": ..., "learning_rate": ...}``), across resumes.
        settings: the run's settings that a resume must share (set by
            :meth:`AdversarialTrainer.compile` from
            :meth:`AdversarialTrainer.run_settings`); a checkpoint records
            them, and ``fit(resume=True)`` names any that differ.

    Example:

    >>> state = TrainingState()
    >>> state.record(0, {"d_loss": 1.5}, learning_rate=2e-4)
    >>> state.epochs_done, state.history
    (1, [{'epoch': 1, 'd_loss': 1.5, 'learning_rate': 0.0002}])
    >>> TrainingState.from_dict(state.to_dict()) == state
    True
    """

    epochs_done: int = 0
    lr_scale: float = 1.0
    history: list = dataclasses.field(default_factory=list)
    settings: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        check_positive_int("epochs_done", self.epochs_done, minimum=0)
        check_float_range("lr_scale", self.lr_scale, 0.0, 1.0, low_inclusive=False)

    def record(self, epoch, logs, learning_rate):
        """Append the logs of the finished 0-based ``epoch`` and count it as done."""
        entry = {"epoch": epoch + 1}
        entry.update({k: float(v) for k, v in (logs or {}).items()})
        entry["learning_rate"] = float(learning_rate)
        self.history.append(entry)
        self.epochs_done = epoch + 1

    def to_dict(self):
        """A JSON-ready copy (the metadata of a checkpoint)."""
        return {"epoch": int(self.epochs_done), "lr_scale": float(self.lr_scale), "history": [dict(h) for h in self.history],
                "settings": json_ready(self.settings)}

    @classmethod
    def from_dict(cls, meta):
        """The state saved by :meth:`to_dict`."""
        return cls(epochs_done=int(meta["epoch"]), lr_scale=float(meta["lr_scale"]), history=[dict(h) for h in meta["history"]],
                   settings=json_ready(meta.get("settings") or {}))  # older checkpoints have none


def json_ready(value):
    """A copy of nested dicts, lists, tuples and dataclasses with JSON types only (tuples become lists).

    Example:

    >>> json_ready({"a": (1, 2), "b": TrainConfig(epochs=3)})["b"]["epochs"], json_ready({"a": (1, 2)})
    (3, {'a': [1, 2]})
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def settings_differences(saved, current, prefix=""):
    """The settings that differ between two nested dicts, as ``"name: saved -> current"`` lines.

    Example:

    >>> settings_differences({"train": {"seed": 0, "lr": 1e-3}}, {"train": {"seed": 1, "lr": 1e-3}})
    ['train.seed: 0 (checkpoint) -> 1 (now)']

    A setting that a newer version added, left at ``None`` (off), matches a
    checkpoint saved before it existed:

    >>> settings_differences({"train": {"seed": 0}}, {"train": {"seed": 0, "d_learning_rate": None}})
    []
    >>> settings_differences({"train": {"seed": 0}}, {"train": {"seed": 0, "d_learning_rate": 1e-4}})
    ["train.d_learning_rate: '<absent>' (checkpoint) -> 0.0001 (now)"]
    """
    lines = []
    for key in sorted(set(saved) | set(current), key=str):
        name = f"{prefix}{key}"
        a, b = saved.get(key, "<absent>"), current.get(key, "<absent>")
        if isinstance(a, dict) and isinstance(b, dict):
            lines += settings_differences(a, b, prefix=name + ".")
        elif a == "<absent>" and key in current and b is None:
            continue  # added later with its "off" default: the run is the same
        elif a != b:
            lines.append(f"{name}: {a!r} (checkpoint) -> {b!r} (now)")
    return lines


def resolve_mixed_precision(mixed_precision="auto"):
    """Whether to compute in float16: ``"on"``, ``"off"``, or ``"auto"`` (only on a GPU).

    Example:

    >>> resolve_mixed_precision("off"), resolve_mixed_precision("on")
    (False, True)
    """
    check_choice("mixed_precision", mixed_precision, ("auto", "on", "off"))
    if mixed_precision != "auto":
        return mixed_precision == "on"
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def make_optimizers(config):
    """The two optimizers of a run, from its :class:`TrainConfig`: Adam(learning_rate, beta_1, beta_2) each
    (the discriminator's at ``d_learning_rate`` when that is set).

    Each network gets its own Adam (its own moments). With mixed precision
    on, each is wrapped in a ``LossScaleOptimizer``.

    Returns:
        tuple: ``(d_optimizer, g_optimizer)``.

    Example:

    >>> d_opt, g_opt = make_optimizers(TrainConfig(learning_rate=1e-3, mixed_precision="off"))
    >>> round(float(d_opt.learning_rate), 9), float(g_opt.beta_1), d_opt is g_opt
    (0.001, 0.5, False)
    """
    if not isinstance(config, TrainConfig):
        raise invalid("config", "a TrainConfig", f"config of type {type(config).__name__}")
    d_rate = config.learning_rate if config.d_learning_rate is None else config.d_learning_rate
    opts = [keras.optimizers.Adam(rate, beta_1=config.beta_1, beta_2=config.beta_2) for rate in (d_rate, config.learning_rate)]
    if resolve_mixed_precision(config.mixed_precision):
        opts = [keras.optimizers.LossScaleOptimizer(o) for o in opts]
    return tuple(opts)


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

    These are Keras' ``ExponentialDecay(decay_rate=0.5, staircase=True)``
    and ``CosineDecay`` read once per epoch (the tests check both). The
    trainer keeps its own per-epoch function rather than a Keras schedule
    object because the rate is also multiplied by the run's ``lr_scale``,
    which the non-finite-loss guard lowers in the middle of a run.

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
    epoch = check_positive_int("epoch", epoch, minimum=0)
    base = check_float_range("base", base, 0.0, low_inclusive=False)  # a negative rate trains uphill
    check_choice("schedule", schedule, SCHEDULES)
    if schedule == "constant":
        return base
    if schedule == "halve_per_epoch":
        return base * 0.5**epoch
    if epochs is None:
        raise invalid("epochs", "the run's number of epochs for the cosine schedule", "epochs=None")
    epochs = check_positive_int("epochs", epochs)
    return base * 0.5 * (1.0 + math.cos(math.pi * min(epoch, epochs) / epochs))


def ema_decay_at(step, decay):
    r"""The EMA decay used at generator step ``step`` (1-based): the target ``decay``, ramped up at the start.

    Formula:
        :math:`\beta_t = \min\big(\beta, \tfrac{1 + t}{10 + t}\big)`, then
        :math:`\bar\theta_t = \beta_t \bar\theta_{t-1} + (1 - \beta_t)\, \theta_t`
        with :math:`\bar\theta_0 = \theta_0`. The ramp is the one of
        ``tf.train.ExponentialMovingAverage(num_updates=t)``: early on, when
        the weights still move fast, the average forgets the random initial
        weights quickly instead of keeping a share :math:`\beta^t` of them
        (after 1,000 steps at :math:`\beta = 0.999` that share would still be 37%).

    Args:
        step: the generator's update count :math:`t \ge 1`.
        decay: :math:`\beta` in [0, 1).

    Returns:
        float: :math:`\beta_t`.

    Example:

    >>> [round(ema_decay_at(t, 0.999), 4) for t in (1, 10, 100, 100_000)]
    [0.1818, 0.55, 0.9182, 0.999]
    """
    step = check_positive_int("step", step)
    decay = check_float_range("decay", decay, 0.0, 1.0, high_inclusive=False)
    return min(decay, (1.0 + step) / (10.0 + step))


def r1_penalty(discriminator, real):
    r"""The R1 penalty's expectation: the mean squared norm of D's gradient at real images.

    Formula:
        .. math:: R_1 = \mathbb E_{x \sim p_\text{data}}
                  \big\lVert \nabla_x D(x) \big\rVert^2

        (Mescheder, Geiger & Nowozin, 2018) with :math:`D` the logit. The
        trainer adds :math:`\tfrac{\gamma}{2} R_1` to the discriminator's
        loss: it pushes D to be flat on the data, which stops it from
        overshooting and makes the game converge locally. Its gradient with
        respect to D's weights is a gradient of a gradient: the inner tape
        here is inside the trainer's outer one.

    Args:
        discriminator: a callable, images -> logits (B, 1).
        real: real images (B, H, W, C).

    Returns:
        A scalar tensor, the mean over the batch of :math:`\lVert \nabla_x D(x_b) \rVert^2`.

    Example:

    >>> import keras, numpy as np
    >>> D = lambda x, training=True: 3.0 * keras.ops.sum(x, axis=(1, 2, 3))[:, None]  # grad is 3 everywhere
    >>> float(r1_penalty(D, np.zeros((2, 2, 2, 1), "float32")))  # 4 pixels x 3^2
    36.0
    """
    import tensorflow as tf

    real = tf.convert_to_tensor(real, dtype="float32")  # (B, H, W, C)
    with tf.GradientTape() as tape:
        tape.watch(real)
        logits = ops.cast(discriminator(real, training=True), "float32")  # (B, 1)
        total = ops.sum(logits)  # each logit depends on its own image only: d(sum)/dx_b = dD(x_b)/dx_b
    grad = tape.gradient(total, real)  # (B, H, W, C)
    return ops.mean(ops.sum(ops.square(grad), axis=tuple(range(1, len(grad.shape)))))


def discriminator_report(discriminator, images, labels=None, batch_size=500):
    r"""What a discriminator says about groups of images: its mean logit, the share it calls real, per class.

    The check for a discriminator that memorises its training images
    (Karras et al., 2020, "Training GANs with limited data", Fig. 1): its
    logits on the *training* images drift up, on *held-out* real images down
    towards those on fakes. Per class it also shows where the generator
    fools it: a class whose fakes score like its reals is one the generator
    is pushed to make more of.

    Formula:
        For each group :math:`S`: the mean logit :math:`\bar D_S =
        \operatorname{mean}_{x \in S} D(x)` and ADA's overfitting heuristic
        :math:`r_S = \operatorname{mean}_{x \in S} \operatorname{sign} D(x)`;
        with labels, :math:`\bar D_{S,k}` over the images of class :math:`k`.

    Args:
        discriminator: a callable, images (B, H, W, C) -> logits (B, 1).
        images: a dict, group name -> images (N, H, W, C) as D takes them.
        labels: ``None``, or a dict with the same keys -> integer classes (N,).
        batch_size: images per forward pass.

    Returns:
        dict: group name -> ``{"num_images", "mean_logit", "sign_mean",
        "by_class"}`` (``by_class``: class -> mean logit, present with labels).

    Example:

    >>> import numpy as np
    >>> D = lambda x, training=False: np.mean(x, axis=(1, 2, 3))[:, None]  # brighter images look "real"
    >>> r = discriminator_report(D, {"real": np.full((4, 2, 2, 1), 0.5, "float32"),
    ...                              "fake": np.array([-1, -1, 1, 1], "float32")[:, None, None, None] * np.ones((4, 2, 2, 1))},
    ...                          labels={"real": [0, 0, 1, 1], "fake": [0, 0, 1, 1]})
    >>> r["real"]["mean_logit"], r["fake"]["sign_mean"], r["fake"]["by_class"]
    (0.5, 0.0, {0: -1.0, 1: 1.0})
    >>> discriminator_report(D, {"real": np.zeros((2, 2))})
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `images['real']`. Expected an array of rank 4. Received: shape (2, 2)
    """
    from stylegan_edu._validation import check_array, check_callable

    check_callable("discriminator", discriminator, "a callable, images (B, H, W, C) -> logits (B, 1)")
    if not isinstance(images, dict) or not images:
        raise invalid("images", "a non-empty dict, group name -> images (N, H, W, C)", f"images of type {type(images).__name__}")
    if labels is not None and (not isinstance(labels, dict) or set(labels) != set(images)):
        raise invalid("labels", f"None or a dict with the keys of `images` ({sorted(images)})",
                      f"labels of type {type(labels).__name__}" if not isinstance(labels, dict) else f"keys {sorted(labels)}")
    batch_size = check_positive_int("batch_size", batch_size)
    report = {}
    for name, x in images.items():
        x = check_array(f"images[{name!r}]", x, ndim=4, dtype="float32")  # (N, H, W, C)
        logits = map_in_batches(lambda v: discriminator(v, training=False), x, batch_size,
                                name=f"images[{name!r}]").astype(np.float64).reshape(-1)  # (N,)
        if len(logits) != len(x):
            raise invalid("discriminator", "one logit per image", f"{len(logits)} logits for {len(x)} images")
        entry = {"num_images": int(len(x)), "mean_logit": float(logits.mean()), "sign_mean": float(np.sign(logits).mean())}
        if labels is not None:
            y = check_array(f"labels[{name!r}]", labels[name], ndim=1, dtype=None)
            if len(y) != len(x) or y.dtype.kind not in "iu":
                raise invalid(f"labels[{name!r}]", f"{len(x)} integer classes, one per image", f"shape {y.shape}, dtype {y.dtype}")
            entry["by_class"] = {int(k): float(logits[y == k].mean()) for k in np.unique(y)}
        report[name] = entry
    return report


def copy_model(model, name=None):
    """A new model with the same architecture and a copy of every variable's value (the EMA generator's start).

    Args:
        model: a built Keras model (Sequential, functional, or a subclass
            with ``get_config``/``from_config`` and ``build``).
        name: the copy's name (default: ``model.name + "_ema"``).

    Returns:
        keras.Model: built, with the same variables in the same order, equal values.

    Example:

    >>> import keras, numpy as np
    >>> m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)], name="g")
    >>> c = copy_model(m)
    >>> c.name, bool(np.array_equal(c.layers[0].kernel.numpy(), m.layers[0].kernel.numpy()))
    ('g_ema', True)
    """
    clone = keras.models.clone_model(model)
    if len(clone.variables) != len(model.variables):
        build_config = model.get_build_config()
        if build_config is None:
            raise invalid("model", "a built model (call it once or build it first)", f"model {model.name!r} not built")
        clone.build_from_config(build_config)
    if [tuple(v.shape) for v in clone.variables] != [tuple(v.shape) for v in model.variables]:
        raise invalid("model", "a model that keras.models.clone_model copies variable for variable", f"model {model.name!r}")
    for c, v in zip(clone.variables, model.variables):
        c.assign(v)
    clone.name = name or f"{model.name}_ema"
    return clone


def current_learning_rate(optimizer):
    """An optimizer's learning rate as a Python float (also for a variable mirrored across replicas).

    Example:

    >>> round(current_learning_rate(keras.optimizers.Adam(1e-3)), 9)  # stored as float32
    0.001
    """
    if not hasattr(optimizer, "learning_rate"):
        raise invalid("optimizer", "a Keras optimizer", f"optimizer of type {type(optimizer).__name__}")
    return float(np.asarray(keras.ops.convert_to_numpy(optimizer.learning_rate)))


def num_replicas():
    """How many replicas compute each step: 1, or the ``tf.distribute`` strategy's count.

    Example:

    >>> num_replicas()
    1
    """
    if keras.backend.backend() != "tensorflow":
        return 1
    import tensorflow as tf

    return int(tf.distribute.get_strategy().num_replicas_in_sync)


def replica_slice(global_values, local_batch):
    """This replica's rows of values drawn for the global batch (all of them on one device).

    Drawing the *global* batch's noise on every replica and keeping one
    slice gives each replica the rows that a single-device run would give
    the same examples: data-parallel runs then equal single-device runs.

    Args:
        global_values: a tensor (B_global, ...), the same on every replica.
        local_batch: this replica's batch size B (= B_global / replicas).

    Returns:
        The rows ``[r * B, (r + 1) * B)`` for replica ``r``.
    """
    if not hasattr(global_values, "shape"):
        raise invalid("global_values", "a tensor (B_global, ...)", f"global_values of type {type(global_values).__name__}")
    if isinstance(local_batch, (bool, float, str)) or local_batch is None:  # a traced batch size is a tensor: not checked
        raise invalid("local_batch", "an integer >= 1", f"local_batch={local_batch!r}")
    if isinstance(local_batch, (int, np.integer)):
        check_positive_int("local_batch", local_batch)
        n = global_values.shape[0]
        if n is not None and local_batch > n:
            raise invalid("local_batch", f"at most the global batch {n}", f"local_batch={local_batch}")
    if num_replicas() == 1:
        return global_values
    import tensorflow as tf

    r = tf.distribute.get_replica_context().replica_id_in_sync_group
    return global_values[r * local_batch:(r + 1) * local_batch]


class AdversarialTrainer(keras.Model):
    r"""A generator and a discriminator trained against each other: the generic engine.

    Formula:
        Each step makes one update of each network (Goodfellow et al.'s
        algorithm with k = 1):

        .. math::

            \theta_D \leftarrow \mathrm{Adam}(\nabla_{\theta_D} L_D), \qquad
            \theta_G \leftarrow \mathrm{Adam}(\nabla_{\theta_G} L_G)

        with :math:`L_D` and :math:`L_G` from the subclass. With
        ``config.r1_weight`` :math:`= \gamma > 0`, every
        :math:`k`-th step (``config.r1_interval``) the discriminator's loss
        also gets :math:`k \cdot \tfrac{\gamma}{2} R_1` (:func:`r1_penalty`
        on the real batch; StyleGAN2's lazy regularisation: the same
        penalty on average, :math:`k` times cheaper). With
        ``config.ema_decay`` :math:`= \beta > 0`, after every generator
        update the EMA generator's weights move to
        :math:`\bar\theta \leftarrow \beta_t \bar\theta + (1 - \beta_t)\theta`
        (:func:`ema_decay_at`). Under a
        ``tf.distribute`` strategy with :math:`R` replicas, each replica's
        loss (a mean over its :math:`B/R` examples) is divided by :math:`R`
        before the gradients are summed across replicas: the update is the
        gradient of the mean over the global batch, as on one device.

    Args:
        generator: a Keras model.
        discriminator: a Keras model that returns logits (no sigmoid).
        seed: seeds the trainer's random generator (``self.rng``: the noise z
            of a GAN, checkpointed) and the data order of array inputs.

    Attributes:
        state: the run's :class:`TrainingState`.
        rng: a ``keras.random.SeedGenerator`` for the step's randomness.
        config: the :class:`TrainConfig` given to :meth:`compile`.
        ema_generator: the moving average of the generator (a model of the
            same architecture, :func:`copy_model`), or ``None`` when
            ``config.ema_decay`` is off. Checkpointed; :meth:`generate` uses it.
    """

    #: Names of the losses every step logs; a subclass adds its own with :meth:`loss_names`.
    BASE_LOSS_NAMES = ("d_loss", "g_loss", "d_real", "d_fake")

    def __init__(self, generator, discriminator, seed=0, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(generator, keras.Model):
            raise invalid("generator", "a keras.Model", f"generator of type {type(generator).__name__}")
        if not isinstance(discriminator, keras.Model):
            raise invalid("discriminator", "a keras.Model", f"discriminator of type {type(discriminator).__name__}")
        self.generator = generator
        self.discriminator = discriminator
        self.seed = check_positive_int("seed", seed, minimum=0)
        self.rng = keras.random.SeedGenerator(self.seed, name="noise_seed")
        self.state = TrainingState()
        self.config = None
        self.ema_generator = None
        self._trackers = {}
        self.built = True  # its variables are the two networks' (Keras must not build it by calling it on a batch)

    # ------------------------------------------------------------------ set-up

    def compile(self, config=None, d_optimizer=None, g_optimizer=None, jit_compile="auto"):
        """Take the run's settings from ``config``: optimizers, label smoothing, schedule.

        Args:
            config: a :class:`TrainConfig` (default settings if ``None``).
            d_optimizer: the discriminator's optimizer; ``None`` builds it
                with :func:`make_optimizers` (Adam(learning_rate, beta_1)).
                Pass one only to try another optimizer; its own learning
                rate is then the schedule's base.
            g_optimizer: the generator's, likewise (a different object: each
                network needs its own Adam moments).
            jit_compile: passed to ``keras.Model.compile`` (XLA on GPUs).
        """
        config = TrainConfig() if config is None else config
        if not isinstance(config, TrainConfig):
            raise invalid("config", "a TrainConfig", f"config of type {type(config).__name__}")
        built = make_optimizers(config)
        d_optimizer = built[0] if d_optimizer is None else d_optimizer
        g_optimizer = built[1] if g_optimizer is None else g_optimizer
        for name, opt in (("d_optimizer", d_optimizer), ("g_optimizer", g_optimizer)):
            if not isinstance(opt, keras.optimizers.Optimizer):
                raise invalid(name, "a keras.optimizers.Optimizer instance", f"{name} of type {type(opt).__name__}")
        if d_optimizer is g_optimizer:
            raise invalid("g_optimizer", "a different optimizer object from d_optimizer (each network needs its own Adam moments)", "the same object twice")
        super().compile(optimizer=None, jit_compile=jit_compile)  # no Keras optimizer: the two below do the work
        self.config = config
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        self.ema_generator = copy_model(self.generator) if config.uses_ema else None
        self.state.settings = json_ready(self.run_settings())
        self.base_learning_rates = (current_learning_rate(d_optimizer), current_learning_rate(g_optimizer))
        for opt, model in ((d_optimizer, self.discriminator), (g_optimizer, self.generator)):
            if not opt.built:
                opt.build(model.trainable_variables)  # now, inside any distribution scope, and before a checkpoint is read
        names = self.BASE_LOSS_NAMES + (("r1",) if config.r1_weight > 0 else ()) + tuple(self.loss_names())
        self._trackers = {n: keras.metrics.Mean(name=n) for n in names}

    def loss_names(self):
        """The extra logged loss parts of this trainer (beyond :attr:`BASE_LOSS_NAMES` and ``"r1"``).

        ``"r1"`` (logged with ``config.r1_weight > 0``) is :func:`r1_penalty`'s
        :math:`R_1`, averaged over the steps that computed it.
        """
        return ()

    def run_settings(self):
        """What a resumed run must share with the checkpoint it resumes: here the :class:`TrainConfig` but its ``epochs``.

        A subclass adds its own (its model and loss configs). ``compile``
        stores them in ``state.settings``; checkpoints record them; ``fit(resume=True)``
        refuses a checkpoint whose settings differ and names each difference.
        """
        train = json_ready(self.config)
        train.pop("epochs", None)  # a resumed run may run longer
        return {"train": train}

    @property
    def metrics(self):
        # Keras resets these at the start of every epoch: each logs a running mean over the epoch.
        return list(self._trackers.values())

    def call(self, inputs, training=False):
        """The trainer used as a model is its generator."""
        return self.generator(inputs, training=training)

    # ------------------------------------------------- what a subclass says

    def discriminator_loss_on_batch(self, batch):
        """The discriminator's loss on one batch: ``(d_loss, logs)``, logs with ``d_real``, ``d_fake``."""
        raise NotImplementedError(f"{type(self).__name__} must define discriminator_loss_on_batch(batch)")

    def generator_loss_on_batch(self, batch):
        """The generator's loss on one batch: ``(g_loss, logs)`` with its parts in ``logs``."""
        raise NotImplementedError(f"{type(self).__name__} must define generator_loss_on_batch(batch)")

    def check_data(self, x):
        """Reject data that :meth:`train_step` cannot use, before the first step (see :mod:`stylegan_edu.pipeline`)."""
        raise NotImplementedError(f"{type(self).__name__} must define check_data(x)")

    def extra_checkpoint_variables(self):
        """More ``(prefix, variables)`` groups a checkpoint must hold: here the EMA generator's, when there is one.

        A subclass that adds its own groups returns ``super().extra_checkpoint_variables() + [...]``.
        """
        return [("ema_generator", self.ema_generator.variables)] if self.ema_generator is not None else []

    # ---------------------------------------------------------------- options

    def augment(self, images):
        """The images as the discriminator sees them: DiffAugment'ed when ``config.augment`` names a policy.

        Subclasses pass *every* discriminator input through it, real and
        fake, in both players' losses (:func:`stylegan_edu.augment.diff_augment`);
        the draws come from the trainer's checkpointed generator ``self.rng``,
        so a resumed run continues the same sequence. Without a policy the
        images come back unchanged.
        """
        if not self.config.augment:
            return images
        from stylegan_edu.augment import diff_augment

        return diff_augment(images, self.config.augment, seed=self.rng)  # (B, H, W, C), differentiable

    def real_images_for_r1(self, batch):
        """The real images of a batch whose discriminator gradient R1 penalises: here the batch itself.

        A subclass whose batches are not images alone (pairs, say) overrides it.
        """
        if isinstance(batch, (tuple, list, dict)):
            raise NotImplementedError(f"{type(self).__name__} trains on structured batches: define real_images_for_r1(batch) "
                                      "to use TrainConfig.r1_weight > 0")
        return batch

    def update_ema(self):
        """Move the EMA generator toward the generator (after a generator update); see :func:`ema_decay_at`.

        Trainable variables are averaged; other float variables (BatchNorm
        statistics, a StyleGAN's running :math:`\bar w`) are copied; integer
        ones (random-seed states) are the EMA generator's own.
        """
        step = ops.cast(self.g_optimizer.iterations, "float32")  # t >= 1 after the update
        decay = ops.minimum(float(self.config.ema_decay), (1.0 + step) / (10.0 + step))
        pairs = list(zip(self.ema_generator.trainable_variables, self.generator.trainable_variables))
        copies = [(e, v) for e, v in zip(self.ema_generator.non_trainable_variables, self.generator.non_trainable_variables)
                  if "float" in str(v.dtype)]

        def assign_all(ema_pairs, copy_pairs):
            for e, v in ema_pairs:
                e.assign(decay * e + (1.0 - decay) * ops.cast(v, e.dtype))  # beta_t * ema + (1 - beta_t) * theta
            for e, v in copy_pairs:
                e.assign(v)

        if num_replicas() == 1:
            assign_all(pairs, copies)
            return
        import tensorflow as tf

        def merged(strategy):  # cross-replica: the values are equal on every replica after the all-reduced update
            for e, v in pairs:  # .value: the tf.Variable (distributed) behind a Keras variable
                strategy.extended.update(e.value, lambda a, b: a.assign(decay * a + (1.0 - decay) * b), args=(v.value,),
                                         group=False)
            for e, v in copies:
                strategy.extended.update(e.value, lambda a, b: a.assign(b), args=(v.value,), group=False)

        tf.distribute.get_replica_context().merge_call(merged)

    def checkpoint_variables(self):
        """Every variable an exact resume needs, as ``(prefix, variables)`` groups in a fixed order.

        Both networks (weights, BatchNorm statistics, dropout seed states),
        both optimizers (Adam's moments, step counters), the trainer's
        random generator, then :meth:`extra_checkpoint_variables`.
        """
        if self.config is None:
            raise RuntimeError("Call compile(config) before saving or restoring a checkpoint.")
        return [
            ("generator", self.generator.variables),
            ("discriminator", self.discriminator.variables),
            ("d_optimizer", self.d_optimizer.variables),
            ("g_optimizer", self.g_optimizer.variables),
            ("noise", [self.rng.state]),
            *self.extra_checkpoint_variables(),
        ]

    # ------------------------------------------------------------ the step

    def train_step(self, batch):
        """One discriminator update, then one generator update (chapter 9 dissects this)."""
        import tensorflow as tf

        replicas = num_replicas()  # 1 on one device

        # 1. The discriminator learns to tell real images from the current fakes.
        c = self.config
        with tf.GradientTape() as tape:
            d_loss, d_logs = self.discriminator_loss_on_batch(batch)
            total = d_loss
            if c.r1_weight > 0:  # lazy R1: every k-th step, k times the weight (the same on average)
                due = ops.equal(ops.mod(self.d_optimizer.iterations, c.r1_interval), 0)
                r1 = ops.cond(due, lambda: r1_penalty(self.discriminator, self.real_images_for_r1(batch)),
                              lambda: ops.zeros((), "float32"))
                total = total + (0.5 * c.r1_weight * c.r1_interval) * r1
                d_logs = {**d_logs, "r1": (r1, ops.cast(due, "float32"))}  # (value, weight): averaged over due steps
            scaled = self.d_optimizer.scale_loss(total / replicas)  # x loss scale in mixed precision
        d_vars = self.discriminator.trainable_variables
        d_grads = tape.gradient(scaled, d_vars)  # dL_D / dtheta_D only: G is not updated here
        self.d_optimizer.apply_gradients(zip(d_grads, d_vars))  # sums the replicas' gradients first

        # 2. The generator learns to fool the discriminator it just faced (fresh samples).
        with tf.GradientTape() as tape:
            g_loss, g_logs = self.generator_loss_on_batch(batch)
            scaled = self.g_optimizer.scale_loss(g_loss / replicas)
        g_vars = self.generator.trainable_variables
        g_grads = tape.gradient(scaled, g_vars)  # flows back through D into G; D's weights stay as they are
        self.g_optimizer.apply_gradients(zip(g_grads, g_vars))
        if self.ema_generator is not None:
            self.update_ema()  # the average follows the generator's new weights

        # 3. Running means over the epoch, shown by the progress bar and kept in the history.
        return self._track({"d_loss": d_loss, "g_loss": g_loss, **d_logs, **g_logs})

    def _track(self, values):
        for name, value in values.items():
            if name in self._trackers:
                value, weight = value if isinstance(value, tuple) else (value, None)
                self._trackers[name].update_state(value, sample_weight=weight)
        return {name: t.result() for name, t in self._trackers.items()}

    # -------------------------------------------------------------- fitting

    def fit(self, x, epochs=None, batch_size=None, callbacks=None, resume=False, verbose="auto", initial_epoch=None, **kwargs):
        """Train for ``epochs`` epochs in all (counting epochs done before a resume).

        Args:
            x: training data in the form :meth:`check_data` accepts: numpy
                arrays (shuffled per epoch by
                :func:`stylegan_edu.pipeline.epoch_batches`, exactly
                resumable), or a ``tf.data.Dataset`` of batches (used as it
                is; its own shuffling decides the order).
            epochs: the total number of epochs of the run; default
                ``config.epochs``.
            batch_size: examples per step, for arrays; default ``config.batch_size``.
            callbacks: Keras callbacks, e.g. from :mod:`stylegan_edu.callbacks`.
                They run in the order of their ``order`` attribute (default
                0), so :class:`~stylegan_edu.callbacks.Checkpoint` saves
                after the others have logged (FID, for instance). A
                :class:`~stylegan_edu.callbacks.TimeBudget` that is already
                spent (a resumed run given the time it used) means no step.
            resume: continue from the newest good checkpoint of the
                :class:`~stylegan_edu.callbacks.Checkpoint` callback in
                ``callbacks``.
            verbose: Keras' own progress output (0 when a
                :class:`~stylegan_edu.callbacks.ProgressBar` is used).
            initial_epoch: the epoch to start at; default: ``state.epochs_done``
                (0, or what the checkpoint says).
            **kwargs: passed to ``keras.Model.fit`` (e.g. ``steps_per_epoch``
                for a dataset).

        Returns:
            keras.callbacks.History: this call's epochs. The whole run's
            per-epoch logs, across resumes, are in ``state.history``.

        Raises:
            ValueError: bad data or arguments, before any step.
            FileNotFoundError: ``resume=True`` and no checkpoint exists.
            stylegan_edu.checkpoints.CheckpointError: every checkpoint is damaged.
        """
        from stylegan_edu import callbacks as cbs

        if self.config is None:
            raise RuntimeError("Call compile(config) before fit().")
        epochs = check_positive_int("epochs", self.config.epochs if epochs is None else epochs)
        callbacks = list(callbacks or [])
        self.check_data(x)
        if resume:
            ckpt = [c for c in callbacks if isinstance(c, cbs.Checkpoint)]
            if not ckpt:
                raise invalid("resume", "a Checkpoint callback in `callbacks` to resume from", "resume=True without one")
            path = self.restore_checkpoint(ckpt[0])
            print(f"Resumed from {path}: {self.state.epochs_done} epoch(s) done.")
        start = self.state.epochs_done if initial_epoch is None else check_positive_int("initial_epoch", initial_epoch, minimum=0)
        if start >= epochs:
            print(f"Nothing to do: {start} of {epochs} epoch(s) already done.")
            return keras.callbacks.History()
        spent = [c for c in callbacks if isinstance(c, cbs.TimeBudget) and c.spent]
        if spent:  # a resumed run whose time budget is used up trains no further (not even one step)
            spent[0].stopped = True
            print(f"Nothing to do: the time budget of {spent[0].seconds:g} s is spent ({spent[0].elapsed:.0f} s used).")
            return keras.callbacks.History()
        if pipeline.is_dataset(x):
            data, steps = x, kwargs.pop("steps_per_epoch", None)
        else:
            batch_size = check_positive_int("batch_size", self.config.batch_size if batch_size is None else batch_size)
            if batch_size % num_replicas():
                raise invalid("batch_size", f"a multiple of the {num_replicas()} replicas (each gets an equal share)",
                              f"batch_size={batch_size}")
            data, steps = pipeline.epoch_batches(x, batch_size, epochs, seed=self.seed, initial_epoch=start)
        internal = [cbs.LearningRateSchedule(), cbs.StateRecorder()]
        ordered = sorted(internal + callbacks, key=lambda c: getattr(c, "order", 0))
        if any(isinstance(c, cbs.ProgressBar) for c in callbacks) and verbose == "auto":
            verbose = 0
        return super().fit(data, epochs=epochs, initial_epoch=start, steps_per_epoch=steps,
                           callbacks=ordered, verbose=verbose, shuffle=False, **kwargs)

    def restore_checkpoint(self, checkpoint):
        """Restore the newest good checkpoint of a :class:`~stylegan_edu.callbacks.Checkpoint` callback; return its path.

        Raises:
            ValueError: the checkpoint was saved with other :meth:`run_settings`
                (the message lists each one that differs), before anything is assigned.
        """
        from stylegan_edu.checkpoints import restore_state

        path, saved = checkpoint.manager.latest_valid(log=checkpoint.log)
        before = saved["meta"].get("settings")
        if before:  # older checkpoints did not record them
            diff = settings_differences(before, json_ready(self.run_settings()))
            if diff:
                raise invalid("resume", "a checkpoint saved with this run's settings (or start a new run in another folder)",
                              f"{path}, whose settings differ:\n  " + "\n  ".join(diff))
        restore_state(self, saved)
        self.state.settings = json_ready(self.run_settings())
        return path

    def set_learning_rates(self, epoch, epochs=None):
        """Set both optimizers' rates for ``epoch`` of ``epochs``: schedule x ``state.lr_scale``.

        ``epochs=None`` reuses the run length of the last call (the cosine
        schedule needs it; the fit loop passes it at every epoch).
        """
        if epochs is not None:
            self._schedule_epochs = epochs
        epochs = getattr(self, "_schedule_epochs", None) or self.config.epochs
        for opt, base in zip((self.d_optimizer, self.g_optimizer), self.base_learning_rates):
            opt.learning_rate = learning_rate_at(epoch, base, self.config.schedule, epochs) * self.state.lr_scale

    def generate(self, inputs, batch_size=256, use_ema=None):
        """The generator's outputs in inference mode, as float32 numpy (N, ...).

        Args:
            inputs: the generator's inputs (N, ...).
            batch_size: inputs per forward pass.
            use_ema: ``None``: the EMA generator when the run keeps one, else
                the generator; ``True``: the EMA generator (an error without
                one); ``False``: the generator being trained.
        """
        inputs = np.asarray(inputs, dtype=np.float32)
        batch_size = check_positive_int("batch_size", batch_size)
        model = self.sampling_generator(use_ema)
        return map_in_batches(lambda v: model(v, training=False), inputs, batch_size).astype(np.float32)

    def sampling_generator(self, use_ema=None):
        """The model :meth:`generate` uses: the EMA generator or the generator (see ``use_ema`` there)."""
        if use_ema not in (None, True, False):
            raise invalid("use_ema", "None, True or False", f"use_ema={use_ema!r}")
        if use_ema and self.ema_generator is None:
            raise invalid("use_ema", "False or None: this run keeps no EMA generator (TrainConfig.ema_decay is off)",
                          "use_ema=True")
        return self.ema_generator if (use_ema is not False and self.ema_generator is not None) else self.generator


def discriminator_probabilities(real_logits, fake_logits):
    """The logs ``d_real`` and ``d_fake``: D's mean probability on real and on fake examples."""
    check_tensor("real_logits", real_logits)  # eager: real, finite, non-empty; traced: dtype only
    check_tensor("fake_logits", fake_logits)
    return {"d_real": ops.mean(ops.sigmoid(real_logits)), "d_fake": ops.mean(ops.sigmoid(fake_logits))}
