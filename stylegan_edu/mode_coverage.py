r"""Mode collapse, measured on a 2-D toy: a ring of Gaussians (chapter 8).

The data are :math:`K` Gaussians of standard deviation :math:`\sigma` whose
centres sit evenly on a circle of radius :math:`r` (:func:`ring_of_gaussians`,
:func:`ring_centers`): eight modes, easy to see, easy to count. A generator
that *collapses* puts its samples on a few of them only, however good each
sample looks. :func:`mode_metrics` counts it:

* a mode is **covered** when at least 1% of the samples fall within
  :math:`3\sigma` of its centre;
* a sample is **high quality** when it falls within :math:`3\sigma` of some
  centre.

A collapsed generator has few modes covered and may still have a high
high-quality share; a blurry one covers every mode with a low share.

The toy GAN (:class:`ToyGAN`, :func:`make_toy_gan`) is the book's
:class:`stylegan_edu.gan.GAN` on points instead of images: the same
two-player trainer, the same non-saturating loss, R1 through
``TrainConfig.r1_weight``; the models are small MLPs made of
``keras.layers``, with two optional stabilisers of the discriminator
(:class:`ToyGANConfig`): spectral normalisation
(``keras.layers.SpectralNormalization``) and minibatch standard deviation.
:func:`run_mode_experiment` trains several recipes over several seeds at
otherwise equal settings and returns the per-seed metrics and the samples
over training (:func:`stylegan_edu.viz.plot_samples_over_training` draws them).

Whether a plain GAN collapses depends on the setting, and on the seed. On
this ring (:math:`\sigma = 0.05`) with a 2-D latent code and Adam at
:math:`10^{-3}` it covered all eight modes for each of three seeds. The
defaults of :func:`run_mode_experiment` (a 64-D latent code, Adam at
:math:`3\cdot10^{-3}`, batch 256, 4,000 steps) are a setting where it drops
some modes: chapter 8 measures it there, against the same GAN with
minibatch standard deviation in its discriminator.
"""

import dataclasses
import time

import keras
import numpy as np

from stylegan_edu import pipeline
from stylegan_edu._validation import check_array, check_bool, check_float_range, check_positive_int, check_seed, invalid
from stylegan_edu.gan import GAN

__all__ = ["ring_centers", "ring_of_gaussians", "mode_metrics", "ToyGANConfig", "make_toy_models", "ToyGAN", "make_toy_gan",
           "run_mode_experiment", "ModeExperiment", "metrics_table", "DEFAULT_RECIPES"
           ]


def ring_centers(num_modes=8, radius=2.0):
    r"""The centres of :math:`K` modes evenly spaced on a circle.

    Formula:
        :math:`\mu_k = r\,(\cos(2\pi k / K),\ \sin(2\pi k / K))`, :math:`k = 0, \dots, K - 1`.

    Args:
        num_modes: :math:`K \ge 1`.
        radius: :math:`r > 0`.

    Returns:
        numpy.ndarray: float64 (K, 2).

    Example:

    >>> ring_centers(4, radius=2.0).round(6).tolist()
    [[2.0, 0.0], [0.0, 2.0], [-2.0, 0.0], [-0.0, -2.0]]
    """
    num_modes = check_positive_int("num_modes", num_modes)
    radius = check_float_range("radius", radius, 0.0, low_inclusive=False)
    angles = 2.0 * np.pi * np.arange(num_modes) / num_modes  # (K,)
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (K, 2) float64


