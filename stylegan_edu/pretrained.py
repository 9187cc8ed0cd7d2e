"""Everything trained that ships inside the package, loaded offline through one checked loader.

The assets, under ``stylegan_edu/assets/``:

* :func:`mnist_generator`: ``mnist_generator/generator.weights.h5`` (the reference
  MNIST generator: style-based), rebuilt by ``scripts/train_stylegan.py --dataset mnist``;
* :func:`mnist_dcgan_generator`: ``mnist_dcgan_generator/generator.weights.h5``
  (the book's DCGAN, trained as long), rebuilt by ``scripts/train_mnist_dcgan.py``;
* :func:`stylegan_generator`: ``stylegan_generator/generator.weights.h5``
  (Fashion-MNIST), rebuilt by ``scripts/train_stylegan.py``;
* :func:`clahe_generator`: ``clahe_generator/<variant>_seed<seed>.weights.h5``
  (tone-grid enhancers, 5 to 40 kB each), rebuilt by ``scripts/train_clahe_generator.py``;
* :func:`mnist_feature_net`: ``mnist_feature_net/mnist_feature_net.weights.h5``,
  rebuilt by ``scripts/train_mnist_feature_net.py``;
* :func:`mnist_fid_statistics`: ``mnist_fid_stats.npz``, rebuilt by
  ``scripts/compute_fid_stats.py`` (after any change to the feature net);
* :func:`fashion_mnist_feature_net`:
  ``fashion_mnist_feature_net/fashion_mnist_feature_net.weights.h5``, rebuilt by
  ``scripts/train_fashion_mnist_feature_net.py``;
* :func:`fashion_mnist_fid_statistics`: ``fashion_mnist_fid_stats.npz``, rebuilt by
  ``scripts/compute_fid_stats.py --dataset fashion_mnist``.

:func:`feature_net` and :func:`fid_statistics` pick either data set's by name.

Each folder also holds a README (where the asset came from), a JSON record of
its settings and measured numbers (read by the ``*_info()`` functions, and by
the docstrings below: their numbers are filled in from those records), and a
``SHA256SUMS`` file: the SHA-256 of every weights or statistics file in the
folder, in the format of ``sha256sum`` (so ``sha256sum -c SHA256SUMS`` checks
them by hand too). The scripts that rebuild an asset rewrite it with
:func:`write_checksums`.

Every file goes through :func:`asset_path`, which checks it against that
record before anything reads it; a missing or damaged file raises
:class:`AssetError` with one message, saying which file, what was expected
and how to fix it.
"""

import functools
import hashlib
import json
import pathlib

__all__ = [
    "AssetError",
    "ASSETS",
    "CHECKSUMS",
    "sha256",
    "write_checksums",
    "asset_path",
    "write_progress_frames",
    "mnist_generator",
    "mnist_generator_info",
    "mnist_generator_progress",
    "mnist_dcgan_generator",
    "mnist_dcgan_generator_info",
    "mnist_dcgan_generator_progress",
    "clahe_generator",
    "clahe_generator_info",
    "mnist_feature_net",
    "mnist_feature_net_info",
    "mnist_fid_statistics",
    "fashion_mnist_feature_net",
    "fashion_mnist_feature_net_info",
    "fashion_mnist_fid_statistics",
    "DATASETS",
    "feature_net",
    "fid_statistics",
]

#: The folder holding the shipped assets (tests point it at damaged copies).
ASSETS = pathlib.Path(__file__).resolve().parent / "assets"
#: The name of the checksum file in each asset folder (``sha256sum`` format).
CHECKSUMS = "SHA256SUMS"
#: The weights and statistics files (relative to :data:`ASSETS`) and the script that rebuilds each.
_REBUILT_BY = {
    "mnist_generator/generator.weights.h5": "scripts/train_stylegan.py --dataset mnist",
    "mnist_dcgan_generator/generator.weights.h5": "scripts/train_mnist_dcgan.py",
    **{f"clahe_generator/{v}_seed{k}.weights.h5": "scripts/train_clahe_generator.py"
       for v in ("l1", "gan", "gan_perceptual", "restore") for k in (0, 1, 2)},
    "mnist_feature_net/mnist_feature_net.weights.h5": "scripts/train_mnist_feature_net.py",
    "mnist_fid_stats.npz": "scripts/compute_fid_stats.py",
    "fashion_mnist_feature_net/fashion_mnist_feature_net.weights.h5": "scripts/train_fashion_mnist_feature_net.py",
    "fashion_mnist_fid_stats.npz": "scripts/compute_fid_stats.py --dataset fashion_mnist",
}
_CHECKED_SUFFIXES = (".h5", ".npz")  # what write_checksums records: weights and statistics


class AssetError(OSError):
    """A shipped weights or statistics file is missing or damaged (see :func:`asset_path`)."""


# ---------------------------------------------------------------------------
# The checked loader
# ---------------------------------------------------------------------------


