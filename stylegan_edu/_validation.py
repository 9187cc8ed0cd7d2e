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


def check_layers(features, targets, layer_weights=None, targets_name="targets", weights_name="layer_weights"):
    """Check the per-layer inputs of a multi-layer loss; return them as dicts with float weights.

    Args:
        features: ``{layer: feature map}``, or one feature map (a single
            layer named ``"features"``).
        targets: the targets, with the same layers (or one target).
        layer_weights: ``{layer: weight >= 0}`` (missing layers get 0), or
            ``None`` for ``1 / L`` each.
        targets_name: the targets' argument name, for error messages.
        weights_name: the layer weights' argument name, for error messages.

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
    if not isinstance(layer_weights, dict):
        raise invalid(weights_name, f"None or a dict {{layer: weight >= 0}} for layers among {names}",
                      f"{weights_name} of type {type(layer_weights).__name__}")
    unknown = set(layer_weights) - set(names)
    if unknown:
        raise invalid(weights_name, f"weights for layers among {names}", f"unknown layers {sorted(unknown, key=str)}")
    weights = {n: check_float_range(f"{weights_name}[{n!r}]", layer_weights.get(n, 0.0), 0.0) for n in names}
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


def check_bool(name, value):
    """Return ``value`` if it is ``True`` or ``False``, else raise (truthy strings such as ``'no'`` are rejected).

    Example:

    >>> check_bool("saturating", False)
    False
    >>> check_bool("saturating", "no")
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `saturating`. Expected True or False. Received: saturating='no'
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise invalid(name, "True or False", f"{name}={value!r}")


def check_names(name, value, choices=None, allow_empty=False):
    """Return a tuple of names: a bare string is one name, not a sequence of letters.

    Args:
        name: the argument's name, for error messages.
        value: a string or a sequence of strings.
        choices: the allowed names, or ``None`` for any non-empty string.
        allow_empty: whether an empty sequence is allowed.

    Example:

    >>> check_names("kinds", "gamma", ("gamma", "haze"))
    ('gamma',)
    >>> check_names("kinds", ("gamma", "fog"), ("gamma", "haze"))
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `kinds`. Expected names among 'gamma', 'haze'. Received: unknown name(s) ['fog'] in kinds=('gamma', 'fog')
    """
    if isinstance(value, str):
        value = (value,)
    expected = "a name or a sequence of names" if choices is None else "names among " + ", ".join(repr(c) for c in choices)
    try:
        value = tuple(value)
    except TypeError:
        raise invalid(name, expected, f"{name}={value!r}") from None
    if not all(isinstance(v, str) and v for v in value):
        raise invalid(name, expected, f"{name}={value!r}")
    if not value and not allow_empty:
        raise invalid(name, f"at least one name ({expected})", f"{name}={value!r}")
    if choices is not None:
        unknown = [v for v in value if v not in choices]
        if unknown:
            raise invalid(name, expected, f"unknown name(s) {unknown} in {name}={value!r}")
    return value