def ring_of_gaussians(num_samples, num_modes=8, radius=2.0, std=0.02, seed=0):
    r"""Samples of a mixture of :math:`K` equal Gaussians on a ring (the usual mode-collapse toy).

    Formula:
        :math:`x = \mu_k + \sigma \epsilon`, with :math:`k` uniform in
        :math:`\{0, \dots, K - 1\}`, :math:`\epsilon \sim \mathcal N(0, I_2)`
        and :math:`\mu_k` from :func:`ring_centers`.

    Args:
        num_samples: :math:`N \ge 1`.
        num_modes: :math:`K \ge 1`.
        radius: :math:`r > 0`.
        std: :math:`\sigma > 0`.
        seed: seeds the draw (numpy's ``default_rng``).

    Returns:
        numpy.ndarray: float32 (N, 2).

    Example:

    >>> x = ring_of_gaussians(8000, num_modes=8, std=0.02, seed=0)
    >>> x.shape, x.dtype.name
    ((8000, 2), 'float32')
    >>> mode_metrics(x, ring_centers(8), std=0.02)["modes_covered"]
    8
    """
    num_samples = check_positive_int("num_samples", num_samples)
    if num_samples > 10**8:
        raise invalid("num_samples", "at most 10**8 samples", f"num_samples={num_samples}")
    centers = ring_centers(num_modes, radius)  # (K, 2)
    std = check_float_range("std", std, 0.0, low_inclusive=False)
    rng = np.random.default_rng(check_seed("seed", seed, allow_none=False))
    k = rng.integers(0, len(centers), size=num_samples)  # (N,)
    return (centers[k] + std * rng.standard_normal((num_samples, 2))).astype(np.float32)  # (N, 2)


def _points(name, x):
    a = check_array(name, x, ndim=2)
    if a.shape[1] != 2:
        raise invalid(name, "2-D points of shape (N, 2)", f"shape {a.shape}")
    return a


def mode_metrics(samples, centers, std, threshold=3.0, min_share=0.01):
    r"""How many modes a generator covers, and how many of its samples are good.

    Formula:
        With :math:`d_{nk} = \lVert x_n - \mu_k \rVert` and the radius
        :math:`\rho = \texttt{threshold} \cdot \sigma`:

        .. math::

            s_k = \frac1N \sum_n \mathbb 1[d_{nk} \le \rho], \qquad
            \text{modes covered} = \#\{k : s_k \ge \texttt{min\_share}\}, \qquad
            \text{high quality} = \frac1N \sum_n \mathbb 1[\min_k d_{nk} \le \rho].

        A point exactly at :math:`\rho` counts. When the modes are more than
        :math:`2\rho` apart (as on the ring), no point counts for two modes
        and the high-quality share is :math:`\sum_k s_k`.

    Args:
        samples: points (N, 2).
        centers: mode centres (K, 2), e.g. :func:`ring_centers`.
        std: :math:`\sigma > 0` of the modes.
        threshold: the radius in units of :math:`\sigma` (3 is the usual choice).
        min_share: the share of samples, in (0, 1], a mode needs to count as covered.

    Returns:
        dict: ``modes_covered`` (int), ``high_quality_share`` (float in
        [0, 1]) and ``mode_shares`` (float64 (K,), :math:`s_k`).

    Example:

    >>> import numpy as np
    >>> centers = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> x = np.array([[0.0, 0.0], [0.0, 0.03], [0.0, 0.5], [1.0, 0.0]])
    >>> m = mode_metrics(x, centers, std=0.01)  # radius 0.03: the point at exactly 0.03 counts
    >>> m["modes_covered"], m["high_quality_share"], m["mode_shares"].tolist()
    (2, 0.75, [0.5, 0.25])
    >>> mode_metrics(x, centers, std=0.01, min_share=0.3)["modes_covered"]  # 25% < 30%
    1
    >>> mode_metrics(x, centers, std=0.0)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `std`. Expected a float in (0.0, inf]. Received: std=0.0
    """
    x = _points("samples", samples)  # (N, 2)
    c = _points("centers", centers)  # (K, 2)
    std = check_float_range("std", std, 0.0, low_inclusive=False)
    threshold = check_float_range("threshold", threshold, 0.0, low_inclusive=False)
    min_share = check_float_range("min_share", min_share, 0.0, 1.0, low_inclusive=False)
    radius = threshold * std
    near = np.zeros((len(x), len(c)), dtype=bool)  # (N, K)
    for start in range(0, len(x), 65536):  # chunks: (N, K) distances without an (N, K, 2) temporary for large N
        part = x[start:start + 65536]
        d2 = ((part[:, None, :] - c[None, :, :]) ** 2).sum(-1)  # (n, K)
        near[start:start + 65536] = d2 <= radius**2 * (1.0 + 1e-9)  # exactly at the radius counts, despite rounding
    shares = near.mean(axis=0)  # (K,)
    return {"modes_covered": int(np.sum(shares >= min_share * (1.0 - 1e-12))),
            "high_quality_share": float(near.any(axis=1).mean()),
            "mode_shares": shares.astype(np.float64)}


