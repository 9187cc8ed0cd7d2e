"""Differentiable augmentation for data-efficient GAN training (DiffAugment).

With few training images (offline, this book's MNIST GAN has 8,000 digits) a
discriminator can memorise them: it then tells real from fake by recognising
the training set, and its gradients stop teaching the generator. DiffAugment
(Zhao et al., 2020) applies the *same kind* of random transformation to the
real and to the generated images before the discriminator sees them, in both
players' losses. The transformations are differentiable, so the generator's
gradient flows back through them; and because the generator is judged only
through augmented images, it cannot learn to produce the augmentation itself
(it still has to draw un-shifted digits, since an un-shifted digit shifted at
random looks like a shifted real digit).

Two policies, as in the paper:

* ``"translation"``: shift each image by a random whole number of pixels, at
  most ``ratio`` (1/8) of its size along each axis, filling with the
  background value -1;
* ``"cutout"``: blank one random square of half the image's side (set to 0,
  the middle of [-1, 1], as DiffAugment does).

Everything uses ``keras.ops`` and ``keras.random`` (it runs on the JAX
backend too); the shift is a product with one-hot shift matrices, so each
image gets its own offset without gathers.

:class:`stylegan_edu.training.TrainConfig` has the option ``augment`` (for
example ``"translation,cutout"``); :class:`stylegan_edu.gan.GAN` then passes
every image the discriminator sees through :func:`diff_augment`.
"""

import keras
from keras import ops

from stylegan_edu._validation import check_float_range, check_tensor, invalid

__all__ = ["POLICIES", "parse_policy", "random_translation", "random_cutout", "diff_augment"]

#: The augmentations :func:`diff_augment` knows, in the order it applies them.
POLICIES = ("translation", "cutout")


def parse_policy(policy, name="augment"):
    """A DiffAugment policy string as a tuple of known augmentation names.

    Args:
        policy: comma-separated names from :data:`POLICIES` (e.g.
            ``"translation,cutout"``), or ``""`` / ``None`` for none.
        name: the argument's name in error messages.

    Returns:
        tuple: the names, in the order :func:`diff_augment` applies them.

    Example:

    >>> parse_policy("cutout, translation")
    ('translation', 'cutout')
    >>> parse_policy("")
    ()
    >>> parse_policy("colour")
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `augment`. Expected comma-separated names from 'translation', 'cutout' (or '' for none). Received: augment='colour'
    """
    if policy is None:
        return ()
    if not isinstance(policy, str):
        raise invalid(name, "a string such as 'translation,cutout' (or '' for none)", f"{name}={policy!r}")
    names = [p.strip() for p in policy.split(",") if p.strip()]
    if any(n not in POLICIES for n in names) or len(set(names)) != len(names):
        raise invalid(name, "comma-separated names from " + ", ".join(map(repr, POLICIES)) + " (or '' for none)",
                      f"{name}={policy!r}")
    return tuple(p for p in POLICIES if p in names)


def _image_batch(images, seed):
    """A checked (B, H, W, C) tensor, its batch size B (a tensor), H, W, and a seed (``SeedGenerator(0)`` for ``None``)."""
    check_tensor("images", images, ndim=4)
    x = ops.convert_to_tensor(images)
    if len(x.shape) != 4:
        raise invalid("images", "a batch of images (B, H, W, C)", f"shape {tuple(x.shape)}")
    seed = seed if seed is not None else keras.random.SeedGenerator(0)
    return x, ops.shape(x)[0], int(x.shape[1]), int(x.shape[2]), seed


def _shift_matrices(offsets, size):
    """One-hot (B, size, size) matrices S with (S @ v)[i] = v[i - offset] (0 where i - offset is outside)."""
    rows = ops.arange(size)[None, :, None]  # (1, size, 1): output index i
    cols = ops.arange(size)[None, None, :]  # (1, 1, size): input index j
    return ops.cast(ops.equal(rows - offsets[:, None, None], cols), "float32")  # (B, size, size)


