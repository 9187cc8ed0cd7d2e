"""Figures the chapters reuse: image grids and training curves.

``image_grid`` builds the pixels (numpy, no matplotlib), ``show_images`` draws
them, ``plot_history`` draws loss and metric curves. Matplotlib is imported
inside the functions, so importing this module changes no settings.
"""

import numpy as np

from stylegan_edu._validation import _range_bounds, as_image, check_finite, check_positive_int, invalid

__all__ = ["image_grid", "show_images", "plot_history"]

_RANGES = {(-1, 1): "[-1, 1]", (0, 1): "[0, 1]"}


def _to_numpy(images):
    if hasattr(images, "numpy") and not isinstance(images, np.ndarray):
        images = images.numpy()
    elif not isinstance(images, np.ndarray):
        try:
            import keras

            images = keras.ops.convert_to_numpy(images)
        except Exception:  # plain lists and scalars
            images = np.asarray(images)
    return np.asarray(images)


def _as_batch(images, name="images"):
    """Return images as float32 (N, H, W, C) with C in {1, 3}, or raise."""
    a = _to_numpy(images)
    if a.dtype.kind not in "biuf":
        raise invalid(name, "a numeric array of images", f"dtype {a.dtype}")
    if a.ndim == 2:
        a = a[None, :, :, None]  # one grey image (H, W)
    elif a.ndim == 3:
        a = a[..., None]  # (N, H, W) grey
    elif a.ndim != 4:
        raise invalid(name, "images of shape (H, W), (N, H, W), or (N, H, W, C) with C = 1 or 3", f"shape {a.shape}")
    if a.shape[-1] not in (1, 3):
        raise invalid(name, "images of shape (N, H, W, C) with C = 1 (grey) or 3 (RGB) channels", f"shape {a.shape}")
    if a.shape[0] == 0:
        raise invalid(name, "at least one image", f"shape {a.shape}")
    return a.astype(np.float32)


def _scale(a, value_range):
    """Map pixel values to [0, 1] with a fixed range (clipped outside), or per-batch min-max when None.

    Values outside ``value_range`` are clipped (for display); values more
    than four ranges outside it (0..255 pixels shown as [0, 1] or [-1, 1],
    say) raise instead of drawing white squares.
    """
    check_finite("images", a)
    if value_range is None:
        lo, hi = float(np.nanmin(a)), float(np.nanmax(a))
        return (a - lo) / (hi - lo) if hi > lo else np.full_like(a, 0.5)
    lo, hi = _range_bounds("value_range", value_range)
    if a.size and (float(a.min()) < lo - 4 * (hi - lo) or float(a.max()) > hi + 4 * (hi - lo)):
        as_image(a, (lo, hi), name="images")  # raises, naming the range and hinting at 0..255 or [-1, 1]
    return as_image(a, (lo, hi), to=(0, 1), clip=True, name="images")


def image_grid(images, ncols=8, value_range=(-1, 1), pad=1, pad_value=1.0):
    """Tile a batch of images into one array, scaled to [0, 1].

    Args:
        images: (N, H, W), (N, H, W, 1) or (N, H, W, 3); numpy, Keras or TF tensor.
        ncols: images per row (fewer if there are fewer images).
        value_range: ``(low, high)`` that maps to black and white, clipped
            outside; ``(-1, 1)`` for generator output (tanh), ``(0, 1)`` for
            images in [0, 1]. ``None`` stretches the batch's own min..max
            (to look at tiny differences; say so in the figure).
        pad: pixels of border between images.
        pad_value: the border's grey level in [0, 1].

    Returns:
        np.ndarray: float32, (rows*(H+pad)-pad, cols*(W+pad)-pad) for grey
        images or the same with a last axis of 3 for RGB.

    Example:

    >>> import numpy as np
    >>> grid = image_grid(np.zeros((5, 28, 28, 1)), ncols=4)
    >>> grid.shape
    (57, 115)
    >>> float(grid[0, 0]), float(grid[0, 28])
    (0.5, 1.0)
    """
    a = _scale(_as_batch(images), value_range)  # (N, H, W, C) in [0, 1]
    check_positive_int("ncols", ncols)
    check_positive_int("pad", pad, minimum=0)
    n, h, w, c = a.shape
    cols = min(int(ncols), n)
    rows = -(-n // cols)
    grid = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad, c), pad_value, dtype=np.float32)
    for i in range(n):
        r, q = divmod(i, cols)
        grid[r * (h + pad) : r * (h + pad) + h, q * (w + pad) : q * (w + pad) + w] = a[i]
    return grid[..., 0] if c == 1 else grid