@dataclasses.dataclass(frozen=True)
class ToyGANConfig:
    """The toy GAN's two MLPs: z (latent_dim) -> point (2), point -> logit.

    Example:

    >>> ToyGANConfig()
    ToyGANConfig(latent_dim=64, width=128, depth=3, spectral_norm=False, minibatch_std=False)
    >>> ToyGANConfig(width=0)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `width`. Expected an integer >= 1. Received: width=0
    """

    latent_dim: int = 64  # z ~ N(0, I) of this size (chapter 8's collapse needs a large one: with 2 the plain GAN covers every mode)
    width: int = 128  # units per hidden layer, both networks
    depth: int = 3  # hidden layers per network
    spectral_norm: bool = False  # wrap every Dense of D in keras.layers.SpectralNormalization (Miyato et al., 2018)
    minibatch_std: bool = False  # D's output layer also sees the batch's spread of its last features (ProGAN's minibatch stddev)

    def __post_init__(self):
        check_positive_int("latent_dim", self.latent_dim)
        check_positive_int("width", self.width)
        check_positive_int("depth", self.depth)
        check_bool("spectral_norm", self.spectral_norm)
        check_bool("minibatch_std", self.minibatch_std)
        if self.width > 4096 or self.depth > 64 or self.latent_dim > 4096:
            raise invalid("width" if self.width > 4096 else "depth" if self.depth > 64 else "latent_dim",
                          "a toy-sized network (width and latent_dim <= 4096, depth <= 64)",
                          f"width={self.width}, depth={self.depth}, latent_dim={self.latent_dim}")


def _minibatch_std_layer():
    from keras import ops

    class BatchSpread(keras.layers.Layer):
        """Append the batch's mean feature standard deviation as one extra feature (minibatch stddev on vectors)."""

        def call(self, x):  # (B, F)
            s = ops.mean(ops.sqrt(ops.var(x, axis=0) + 1e-8))  # scalar: the spread across the batch
            return ops.concatenate([x, ops.ones_like(x[:, :1]) * s], axis=1)  # (B, F + 1)

        def compute_output_shape(self, shape):
            return (shape[0], None if shape[1] is None else shape[1] + 1)

    return BatchSpread(name="minibatch_std")