def sha256(path):
    """The SHA-256 of a file, as 64 hex digits (read in 1 MiB blocks).

    Example:

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "empty"
    >>> _ = p.write_bytes(b"")
    >>> sha256(p)[:16]
    'e3b0c44298fc1c14'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_checksums(folder):
    """Record the SHA-256 of every weights/statistics file of ``folder`` in its ``SHA256SUMS``.

    Call it after writing an asset (the training scripts do). The file lists
    ``<sha256>  <name>`` for each ``*.h5`` and ``*.npz`` file directly in
    ``folder``, sorted by name, which is the format of ``sha256sum``.

    Args:
        folder: the asset folder (str or ``pathlib.Path``).

    Returns:
        dict: ``{file name: sha256}`` as written.

    Example:

    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.weights.h5").write_bytes(b"")
    >>> write_checksums(d) == {"a.weights.h5": sha256(d / "a.weights.h5")}
    True
    >>> (d / "SHA256SUMS").read_text()[:20]
    'e3b0c44298fc1c149afb'
    """
    from stylegan_edu._io import atomic_write

    folder = pathlib.Path(folder)
    sums = {p.name: sha256(p) for p in sorted(folder.iterdir()) if p.is_file() and p.name.endswith(_CHECKED_SUFFIXES)}
    atomic_write(folder / CHECKSUMS, "".join(f"{digest}  {name}\n" for name, digest in sums.items()))
    return sums


def write_progress_frames(samples, folder, max_frames=24):
    """Copy a run's per-epoch sample grids into an asset's ``progress/`` folder, at most ``max_frames`` of them.

    The training scripts call it after a run; :func:`mnist_generator_progress`
    and the other ``*_progress`` loaders read the frames back. Frames are
    picked evenly in log-epoch (``np.geomspace``), so more early, when the
    samples change fastest; the first and the last grid are always kept, and
    every grid when there are no more than ``max_frames``. Older frames in
    ``folder`` are removed first.

    Args:
        samples: the run's folder of ``epoch_NNNN.png`` grids
            (:class:`stylegan_edu.callbacks.SampleGrid` writes them).
        folder: the asset's ``progress`` folder (created if needed).
        max_frames: an int >= 2.

    Returns:
        list: the epoch numbers kept, in order.

    Example:

    >>> import pathlib, tempfile
    >>> run = pathlib.Path(tempfile.mkdtemp())
    >>> for e in range(1, 101):
    ...     _ = (run / f"epoch_{e:04d}.png").write_bytes(b"")
    >>> kept = write_progress_frames(run, run / "progress", max_frames=8)
    >>> kept
    [1, 2, 4, 7, 14, 27, 52, 100]
    >>> len(list((run / "progress").glob("epoch_*.png")))
    8
    >>> write_progress_frames(run, run / "progress", max_frames=1)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `max_frames`. Expected an int >= 2 (the first and the last grid). Received: max_frames=1
    """
    import numpy as np

    from stylegan_edu._validation import invalid

    if isinstance(max_frames, bool) or not isinstance(max_frames, int) or max_frames < 2:
        raise invalid("max_frames", "an int >= 2 (the first and the last grid)", f"max_frames={max_frames!r}")
    frames = sorted(pathlib.Path(samples).glob("epoch_*.png"))
    if not frames:
        raise invalid("samples", "a folder with epoch_NNNN.png grids", f"samples={str(samples)!r} (none there)")
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("epoch_*.png"):
        old.unlink()
    if len(frames) <= max_frames:
        keep = list(range(len(frames)))
    else:  # rounding merges some early points, so there may be a few fewer than max_frames
        keep = np.unique(np.geomspace(1, len(frames), max_frames).round().astype(int) - 1).tolist()
    for i in keep:
        (folder / frames[i].name).write_bytes(frames[i].read_bytes())
    return [int(frames[i].stem.split("_")[1]) for i in keep]


def _recorded_sha256(path):
    """The SHA-256 recorded for ``path`` in its folder's ``SHA256SUMS``, or ``None``."""
    sums = path.parent / CHECKSUMS
    if not sums.is_file():
        return None
    for line in sums.read_text().splitlines():
        digest, _, name = line.strip().partition("  ")
        if name.lstrip("*") == path.name:
            return digest
    return None


def asset_path(name):
    """The path of a shipped weights or statistics file, checked against its recorded SHA-256.

    Args:
        name: the file, relative to :data:`ASSETS`, e.g.
            ``"clahe_generator/gan_seed0.weights.h5"``.

    Returns:
        pathlib.Path: the file, whose SHA-256 matches the one in ``SHA256SUMS`` next to it.

    Raises:
        AssetError: when the file is missing, has no recorded SHA-256, or is
            damaged (another SHA-256). The message says what was expected and
            how to fix it: reinstall the package, or rebuild the asset with
            its script (which records the new SHA-256).

    Example:

    >>> asset_path("mnist_fid_stats.npz").name
    'mnist_fid_stats.npz'
    """
    rel = pathlib.PurePosixPath(name) if isinstance(name, str) else None
    if rel is None or not name or rel.is_absolute() or ".." in rel.parts:
        raise ValueError(f"Invalid value for argument `name`. Expected the path of a shipped asset relative to the assets "
                         f"folder, e.g. 'mnist_fid_stats.npz'. Received: name={name!r}")
    path = pathlib.Path(ASSETS) / name
    script = _REBUILT_BY.get(name, "the script named in its README")
    if not path.is_file():
        problem, expected, received = "missing", f"a file at {path}", "no such file"
    else:
        recorded = _recorded_sha256(path)
        actual = sha256(path)
        if recorded is None:
            problem, expected, received = "unrecorded", f"a line '<sha256>  {path.name}' in {path.parent / CHECKSUMS}", "none"
        elif actual != recorded:
            problem, expected, received = "damaged", f"SHA-256 {recorded} (recorded in {CHECKSUMS})", f"SHA-256 {actual}"
        else:
            return path
    raise AssetError(
        f"The shipped asset `{name}` is {problem}. Expected {expected}. Received: {received}. "
        f"Reinstall stylegan_edu (pip install --force-reinstall stylegan_edu), or rebuild it with "
        f"`python {script}`, which also records its SHA-256 in {CHECKSUMS}."
    )


def _record(name):
    """A JSON record shipped with an asset (settings and measured numbers; not checksummed)."""
    return json.loads((pathlib.Path(ASSETS) / name).read_text())


def _with_recorded_numbers(fill):
    """Fill the ``{placeholders}`` of a docstring with numbers from an asset's JSON record.

    ``fill()`` returns ``{placeholder: text}``; it runs when the module is
    imported (a few small JSON files), so the rendered documentation shows the
    numbers recorded with the shipped files, never hand-typed copies.
    """

    def decorate(fn):
        try:
            values = fill()
        except (OSError, ValueError, KeyError):  # a damaged record: the loaders will say so
            values = {}
        for key, text in values.items():
            fn.__doc__ = fn.__doc__.replace("{" + key + "}", str(text))
        return fn

    return decorate


# ---------------------------------------------------------------------------
# The DCGAN trained on MNIST (chapters 2 and 9)
# ---------------------------------------------------------------------------


