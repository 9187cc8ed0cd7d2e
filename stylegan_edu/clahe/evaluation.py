r"""Evaluation of CLAHE methods on held-out photos: fixed inputs and targets, PSNR and SSIM."""

import numpy as np

from stylegan_edu._validation import check_choice
from stylegan_edu.clahe._image import _quantise_8bit, to_luminance
from stylegan_edu.clahe.degradations import DEGRADATIONS, low_contrast
from stylegan_edu.clahe.pairs import TARGET, clahe_target, load_photos

__all__ = ["EVAL_IMAGES", "evaluation_pairs", "evaluate"]

#: The held-out photos, never seen in training: a dark astronomical image, a
#: medical fundus photograph and a deep-sky image with few bright objects.
EVAL_IMAGES = ("moon", "retina", "hubble_deep_field")


def evaluation_pairs(photos=None, setting="clean", strength=0.5, target=TARGET):
    """The fixed evaluation inputs and targets on the held-out photos.

    ``setting="clean"``: the input is the held-out photo itself (can the
    model reproduce CLAHE?). ``setting="degraded"``: each photo degraded by
    each of the four kinds at ``strength``, with seed = the kind's index, and
    quantised to 8 bits (can it undo the damage, then enhance?). The target
    is always the CLAHE of the clean photo.

    Args:
        photos: dict ``{name: (H, W) float}``; default
            ``load_photos(EVAL_IMAGES)``.
        setting: ``"clean"`` or ``"degraded"``.
        strength: degradation strength for ``"degraded"``.
        target: a :class:`ClaheTarget`.

    Returns:
        dict ``{label: (input, target)}``, float32 (H, W) arrays in [0, 1];
        labels are the photo names (clean) or ``"name/kind"`` (degraded).

    Example:

    >>> import numpy as np
    >>> pairs = evaluation_pairs({"flat": np.full((64, 64), 0.5, "float32")}, "degraded")
    >>> sorted(pairs)
    ['flat/compress', 'flat/gamma', 'flat/haze', 'flat/illumination']
    """
    check_choice("setting", setting, ("clean", "degraded"))
    photos = load_photos(EVAL_IMAGES) if photos is None else photos
    out = {}
    for name, img in photos.items():
        img = to_luminance(img).astype(np.float32)
        tgt = clahe_target(img, target)
        if setting == "clean":
            out[name] = (img, tgt)
            continue
        for i, kind in enumerate(DEGRADATIONS):
            x = low_contrast(img, kind, strength, seed=i)
            out[f"{name}/{kind}"] = (_quantise_8bit(x).astype(np.float32), tgt)
    return out


def evaluate(methods, pairs):
    """PSNR and SSIM of each method's output against the targets.

    Args:
        methods: dict ``{method name: fn}``, ``fn`` mapping an (H, W) float
            image in [0, 1] to an enhanced one of the same shape.
        pairs: dict ``{label: (input, target)}`` from :func:`evaluation_pairs`.

    Returns:
        list of dicts ``{"method", "image", "psnr", "ssim"}`` (data range 1).

    Example:

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(size=(32, 32))
    >>> rows = evaluate({"identity": lambda im: im}, {"noise": (x, x)})
    >>> rows[0]["method"], rows[0]["ssim"]
    ('identity', 1.0)
    """
    from stylegan_edu.metrics import psnr, ssim

    rows = []
    for method, fn in methods.items():
        for label, (x, t) in pairs.items():
            y = np.asarray(fn(x), dtype=np.float64)
            rows.append({"method": method, "image": label,
                         "psnr": psnr(t, y, data_range=1.0), "ssim": ssim(t, y, data_range=1.0)})
    return rows