def make_toy_models(config=None, seed=0):
    """The toy GAN's generator and discriminator: small MLPs of ``keras.layers``, seeded.

    The generator maps z (B, latent_dim) through ``depth`` ReLU layers of
    ``width`` units to a point (B, 2) (linear output); the discriminator
    maps a point (B, 2) through ``depth`` LeakyReLU(0.2) layers to a logit
    (B, 1). With ``spectral_norm`` every Dense layer of the discriminator is
    wrapped in ``keras.layers.SpectralNormalization`` (one power iteration
    per step): each layer's largest singular value is kept near 1, so D is
    about 1-Lipschitz (LeakyReLU has slope at most 1) and cannot grow
    arbitrarily steep around the data. With ``minibatch_std`` the
    discriminator's last hidden features get one more: their standard
    deviation across the batch, which a collapsed batch cannot fake.

    Args:
        config: a :class:`ToyGANConfig` (default settings if ``None``).
        seed: seeds the initialisers (the discriminator's with ``seed + 1``).

    Returns:
        tuple: ``(generator, discriminator)``, two ``keras.Model``.

    Example:

    >>> G, D = make_toy_models(ToyGANConfig(latent_dim=2, width=8, depth=2))
    >>> G.input_shape, G.output_shape, D.output_shape
    ((None, 2), (None, 2), (None, 1))
    >>> G.count_params(), D.count_params()  # (2*8+8) + (8*8+8) + (8*2+2); (2*8+8) + (8*8+8) + (8+1)
    (114, 105)
    """
    config = ToyGANConfig() if config is None else config
    if not isinstance(config, ToyGANConfig):
        raise invalid("config", "a ToyGANConfig", f"config of type {type(config).__name__}")
    seed = check_seed("seed", seed, allow_none=False)

    def dense(units, s, name):
        return keras.layers.Dense(units, kernel_initializer=keras.initializers.GlorotUniform(seed=s), name=name)

    z = keras.Input((config.latent_dim,))  # (B, latent_dim)
    h = z
    for i in range(config.depth):
        h = dense(config.width, seed * 1000 + i, f"g_dense_{i + 1}")(h)  # (B, width)
        h = keras.layers.ReLU(name=f"g_relu_{i + 1}")(h)
    generator = keras.Model(z, dense(2, seed * 1000 + config.depth, "g_out")(h), name="toy_generator")  # (B, 2)

    def d_dense(units, i, name):
        layer = dense(units, (seed + 1) * 1000 + i, name)
        return keras.layers.SpectralNormalization(layer, name=f"sn_{name}") if config.spectral_norm else layer

    x = keras.Input((2,))  # (B, 2)
    h = x
    for i in range(config.depth):
        h = d_dense(config.width, i, f"d_dense_{i + 1}")(h)  # (B, width)
        h = keras.layers.LeakyReLU(negative_slope=0.2, name=f"d_lrelu_{i + 1}")(h)
    if config.minibatch_std:
        h = _minibatch_std_layer()(h)  # (B, width + 1)
    discriminator = keras.Model(x, d_dense(1, config.depth, "d_out")(h), name="toy_discriminator")  # (B, 1) logits
    return generator, discriminator


class ToyGAN(GAN):
    """The book's :class:`stylegan_edu.gan.GAN` trained on points (N, 2) instead of images.

    Only its data check differs: a batch is a float array of 2-D points. The
    step, the losses (non-saturating BCE), R1 (``TrainConfig.r1_weight``),
    the EMA generator and ``fit`` are the trainer's.
    """

    def check_data(self, x):
        """Points (N, 2): a finite float array (a ``tf.data.Dataset`` is not checked here)."""
        if pipeline.is_dataset(x):
            return
        _points("x", x)


def make_toy_gan(config=None, train_config=None):
    """A compiled :class:`ToyGAN` with the models of :func:`make_toy_models`, seeded from ``train_config.seed``.

    Args:
        config: a :class:`ToyGANConfig` (default settings if ``None``).
        train_config: a :class:`stylegan_edu.training.TrainConfig` (default
            settings if ``None``). Mixed precision is off whatever it says:
            the toy is too small to gain from float16.

    Returns:
        ToyGAN: compiled, ready for ``fit(points)``.

    Example:

    >>> from stylegan_edu.training import TrainConfig
    >>> gan = make_toy_gan(ToyGANConfig(width=16, depth=2), TrainConfig(epochs=1, batch_size=32, seed=0))
    >>> history = gan.fit(ring_of_gaussians(256), verbose=0)
    >>> gan.state.epochs_done, sorted(history.history)
    (1, ['d_fake', 'd_loss', 'd_real', 'g_loss'])
    """
    from stylegan_edu.training import TrainConfig

    config = ToyGANConfig() if config is None else config
    if not isinstance(config, ToyGANConfig):
        raise invalid("config", "a ToyGANConfig", f"config of type {type(config).__name__}")
    train_config = TrainConfig() if train_config is None else train_config
    if not isinstance(train_config, TrainConfig):
        raise invalid("train_config", "a TrainConfig", f"train_config of type {type(train_config).__name__}")
    train_config = dataclasses.replace(train_config, mixed_precision="off")
    keras.utils.set_random_seed(train_config.seed)
    generator, discriminator = make_toy_models(config, seed=train_config.seed)
    gan = ToyGAN(generator, discriminator, seed=train_config.seed)
    gan.compile(train_config)
    return gan