def mnist_dcgan_generator_info():
    """Settings and metrics of the shipped MNIST DCGAN (from ``mnist_dcgan_generator.json``).

    Returns:
        dict: ``metrics`` (FID, KID, legible rate, class shares on 10,000
        samples against the held-out digits), ``heldout_metrics`` (the same
        for the real held-out digits), ``train_config``, ``generator_config``,
        ``history`` (per-epoch losses and FID), ``steps``, ``train_seconds``,
        ``machine``, ...
    """
    return _record("mnist_dcgan_generator/mnist_dcgan_generator.json")


def _mnist_dcgan_numbers():
    info = mnist_dcgan_generator_info()
    cfg, m, real = info["train_config"], info["metrics"], info["heldout_metrics"]
    shares = [100 * v for v in m["class_shares"].values()]
    return {"params": f"{info['generator_params']:,}", "steps": f"{info['steps']:,}", "epochs": info["epochs_done"],
            "n_images": f"{info['n_images']:,}", "batch_size": cfg["batch_size"],
            "learning_rate": f"{cfg['learning_rate']:g}", "beta_1": cfg["beta_1"], "ema_decay": cfg["ema_decay"],
            "augment": cfg["augment"] or "off", "seed": cfg["seed"], "minutes": f"{info['train_seconds'] / 60:.1f}",
            "cpus": info["machine"].get("cpu_count", "?"), "fid": f"{m['fid']:.2f}", "kid": f"{m['kid']:.4f}",
            "legible": f"{100 * m['legible_rate']:.1f}", "real_legible": f"{100 * real['legible_rate']:.1f}",
            "share_min": f"{min(shares):.1f}", "share_max": f"{max(shares):.1f}",
            "fid_samples": f"{m['num_samples']:,}", "fid_seed": m["noise_seed"]}


@_with_recorded_numbers(_mnist_dcgan_numbers)
def mnist_dcgan_generator():
    r"""The book's DCGAN generator trained on MNIST for about an hour by the repository's own trainer.

    What chapter 2's architecture and chapter 9's trainer reach; the reference
    MNIST generator, which draws more legible digits, is :func:`mnist_generator`
    (style-based, chapter 13).

    ``make_generator(GeneratorConfig(seed=0))`` ({params} parameters) trained by
    ``scripts/train_mnist_dcgan.py`` with :func:`stylegan_edu.gan.train_mnist`
    on the {n_images} training digits of :func:`stylegan_edu.data.mnist_gan_split`:
    {steps} steps ({epochs} epochs) of batch {batch_size}, Adam({learning_rate},
    beta_1={beta_1}), DiffAugment ``{augment}``, seed {seed}; {minutes} minutes on
    {cpus} shared CPU cores. The weights are the exponential moving average
    (decay {ema_decay}) of the generator's.

    On {fid_samples} samples (noise seed {fid_seed}) against the 2,000 held-out
    digits: **MNIST-FID {fid}**, KID {kid}, legible rate {legible}% (the held-out
    digits: {real_legible}%), every class between {share_min}% and {share_max}%.
    Everything is recorded in :func:`mnist_dcgan_generator_info` and
    ``stylegan_edu/assets/mnist_dcgan_generator/README.md``; the training progression
    in :func:`mnist_dcgan_generator_progress`.

    A new model is built on every call (so callers may change it freely);
    nothing is downloaded. The weights are checked first (:func:`asset_path`).

    Returns:
        keras.Model: z (B, 100) ~ N(0, I) to digits (B, 28, 28, 1) in [-1, 1].
        Call it with ``training=False`` (BatchNorm uses its moving statistics).

    Raises:
        AssetError: if the weights file is missing or damaged.

    Example:

    >>> import numpy as np
    >>> g = mnist_dcgan_generator()
    >>> x = g(np.zeros((2, 100), "float32"), training=False)
    >>> tuple(x.shape), bool(np.abs(np.asarray(x)).max() <= 1)
    ((2, 28, 28, 1), True)
    """
    from stylegan_edu.models import GeneratorConfig, make_generator

    path = asset_path("mnist_dcgan_generator/generator.weights.h5")
    info = mnist_dcgan_generator_info()
    cfg = {k: (tuple(v) if isinstance(v, list) else v) for k, v in info["generator_config"].items()}
    generator = make_generator(GeneratorConfig(**cfg), name="mnist_dcgan_generator")
    generator.load_weights(str(path))
    return generator


def mnist_dcgan_generator_progress():
    """The shipped MNIST DCGAN run's sample grids during training: how it learned.

    ``scripts/train_mnist_dcgan.py`` keeps up to 24 of the grids that
    :class:`stylegan_edu.callbacks.SampleGrid` drew from a fixed noise batch
    (EMA generator) after each epoch, more of them early, when the samples
    change fastest (:func:`write_progress_frames`), in
    ``mnist_dcgan_generator/progress/``. Chapter 9 animates them.

    Returns:
        list: ``[(epoch, image), ...]`` in epoch order, each image a float32
        (H, W) array in [0, 1].

    Example:

    >>> frames = mnist_dcgan_generator_progress()
    >>> frames[0][0], frames[-1][0] == mnist_dcgan_generator_info()["epochs_done"], frames[0][1].ndim
    (1, True, 2)
    """
    return _progress_frames("mnist_dcgan_generator", "scripts/train_mnist_dcgan.py")


# ---------------------------------------------------------------------------
# The CLAHE generators (chapter 11)
# ---------------------------------------------------------------------------


def clahe_generator_info():
    """Settings, training histories and held-out metrics of the shipped CLAHE enhancers.

    Returns:
        dict: the training record (``config.json``: machine, split, target,
        model configs, per-run loss and train configs, step counts and
        seconds; ``runs`` is keyed ``"<variant>_seed<seed>"``), plus
        ``history`` (``{run: per-epoch logs}``) and ``metrics``
        (``{"clean" | "restoration": rows of method, image, psnr, ssim}``;
        ``psnr`` is ``None`` for identical images).
    """
    info = _record("clahe_generator/config.json")
    info["history"] = {run: _record(f"clahe_generator/history_{run}.json") for run in info["runs"]}
    info["metrics"] = _record("clahe_generator/metrics.json")
    return info


