"""Running a model over many inputs a slice at a time: the one loop the package's inference functions share."""

import numpy as np

from stylegan_edu._validation import check_positive_int, invalid

__all__ = ["map_in_batches"]


def map_in_batches(fn, x, batch_size, name="inputs"):
    r"""``fn`` applied to ``x`` in slices of ``batch_size``, the outputs concatenated along the first axis.

    Formula:
        :math:`\big[\,f(x_{0:b});\ f(x_{b:2b});\ \dots\,\big]`, each part
        converted to numpy: what ``fn(x)`` would give, with at most
        :math:`b` inputs in memory at once.

    Args:
        fn: a callable, (b, ...) -> (b, ...), for example
            ``lambda v: model(v, training=False)``.
        x: an array (N, ...), N >= 1.
        batch_size: a positive int, inputs per call.
        name: the argument name used in the error for an empty ``x``.

    Returns:
        numpy array (N, ...).

    Example:

    >>> import numpy as np
    >>> map_in_batches(lambda v: v * 2, np.arange(5), batch_size=2)
    array([0, 2, 4, 6, 8])
    """
    batch_size = check_positive_int("batch_size", batch_size)
    if not len(x):
        raise invalid(name, "at least one input (N >= 1)", f"{name} of shape {tuple(np.shape(x))}")
    return np.concatenate([np.asarray(fn(x[i:i + batch_size])) for i in range(0, len(x), batch_size)])
