r"""Evaluation of CLAHE methods on held-out photos: fixed inputs and targets, PSNR and SSIM."""

import numpy as np

from stylegan_edu._validation import check_array, check_choice, check_float_range, invalid
from stylegan_edu.clahe._image import _check_image, _quantise_8bit, to_luminance
from stylegan_edu.clahe.degradations import DEGRADATIONS, RESTORATION_DEGRADATIONS, damage, low_contrast
from stylegan_edu.clahe.pairs import TARGET, clahe_target, load_photos

__all__ = ["EVAL_IMAGES", "evaluation_pairs", "evaluate"]

#: The held-out photos, never seen in training: a dark astronomical image, a
#: medical fundus photograph, a deep-sky image with few bright objects, and two
#: everyday photos moved out of the training set (a cat, ``skimage.data.cat``,
#: and a cup of coffee).
EVAL_IMAGES = ("moon", "retina", "hubble_deep_field", "cat", "coffee")


def evaluation_pairs(photos=None, setting="clean", strength=0.5, target=TARGET):
    """The fixed evaluation inputs and targets on the held-out photos.

    ``setting="clean"``: the input is the held-out photo itself (can the
    model reproduce CLAHE?). ``setting="degraded"``: each photo degraded by
    each of the four kinds of :data:`DEGRADATIONS` at ``strength``, with
    seed = the kind's index, and quantised to 8 bits (can it undo the
    damage, then enhance?). ``setting="restoration"``: each photo damaged by
    :func:`damage` with each of the four kinds of
    :data:`RESTORATION_DEGRADATIONS` (noise, blur, JPEG, dim and noisy) at
    ``strength``, with seed = the kind's index, and quantised to 8 bits (can
    it restore, then enhance, without amplifying the damage?). The target
    is always the CLAHE of the clean photo.

    Args:
        photos: dict ``{name: (H, W) float}``; default
            ``load_photos(EVAL_IMAGES)``.
        setting: ``"clean"``, ``"degraded"`` or ``"restoration"``.
        strength: degradation strength in [0, 1] for ``"degraded"`` and
            ``"restoration"``.
        target: a :class:`ClaheTarget`.

    Returns:
        dict ``{label: (input, target)}``, float32 (H, W) arrays in [0, 1];
        labels are the photo names (clean) or ``"name/kind"`` (degraded,
        restoration).

    Example:

    >>> import numpy as np
    >>> pairs = evaluation_pairs({"flat": np.full((64, 64), 0.5, "float32")}, "degraded")
    >>> sorted(pairs)
    ['flat/compress', 'flat/gamma', 'flat/haze', 'flat/illumination']
    >>> list(evaluation_pairs({"flat": np.full((64, 64), 0.5, "float32")}, "restoration"))
    ['flat/noise', 'flat/blur', 'flat/jpeg', 'flat/dim_noisy']
    """
    check_choice("setting", setting, ("clean", "degraded", "restoration"))
    strength = check_float_range("strength", strength, 0.0, 1.0)  # checked even where unused: a typo should not pass
    photos = load_photos(EVAL_IMAGES) if photos is None else photos
    if not isinstance(photos, dict) or not photos:
        raise invalid("photos", "a non-empty dict {name: (H, W) image in [0, 1]}", f"photos of type {type(photos).__name__}")
    out = {}
    for name, img in photos.items():
        img = to_luminance(_check_image(img, name=f"photos[{name!r}]")).astype(np.float32)
        tgt = clahe_target(img, target)
        if setting == "clean":
            out[name] = (img, tgt)
            continue
        kinds, fn = (DEGRADATIONS, low_contrast) if setting == "degraded" else (RESTORATION_DEGRADATIONS, damage)
        for i, kind in enumerate(kinds):
            x = fn(img, kind, strength, seed=i)
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

    if not isinstance(methods, dict) or not methods or not all(callable(f) for f in methods.values()):
        raise invalid("methods", "a non-empty dict {method name: fn} of callables",
                      f"methods={methods!r:.80}" if not isinstance(methods, dict) else
                      f"methods with keys {list(methods)[:5]}" + ("" if methods else " (empty)"))
    if not isinstance(pairs, dict) or not pairs:
        raise invalid("pairs", "a non-empty dict {label: (input, target)}, as evaluation_pairs returns", f"pairs={pairs!r:.80}")
    checked = {}
    for label, pair in pairs.items():
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise invalid("pairs", "a dict {label: (input, target)}", f"pairs[{label!r}] of type {type(pair).__name__}")
        for part, a in zip(("input", "target"), pair):
            a = check_array(f"pairs[{label!r}]", a, ndim=2)
            if a.min() < 0 or a.max() > 1:
                raise invalid(f"pairs[{label!r}]", f"an {part} image (H, W) in [0, 1]", f"{part} with min={a.min():.4g}, max={a.max():.4g}")
        checked[label] = pair
    rows = []
    for method, fn in methods.items():
        for label, (x, t) in checked.items():
            y = fn(x)
            try:  # the method is at fault, not the data: name it
                y = check_array("methods", y, ndim=2)
                ok = y.shape == np.shape(t) and -0.01 <= y.min() and y.max() <= 1.01
            except ValueError:
                ok = False
            if not ok:
                got = (f"shape {np.shape(y)}, values in [{np.min(y):.4g}, {np.max(y):.4g}]"
                       if isinstance(y, np.ndarray) and y.size and y.dtype.kind in "biuf" and np.isfinite(y).all() else
                       f"{type(y).__name__}" + (f" with non-finite values" if isinstance(y, np.ndarray) and y.dtype.kind == "f" else ""))
                raise invalid("methods", f"functions that map an (H, W) image in [0, 1] to a finite one of the same shape "
                              f"and range, {np.shape(t)}", f"methods[{method!r}] returned {got} for {label!r}")
            rows.append({"method": method, "image": label,
                         "psnr": psnr(t, y, data_range=1.0), "ssim": ssim(t, y, data_range=1.0)})
    return rows
