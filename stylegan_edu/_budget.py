"""Quick mode: one switch that shortens every long computation in the book.

`make test` sets ``STYLEGAN_EDU_QUICK=1`` so that CI runs a short version of
each chapter; readers get the full version by default.
"""

import os

_ENV = "STYLEGAN_EDU_QUICK"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def is_quick():
    """Whether quick mode is on.

    Quick mode is on when the environment variable ``STYLEGAN_EDU_QUICK`` is
    one of ``1``, ``true``, ``yes`` or ``on`` (any case).

    Returns:
        bool: ``True`` in quick mode.

    Raises:
        ValueError: if the variable holds something that is neither true nor
            false, so that a typo never silently runs the long version.

    Example:

    >>> import os
    >>> os.environ["STYLEGAN_EDU_QUICK"] = "1"
    >>> is_quick()
    True
    >>> os.environ["STYLEGAN_EDU_QUICK"] = "0"
    >>> is_quick()
    False
    """
    value = os.environ.get(_ENV, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"Invalid value for environment variable `{_ENV}`. Expected one of "
        f"1/true/yes/on or 0/false/no/off. Received: {_ENV}={value!r}"
    )


def budget(full, quick):
    """Pick the full-run or the quick-mode value of a budget.

    Notebooks call this for every number that sets how long something runs
    (steps, epochs, image sizes, sample counts).

    Args:
        full: the value for a real run (what readers get).
        quick: the value used when ``STYLEGAN_EDU_QUICK`` is set (CI).

    Returns:
        ``quick`` in quick mode, else ``full``.

    Example:

    >>> import os
    >>> os.environ["STYLEGAN_EDU_QUICK"] = "1"
    >>> budget(full=2000, quick=20)
    20
    >>> del os.environ["STYLEGAN_EDU_QUICK"]
    >>> budget(full=2000, quick=20)
    2000
    """
    return quick if is_quick() else full
