r"""Training data for the two-player trainer: checks before the first step, and resumable batches.

:meth:`stylegan_edu.training.AdversarialTrainer.fit` calls these; they live
here, not in a model class, so that every trainer (the GAN of chapter 9, the
conditional GAN of chapter 11) checks and batches its data the same way.

* :func:`check_images` and :func:`check_image_pairs` reject data that a
  training step would silently mis-learn from (wrong shape, 0..255 pixels,
  NaN), naming what was expected and what was received.
* :func:`epoch_batches` shuffles arrays per epoch from ``(seed, epoch)``:
  epoch *k* sees the same batches whether or not the run was interrupted
  before it, which is what makes a resumed run equal an uninterrupted one.
"""

import numpy as np

from stylegan_edu._validation import as_image, check_positive_int, check_seed, invalid

__all__ = ["is_dataset", "check_images", "check_image_pairs", "epoch_batches"]

def is_dataset(x):
    """Whether ``x`` is a ``tf.data.Dataset`` (``False`` when TensorFlow is not installed).

    Example:

    >>> is_dataset([1, 2, 3])
    False
    """
    try:
        import tensorflow as tf
    except ImportError:  # pragma: no cover - TensorFlow is a dependency; the JAX path has no datasets
        return False
    return isinstance(x, tf.data.Dataset)


def _first_batch(x):
    sample = next(iter(x.take(1)), None)
    if sample is None:
        raise invalid("x", "a dataset with at least one batch", "an empty dataset")
    return sample


def _check_values(a, value_range, what):
    """Float pixels, finite, inside ``value_range`` (:func:`stylegan_edu._validation.as_image`'s checks)."""
    a = np.asarray(a)
    if a.size == 0:
        raise invalid("x", "at least one image", "an empty array")
    if a.dtype.kind != "f":  # uint8 would pass a range check against (0, 1) only by luck: say how to scale it
        lo, hi = value_range
        hint = " (scale uint8 with stylegan_edu.data.to_unit_range)" if lo < 0 else " (divide uint8 by 255)"
        raise invalid("x", f"float images in [{lo:g}, {hi:g}]{hint}", f"dtype={a.dtype}" + ("" if what == "x" else f" in {what}"))
    as_image(a, value_range, name="x", where=what)


def check_images(x, shape, value_range=(-1.0, 1.0)):
    """Reject image data that a training step would silently mis-learn from.

    Checks an array whole, and the first batch of a ``tf.data.Dataset``.

    Args:
        x: images (N, \\*shape) as an array, or a dataset of batches.
        shape: the shape of one image, e.g. ``(28, 28, 1)`` (what the
            generator makes).
        value_range: ``(lo, hi)`` the pixels must lie in.

    Raises:
        ValueError: naming what was expected and what was received.

    Example:

    >>> import numpy as np
    >>> check_images(np.zeros((4, 2, 2, 1), "float32"), (2, 2, 1))
    >>> check_images(np.full((4, 2, 2, 1), 255.0), (2, 2, 1))
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `x`. Expected values in [-1, 1] (this looks like 0..255: scale it with x / 127.5 - 1, as stylegan_edu.data.to_unit_range does). Received: min=255, max=255 in x
    """
    want = tuple(int(s) for s in shape)
    described = f"(N, {', '.join(map(str, want))})"
    if is_dataset(x):
        spec = x.element_spec
        got = tuple(spec.shape) if hasattr(spec, "shape") else None
        if got is None or tuple(got[1:]) != want:
            raise invalid("x", f"a dataset of image batches of shape {described.replace('N', 'B')} (what the generator makes)",
                          f"element_spec={spec}")
        _check_values(np.asarray(_first_batch(x)), value_range, "the first batch")
        return
    a = np.asarray(x)
    if a.ndim != len(want) + 1 or tuple(a.shape[1:]) != want:
        raise invalid("x", f"images of shape {described} (what the generator makes)", f"shape {a.shape}")
    _check_values(a, value_range, "x")