def _clahe_generator_numbers():
    from stylegan_edu.clahe.generator import METHOD_NAMES

    info = clahe_generator_info()
    rows = [r for r in info["metrics"]["clean"] if r.get("seed", 0) == 0]
    photos = list(dict.fromkeys(r["image"] for r in rows))
    cell = {(r["method"], r["image"]): r for r in rows}
    gan = METHOD_NAMES["gan"]
    table = ", ".join(f"{p} {cell[(gan, p)]['psnr']:.2f} dB / {cell[(gan, p)]['ssim']:.3f}" for p in photos)
    run = info["runs"]["gan_seed0"]
    return {"photos": ", ".join(photos), "gan_table": table, "gan_steps": f"{run['steps']:,}",
            "gan_batch": run["train_config"]["batch_size"], "patch": info["patch"]}


@_with_recorded_numbers(_clahe_generator_numbers)
def clahe_generator(variant="gan", seed=0):
    r"""A learned CLAHE of chapter 11: a tone-grid enhancer for grey images.

    ``make_tone_grid_enhancer(clahe.generator_config_for(variant))``: CLAHE's
    tile histograms and bilinear lookup with a learned curve network in
    between (:mod:`stylegan_edu.clahe.tone_grid`), trained by
    ``scripts/train_clahe_generator.py`` ({gan_steps} steps of {gan_batch}
    crops of {patch} x {patch} pixels, cosine learning rate) on (photo,
    skimage CLAHE of the crop) pairs from ``clahe.TRAIN_IMAGES``, many of
    them re-exposed by ``clahe.random_tone``. Variants (``clahe.VARIANTS``):
    ``"l1"`` (L1 to the target), ``"gan"`` (L1 + PatchGAN adversarial loss),
    ``"gan_perceptual"`` (also VGG16 perceptual and style terms), each for
    seeds 0, 1 and 2; ``"restore"`` (also seeds 0, 1 and 2): a cleaning
    U-Net that mixes the photo's classical repairs (``clahe.repair_stack``)
    before the GAN's (seed 0) tone grid, trained on damaged photos to give
    the CLAHE of the clean one.

    **Held-out, clean photos, the GAN (seed 0) against skimage's CLAHE
    (PSNR / SSIM): {gan_table}.** Everything else is in
    :func:`clahe_generator_info` and ``stylegan_edu/assets/clahe_generator/README.md``.

    Apply it with :func:`stylegan_edu.clahe.enhance` (any size, grey or RGB).
    A new model is built on every call; nothing is downloaded. The weights
    are checked first (:func:`asset_path`).

    Args:
        variant: one of ``clahe.VARIANTS``.
        seed: 0, 1 or 2 (``clahe.SEEDS``).

    Returns:
        keras.Model: (B, H, W, 1) in [0, 1] -> same shape, any H and W >= 2;
        ``"restore"`` takes (B, H, W, 6), the photo and its five repairs
        (:func:`stylegan_edu.clahe.enhance` builds them).

    Raises:
        AssetError: if the weights file is missing or damaged.

    Example:

    >>> import numpy as np
    >>> g = clahe_generator("l1", seed=1)
    >>> g.name, tuple(g(np.zeros((1, 32, 48, 1), "float32")).shape)
    ('clahe_generator_l1_seed1', (1, 32, 48, 1))
    """
    from stylegan_edu._validation import check_choice
    from stylegan_edu.clahe.generator import SEEDS, VARIANTS, generator_config_for
    from stylegan_edu.clahe.tone_grid import make_tone_grid_enhancer

    check_choice("variant", variant, VARIANTS)
    if isinstance(seed, bool) or not isinstance(seed, int):
        from stylegan_edu._validation import invalid

        raise invalid("seed", f"an integer, one of {SEEDS}", f"seed={seed!r}")
    check_choice("seed", seed, SEEDS)
    path = asset_path(f"clahe_generator/{variant}_seed{seed}.weights.h5")
    model = make_tone_grid_enhancer(generator_config_for(variant), name=f"clahe_generator_{variant}_seed{seed}")
    model.load_weights(str(path))
    return model


# ---------------------------------------------------------------------------
# The MNIST feature net and the MNIST-FID statistics (chapters 4, 8, 9)
# ---------------------------------------------------------------------------


def mnist_feature_net_info():
    """What the shipped MNIST feature net is: its training settings and held-out accuracy.

    Returns:
        dict: the contents of ``assets/mnist_feature_net/mnist_feature_net.json``
        (written by ``scripts/train_mnist_feature_net.py``).

    Example:

    >>> info = mnist_feature_net_info()
    >>> info["heldout_accuracy"] >= 0.98, info["n_train"], info["n_heldout"]
    (True, 8000, 2000)
    """
    return _record("mnist_feature_net/mnist_feature_net.json")


def _feature_net_numbers():
    info = mnist_feature_net_info()
    return {"params": f"{info['parameters']:,}", "n_train": f"{info['n_train']:,}", "n_heldout": f"{info['n_heldout']:,}",
            "accuracy": f"{100 * info['heldout_accuracy']:.2f}"}


@functools.lru_cache(maxsize=4)
def _load_feature_net(path, digest, dataset="mnist"):  # keyed by the checked file's digest: a new file is loaded anew
    from stylegan_edu.features import build_feature_net

    net = build_feature_net(dataset)
    net.load_weights(str(path))
    net.trainable = False
    return net


@_with_recorded_numbers(_feature_net_numbers)
def mnist_feature_net():
    r"""The small MNIST classifier shipped in the package, with its trained weights (offline).

    A CNN (:func:`stylegan_edu.features.build_mnist_feature_net`, {params} parameters)
    trained by ``scripts/train_mnist_feature_net.py`` on {n_train} digits of the
    MNIST test set; held-out accuracy **{accuracy} %** on the other {n_heldout}
    (:func:`stylegan_edu.features.mnist_feature_split`, :func:`mnist_feature_net_info`).
    Its 128-d penultimate layer ``"features"`` feeds
    :func:`stylegan_edu.features.mnist_features`. The weights are checked
    (:func:`asset_path`) on every call and loaded once.

    Returns:
        keras.Model: frozen and shared between calls; (B, 28, 28, 1) images
        in [-1, 1] to (B, 10) logits.

    Raises:
        AssetError: if the weights file is missing or damaged.

    Example:

    >>> import numpy as np
    >>> net = mnist_feature_net()
    >>> tuple(net(np.zeros((2, 28, 28, 1), "float32")).shape)
    (2, 10)
    """
    path = asset_path("mnist_feature_net/mnist_feature_net.weights.h5")
    return _load_feature_net(path, _recorded_sha256(path))


