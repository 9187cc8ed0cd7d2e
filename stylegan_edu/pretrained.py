"""Trained models that ship inside the package and load offline.

Each one is trained by a script in ``scripts/`` with the package's own code;
its folder under ``stylegan_edu/assets/`` holds the weights, a JSON file of
settings and metrics, and a README.
"""

import functools
import importlib.resources
import json

__all__ = ["mnist_generator", "mnist_generator_info", "clahe_generator", "clahe_generator_info"]


def _asset_dir(name):
    return importlib.resources.files("stylegan_edu").joinpath("assets", name)


def mnist_generator_info():
    """Settings and metrics of the shipped MNIST generator (from ``mnist_generator.json``).

    Returns:
        dict: ``fid`` (MNIST-FID on 10,000 samples), ``train_config``,
        ``generator_config``, ``history`` (per-epoch losses and FID),
        ``train_seconds``, ``machine``, ...
    """
    return json.loads(_asset_dir("mnist_generator").joinpath("mnist_generator.json").read_text())


@functools.lru_cache(maxsize=1)
def _mnist_generator_weights_path():
    path = _asset_dir("mnist_generator").joinpath("generator.weights.h5")
    if not path.is_file():
        raise FileNotFoundError(
            f"The shipped MNIST generator's weights are missing ({path}). Reinstall the package, or train them with "
            "scripts/train_mnist_generator.py."
        )
    return path


def mnist_generator():
    r"""The reference DCGAN generator for MNIST, trained by the repository's own trainer.

    ``make_generator(GeneratorConfig(seed=0))`` (760,065 parameters) trained by
    ``scripts/train_mnist_generator.py`` with :func:`stylegan_edu.training.train_mnist`:
    10 epochs on ``load_mnist("all")`` (offline: the 10,000 MNIST test digits),
    batch 64, Adam(2e-4, beta_1=0.5), constant learning rate, seed 0;
    13.6 minutes on 2 shared CPU cores.

    **MNIST-FID: 48.42** on 10,000 samples (:func:`stylegan_edu.metrics.mnist_fid`,
    noise seed 12345); it was still falling when training stopped (1,000-sample
    FID 95 after 2 epochs, 59 after 8, 50 after 10). Everything is recorded in
    :func:`mnist_generator_info` and ``stylegan_edu/assets/mnist_generator/README.md``.

    A new model is built on every call (so callers may change it freely);
    nothing is downloaded.

    Returns:
        keras.Model: z (B, 100) ~ N(0, I) to digits (B, 28, 28, 1) in [-1, 1].
        Call it with ``training=False`` (BatchNorm uses its moving statistics).

    Example:

    >>> import numpy as np
    >>> g = mnist_generator()
    >>> x = g(np.zeros((2, 100), "float32"), training=False)
    >>> tuple(x.shape), bool(np.abs(np.asarray(x)).max() <= 1)
    ((2, 28, 28, 1), True)
    """
    from stylegan_edu.models import GeneratorConfig, make_generator

    info = mnist_generator_info()
    cfg = {k: (tuple(v) if isinstance(v, list) else v) for k, v in info["generator_config"].items()}
    generator = make_generator(GeneratorConfig(**cfg), name="mnist_generator")
    with importlib.resources.as_file(_mnist_generator_weights_path()) as path:
        generator.load_weights(str(path))
    return generator


def clahe_generator_info():
    """Settings, training histories and held-out metrics of the shipped CLAHE generators.

    Returns:
        dict: the training record (``config.json``: machine, split, target,
        generator config, per-variant loss and train configs and step
        counts), plus ``history`` (``{variant: per-epoch logs}``) and
        ``metrics`` (``{"clean" | "degraded": rows of method, image, psnr,
        ssim}``; ``psnr`` is ``None`` for identical images).
    """
    folder = _asset_dir("clahe_generator")
    info = json.loads(folder.joinpath("config.json").read_text())
    info["history"] = {v: json.loads(folder.joinpath(f"history_{v}.json").read_text()) for v in info["variants"]}
    info["metrics"] = json.loads(folder.joinpath("metrics.json").read_text())
    return info


def clahe_generator(variant="gan"):
    r"""The CLAHE generator of chapter 11: a U-Net that enhances low-contrast grey images.

    ``make_unet_generator(conditional.GENERATOR_CONFIG)``: a U-Net (depth 4,
    12 to 96 filters) with a tone-curve head (32 knots) and local histograms
    over 64-pixel windows, trained by ``scripts/train_clahe_generator.py``
    (seed 0, 1,200 steps of 8 crops, cosine learning rate) on 128 x 128
    crops of (photo, skimage CLAHE of the whole photo) from
    ``clahe.TRAIN_IMAGES``, the loss on the central 64 x 64 pixels.
    ``"gan"``: PatchGAN adversarial loss + L1 + perceptual + Gram style + TV
    (``ConditionalLossConfig(margin=32)``); ``"l1"``: the L1-only ablation;
    ``"plain_l1"`` (measured, not shipped: 10 MB budget): L1 only with the
    plain residual head (``conditional.PLAIN_GENERATOR_CONFIG``).

    **Held-out SSIM against CLAHE, clean inputs (moon, retina,
    hubble_deep_field): GAN 0.936, 0.916, 0.968; L1-only 0.888, 0.891,
    0.942; plain U-Net 0.906, 0.751, 0.793; doing nothing 0.902, 0.860,
    0.777.** The book's goal (0.90 on every photo) is met by the GAN. All
    numbers, degraded inputs included, are in :func:`clahe_generator_info`
    and ``stylegan_edu/assets/clahe_generator/README.md``.

    Apply it with :func:`stylegan_edu.clahe.enhance` (any size, grey or RGB).
    A new model is built on every call; nothing is downloaded.

    Args:
        variant: ``"gan"`` or ``"l1"``.

    Returns:
        keras.Model: (B, H, W, 1) in [0, 1] -> same shape, H and W multiples of 16.

    Example:

    >>> import numpy as np
    >>> g = clahe_generator()
    >>> tuple(g(np.zeros((1, 32, 48, 1), "float32")).shape)
    (1, 32, 48, 1)
    """
    from stylegan_edu.conditional import load_clahe_generator

    return load_clahe_generator(variant)