def check_array(name, x, ndim=None, dtype="float64", min_size=1, allow_integer=True):
    """Convert ``x`` to a finite numeric numpy array, else raise naming ``name``.

    Rejects what would silently give a wrong number: strings and objects,
    complex values (whose imaginary part a float cast drops), NaN or inf,
    empty arrays (whose mean is NaN), and ranks not in ``ndim``. Booleans are
    read as 0 and 1.

    Args:
        name: the argument's name.
        x: array-like, or a tensor with concrete values.
        ndim: allowed ranks (an int or a tuple), or ``None``.
        dtype: the dtype of the returned array (``None`` keeps the input's).
        min_size: the least number of elements.
        allow_integer: whether integer input is accepted (it is cast to ``dtype``).

    Example:

    >>> check_array("x", [[1, 2]], ndim=2).dtype.name
    'float64'
    >>> check_array("x", [1 + 2j])
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `x`. Expected a real numeric array. Received: x with dtype complex128
    >>> check_array("x", [])
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `x`. Expected a non-empty array (at least 1 element). Received: shape (0,)
    """
    a = concrete(x) if not isinstance(x, (np.ndarray, list, tuple, numbers.Number)) else None
    if a is None:
        try:
            a = np.asarray(x)
        except (TypeError, ValueError):
            raise invalid(name, "a real numeric array", f"{name} of type {type(x).__name__}") from None
    if a.dtype == bool:
        a = a.astype(np.uint8)
    kinds = "uif" if allow_integer else "f"
    if a.dtype.kind not in kinds:
        what = "a real numeric array" if allow_integer else "a float array"
        raise invalid(name, what, f"{name} with dtype {a.dtype}" if a.dtype.kind != "O" else f"{name} of type {type(x).__name__}")
    if ndim is not None:
        ranks = (ndim,) if isinstance(ndim, numbers.Integral) else tuple(ndim)
        if a.ndim not in ranks:
            raise invalid(name, "an array of rank " + " or ".join(str(r) for r in ranks), f"shape {a.shape}")
    if a.size < min_size:
        raise invalid(name, f"a non-empty array (at least {min_size} element{'s' if min_size > 1 else ''})", f"shape {a.shape}")
    check_finite(name, a)
    return a if dtype is None else a.astype(dtype, copy=False)


def check_tensor(name, x, ndim=None, min_size=1):
    """Eager-mode :func:`check_array` for a tensor going into ``keras.ops`` code: nothing while tracing.

    Checks the dtype always (complex, strings), and size and finiteness only
    when the values are concrete; returns nothing.

    Example:

    >>> check_tensor("fake_logits", [[0.5]])
    >>> check_tensor("fake_logits", [1j])
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `fake_logits`. Expected a real numeric array. Received: fake_logits with dtype complex128
    """
    dt = getattr(x, "dtype", None)
    if dt is not None:
        try:
            import keras

            kind = keras.backend.standardize_dtype(dt)
        except Exception:  # pragma: no cover - an exotic dtype object
            kind = str(dt)
        if kind.startswith(("complex", "string", "str", "object")):
            raise invalid(name, "a real numeric array", f"{name} with dtype {kind}")
    a = concrete(x)
    if a is None:
        if dt is None:
            raise invalid(name, "a real numeric array", f"{name} of type {type(x).__name__}")
        return
    check_array(name, a, ndim=ndim, dtype=None, min_size=min_size)


#: The most bytes a function allocates for one result before refusing: sizes
#: known up front above this give a clear error rather than exhausting memory.
MAX_ALLOCATION_BYTES = 2 * 1024**3


def check_allocation(name, shape, itemsize=4, received=None):
    """Raise if an array of ``shape`` would take more than :data:`MAX_ALLOCATION_BYTES`.

    Example:

    >>> check_allocation("n", (10, 100))
    >>> check_allocation("n", (2 * 10**7, 100), received="n=20000000")
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `n`. Expected a size whose array fits in 2 GB (this one needs 8 GB). Received: n=20000000
    """
    n = 1
    for s in shape:
        n *= int(s)
    need = n * int(itemsize)
    if need > MAX_ALLOCATION_BYTES:
        raise invalid(name, f"a size whose array fits in {MAX_ALLOCATION_BYTES / 1024**3:g} GB (this one needs {need / 1e9:.3g} GB)",
                      received if received is not None else f"shape {tuple(int(s) for s in shape)}")


def check_learning_rate(name, value, high=10.0):
    """Return a learning rate: a finite float in (0, ``high``], else raise.

    Example:

    >>> check_learning_rate("learning_rate", 2e-4)
    0.0002
    >>> check_learning_rate("learning_rate", -1.0)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `learning_rate`. Expected a float in (0.0, 10.0]. Received: learning_rate=-1.0
    """
    return check_float_range(name, value, 0.0, high, low_inclusive=False)