@functools.lru_cache(maxsize=4)
def _load_statistics(path, digest):
    import numpy as np

    with np.load(path) as data:
        return {k: data[k] for k in data.files}


def mnist_fid_statistics():
    """The MNIST-FID reference statistics: mean and covariance of the feature net's features over MNIST.

    Computed by ``scripts/compute_fid_stats.py`` over the 2,000 held-out
    digits of :func:`stylegan_edu.data.mnist_gan_split` (MNIST test digits
    ``i % 5 == 4``, which neither the feature net nor any generator trains on)
    with the shipped :func:`mnist_feature_net`; the file also holds their
    feature vectors (the KID's reference), and
    ``stylegan_edu/assets/mnist_fid_stats.md`` records the real-against-real
    floor. Used by :func:`stylegan_edu.metrics.fid` and :func:`~stylegan_edu.metrics.kid`.

    Returns:
        tuple: ``(mu (128,), sigma (128, 128), info)``, float64 copies, with
        ``info`` a dict holding ``n`` (how many images), ``source`` (which
        digits), ``feature_net_sha256`` (the feature-net weights they were
        computed with) and ``features`` ((n, 128), the KID's reference).

    Raises:
        AssetError: if the statistics file is missing or damaged.

    Example:

    >>> mu, sigma, info = mnist_fid_statistics()
    >>> mu.shape, sigma.shape, info["n"], "held-out" in info["source"]
    ((128,), (128, 128), 2000, True)
    """
    import numpy as np

    return _fid_statistics("mnist_fid_stats.npz")


def _fid_statistics(name):
    """``(mu, sigma, info)`` from a checked statistics file (float64 copies; see :func:`fid_statistics`)."""
    import numpy as np

    path = asset_path(name)
    data = _load_statistics(path, _recorded_sha256(path))
    info = {"n": int(data["n"]), "source": str(data["source"]), "feature_net_sha256": str(data["feature_net_sha256"])}
    if "features" in data:  # a sample of real feature vectors, the KID's reference
        info["features"] = data["features"].astype(np.float32)
    return data["mu"].astype(np.float64), data["sigma"].astype(np.float64), info


# ---------------------------------------------------------------------------
# The Fashion-MNIST feature net and its FID/KID statistics (chapters 12 and 13)
# ---------------------------------------------------------------------------


def fashion_mnist_feature_net_info():
    """What the shipped Fashion-MNIST feature net is: its training settings and test-split accuracy.

    Returns:
        dict: the contents of
        ``assets/fashion_mnist_feature_net/fashion_mnist_feature_net.json`` (written by
        ``scripts/train_fashion_mnist_feature_net.py``): ``test_accuracy``,
        ``test_accuracy_per_class``, ``n_train``, ``n_test``, ``history``,
        ``train_seconds``, ``machine``, ...

    Example:

    >>> info = fashion_mnist_feature_net_info()
    >>> info["test_accuracy"] >= 0.90, info["n_train"], info["n_test"]
    (True, 60000, 10000)
    """
    return _record("fashion_mnist_feature_net/fashion_mnist_feature_net.json")


def _fashion_feature_net_numbers():
    info = fashion_mnist_feature_net_info()
    per_class = info["test_accuracy_per_class"]
    worst = min(per_class, key=per_class.get)
    return {"params": f"{info['parameters']:,}", "n_train": f"{info['n_train']:,}", "n_test": f"{info['n_test']:,}",
            "accuracy": f"{100 * info['test_accuracy']:.2f}", "epochs": info["epochs"], "seed": info["seed"],
            "minutes": f"{info['train_seconds'] / 60:.1f}", "cpus": info["machine"].get("cpu_count", "?"),
            "worst_class": worst, "worst_accuracy": f"{100 * per_class[worst]:.1f}"}


@_with_recorded_numbers(_fashion_feature_net_numbers)
def fashion_mnist_feature_net():
    r"""The small Fashion-MNIST classifier shipped in the package, with its trained weights (offline).

    The FID/KID network of chapters 12 and 13: a CNN
    (:func:`stylegan_edu.features.build_feature_net` ``("fashion_mnist")``, {params}
    parameters) trained by ``scripts/train_fashion_mnist_feature_net.py`` on the
    {n_train} images of the Fashion-MNIST *training* split ({epochs} epochs, seed
    {seed}, {minutes} minutes on {cpus} shared CPU cores). **Test-split accuracy
    {accuracy} %** on {n_test} images it never saw (lowest per class: {worst_class},
    {worst_accuracy} %; all in :func:`fashion_mnist_feature_net_info`). Its 128-d
    penultimate layer ``"features"`` feeds
    :func:`stylegan_edu.features.penultimate_features` and
    :func:`stylegan_edu.metrics.fid` / :func:`stylegan_edu.metrics.kid` with
    ``dataset="fashion_mnist"``. The weights are checked (:func:`asset_path`)
    on every call and loaded once.

    Returns:
        keras.Model: frozen and shared between calls; (B, 28, 28, 1) images
        in [-1, 1] (:func:`stylegan_edu.data.to_unit_range`) to (B, 10) logits
        (``data.FASHION_MNIST_CLASSES`` names them).

    Raises:
        AssetError: if the weights file is missing or damaged.

    Example:

    >>> import numpy as np
    >>> net = fashion_mnist_feature_net()
    >>> tuple(net(np.zeros((2, 28, 28, 1), "float32")).shape)
    (2, 10)
    """
    path = asset_path("fashion_mnist_feature_net/fashion_mnist_feature_net.weights.h5")
    return _load_feature_net(path, _recorded_sha256(path), "fashion_mnist")


