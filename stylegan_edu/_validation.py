"""Keras-style argument checks shared by every module.

Every message follows the Keras template::

    Invalid value for argument `clip_limit`. Expected a float in (0, 1].
    Received: clip_limit=-1.0
"""

import numbers

import numpy as np


def invalid(name, expected, received):
    """Build the ``ValueError`` for a bad argument, in the Keras template.

    Args:
        name: the argument's name.
        expected: what was expected, as a phrase ("a positive integer").
        received: what was received. A string is used as it is after
            ``Received: `` (so callers write ``"min=-0.3"`` or
            ``f"{name}={value!r}"``); any other value is shown as
            ``name=repr(value)``.

    Returns:
        ValueError: the exception, for the caller to raise.

    Example:

    >>> str(invalid("clip_limit", "a float in (0, 1]", -1.0))
    'Invalid value for argument `clip_limit`. Expected a float in (0, 1]. Received: clip_limit=-1.0'
    """
    if not isinstance(received, str):
        received = f"{name}={received!r}"
    return ValueError(f"Invalid value for argument `{name}`. Expected {expected}. Received: {received}")


def check_positive_int(name, value, minimum=1):
    """Return ``value`` if it is an integer >= ``minimum``, else raise.

    Example:

    >>> check_positive_int("epochs", 3)
    3
    >>> check_positive_int("epochs", 0)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `epochs`. Expected an integer >= 1. Received: epochs=0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise invalid(name, f"an integer >= {minimum}", f"{name}={value!r}")
    return int(value)


def check_float_range(name, value, low=None, high=None, low_inclusive=True, high_inclusive=True):
    """Return ``value`` as a float if it lies in the given range, else raise.

    Example:

    >>> check_float_range("rate", 0.5, 0.0, 1.0, high_inclusive=False)
    0.5
    >>> check_float_range("rate", 1.0, 0.0, 1.0, high_inclusive=False)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `rate`. Expected a float in [0.0, 1.0). Received: rate=1.0
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    if ok and low is not None:
        ok = value >= low if low_inclusive else value > low
    if ok and high is not None:
        ok = value <= high if high_inclusive else value < high
    if not ok:
        left = ("[" if low_inclusive else "(") + ("-inf" if low is None else str(low))
        right = ("inf" if high is None else str(high)) + ("]" if high_inclusive else ")")
        raise invalid(name, f"a float in {left}, {right}", f"{name}={value!r}")
    return float(value)


def check_choice(name, value, choices):
    """Return ``value`` if it is one of ``choices``, else raise listing them.

    Example:

    >>> check_choice("kind", "l1", ("l1", "l2"))
    'l1'
    >>> check_choice("kind", "l3", ("l1", "l2"))
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `kind`. Expected one of 'l1', 'l2'. Received: kind='l3'
    """
    if value not in choices:
        raise invalid(name, "one of " + ", ".join(repr(c) for c in choices), f"{name}={value!r}")
    return value


def check_finite(name, array):
    """Raise if a numpy-convertible array holds NaN or inf; return it as numpy.

    Example:

    >>> check_finite("x", [1.0, float("nan")])
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `x`. Expected finite values. Received: 1 non-finite value(s) out of 2
    """
    a = np.asarray(array)
    if a.dtype.kind in "fc":
        bad = int(np.size(a) - np.count_nonzero(np.isfinite(a)))
        if bad:
            raise invalid(name, "finite values", f"{bad} non-finite value(s) out of {a.size}")
    return a


def concrete(x):
    """A numpy copy of ``x`` when it has concrete values, else ``None`` (a symbolic tensor while tracing).

    Example:

    >>> concrete([1.0, 2.0]).tolist()
    [1.0, 2.0]
    """
    try:
        from keras import ops

        return np.asarray(ops.convert_to_numpy(x))
    except Exception:  # a symbolic tensor inside tf.function / jax.jit has no values yet
        return None


def check_finite_if_concrete(name, x):
    """:func:`check_finite` on a tensor's values in eager mode; nothing while tracing (shapes only then).

    Example:

    >>> check_finite_if_concrete("x", [float("inf")])
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `x`. Expected finite values. Received: 1 non-finite value(s) out of 1
    """
    a = concrete(x)
    if a is not None:
        check_finite(name, a)