#: The recipes :func:`run_mode_experiment` compares by default: the plain GAN, and the same GAN with one setting changed.
DEFAULT_RECIPES = {"plain GAN": {}, "minibatch stddev": {"minibatch_std": True}}


@dataclasses.dataclass
class ModeExperiment:
    """What :func:`run_mode_experiment` measured.

    Attributes:
        rows: one dict per (recipe, seed), in run order: ``recipe``,
            ``seed``, ``modes_covered`` and ``high_quality_share`` (of the
            final generator), ``mode_shares`` (K,), ``seconds`` (wall time
            of the training), and ``modes_over_training`` /
            ``quality_over_training``: the two numbers at every entry of ``steps``.
        samples: ``{(recipe, seed): float32 (len(steps), num_samples, 2)}``,
            the generator's points for one fixed batch of z at each of ``steps``.
        steps: the generator steps of the snapshots; 0 is the untrained generator.
        centers: the mode centres (K, 2).
        std: the modes' standard deviation.
        recipes: ``{name: the settings it changes}``.
        settings: the shared settings: ``model`` (a :class:`ToyGANConfig`),
            ``train`` (a :class:`~stylegan_edu.training.TrainConfig`, its
            ``seed`` replaced per run), ``num_modes``, ``radius``, ``std``.
    """

    rows: list
    samples: dict
    steps: list
    centers: np.ndarray
    std: float
    recipes: dict
    settings: dict

    def row(self, recipe, seed):
        """The row of one run."""
        for r in self.rows:
            if r["recipe"] == recipe and r["seed"] == seed:
                return r
        raise invalid("recipe", f"one of {list(self.recipes)} with a seed in {sorted({r['seed'] for r in self.rows})}",
                      f"recipe={recipe!r}, seed={seed!r}")


def _split_overrides(name, overrides):
    from stylegan_edu.training import TrainConfig

    if not isinstance(overrides, dict):
        raise invalid("recipes", "a dict {name: {setting: value}} of ToyGANConfig or TrainConfig fields",
                      f"recipes[{name!r}] of type {type(overrides).__name__}")
    model_fields, train_fields = set(ToyGANConfig.__dataclass_fields__), set(TrainConfig.__dataclass_fields__)
    bad = sorted(k for k in overrides if k not in model_fields | train_fields or k in ("seed", "epochs", "batch_size"))
    if bad:
        raise invalid("recipes", "settings that are ToyGANConfig or TrainConfig fields (not seed, epochs or batch_size: "
                      "the experiment sets them)", f"recipes[{name!r}] with {bad}")
    return ({k: v for k, v in overrides.items() if k in model_fields}, {k: v for k, v in overrides.items() if k in train_fields})