def _fashion_fid_numbers():
    rows = _record("fashion_mnist_fid_stats.json")["floor"]
    train = [r for r in rows if r["what"].startswith("training")]
    test = [r for r in rows if r["what"].startswith("test")]
    return {"floor_train": ", ".join(f"FID {r['fid']:.2f} and KID {r['kid']:.4f} for {r['num_samples']:,}" for r in train),
            "floor_test": ", ".join(f"FID {r['fid']:.2f} and KID {r['kid']:.4f} for {r['num_samples']:,}" for r in test)}


@_with_recorded_numbers(_fashion_fid_numbers)
def fashion_mnist_fid_statistics():
    """The Fashion-MNIST FID/KID reference: feature statistics of the 10,000 test-split images.

    Computed by ``scripts/compute_fid_stats.py --dataset fashion_mnist`` over
    ``load_fashion_mnist("test")`` (the split no generator in this book trains
    on) with the shipped :func:`fashion_mnist_feature_net`; see
    ``stylegan_edu/assets/fashion_mnist_fid_stats.md``. Used by
    :func:`stylegan_edu.metrics.fid` and :func:`stylegan_edu.metrics.kid`
    with ``dataset="fashion_mnist"``.

    The floor, real images against real images (recorded in
    ``fashion_mnist_fid_stats.json``): real *training* images against these
    statistics, as :func:`~stylegan_edu.metrics.fid` and
    :func:`~stylegan_edu.metrics.kid` score a generator, give {floor_train}
    images; two disjoint sets of test images give {floor_test} each. A
    generator's FID is only meaningful against the floor at the same number
    of images; KID is about 0 for real images at any size.

    Returns:
        tuple: ``(mu (128,), sigma (128, 128), info)``, float64 copies;
        ``info`` holds ``n``, ``source``, ``feature_net_sha256`` and
        ``features`` (float32 (10000, 128), the test split's feature
        vectors: the KID's reference).

    Raises:
        AssetError: if the statistics file is missing or damaged.

    Example:

    >>> mu, sigma, info = fashion_mnist_fid_statistics()
    >>> mu.shape, sigma.shape, info["n"], info["features"].shape
    ((128,), (128, 128), 10000, (10000, 128))
    """
    return _fid_statistics("fashion_mnist_fid_stats.npz")


# ---------------------------------------------------------------------------
# Either data set by name
# ---------------------------------------------------------------------------

#: The data sets with a shipped feature net and FID/KID statistics.
DATASETS = ("mnist", "fashion_mnist")


def feature_net(dataset="mnist"):
    """The shipped feature net of a data set: :func:`mnist_feature_net` or :func:`fashion_mnist_feature_net`.

    Args:
        dataset: ``"mnist"`` or ``"fashion_mnist"``.

    Returns:
        keras.Model: frozen, (B, 28, 28, 1) in [-1, 1] to (B, 10) logits.

    Example:

    >>> feature_net("fashion_mnist").name
    'fashion_mnist_feature_net'
    >>> feature_net("cifar10")
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `dataset`. Expected one of 'mnist', 'fashion_mnist'. Received: dataset='cifar10'
    """
    from stylegan_edu._validation import check_choice

    check_choice("dataset", dataset, DATASETS)
    return mnist_feature_net() if dataset == "mnist" else fashion_mnist_feature_net()


def fid_statistics(dataset="mnist"):
    """A data set's shipped FID/KID reference: :func:`mnist_fid_statistics` or :func:`fashion_mnist_fid_statistics`.

    Args:
        dataset: ``"mnist"`` or ``"fashion_mnist"``.

    Returns:
        tuple: ``(mu (D,), sigma (D, D), info)``, float64 copies; ``info``
        holds ``n``, ``source``, ``feature_net_sha256`` and, where the file
        ships them, ``features`` (real feature vectors for the KID).

    Example:

    >>> mu, sigma, info = fid_statistics("fashion_mnist")
    >>> mu.shape, "test" in info["source"]
    ((128,), True)
    """
    from stylegan_edu._validation import check_choice

    check_choice("dataset", dataset, DATASETS)
    return mnist_fid_statistics() if dataset == "mnist" else fashion_mnist_fid_statistics()


# ---------------------------------------------------------------------------
# The style-based generators (chapter 13): Fashion-MNIST, and the reference MNIST generator
# ---------------------------------------------------------------------------

__all__ += ["stylegan_generator", "stylegan_generator_info", "stylegan_progress", "stylegan_dcgan_comparison", "STYLEGAN_DATASETS"]
_REBUILT_BY["stylegan_generator/generator.weights.h5"] = "scripts/train_stylegan.py"

#: Each data set's style-based generator: its asset folder and JSON record (the MNIST one is the reference).
_STYLEGAN_ASSETS = {"fashion_mnist": ("stylegan_generator", "stylegan_generator.json"),
                    "mnist": ("mnist_generator", "mnist_generator.json")}
#: The data sets with a shipped style-based generator.
STYLEGAN_DATASETS = tuple(_STYLEGAN_ASSETS)


def _stylegan_asset(dataset):
    from stylegan_edu._validation import check_choice

    check_choice("dataset", dataset, STYLEGAN_DATASETS)
    return _STYLEGAN_ASSETS[dataset]


def stylegan_generator_info(dataset="fashion_mnist"):
    """Settings, training time, machine and metrics of a shipped style-based generator.

    Args:
        dataset: ``"fashion_mnist"`` (``stylegan_generator/stylegan_generator.json``)
            or ``"mnist"`` (the reference MNIST generator,
            ``mnist_generator/mnist_generator.json``).

    Returns:
        dict: ``metrics`` (``fid``, ``kid``, ``class_shares``, ... on
        ``num_samples`` samples at psi = 1, against the Fashion-MNIST test split
        or the 2,000 held-out digits), ``train_config``,
        ``stylegan_config``, ``generator_config``, ``generator_params``,
        ``steps``, ``train_seconds``, ``budget_minutes``, ``history``, ``machine``;
        for MNIST also ``heldout_metrics`` (the real held-out digits measured
        the same way) and ``metrics_truncated`` (psi = 0.7).

    Example:

    >>> info = stylegan_generator_info()
    >>> info["metrics"]["num_samples"], sorted(info["metrics"])[:3]
    (10000, ['class_shares', 'fid', 'kid'])
    >>> stylegan_generator_info("mnist")["heldout_metrics"]["num_samples"]
    2000
    """
    folder, record = _stylegan_asset(dataset)
    return _record(f"{folder}/{record}")