def check_same_shape(name_a, a, name_b, b):
    """Raise if two tensors do not have the same static shape.

    Example:

    >>> import numpy as np
    >>> check_same_shape("y_true", np.zeros((2, 3)), "y_pred", np.zeros((2, 4)))
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `y_pred`. Expected the same shape as `y_true`, (2, 3). Received: shape (2, 4)
    """
    sa, sb = tuple(a.shape), tuple(b.shape)
    if sa != sb:
        raise invalid(name_b, f"the same shape as `{name_a}`, {sa}", f"shape {sb}")


def check_layers(features, targets, layer_weights=None, targets_name="targets"):
    """Check the per-layer inputs of a multi-layer loss; return them as dicts with float weights.

    Args:
        features: ``{layer: feature map}``, or one feature map (a single
            layer named ``"features"``).
        targets: the targets, with the same layers (or one target).
        layer_weights: ``{layer: weight >= 0}`` (missing layers get 0), or
            ``None`` for ``1 / L`` each.
        targets_name: the targets' argument name, for error messages.

    Returns:
        tuple: ``(features, targets, weights)``, dicts keyed by layer.

    Example:

    >>> check_layers({"a": 1, "b": 2}, {"a": 3, "b": 4})[2]
    {'a': 0.5, 'b': 0.5}
    >>> check_layers({"a": 1}, {"b": 3}, targets_name="target_grams")
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `target_grams`. Expected a dict with the same layers as `features`, ['a']. Received: ['b']
    """
    if not isinstance(features, dict):
        features, targets = {"features": features}, {"features": targets}
    if not isinstance(targets, dict) or set(features) != set(targets):
        got = sorted(targets) if isinstance(targets, dict) else type(targets).__name__
        raise invalid(targets_name, f"a dict with the same layers as `features`, {sorted(features)}", f"{got}")
    names = list(features)
    if layer_weights is None:
        layer_weights = {n: 1.0 / len(names) for n in names}
    unknown = set(layer_weights) - set(names)
    if unknown:
        raise invalid("layer_weights", f"weights for layers among {names}", f"unknown layers {sorted(unknown)}")
    weights = {n: check_float_range(f"layer_weights[{n!r}]", layer_weights.get(n, 0.0), 0.0) for n in names}
    return features, targets, weights


#: The value ranges :func:`as_image` converts between: floats in [0, 1],
#: floats in [-1, 1] (the generator's tanh), and 8-bit integers 0..255.
IMAGE_RANGES = ((0, 1), (-1, 1), "uint8")


def _range_bounds(name, value_range):
    """``(lo, hi)`` floats for a value range (``"uint8"`` is (0, 255)), or raise."""
    if isinstance(value_range, str) and value_range == "uint8":
        return 0.0, 255.0
    ok = isinstance(value_range, (tuple, list)) and len(value_range) == 2
    ok = ok and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value_range)
    if not ok or not value_range[0] < value_range[1]:
        raise invalid(name, "(0, 1), (-1, 1), 'uint8', or another (low, high) with low < high", f"{name}={value_range!r}")
    return float(value_range[0]), float(value_range[1])


def _range_hint(lo, hi, amin, amax):
    """A hint for data in a familiar range that is not the expected one."""
    if hi <= 1 and 2 < amax <= 255 and amin >= 0:
        if lo < 0:
            return " (this looks like 0..255: scale it with x / 127.5 - 1, as stylegan_edu.data.to_unit_range does)"
        return " (this looks like 0..255: divide by 255, or pass a uint8 array)"
    if (lo, hi) == (0.0, 1.0) and amin >= -1 and amax <= 1:
        return " (this looks like [-1, 1]: use (x + 1) / 2)"
    return ""