def random_translation(images, ratio=0.125, seed=None):
    r"""Shift each image by its own random whole number of pixels, filling with -1 (the background).

    Formula:
        :math:`y_{b,i,j} = x_{b,\,i - s_b,\,j - t_b}` (and -1 where that pixel
        is outside), with :math:`s_b, t_b` uniform integers in
        :math:`[-\lfloor rH \rceil, \lfloor rH \rceil]` (and :math:`W`).

    Args:
        images: (B, H, W, C) tensor in [-1, 1].
        ratio: the largest shift as a share of the side, in [0, 1).
        seed: ``None``, an int or a ``keras.random.SeedGenerator``.

    Returns:
        Tensor: the shifted images, (B, H, W, C), differentiable in ``images``.

    Example:

    >>> import numpy as np
    >>> x = -np.ones((1, 4, 4, 1), "float32"); x[0, 1, 1, 0] = 1.0
    >>> y = np.asarray(random_translation(x, ratio=0.25, seed=1))  # at most 1 pixel each way
    >>> float(y.max()), int((y > 0).sum()), float(y.min())
    (1.0, 1, -1.0)
    """
    x, batch, height, width, seed = _image_batch(images, seed)
    ratio = check_float_range("ratio", ratio, 0.0, 1.0, high_inclusive=False)
    max_h, max_w = int(round(height * ratio)), int(round(width * ratio))
    dy = keras.random.randint((batch,), -max_h, max_h + 1, seed=seed)  # (B,)
    dx = keras.random.randint((batch,), -max_w, max_w + 1, seed=seed)  # (B,)
    shift_h = _shift_matrices(dy, height)  # (B, H, H)
    shift_w = _shift_matrices(dx, width)  # (B, W, W)
    x = ops.cast(x, "float32") + 1.0  # background 0, so the zero fill of the shift is the background -1 afterwards
    y = ops.einsum("bij,bjkc,blk->bilc", shift_h, x, shift_w)  # rows shifted by dy, columns by dx
    return y - 1.0


def random_cutout(images, ratio=0.5, seed=None):
    r"""Set one random square of each image to 0 (DiffAugment's cutout).

    Formula:
        :math:`y = x \cdot (1 - M)` with :math:`M` one on a
        :math:`\lfloor rH \rceil \times \lfloor rW \rceil` square whose centre is
        uniform over the image (the square may reach past an edge).

    Args:
        images: (B, H, W, C) tensor.
        ratio: the square's side as a share of the image's, in (0, 1].
        seed: ``None``, an int or a ``keras.random.SeedGenerator``.

    Returns:
        Tensor: (B, H, W, C), differentiable in ``images``.

    Example:

    >>> import numpy as np
    >>> y = np.asarray(random_cutout(np.ones((2, 8, 8, 1), "float32"), ratio=0.5, seed=0))
    >>> [int((y[i] == 0).sum()) <= 16 and int((y[i] == 0).sum()) >= 4 for i in range(2)]
    [True, True]
    """
    x, batch, height, width, seed = _image_batch(images, seed)
    ratio = check_float_range("ratio", ratio, 0.0, 1.0, low_inclusive=False)
    size_h, size_w = int(round(height * ratio)), int(round(width * ratio))
    cy = keras.random.randint((batch,), 0, height + (1 - size_h % 2), seed=seed)  # (B,) centre row, as DiffAugment draws it
    cx = keras.random.randint((batch,), 0, width + (1 - size_w % 2), seed=seed)  # (B,)
    rows = ops.arange(height)[None, :]  # (1, H)
    cols = ops.arange(width)[None, :]  # (1, W)
    top, left = cy[:, None] - size_h // 2, cx[:, None] - size_w // 2  # (B, 1)
    in_rows = ops.logical_and(rows >= top, rows < top + size_h)  # (B, H)
    in_cols = ops.logical_and(cols >= left, cols < left + size_w)  # (B, W)
    mask = ops.logical_and(in_rows[:, :, None], in_cols[:, None, :])  # (B, H, W)
    keep = 1.0 - ops.cast(mask, "float32")[..., None]  # (B, H, W, 1)
    return ops.cast(x, "float32") * keep


def diff_augment(images, policy="translation,cutout", seed=None):
    """Apply a DiffAugment policy to a batch (the same policy to real and fake images).

    Args:
        images: (B, H, W, C) tensor in [-1, 1].
        policy: see :func:`parse_policy`; ``""`` returns the images unchanged.
        seed: ``None``, an int or a ``keras.random.SeedGenerator``.

    Returns:
        Tensor: the augmented images, (B, H, W, C).

    Example:

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    >>> tuple(diff_augment(x, seed=0).shape), bool((np.asarray(diff_augment(x, "")) == x).all())
    ((4, 28, 28, 1), True)
    """
    names = parse_policy(policy, name="policy")
    if not names:
        return images
    seed = seed if seed is not None else keras.random.SeedGenerator(0)
    x = images
    if "translation" in names:
        x = random_translation(x, seed=seed)
    if "cutout" in names:
        x = random_cutout(x, seed=seed)
    return x