def stylegan_progress(dataset="fashion_mnist"):
    """A shipped run's sample grids during training: how the style-based generator learned.

    ``scripts/train_stylegan.py`` keeps the grids of 64 samples (8 x 8, a
    fixed noise batch, EMA generator) that :class:`stylegan_edu.callbacks.SampleGrid`
    drew after each epoch (at most 24 of them, more early:
    :func:`write_progress_frames`), in ``<asset>/progress/``. Chapter 13 animates them.

    Args:
        dataset: ``"fashion_mnist"`` or ``"mnist"``.

    Returns:
        list: ``[(epoch, image), ...]`` in epoch order, each image a float32
        (H, W) array in [0, 1]; the last is the final epoch.

    Example:

    >>> frames = stylegan_progress()
    >>> frames[0][0], frames[0][1].shape, frames[-1][0] == stylegan_generator_info()["epochs_done"]
    (1, (526, 526), True)
    """
    folder, _ = _stylegan_asset(dataset)
    script = "scripts/train_stylegan.py" + (" --dataset mnist" if dataset == "mnist" else "")
    return _progress_frames(folder, script)


def _progress_frames(asset, script):
    """``[(epoch, image), ...]`` from ``<asset>/progress/epoch_NNNN.png``, in epoch order, images float32 in [0, 1]."""
    import numpy as np
    from PIL import Image

    folder = pathlib.Path(ASSETS) / asset / "progress"
    files = sorted(folder.glob("epoch_*.png"))
    if not files:
        raise AssetError(f"The shipped asset `{asset}/progress` is missing. Expected epoch_NNNN.png files in {folder}. "
                         f"Received: none. Reinstall stylegan_edu, or rerun `python {script}`.")
    return [(int(f.stem.split("_")[1]), np.asarray(Image.open(f).convert("L"), np.float32) / 255.0) for f in files]


def stylegan_dcgan_comparison(dataset="fashion_mnist"):
    """The equal-time comparison of the shipped style-based generator with the DCGAN recipe.

    Written by ``benchmarks/stylegan_vs_dcgan.py`` (also as
    ``benchmarks/stylegan_vs_dcgan.md``): both trained on the Fashion-MNIST
    training split for the same wall-clock time, measured with
    :func:`stylegan_edu.metrics.sample_quality` on 10,000 samples each.

    Args:
        dataset: ``"fashion_mnist"`` (for MNIST, compare :func:`mnist_generator_info`
            with :func:`mnist_dcgan_generator_info`: both trained about an hour).

    Returns:
        dict: ``stylegan`` and ``dcgan`` (``quality``, ``steps``,
        ``train_seconds``, ``history``, ...), ``step_timing`` (parameters and
        ms/step of both, measured in one run), ``fid_ratio``, ``budget_minutes``,
        ``machine``; and ``samples``, 64 DCGAN samples as a float32 (H, W) grid in [0, 1].

    Example:

    >>> c = stylegan_dcgan_comparison()
    >>> sorted(c["step_timing"]), c["samples"].ndim
    (['dcgan', 'stylegan'], 2)
    """
    import numpy as np
    from PIL import Image

    from stylegan_edu._validation import check_choice

    check_choice("dataset", dataset, ("fashion_mnist",))
    folder = pathlib.Path(ASSETS) / "stylegan_generator"
    record = _record("stylegan_generator/dcgan_comparison.json")
    record["samples"] = np.asarray(Image.open(folder / "dcgan_samples.png").convert("L"), np.float32) / 255.0
    return record


def _stylegan_numbers():
    info = stylegan_generator_info()
    m, cfg = info["metrics"], info["train_config"]
    shares = m["class_shares"].values()
    return {"params": f"{info['generator_params']:,}", "steps": f"{info['steps']:,}",
            "minutes": f"{info['train_seconds'] / 60:.0f}", "cpus": info["machine"].get("cpu_count", "?"),
            "gpus": ", ".join(info["machine"].get("gpus") or []) or "no GPU", "batch_size": cfg["batch_size"],
            "fid": f"{m['fid']:.2f}", "kid": f"{m['kid']:.4f}", "samples": f"{m['num_samples']:,}",
            "share_low": f"{100 * min(shares):.1f}", "share_high": f"{100 * max(shares):.1f}"}


@_with_recorded_numbers(_stylegan_numbers)
def stylegan_generator(dataset="fashion_mnist", crop=False):
    r"""A style-based generator of chapter 13, trained offline on Fashion-MNIST or MNIST.

    A :class:`stylegan_edu.models.StyleGANGenerator`: the exponential moving
    average of the weights trained by ``scripts/train_stylegan.py``
    (:func:`stylegan_edu.stylegan.train_stylegan`), with the running average
    :math:`\bar w` (``w_avg``) for the truncation trick.

    * ``"fashion_mnist"``: {params} parameters, {steps} steps of {batch_size}
      images in {minutes} minutes on {cpus} CPU cores, {gpus}. **FID {fid}, KID
      {kid}** on {samples} samples (cropped to 28 x 28) against the
      Fashion-MNIST test split; class shares by the feature net from
      {share_low}% to {share_high}%. Recorded in :func:`stylegan_generator_info`
      and ``stylegan_edu/assets/stylegan_generator/README.md``.
    * ``"mnist"``: the reference MNIST generator; see :func:`mnist_generator`
      (which is this one with ``crop=True``).

    A new model is built on every call; nothing is downloaded. The weights
    are checked first (:func:`asset_path`).

    Args:
        dataset: ``"fashion_mnist"`` or ``"mnist"``.
        crop: ``True`` returns the data's own 28 x 28 images (the generator
            draws 32 x 32: the data padded by 2 pixels, all round), via the
            generator's ``output_crop``; the weights are the same.

    Returns:
        StyleGANGenerator: z (B, 64) ~ N(0, I) to images (B, 32, 32, 1), or
        (B, 28, 28, 1) with ``crop``, in [-1, 1]; call it with
        ``truncation_psi`` and ``noise`` as documented there.

    Raises:
        AssetError: if the weights file is missing or damaged.
        ValueError: for another data set.

    Example:

    >>> import numpy as np
    >>> g = stylegan_generator("fashion_mnist")
    >>> x = np.asarray(g(np.zeros((2, g.latent_dim), "float32"), truncation_psi=0.7))
    >>> x.shape, bool(np.abs(x).max() <= 1)
    ((2, 32, 32, 1), True)
    >>> tuple(stylegan_generator("mnist", crop=True)(np.zeros((2, 64), "float32")).shape)
    (2, 28, 28, 1)
    >>> stylegan_generator("cifar10")
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `dataset`. Expected one of 'fashion_mnist', 'mnist'. Received: dataset='cifar10'
    """
    from stylegan_edu._validation import check_bool
    from stylegan_edu.models.stylegan import StyleGANGenerator, StyleGANGeneratorConfig

    folder, _ = _stylegan_asset(dataset)
    check_bool("crop", crop)
    path = asset_path(f"{folder}/generator.weights.h5")
    config = StyleGANGeneratorConfig.from_dict(stylegan_generator_info(dataset)["generator_config"])
    generator = StyleGANGenerator(config, output_crop=2 if crop else 0, name="stylegan_generator")
    generator.build()
    generator.load_weights(str(path))
    return generator


