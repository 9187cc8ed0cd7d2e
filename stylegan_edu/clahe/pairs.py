r"""The paired training set of chapter 11: photos, the CLAHE target, and (degraded, target) crops.

* :data:`TRAIN_IMAGES` and :func:`load_photos`: the ``skimage.data`` photos
  the generator learns from (the held-out ones are in
  :mod:`stylegan_edu.clahe.evaluation`);
* :class:`ClaheTarget`, :func:`tile_grid_for` and :func:`clahe_target`: the
  task, classical CLAHE with tiles of a fixed size in pixels;
* :func:`clahe_pairs`: a ``tf.data`` pipeline of (degraded crop, CLAHE target
  crop) pairs.
"""

import dataclasses

import numpy as np

from stylegan_edu._validation import check_choice, check_float_range, check_names, check_positive_int, check_seed, invalid
from stylegan_edu.clahe._image import _check_image, _quantise_8bit, _to_float, to_luminance
from stylegan_edu.clahe.classical import BACKENDS, clahe
from stylegan_edu.clahe.degradations import DEGRADATIONS, RESTORATION_DEGRADATIONS, damage, low_contrast, random_tone
from stylegan_edu.clahe.repairs import REPAIRS, repair_stack

__all__ = ["TRAIN_IMAGES", "ClaheTarget", "TARGET", "tile_grid_for", "clahe_target", "load_photos", "clahe_pairs"]

#: The photos of ``skimage.data`` the generator is trained on (grey or RGB;
#: RGB photos are used through their luminance).
TRAIN_IMAGES = (
    "camera", "astronaut", "rocket", "coins", "page",
    "text", "brick", "grass", "gravel", "clock", "immunohistochemistry", "cell",
)


@dataclasses.dataclass(frozen=True)
class ClaheTarget:
    """The CLAHE the generator learns to reproduce (chapter 11's task)."""

    clip_limit: float = 0.01  # skimage's default normalised clip limit (OpenCV 2.56)
    tile_px: int = 64  # tile size in pixels; the grid follows the image size (64 px tiles)
    backend: str = "skimage"  # the reference implementation

    def __post_init__(self):
        check_float_range("clip_limit", self.clip_limit, 0.0, 1.0, low_inclusive=False)
        check_positive_int("tile_px", self.tile_px)
        check_choice("backend", self.backend, BACKENDS)


#: The target of chapter 11: skimage CLAHE, clip limit 0.01, 64-pixel tiles.
TARGET = ClaheTarget()


def tile_grid_for(shape, tile_px=64):
    """The tile grid that gives tiles of about ``tile_px`` pixels (at least 1 x 1).

    A fixed grid (8 x 8) means 64-pixel tiles on a 512 image but 16-pixel
    tiles on a 128 crop, a different operation; fixing the tile size in
    pixels makes CLAHE the same local operation at every image size, which is
    what a convolutional network can learn.

    Example:

    >>> tile_grid_for((512, 384)), tile_grid_for((40, 40))
    ((8, 6), (1, 1))
    """
    check_positive_int("tile_px", tile_px)
    ok = isinstance(shape, (tuple, list)) and len(shape) >= 2
    if not ok or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1 for s in shape[:2]):
        raise invalid("shape", "an image shape (H, W) or (H, W, C) with H, W >= 1", f"shape={shape!r}")
    h, w = shape[:2]
    return (max(1, round(h / tile_px)), max(1, round(w / tile_px)))


def clahe_target(image, target=TARGET):
    """The CLAHE target of an image: :func:`clahe` with ``target``'s settings.

    Args:
        image: uint8 or float in [0, 1], grey or RGB.
        target: a :class:`ClaheTarget` (default :data:`TARGET`).

    Returns:
        The enhanced image, same shape and dtype.

    Example:

    >>> import numpy as np
    >>> clahe_target(np.zeros((64, 64), np.uint8)).shape
    (64, 64)
    """
    if not isinstance(target, ClaheTarget):
        raise invalid("target", "a ClaheTarget", f"{type(target).__name__}")
    a = _check_image(image)
    return clahe(a, target.clip_limit, tile_grid_for(a.shape, target.tile_px), target.backend)