def show_images(images, ncols=8, value_range=(-1, 1), titles=None, ax=None, title=None, scale=1.0, cmap="gray"):
    """Show a batch of images as a grid, with a fixed scaling, and return the figure.

    With ``titles`` each image gets its own small axes and title; without,
    the whole batch is drawn as one tiled image (fast, for large batches).

    Args:
        images: (N, H, W), (N, H, W, 1) or (N, H, W, 3); a single (H, W) image works too.
        ncols: images per row.
        value_range: what the pixel values mean: ``(-1, 1)`` (generator
            output) or ``(0, 1)``; values outside are clipped. ``None``
            stretches min..max and says so in the title.
        titles: optional list of one string per image.
        ax: draw the tiled grid into this axes (not with ``titles``).
        title: a title for the whole figure.
        scale: figure size multiplier (1.0 gives about 1 inch per image).
        cmap: colour map for grey images.

    Returns:
        matplotlib.figure.Figure: the figure.

    Raises:
        ValueError: for arrays that are not images, or ``titles`` of the wrong length.

    Example:

    >>> import numpy as np
    >>> fig = show_images(np.zeros((4, 28, 28)), ncols=2)
    >>> len(fig.axes)
    1
    >>> show_images(np.zeros((4, 28, 28, 2)))
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `images`. Expected images of shape (N, H, W, C) with C = 1 (grey) or 3 (RGB) channels. Received: shape (4, 28, 28, 2)
    """
    import matplotlib.pyplot as plt

    a = _as_batch(images)
    n = a.shape[0]
    label = title
    if value_range is None:
        label = (title + " " if title else "") + "(contrast stretched to min..max)"
    if titles is not None:
        if ax is not None:
            raise invalid("ax", "None when `titles` is given (each image gets its own axes)", "an axes")
        if isinstance(titles, str):  # a bare string would give one letter per image
            raise invalid("titles", f"a list of {n} titles, one per image", f"titles={titles!r:.80}")
        titles = list(titles)
        if len(titles) != n:
            raise invalid("titles", f"one title per image ({n})", f"{len(titles)} titles")
        scaled = _scale(a, value_range)
        cols = min(int(ncols), n)
        rows = -(-n // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols * scale, 1.5 * rows * scale), squeeze=False)
        for i, axi in enumerate(axes.flat):
            axi.axis("off")
            if i < n:
                img = scaled[i, ..., 0] if a.shape[-1] == 1 else scaled[i]
                axi.imshow(img, cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
                axi.set_title(str(titles[i]), fontsize=8)
        if label:
            fig.suptitle(label)
        fig.tight_layout()
        return fig
    grid = image_grid(a, ncols=ncols, value_range=value_range)
    if ax is None:
        cols = min(int(ncols), n)
        rows = -(-n // cols)
        fig, ax = plt.subplots(figsize=(max(1.0, cols * scale), max(1.0, rows * scale) + (0.3 if label else 0.0)))
    else:
        fig = ax.figure
    ax.imshow(grid, cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.axis("off")
    if label:
        ax.set_title(label)
    return fig


def _history_dict(history):
    if hasattr(history, "history") and isinstance(history.history, dict):
        history = history.history  # a keras.callbacks.History
    if not isinstance(history, dict) or not history:
        raise invalid("history", "a non-empty dict of lists or a keras History", f"history={type(history).__name__}")
    out = {}
    for key, values in history.items():
        arr = np.asarray(values, dtype=np.float64).ravel()
        if arr.size == 0:
            raise invalid("history", "a non-empty list for every key", f"{key!r} is empty")
        out[str(key)] = arr
    return out


def plot_history(history, keys=None, ax=None, title=None, xlabel="epoch", logy=False):
    """Plot training curves: one line per key, losses and metrics.

    Keys that start with ``val_`` are drawn dashed in the colour of their
    training counterpart.

    Args:
        history: a dict ``{name: list of numbers}`` or a ``keras.callbacks.History``.
        keys: which names to plot (default: all).
        ax: draw into this axes.
        title: the axes title.
        xlabel: the x axis label ("epoch", "step", ...).
        logy: use a log y axis.

    Returns:
        matplotlib.figure.Figure: the figure.

    Example:

    >>> fig = plot_history({"d_loss": [0.7, 0.6], "g_loss": [0.7, 0.9]}, xlabel="step")
    >>> [line.get_label() for line in fig.axes[0].get_lines()]
    ['d_loss', 'g_loss']
    """
    import matplotlib.pyplot as plt

    data = _history_dict(history)
    if keys is None:
        keys = list(data)
    else:
        keys = [keys] if isinstance(keys, str) else list(keys)
        missing = [k for k in keys if k not in data]
        if missing:
            raise invalid("keys", "names present in the history: " + ", ".join(repr(k) for k in data), f"keys={missing!r}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.5))
    else:
        fig = ax.figure
    colours = {}
    for key in keys:
        base = key[4:] if key.startswith("val_") else key
        kw = {"linestyle": "--"} if key.startswith("val_") else {}
        if base in colours:
            kw["color"] = colours[base]
        (line,) = ax.plot(np.arange(1, len(data[key]) + 1), data[key], label=key, **kw)
        colours.setdefault(base, line.get_color())
    ax.set_xlabel(xlabel)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    return fig