# ---------------------------------------------------------------------------
# The reference MNIST generator (style-based; chapters 9 and 13)
# ---------------------------------------------------------------------------


def mnist_generator_info():
    """Settings and metrics of the reference MNIST generator (``mnist_generator/mnist_generator.json``).

    The same as ``stylegan_generator_info("mnist")``.

    Returns:
        dict: ``metrics`` (FID, KID, legible rate, class shares on 10,000
        samples at psi = 1 against the 2,000 held-out digits),
        ``metrics_truncated`` (the same at psi = 0.7), ``heldout_metrics`` (the
        real held-out digits), ``train_config``, ``stylegan_config``,
        ``generator_config``, ``history``, ``steps``, ``train_seconds``, ``machine``, ...

    Example:

    >>> info = mnist_generator_info()
    >>> info["metrics"]["num_samples"], info["metrics"]["truncation_psi"]
    (10000, 1.0)
    """
    return stylegan_generator_info("mnist")


def _mnist_generator_numbers():
    info = mnist_generator_info()
    cfg, m, real = info["train_config"], info["metrics"], info["heldout_metrics"]
    shares = [100 * v for v in m["class_shares"].values()]
    return {"params": f"{info['generator_params']:,}", "steps": f"{info['steps']:,}", "n_images": f"{info['n_images']:,}",
            "batch_size": cfg["batch_size"], "seed": cfg["seed"], "minutes": f"{info['train_seconds'] / 60:.1f}",
            "budget": f"{info['budget_minutes']:g}", "cpus": info["machine"].get("cpu_count", "?"),
            "fid": f"{m['fid']:.2f}", "kid": f"{m['kid']:.4f}", "legible": f"{100 * m['legible_rate']:.1f}",
            "real_legible": f"{100 * real['legible_rate']:.1f}", "share_min": f"{min(shares):.1f}",
            "share_max": f"{max(shares):.1f}", "samples": f"{m['num_samples']:,}", "noise_seed": m["noise_seed"]}


@_with_recorded_numbers(_mnist_generator_numbers)
def mnist_generator():
    r"""The reference MNIST generator: chapter 13's style-based generator, trained on the digits.

    A :class:`stylegan_edu.models.StyleGANGenerator` ({params} parameters), the
    exponential moving average of the weights that ``scripts/train_stylegan.py
    --dataset mnist`` trained with :func:`stylegan_edu.stylegan.train_stylegan`
    (StyleGAN2's recipe: style mixing, lazy R1, EMA) on the {n_images}
    training digits of :func:`stylegan_edu.data.mnist_gan_split`, padded to
    32 x 32: {steps} steps of batch {batch_size}, seed {seed}, in {minutes}
    minutes (budget {budget}) on {cpus} CPU cores.

    On {samples} samples (psi = 1, noise seed {noise_seed}) against the 2,000
    held-out digits: **MNIST-FID {fid}**, KID {kid}, legible rate {legible}%
    (the held-out digits themselves: {real_legible}%), every class between
    {share_min}% and {share_max}%. Recorded in :func:`mnist_generator_info` and
    ``stylegan_edu/assets/mnist_generator/README.md``; the training
    progression in :func:`mnist_generator_progress`. The book's DCGAN trained
    about as long is :func:`mnist_dcgan_generator`.

    A new model is built on every call; nothing is downloaded. The weights
    are checked first (:func:`asset_path`).

    Returns:
        StyleGANGenerator: z (B, 64) ~ N(0, I) to digits (B, 28, 28, 1) in
        [-1, 1] (``stylegan_generator("mnist", crop=True)``). It also takes
        ``truncation_psi`` and ``noise``; ``noise="random"`` (the default) draws
        new per-pixel noise on every call, ``noise="const"`` makes a z give
        the same digit each time.

    Raises:
        AssetError: if the weights file is missing or damaged.

    Example:

    >>> import numpy as np
    >>> g = mnist_generator()
    >>> x = np.asarray(g(np.zeros((2, g.latent_dim), "float32"), training=False))
    >>> x.shape, bool(np.abs(x).max() <= 1)
    ((2, 28, 28, 1), True)
    """
    return stylegan_generator("mnist", crop=True)


def mnist_generator_progress():
    """The reference MNIST generator's sample grids during training (``stylegan_progress("mnist")``).

    Returns:
        list: ``[(epoch, image), ...]`` in epoch order, each image a float32
        (H, W) array in [0, 1]; at most 24, the last from the final epoch.

    Example:

    >>> frames = mnist_generator_progress()
    >>> frames[0][0], frames[-1][0] == mnist_generator_info()["epochs_done"], len(frames) <= 24
    (1, True, True)
    """
    return stylegan_progress("mnist")