def check_covariance(name, sigma, dim=None):
    """Raise unless ``sigma`` is a finite, symmetric, positive semi-definite (D, D) matrix; return it as float64.

    A corrupted statistics file or a hand-made matrix such as ``-I`` would
    otherwise give a plausible distance (the square root clips negative
    eigenvalues to 0).

    Example:

    >>> import numpy as np
    >>> check_covariance("sigma1", -np.eye(2))
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `sigma1`. Expected a positive semi-definite covariance matrix. Received: smallest eigenvalue -1
    """
    s = check_array(name, sigma, ndim=2, min_size=0)
    if s.shape[0] != s.shape[1] or (dim is not None and s.shape[0] != dim):
        d = s.shape[0] if dim is None else dim
        raise invalid(name, f"a square matrix of shape ({d}, {d}) matching the mean", f"shape {s.shape}")
    if not s.size:
        return s
    scale = max(1.0, float(np.max(np.abs(s))))
    asym = float(np.max(np.abs(s - s.T)))
    if asym > 1e-6 * scale:
        raise invalid(name, "a symmetric covariance matrix", f"max |sigma - sigma.T| = {asym:.3g}")
    low = float(np.linalg.eigvalsh((s + s.T) / 2).min())
    if low < -1e-6 * scale * s.shape[0]:
        raise invalid(name, "a positive semi-definite covariance matrix", f"smallest eigenvalue {low:.3g}")
    return s


def check_seed(name, seed, allow_none=True):
    """Return a seed: ``None`` (when allowed) or an integer >= 0, else raise.

    Example:

    >>> check_seed("seed", 3), check_seed("seed", None)
    (3, None)
    >>> check_seed("seed", 1.5)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `seed`. Expected None or an integer >= 0. Received: seed=1.5
    """
    if seed is None and allow_none:
        return None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise invalid(name, ("None or " if allow_none else "") + "an integer >= 0", f"{name}={seed!r}")
    return int(seed)


def check_callable(name, value, expected="a callable"):
    """Return ``value`` if it is callable, else raise.

    Example:

    >>> check_callable("loss_fn", "mse", "a function loss_fn(model, batch) -> scalar")
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `loss_fn`. Expected a function loss_fn(model, batch) -> scalar. Received: loss_fn of type str
    """
    if not callable(value):
        raise invalid(name, expected, f"{name} of type {type(value).__name__}")
    return value


def check_path(name, value, kind=None):
    """Return ``value`` as a ``pathlib.Path`` if it is a path (``str`` or ``os.PathLike``); optionally check what is there.

    Args:
        name: the argument's name.
        value: the path.
        kind: ``None`` (anything), ``"folder"`` (nothing there, or a folder:
            one can be created) or ``"file"`` (nothing there, or a file).

    Example:

    >>> check_path("out_dir", 3)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `out_dir`. Expected a path (a str or os.PathLike). Received: out_dir=3
    """
    import os
    import pathlib

    if isinstance(value, bool) or not isinstance(value, (str, os.PathLike)) or not str(value):
        raise invalid(name, "a path (a str or os.PathLike)", f"{name}={value!r}")
    path = pathlib.Path(value)
    if kind == "folder" and path.exists() and not path.is_dir():
        raise invalid(name, "a folder, or a path where one can be created", f"{name}={str(value)!r}, which is a file")
    if kind == "file" and path.is_dir():
        raise invalid(name, "the path of a file", f"{name}={str(value)!r}, which is a folder")
    return path


def check_model(name, model):
    """Return ``model`` if it looks like a Keras model (it has ``layers`` and is callable), else raise.

    Example:

    >>> check_model("model", "generator")
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `model`. Expected a Keras model. Received: model of type str
    """
    if not (hasattr(model, "layers") and callable(model)):
        raise invalid(name, "a Keras model", f"{name} of type {type(model).__name__}")
    return model