def run_mode_experiment(recipes=None, seeds=(0, 1, 2), steps=4000, num_snapshots=4, model_config=None, train_config=None,
                        num_modes=8, radius=2.0, std=0.05, num_samples=2000, progress=False):
    r"""Train the toy GAN with each recipe and each seed; measure mode coverage over training.

    Every run trains a :class:`ToyGAN` (:func:`make_toy_gan`) on
    :func:`ring_of_gaussians` for ``steps`` generator steps. The recipes
    share every setting (``model_config``, ``train_config``, the data,
    the steps) except the ones each names: a fair comparison. After every
    ``steps / num_snapshots`` steps (and before the first) the generator
    maps one fixed batch of ``num_samples`` latent vectors to points, and
    :func:`mode_metrics` measures them.

    Args:
        recipes: ``{name: {setting: value}}``; each setting is a field of
            :class:`ToyGANConfig` (``spectral_norm``, ``minibatch_std``, ...)
            or of :class:`~stylegan_edu.training.TrainConfig` (``r1_weight``,
            ...). Default :data:`DEFAULT_RECIPES`: the plain GAN and the
            same GAN with minibatch standard deviation.
        seeds: the seeds; seed ``s`` seeds the weights, the noise, the data
            order and the data themselves, the same for every recipe.
        steps: generator (and discriminator) steps per run, a multiple of ``num_snapshots``.
        num_snapshots: how many times to measure during training (after the
            start): the snapshots are at ``0, steps / num_snapshots, ..., steps``.
        model_config: the shared :class:`ToyGANConfig`; default ``ToyGANConfig()``.
        train_config: the shared :class:`~stylegan_edu.training.TrainConfig`
            (its ``seed`` and ``epochs`` are replaced); default
            ``TrainConfig(batch_size=256, learning_rate=3e-3)``.
        num_modes: modes on the ring.
        radius: the ring's radius.
        std: the modes' standard deviation :math:`\sigma` (the metrics use :math:`3\sigma`).
        num_samples: generated points per snapshot.
        progress: show one progress bar over all runs (tqdm).

    Returns:
        ModeExperiment: the per-run metrics (``rows``), the samples over
        training, the snapshot steps and the settings.

    Example:

    >>> from stylegan_edu.training import TrainConfig
    >>> result = run_mode_experiment({"plain": {}}, seeds=(0,), steps=20, num_snapshots=2, num_samples=100,
    ...                              model_config=ToyGANConfig(width=16, depth=2), train_config=TrainConfig(batch_size=32))
    >>> result.steps, result.samples[("plain", 0)].shape, sorted(result.rows[0])[:4]
    ([0, 10, 20], (3, 100, 2), ['high_quality_share', 'mode_shares', 'modes_covered', 'modes_over_training'])
    """
    from stylegan_edu.training import TrainConfig

    recipes = dict(DEFAULT_RECIPES) if recipes is None else recipes
    if not isinstance(recipes, dict) or not recipes:
        raise invalid("recipes", "a non-empty dict {name: {setting: value}}", f"recipes of type {type(recipes).__name__}"
                      if not isinstance(recipes, dict) else "recipes={}")
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        seeds = (seeds,)
    if not isinstance(seeds, (list, tuple)) or not seeds:
        raise invalid("seeds", "a non-empty list or tuple of integers >= 0", f"seeds={seeds!r}")
    seeds = [check_seed("seeds", s, allow_none=False) for s in seeds]
    if len(set(seeds)) != len(seeds):
        raise invalid("seeds", "distinct seeds", f"seeds={seeds!r}")
    steps = check_positive_int("steps", steps)
    num_snapshots = check_positive_int("num_snapshots", num_snapshots)
    if steps % num_snapshots:
        raise invalid("steps", f"a multiple of num_snapshots={num_snapshots}", f"steps={steps}")
    if steps > 10**7:
        raise invalid("steps", "at most 10**7 steps", f"steps={steps}")
    model_config = ToyGANConfig() if model_config is None else model_config
    if not isinstance(model_config, ToyGANConfig):
        raise invalid("model_config", "a ToyGANConfig", f"model_config of type {type(model_config).__name__}")
    train_config = TrainConfig(batch_size=256, learning_rate=3e-3) if train_config is None else train_config
    if not isinstance(train_config, TrainConfig):
        raise invalid("train_config", "a TrainConfig", f"train_config of type {type(train_config).__name__}")
    centers = ring_centers(num_modes, radius)
    std = check_float_range("std", std, 0.0, low_inclusive=False)
    num_samples = check_positive_int("num_samples", num_samples)
    if num_samples > 10**6:
        raise invalid("num_samples", "at most 10**6 points per snapshot", f"num_samples={num_samples}")
    progress = check_bool("progress", progress)
    split = {name: _split_overrides(name, o) for name, o in recipes.items()}
    per = steps // num_snapshots  # steps per epoch: one snapshot at the end of each
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(recipes) * len(seeds) * steps, unit="step", desc="mode experiment")

    class Snapshots(keras.callbacks.Callback):
        def __init__(self, gan, z):
            super().__init__()
            self.gan, self.z, self.points = gan, z, []

        def take(self):
            self.points.append(self.gan.generate(self.z, batch_size=4096))  # (num_samples, 2)

        def on_epoch_end(self, epoch, logs=None):
            self.take()

        def on_train_batch_end(self, batch, logs=None):
            if bar is not None:
                bar.update(1)

    rows, samples = [], {}
    try:
        for name, (model_overrides, train_overrides) in split.items():
            mc = dataclasses.replace(model_config, **model_overrides)
            for seed in seeds:
                tc = dataclasses.replace(train_config, **train_overrides, seed=seed, epochs=num_snapshots)
                if bar is not None:
                    bar.set_postfix_str(f"{name}, seed {seed}")
                data = ring_of_gaussians(per * tc.batch_size, num_modes, radius, std, seed=seed)  # one epoch = `per` steps
                gan = make_toy_gan(mc, tc)
                z = np.random.default_rng([seed, 1]).standard_normal((num_samples, mc.latent_dim)).astype(np.float32)
                snap = Snapshots(gan, z)
                snap.take()  # step 0: the untrained generator
                start = time.perf_counter()
                gan.fit(data, verbose=0, callbacks=[snap])
                seconds = time.perf_counter() - start
                points = np.stack(snap.points)  # (num_snapshots + 1, num_samples, 2)
                over = [mode_metrics(p, centers, std) for p in points]
                samples[(name, seed)] = points
                rows.append({"recipe": name, "seed": seed, "modes_covered": over[-1]["modes_covered"],
                             "high_quality_share": over[-1]["high_quality_share"], "mode_shares": over[-1]["mode_shares"],
                             "seconds": seconds, "modes_over_training": [m["modes_covered"] for m in over],
                             "quality_over_training": [m["high_quality_share"] for m in over]})
    finally:
        if bar is not None:
            bar.close()
    return ModeExperiment(rows=rows, samples=samples, steps=[per * k for k in range(num_snapshots + 1)], centers=centers,
                          std=std, recipes={k: dict(v) for k, v in recipes.items()},
                          settings={"model": model_config, "train": train_config, "num_modes": num_modes, "radius": radius,
                                    "std": std, "steps": steps})


