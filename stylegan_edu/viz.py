"""Figures the chapters reuse: image grids, training curves and 2-D samples over training.

``image_grid`` builds the pixels (numpy, no matplotlib), ``show_images`` draws
them, ``plot_history`` draws loss and metric curves,
``plot_samples_over_training`` draws a 2-D generator's points at several
steps (the mode-collapse toy of chapter 8). Matplotlib is imported
inside the functions, so importing this module changes no settings.
"""

import numpy as np

from stylegan_edu._validation import _range_bounds, as_image, check_finite, check_positive_int, invalid

__all__ = ["image_grid", "show_images", "plot_history", "animation_html", "plot_samples_over_training"]

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


def animation_html(frames, size=None, duration=600, alt="training progression"):
    """An animated GIF of grey frames, as an HTML ``<img>`` that notebooks and the rendered book both play.

    The GIF is embedded in the page (base64), so it needs no file next to the
    notebook; chapters 9 and 13 animate their generators' training with it.

    Args:
        frames: a list of (H, W) arrays in [0, 1], or of ``(label, array)``
            pairs (as :func:`stylegan_edu.pretrained.mnist_generator_progress` returns).
        size: ``None`` (keep the size) or the side in pixels each frame is
            resized to (nearest neighbour, square frames).
        duration: milliseconds per frame, >= 20.
        alt: the image's alternative text.

    Returns:
        IPython.display.HTML: display it (the last line of a cell does).

    Example:

    >>> import numpy as np
    >>> html = animation_html([np.zeros((4, 4)), np.ones((4, 4))], size=8)
    >>> html.data.startswith('<img alt="training progression" src="data:image/gif;base64,')
    True
    """
    import base64
    import io

    from IPython.display import HTML
    from PIL import Image

    from stylegan_edu._validation import check_positive_int, invalid

    if not isinstance(frames, (list, tuple)) or not frames:
        raise invalid("frames", "a non-empty list of (H, W) arrays in [0, 1], or of (label, array) pairs", f"frames={frames!r}")
    arrays = [np.asarray(f[1] if isinstance(f, tuple) else f, np.float64) for f in frames]
    for a in arrays:
        if a.ndim != 2 or not np.isfinite(a).all() or a.min() < 0 or a.max() > 1:
            raise invalid("frames", "(H, W) arrays with values in [0, 1]", f"an array of shape {a.shape}")
    check_positive_int("duration", duration, minimum=20)
    images = [Image.fromarray(np.round(255 * a).astype(np.uint8)) for a in arrays]
    if size is not None:
        side = check_positive_int("size", size)
        images = [im.resize((side, side), Image.NEAREST) for im in images]
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=int(duration), loop=0)
    data = base64.b64encode(buffer.getvalue()).decode()
    return HTML(f'<img alt="{alt}" src="data:image/gif;base64,{data}">')