def as_image(x, value_range=None, to=None, *, name="x", dtype="float32", clip=False, ndim=None, where=None):
    r"""Check an image (or a batch) and convert it between value ranges.

    The one converter between floats in [0, 1], floats in [-1, 1] and
    ``uint8`` 0..255. Floats are mapped linearly,
    :math:`y = (x - lo) / (hi - lo) \cdot (hi' - lo') + lo'`; ``"uint8"``
    output is rounded to the nearest level, as ``skimage.util.img_as_ubyte``
    does.

    Args:
        x: array-like (numpy, a Keras or TensorFlow tensor, a list).
        value_range: the range of ``x``: ``(0, 1)``, ``(-1, 1)``, ``"uint8"``
            or another ``(low, high)``. ``None`` infers it from the dtype:
            ``"uint8"`` for uint8 arrays, ``(0, 1)`` for anything else.
        to: the range to return: ``(0, 1)``, ``(-1, 1)``, ``"uint8"`` (a uint8
            array) or another ``(low, high)``; ``None`` keeps ``value_range``
            (only checks, and casts floats to ``dtype``).
        name: the argument's name, for error messages.
        dtype: the float dtype of float output.
        clip: clip values outside ``value_range`` (for display) instead of
            raising.
        ndim: allowed ranks (an int or a tuple), or ``None`` for any.
        where: a phrase appended to what was received, such as ``"batch 3"``
            (``Received: min=0, max=200 in batch 3``).

    Returns:
        np.ndarray: ``dtype`` floats in ``to``, or uint8 when ``to="uint8"``.

    Raises:
        ValueError: in the Keras template, for a rank not in ``ndim``,
            non-numeric or non-finite values, a uint8 range on non-integer
            data, or values outside ``value_range`` (with a hint when the data
            look like 0..255 or [-1, 1]).

    Example:

    >>> import numpy as np
    >>> as_image(np.array([0, 51, 255], np.uint8), to=(0, 1)).tolist()
    [0.0, 0.20000000298023224, 1.0]
    >>> as_image(np.array([0, 255], np.uint8), to=(-1, 1)).tolist()
    [-1.0, 1.0]
    >>> as_image(np.array([-1.0, 0.0, 1.0]), (-1, 1), to="uint8").tolist()
    [0, 128, 255]
    >>> as_image(np.array([0.0, 200.0]), (0, 1))
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `x`. Expected values in [0, 1] (this looks like 0..255: divide by 255, or pass a uint8 array). Received: min=0, max=200
    """
    if value_range is None:
        value_range = "uint8" if getattr(x, "dtype", None) == np.uint8 else (0, 1)
    lo, hi = _range_bounds("value_range", value_range)
    lo2, hi2 = (lo, hi) if to is None else _range_bounds("to", to)
    try:
        a = np.asarray(x)
    except (TypeError, ValueError):  # pragma: no cover - ragged lists, exotic objects
        raise invalid(name, "a numeric image array", f"{name} of type {type(x).__name__}") from None
    if a.dtype == bool:
        a = a.astype(np.uint8)
    if a.dtype.kind not in "uif":
        raise invalid(name, "a numeric image array", f"{name} of type {type(x).__name__} with dtype {a.dtype}")
    if ndim is not None:
        ranks = (ndim,) if isinstance(ndim, numbers.Integral) else tuple(ndim)
        if a.ndim not in ranks:
            expected = " or ".join(str(r) for r in ranks)
            raise invalid(name, f"an image array of rank {expected}", f"shape {a.shape}")
    if value_range == "uint8" and a.dtype.kind == "f":
        raise invalid(name, "an integer array with values 0..255 for value_range='uint8'", f"dtype {a.dtype}")
    suffix = f" in {where}" if where else ""
    try:
        check_finite(name, a)
    except ValueError as e:
        raise ValueError(f"{e}{suffix}") from None
    if a.size and not clip:
        tol = 1e-6 * (hi - lo)
        amin, amax = float(a.min()), float(a.max())
        if amin < lo - tol or amax > hi + tol:
            label = "0..255" if value_range == "uint8" else f"[{value_range[0]:g}, {value_range[1]:g}]"
            raise invalid(name, f"values in {label}{_range_hint(lo, hi, amin, amax)}", f"min={amin:.4g}, max={amax:.4g}{suffix}")
    if to == "uint8" and value_range == "uint8":
        return np.clip(a, 0, 255).astype(np.uint8)
    if a.dtype.kind in "ui":
        f = a.astype(dtype)
    else:
        f = a.astype(np.result_type(a.dtype, dtype), copy=False)
    if (lo2, hi2) != (lo, hi):
        if (lo, hi) == (0.0, 255.0):
            f = f / f.dtype.type(255.0 / (hi2 - lo2))  # x / 255 for [0, 1], x / 127.5 for [-1, 1]
        else:
            f = (f - f.dtype.type(lo)) / f.dtype.type(hi - lo) * f.dtype.type(hi2 - lo2)
        if lo2:
            f = f + f.dtype.type(lo2)
    if clip:
        f = np.clip(f, lo2, hi2)
    if to == "uint8":
        return np.round(np.clip(f, 0.0, 255.0)).astype(np.uint8)
    return f.astype(dtype, copy=False)