def metrics_table(result):
    """The per-seed metrics of a :class:`ModeExperiment` as a Markdown table, one row per run, then each recipe's mean.

    Example:

    >>> r = ModeExperiment(rows=[{"recipe": "plain", "seed": 0, "modes_covered": 2, "high_quality_share": 0.9, "seconds": 1.0}],
    ...                    samples={}, steps=[0, 10], centers=ring_centers(8), std=0.05, recipes={"plain": {}}, settings={})
    >>> print(metrics_table(r))
    | recipe | seed | modes covered (of 8) | high-quality share | seconds |
    |---|---|---|---|---|
    | plain | 0 | 2 | 90.0% | 1.0 |
    | plain | mean | 2.0 | 90.0% | 1.0 |
    """
    if not isinstance(result, ModeExperiment):
        raise invalid("result", "a ModeExperiment from run_mode_experiment", f"result of type {type(result).__name__}")
    k = len(result.centers)
    lines = [f"| recipe | seed | modes covered (of {k}) | high-quality share | seconds |", "|---|---|---|---|---|"]
    for name in result.recipes:
        runs = [r for r in result.rows if r["recipe"] == name]
        for r in runs:
            lines.append(f"| {name} | {r['seed']} | {r['modes_covered']} | {r['high_quality_share']:.1%} | {r['seconds']:.1f} |")
        if runs:
            lines.append(f"| {name} | mean | {np.mean([r['modes_covered'] for r in runs]):.1f} | "
                         f"{np.mean([r['high_quality_share'] for r in runs]):.1%} | {np.mean([r['seconds'] for r in runs]):.1f} |")
    return "\n".join(lines)