def load_photos(names, max_side=512):
    """Grey versions of ``skimage.data`` photos (bundled with scikit-image; offline).

    RGB photos become their BT.601 luminance; photos larger than
    ``max_side`` are downscaled (anti-aliased) so that the longer side is
    ``max_side``; smaller ones are kept as they are.

    Args:
        names: names of ``skimage.data`` images, e.g. :data:`TRAIN_IMAGES`.
        max_side: longest side in pixels after downscaling, >= 64.

    Returns:
        dict ``{name: float32 (H, W) array in [0, 1]}``.

    Example:

    >>> photos = load_photos(["camera", "coffee"], max_side=256)
    >>> {k: v.shape for k, v in photos.items()}
    {'camera': (256, 256), 'coffee': (171, 256)}
    """
    import skimage.data
    from skimage.transform import resize

    check_positive_int("max_side", max_side, minimum=64)
    names = check_names("names", names)  # a bare string is one name
    out = {}
    for name in names:
        fn = getattr(skimage.data, str(name), None)
        if fn is None or not callable(fn):
            raise invalid("names", "names of skimage.data images, e.g. 'camera'", f"{name!r}")
        y = to_luminance(fn())  # (H, W) float64
        h, w = y.shape
        scale = max_side / max(h, w)
        if scale < 1.0:
            y = resize(y, (round(h * scale), round(w * scale)), anti_aliasing=True, order=1)
        out[str(name)] = np.clip(y, 0.0, 1.0).astype(np.float32)
    return out


def _pair_stream(clean, targets, patch, kinds, max_strength, clean_fraction, seed, target=TARGET,
                 tone_fraction=0.0, repairs=()):
    """Endless (degraded crop, target) pairs, (P, P, 1 + len(repairs)) and (P, P, 1) float32.

    ``targets=None``: the target is the CLAHE of the clean crop itself;
    ``targets="clean"``: the clean crop itself, with the contrast change of a
    degradation kept (restoration pairs);
    otherwise the crop of the whole image's target at the same place.
    """
    rng = np.random.default_rng(seed)
    names = list(clean)
    sizes = np.array([clean[n].size for n in names], dtype=np.float64)
    probs = sizes / sizes.sum()  # sample images in proportion to their area
    whole = isinstance(targets, dict)  # crops of whole-image targets
    while True:
        name = names[rng.choice(len(names), p=probs)]
        img = clean[name]
        whole_target = targets[name] if whole else None
        if tone_fraction and rng.uniform() < tone_fraction:
            img = random_tone(img, rng)  # a new clean photo (H, W) ...
            if whole:
                whole_target = _to_float(clahe_target(img, target))  # ... with its own whole-image target
        h, w = img.shape
        y0, x0 = rng.integers(0, h - patch + 1), rng.integers(0, w - patch + 1)
        x = img[y0 : y0 + patch, x0 : x0 + patch]  # (P, P)
        if targets == "clean":
            t = _quantise_8bit(x)  # (P, P): the clean crop, 8-bit like the input
        elif whole_target is None:
            t = clahe_target(x, target)  # (P, P): CLAHE of the clean crop, tiles of target.tile_px
        else:
            t = whole_target[y0 : y0 + patch, x0 : x0 + patch]  # (P, P)
        if rng.uniform() >= clean_fraction:
            kind = kinds[rng.integers(len(kinds))]
            hurt = low_contrast if kind in DEGRADATIONS else damage
            strength = float(rng.uniform(0.0, max_strength))
            clean_crop, x = x, hurt(x, kind, strength, seed=int(rng.integers(2**31)))
            if targets == "clean" and kind in DEGRADATIONS:
                t = _quantise_8bit(x)  # a contrast change only: CLAHE's job, not the cleaner's
            elif targets == "clean" and kind == "dim_noisy":
                t = _quantise_8bit(low_contrast(clean_crop, "compress", strength))  # the dim exposure, without its noise
        x = _quantise_8bit(x)  # stored as 8-bit, like a real photo
        k, flip = int(rng.integers(4)), bool(rng.integers(2))
        x, t = np.rot90(x, k), np.rot90(t, k)
        if flip:
            x, t = x[:, ::-1], t[:, ::-1]
        x = repair_stack(x, repairs) if repairs else x[..., None]  # (P, P, 1 + K)
        yield x.astype(np.float32), t[..., None].astype(np.float32)