def plot_samples_over_training(samples, steps, centers=None, std=None, max_points=500, scale=1.0, title=None):
    r"""2-D samples over training: one row per run, one column per snapshot, the modes marked.

    Args:
        samples: ``{row label: points (S, N, 2)}``, S snapshots of N points
            each (e.g. ``ModeExperiment.samples`` of
            :func:`stylegan_edu.mode_coverage.run_mode_experiment`, whose
            keys ``(recipe, seed)`` become ``"recipe, seed s"``).
        steps: the S training steps of the snapshots (column titles).
        centers: mode centres (K, 2) to mark with red crosses (optional).
        std: with ``centers``, draw a circle of radius :math:`3\sigma` around
            each: the region :func:`stylegan_edu.mode_coverage.mode_metrics`
            counts as high quality; and write in each panel its modes
            covered and high-quality share (of all N points).
        max_points: at most this many points per panel (the first ones).
        scale: figure size multiplier (1.0 gives about 1.6 inches per panel).
        title: a title for the whole figure.

    Returns:
        matplotlib.figure.Figure: the figure.

    Example:

    >>> import numpy as np
    >>> pts = np.zeros((3, 10, 2))
    >>> fig = plot_samples_over_training({("plain", 0): pts, ("R1", 0): pts}, steps=[0, 5, 10], centers=[[1.0, 0.0]], std=0.1)
    >>> len(fig.axes), fig.axes[0].get_ylabel(), fig.axes[2].get_title()
    (6, 'plain, seed 0', 'step 10')
    """
    import matplotlib.pyplot as plt

    if std is not None:
        from stylegan_edu.mode_coverage import mode_metrics  # the panel's numbers are the chapter's metric

    if not isinstance(samples, dict) or not samples:
        raise invalid("samples", "a non-empty dict {row label: points (S, N, 2)}", f"samples of type {type(samples).__name__}"
                      if not isinstance(samples, dict) else "samples={}")
    rows = {}
    for key, value in samples.items():
        a = check_finite("samples", _to_numpy(value))
        if a.ndim != 3 or a.shape[-1] != 2 or a.shape[0] < 1 or a.shape[1] < 1 or a.dtype.kind not in "fiu":
            raise invalid("samples", "points of shape (S, N, 2) per row, S, N >= 1", f"samples[{key!r}] with shape {a.shape}")
        label = f"{key[0]}, seed {key[1]}" if isinstance(key, tuple) and len(key) == 2 else str(key)
        rows[label] = a.astype(np.float64)
    shapes = {a.shape[0] for a in rows.values()}
    if len(shapes) != 1:
        raise invalid("samples", "the same number of snapshots S in every row", f"S in {sorted(shapes)}")
    s = shapes.pop()
    if isinstance(steps, (str, bytes)) or not hasattr(steps, "__len__") or len(steps) != s:
        raise invalid("steps", f"one step per snapshot ({s})", f"steps={steps!r:.80}")
    max_points = check_positive_int("max_points", max_points)
    c = None
    if centers is not None:
        c = check_finite("centers", _to_numpy(centers))
        if c.ndim != 2 or c.shape[1] != 2 or c.dtype.kind not in "fiu" or not len(c):
            raise invalid("centers", "mode centres of shape (K, 2)", f"shape {c.shape}")
    if std is not None:
        if isinstance(std, bool) or not isinstance(std, (int, float, np.floating, np.integer)) or not np.isfinite(std) or std <= 0:
            raise invalid("std", "None or a float > 0", f"std={std!r}")
    everything = np.concatenate([a[:, :max_points].reshape(-1, 2) for a in rows.values()]
                                + ([c] if c is not None else []))
    reach = float(np.max(np.abs(c))) * 1.6 if c is not None else float(np.percentile(np.abs(everything), 99)) * 1.2 or 1.0
    fig, axes = plt.subplots(len(rows), s, figsize=(1.6 * s * scale, 1.6 * len(rows) * scale), squeeze=False)
    for i, (label, a) in enumerate(rows.items()):
        for j in range(s):
            ax = axes[i, j]
            p = a[j, :max_points]
            if c is not None:  # under the points, so that a mode's points stay visible
                ax.scatter(c[:, 0], c[:, 1], marker="+", s=30, color="tab:red", linewidths=0.8, zorder=1)
                if std is not None:
                    for cx, cy in c:
                        ax.add_patch(plt.Circle((cx, cy), 3 * float(std), fill=False, color="tab:red", linewidth=0.6, zorder=1))
                    m = mode_metrics(a[j], c, std=float(std))  # on all N points, not only the drawn ones
                    ax.text(0.03, 0.03, f"{m['modes_covered']}/{len(c)} modes\n{m['high_quality_share']:.0%} good", fontsize=6,
                            transform=ax.transAxes, va="bottom")
            ax.scatter(p[:, 0], p[:, 1], s=3, alpha=0.6, color="tab:blue", linewidths=0, zorder=2)
            ax.set_xlim(-reach, reach)
            ax.set_ylim(-reach, reach)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(f"step {steps[j]}", fontsize=8)
            if j == 0:
                ax.set_ylabel(label, fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