def check_image_pairs(x, value_range=(0.0, 1.0), size_multiple=1):
    """Reject ``(input, target)`` pairs that a conditional training step cannot use.

    Args:
        x: a tuple ``(inputs, targets)`` of arrays (N, H, W, C), or a dataset
            of such batch pairs (its first batch is checked).
        value_range: ``(lo, hi)`` both must lie in.
        size_multiple: height and width must be multiples of this (a U-Net's
            ``2 ** depth``).

    Returns:
        tuple: the shape of the inputs (of the first batch, for a dataset).

    Raises:
        ValueError: naming what was expected and what was received.

    Example:

    >>> import numpy as np
    >>> a = np.zeros((2, 16, 16, 1), "float32")
    >>> check_image_pairs((a, a), size_multiple=8)
    (2, 16, 16, 1)
    >>> check_image_pairs((a, a[:, :8]))
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `x`. Expected inputs and targets of the same shape (N, H, W, C). Received: shapes (2, 16, 16, 1) and (2, 8, 16, 1)
    """
    size_multiple = check_positive_int("size_multiple", size_multiple)
    if is_dataset(x):
        spec = x.element_spec
        if not (isinstance(spec, tuple) and len(spec) == 2):
            raise invalid("x", "a dataset of (input, target) batch pairs", f"element_spec={spec}")
        pair = tuple(np.asarray(s) for s in _first_batch(x))
    else:
        if not (isinstance(x, tuple) and len(x) == 2):
            raise invalid("x", "a tuple (inputs, targets) of arrays (N, H, W, C)", f"x of type {type(x).__name__}")
        pair = tuple(np.asarray(a) for a in x)
    a, b = pair
    if a.ndim != 4 or a.shape != b.shape:
        raise invalid("x", "inputs and targets of the same shape (N, H, W, C)", f"shapes {a.shape} and {b.shape}")
    if a.shape[1] % size_multiple or a.shape[2] % size_multiple:
        raise invalid("x", f"height and width that are multiples of {size_multiple} (the generator's stride)",
                      f"shape {a.shape}")
    for name, arr in (("inputs", a), ("targets", b)):
        _check_values(arr, value_range, name)
    return a.shape


def epoch_batches(arrays, batch_size, epochs, seed=0, initial_epoch=0):
    """Batches for epochs ``initial_epoch .. epochs - 1``, shuffled per epoch from ``(seed, epoch)``.

    Epoch *k* always sees the same order, whether or not the run was
    interrupted before it. The last partial batch of each epoch is dropped,
    so that every step has the same shape (what a compiled step wants).

    Args:
        arrays: an array (N, ...) or a tuple of arrays with the same N
            (e.g. inputs and targets), converted to float32.
        batch_size: the global batch size.
        epochs: the run's total number of epochs.
        seed: the shuffling seed.
        initial_epoch: the first epoch to yield (a resumed run's).

    Returns:
        tuple: ``(dataset, steps_per_epoch)``; the dataset yields a batch
        (B, ...) or a tuple of batches.

    Example:

    >>> import numpy as np
    >>> x = np.arange(10, dtype="float32")[:, None]
    >>> ds, steps = epoch_batches(x, 4, epochs=2, seed=0)
    >>> steps, [tuple(b.shape) for b in ds]
    (2, [(4, 1), (4, 1), (4, 1), (4, 1)])
    >>> resumed, _ = epoch_batches(x, 4, epochs=2, seed=0, initial_epoch=1)
    >>> [b.numpy().ravel().tolist() for b in resumed] == [b.numpy().ravel().tolist() for b in ds][2:]
    True
    """
    import tensorflow as tf

    arrays = arrays if isinstance(arrays, tuple) else (arrays,)
    if not arrays or not all(hasattr(a, "__len__") and np.ndim(a) >= 1 for a in arrays):
        raise invalid("arrays", "an array (N, ...) or a non-empty tuple of arrays with the same N",
                      f"arrays of type {type(arrays[0] if len(arrays) == 1 else arrays).__name__}" if arrays else "arrays=()")
    batch_size = check_positive_int("batch_size", batch_size)
    epochs = check_positive_int("epochs", epochs)
    seed = check_seed("seed", seed, allow_none=False)
    initial_epoch = check_positive_int("initial_epoch", initial_epoch, minimum=0)
    if initial_epoch >= epochs:
        raise invalid("initial_epoch", f"an integer in [0, epochs - 1] = [0, {epochs - 1}] (epochs is the run's total)",
                      f"initial_epoch={initial_epoch}")
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise invalid("arrays", "arrays with the same number of examples", f"lengths {[len(a) for a in arrays]}")
    steps = n // batch_size
    if steps < 1:
        raise invalid("batch_size", f"at most the number of training images ({n})", f"batch_size={batch_size}")
    perms = np.stack([np.random.default_rng([seed, e]).permutation(n)[: steps * batch_size]
                      for e in range(initial_epoch, epochs)])  # (epochs, steps * B)
    index = tf.data.Dataset.from_tensor_slices(perms.reshape(-1, batch_size).astype(np.int64))  # (B,) per element
    tensors = tuple(tf.constant(np.asarray(a, dtype=np.float32)) for a in arrays)
    if len(tensors) == 1:
        ds = index.map(lambda i: tf.gather(tensors[0], i))
    else:
        ds = index.map(lambda i: tuple(tf.gather(t, i) for t in tensors))
    return ds.prefetch(2), steps
