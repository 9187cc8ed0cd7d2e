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