def clahe_pairs(images, patch=64, batch_size=16, kinds=DEGRADATIONS, max_strength=0.7,
                clean_fraction=0.25, target=TARGET, seed=0, target_from="image", tone_fraction=0.0, repairs=()):
    r"""A ``tf.data`` pipeline of (degraded crop, CLAHE target crop) pairs.

    Each example is a random ``patch`` x ``patch`` crop of a clean photo and
    of its CLAHE target at the same place. The input is the crop degraded by
    a random kind from ``kinds`` with a strength drawn uniformly from
    [0, ``max_strength``] (or left clean with probability
    ``clean_fraction``) and quantised to 8 bits; input and target get the
    same random rotation/flip. With probability ``tone_fraction`` the clean
    photo is first re-exposed by :func:`random_tone` (a new clean photo with
    its own target). The stream is endless and depends only on ``seed``.

    The target (:func:`clahe_target`, 64-pixel tiles) is by default computed
    on the *whole* clean photo and cropped (``target_from="image"``), which
    is what the model is asked to reproduce on a whole photo. Pixels near
    the crop's border then depend on tiles the network does not see:
    ``ConditionalLossConfig.margin`` leaves them out of the loss.
    ``target_from="crop"`` instead takes the CLAHE of each crop on its own;
    that is a different operation, because skimage stretches the image from
    its minimum to its maximum before and after equalising, and a crop's
    range is not the photo's (chapter 11 measures the difference).
    ``target_from="clean"`` makes restoration pairs: the target is the clean
    crop itself (no CLAHE), to train the cleaning stage of a restoring model
    on its own. It removes only what CLAHE cannot undo: a contrast change
    (the kinds of :data:`DEGRADATIONS`, and the dim exposure of
    ``"dim_noisy"``) stays in the target, since CLAHE stretches it back.
    With ``repairs`` each input also carries its classical repairs as
    channels (:func:`~stylegan_edu.clahe.repair_stack`, computed on the
    8-bit damaged crop), the input of a restoring model with
    ``ToneGridConfig.restore_repairs``.

    Args:
        images: dict ``{name: (H, W) float in [0, 1]}`` (from
            :func:`load_photos`) or a sequence of such arrays; each at least
            ``patch`` pixels on both sides.
        patch: crop size, a multiple of 64 from 64 to 512 (whole 64-pixel tiles).
        batch_size: examples per batch.
        kinds: degradations to draw from: :data:`DEGRADATIONS` (:func:`low_contrast`) and
            :data:`RESTORATION_DEGRADATIONS` (:func:`damage`).
        max_strength: the largest degradation strength, in [0, 1].
        clean_fraction: probability that an input is not degraded at all.
        target: a :class:`ClaheTarget`.
        seed: seed of crops, degradations and augmentation.
        target_from: ``"image"`` (crops of the CLAHE of each whole clean
            photo), ``"crop"`` (CLAHE of each clean crop) or ``"clean"``
            (the clean crop, no CLAHE).
        tone_fraction: probability of re-exposing the clean photo with
            :func:`random_tone` first, in [0, 1].
        repairs: names from :data:`~stylegan_edu.clahe.REPAIRS` to add to
            each input as channels (default none).

    Returns:
        ``tf.data.Dataset`` of ``(inputs, targets)``, float32 in [0, 1]:
        inputs (B, patch, patch, 1 + len(repairs)), targets
        (B, patch, patch, 1).

    Example:

    >>> import numpy as np
    >>> img = np.random.default_rng(0).uniform(size=(80, 80)).astype("float32")
    >>> ds = clahe_pairs([img], patch=64, batch_size=2)
    >>> x, t = next(iter(ds))
    >>> tuple(x.shape), tuple(t.shape)
    ((2, 64, 64, 1), (2, 64, 64, 1))
    """
    import tensorflow as tf

    patch = check_positive_int("patch", patch, minimum=64)
    if patch % 64 or patch > 512:
        raise invalid("patch", "a multiple of 64 from 64 to 512", f"patch={patch}")
    check_positive_int("batch_size", batch_size)
    check_choice("target_from", target_from, ("crop", "image", "clean"))
    if not isinstance(target, ClaheTarget):
        raise invalid("target", "a ClaheTarget", f"{type(target).__name__}")
    max_strength = check_float_range("max_strength", max_strength, 0.0, 1.0)
    clean_fraction = check_float_range("clean_fraction", clean_fraction, 0.0, 1.0)
    tone_fraction = check_float_range("tone_fraction", tone_fraction, 0.0, 1.0)
    repairs = check_names("repairs", repairs, tuple(REPAIRS), allow_empty=True)
    kinds = check_names("kinds", kinds, DEGRADATIONS + RESTORATION_DEGRADATIONS)  # a bare string is one kind, not a sequence of letters
    check_seed("seed", seed, allow_none=False)
    if isinstance(images, np.ndarray) and images.ndim == 2:
        images = [images]  # one photo
    if not isinstance(images, dict):
        images = {f"image_{i}": im for i, im in enumerate(images)}
    if not images:
        raise invalid("images", "at least one photo, (H, W) or (H, W, 3)", "no images")
    clean = {}
    for name, im in images.items():
        y = to_luminance(_check_image(im, name=f"images[{name!r}]"))
        if min(y.shape) < patch:
            raise invalid("images", f"images of at least {patch} x {patch} pixels", f"{name} of shape {y.shape}")
        clean[name] = y
    targets = "clean" if target_from == "clean" else None
    if target_from == "image":
        targets = {n: _to_float(clahe_target(y, target)) for n, y in clean.items()}
    ds = tf.data.Dataset.from_generator(
        lambda: _pair_stream(clean, targets, patch, kinds, max_strength, clean_fraction, seed, target, tone_fraction, repairs),
        output_signature=(tf.TensorSpec((patch, patch, 1 + len(repairs)), tf.float32), tf.TensorSpec((patch, patch, 1), tf.float32)),
    )
    return ds.batch(batch_size, drop_remainder=True).prefetch(2)
